import type { ApiErrorBody } from '@spoor/model';
import { type Params, pathWith } from './router';

/** The web UI talks only to the REST API, on the origin that served it. */

export type { Params };

/** An API answer that was not 2xx: the server's code and message, or the transport's failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** An API address with its query; empty and `null` values are left out. */
export const apiUrl: (path: string, params?: Params) => string = pathWith;

/** Sent on every 401, so the sign-in gate (`access.tsx`) asks who is signed in again. */
export const SIGNED_OUT_EVENT = 'spoor:signed-out';

async function answer<T>(response: Response): Promise<T> {
  // Signed out under our feet (the key revoked, the session expired): the sign-in page takes over.
  if (response.status === 401) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
  let code = 'ERR_HTTP';
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as ApiErrorBody;
    code = body.error.code;
    message = body.error.message;
  } catch {
    // Not an API error body (a proxy's page, say): the status line is all there is to show.
  }
  throw new ApiError(response.status, code, message);
}

/**
 * A GET whose body the caller reads itself (a stream), asking for `accept`: the response when it
 * is 2xx, else the API's error as `apiGet` throws it.
 */
export async function apiStream(url: string, accept: string, signal?: AbortSignal): Promise<Response> {
  const response = await fetch(url, { signal, headers: { accept } });
  return response.ok ? response : answer<never>(response);
}

export async function apiGet<T>(url: string, signal?: AbortSignal): Promise<T> {
  return answer<T>(await fetch(url, { signal, headers: { accept: 'application/json' } }));
}

export async function apiSend<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
  }
  return answer<T>(await fetch(path, init));
}
