import { useEffect, useState } from 'react';
import { ApiError, SIGNED_OUT_EVENT } from '../api';

/**
 * Reads of Prometheus's query API (`/api/v1/...`), whose answers and errors are Prometheus's
 * (`{status, data}`, `{status: "error", errorType, error}`) rather than the REST API's: an error
 * comes back as an `ApiError` whose code is the `errorType` and whose message is the parser's.
 */
export async function promGet<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (response.status === 401) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  let body: { status?: string; data?: T; errorType?: string; error?: string | { code: string; message: string } };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(response.status, 'ERR_HTTP', `${response.status} ${response.statusText}`);
  }
  if (response.ok && body.status === 'success') return body.data as T;
  if (typeof body.error === 'string') throw new ApiError(response.status, body.errorType ?? 'error', body.error);
  if (body.error !== undefined) throw new ApiError(response.status, body.error.code, body.error.message);
  throw new ApiError(response.status, 'ERR_HTTP', `${response.status} ${response.statusText}`);
}

export interface ReadsState<T> {
  data: T[] | undefined;
  error: Error | undefined;
  loading: boolean;
}

/**
 * GETs every URL of `urls` at once and gives all the answers together. Reads again only when the
 * URLs change (as text), so a panel re-rendered for another reason (the editor moving it, a
 * picker another panel does not use) asks nothing; an older read never overwrites a newer one.
 */
export function usePromReads<T>(urls: readonly string[]): ReadsState<T> {
  const key = urls.join('\n');
  const [state, setState] = useState<ReadsState<T>>({ data: undefined, error: undefined, loading: urls.length > 0 });
  useEffect(() => {
    if (key === '') return;
    const controller = new AbortController();
    setState((s) => ({ data: s.data, error: undefined, loading: true }));
    Promise.all(key.split('\n').map((url) => promGet<T>(url, controller.signal))).then(
      (data) => setState({ data, error: undefined, loading: false }),
      (error: Error) => {
        if (!controller.signal.aborted) setState({ data: undefined, error, loading: false });
      },
    );
    return () => controller.abort();
  }, [key]);
  return state;
}
