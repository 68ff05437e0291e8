import { useEffect, useRef } from 'react';
import { apiUrl, type Params } from '../api';
import { createThrottle } from './throttle';
import { useEventStream } from './use-event-stream';

/** At most one refresh a second, however often traces are committed (at 1,000 spans/s the stream says so 4 times a second). */
const REFRESH_INTERVAL_MS = 1000;

/**
 * Calls `refresh` when `GET /api/live` (under `filters`) says a trace changed, at most once a
 * second and only while the tab is visible: a change seen while it was hidden refreshes it when
 * it is shown again.
 */
export function useCommitRefresh(filters: Params, refresh: () => void): void {
  const latest = useRef(refresh);
  useEffect(() => {
    latest.current = refresh;
  });
  const missed = useRef(false);
  const throttle = useRef<ReturnType<typeof createThrottle> | null>(null);
  useEffect(() => {
    const made = createThrottle(() => latest.current(), REFRESH_INTERVAL_MS);
    throttle.current = made;
    const shown = (): void => {
      if (document.visibilityState !== 'visible' || !missed.current) return;
      missed.current = false;
      made.signal();
    };
    document.addEventListener('visibilitychange', shown);
    return () => {
      document.removeEventListener('visibilitychange', shown);
      made.cancel();
    };
  }, []);
  useEventStream(apiUrl('/api/live', filters), {
    traces: () => {
      if (document.visibilityState === 'visible') throttle.current?.signal();
      else missed.current = true;
    },
  });
}
