import { useEffect, useState } from 'react';

/**
 * "Now" for building a moving time range (`range=1h`). It holds still between ticks: a fresh
 * `Date.now()` on every render would change the request URL on every render and refetch forever.
 * It moves when `key` changes (say, the page's query string) and every `refreshMs` in live mode.
 */
export function useNow(refreshMs: number | null, key: unknown = null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => setNow(Date.now()), [key]);
  useEffect(() => {
    if (refreshMs === null) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') setNow(Date.now());
    }, refreshMs);
    return () => window.clearInterval(timer);
  }, [refreshMs]);
  return now;
}
