import { useCallback, useEffect, useRef, useState } from 'react';
import { apiGet } from './api';

export interface ApiState<T> {
  /** The last answer, kept while a newer request (a poll, a changed filter) is in flight so the page does not flicker. */
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Asks again now. */
  reload: () => void;
}

/**
 * GETs `url` (built with `apiUrl`) and again whenever it changes; `null` waits. With `refreshMs`
 * it polls while the tab is visible. An older answer never overwrites a newer one (the older
 * request is aborted). Pages that show one thing per address are keyed on it in App.tsx, so they
 * never show the previous thing's data.
 */
export function useApi<T>(url: string | null, options: { refreshMs?: number | null } = {}): ApiState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: url !== null,
  });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  // A poll waits for the answer before it asks again: aborting a slow answer every few seconds
  // would leave the page with none.
  const inFlight = useRef(false);
  useEffect(() => {
    if (url === null) return;
    const controller = new AbortController();
    setState((s) => ({ data: s.data, error: undefined, loading: true }));
    inFlight.current = true;
    apiGet<T>(url, controller.signal).then(
      (data) => {
        inFlight.current = false;
        setState({ data, error: undefined, loading: false });
      },
      (error: Error) => {
        if (controller.signal.aborted) return;
        inFlight.current = false;
        setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [url, tick]);

  const refreshMs = options.refreshMs ?? null;
  useEffect(() => {
    if (refreshMs === null || url === null) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible' && !inFlight.current) reload();
    }, refreshMs);
    return () => window.clearInterval(timer);
  }, [refreshMs, url, reload]);

  return { ...state, reload };
}
