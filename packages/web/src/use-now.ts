import { useEffect, useState } from 'react';

/**
 * "Now" for building a moving time range (`range=1h`). It holds still between ticks: a fresh
 * `Date.now()` on every render would change the request URL on every render and refetch forever.
 * It moves when `key` changes (say, the page's query string), in the same render so no request
 * goes out with the old one, and every `refreshMs` when given.
 */
export function useNow(refreshMs: number | null, key: unknown = null): number {
  const [state, setState] = useState(() => ({ key, now: Date.now() }));
  let current = state;
  if (!Object.is(state.key, key)) {
    // Adjusting state while rendering: React renders again at once, before any effect runs.
    current = { key, now: Date.now() };
    setState(current);
  }
  useEffect(() => {
    if (refreshMs === null) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') setState((s) => ({ key: s.key, now: Date.now() }));
    }, refreshMs);
    return () => window.clearInterval(timer);
  }, [refreshMs]);
  return current.now;
}
