import { useMemo, useState } from 'react';
import type { LiveTracesEvent, TraceSummary } from '@spoor/model';
import { apiUrl, type Params } from '../api';
import type { PagesState } from '../use-pages';
import { withLiveTraces } from './live-traces';
import { useEventStream } from './use-event-stream';

/** Traces the stream changed that a page keeps at most (a summary is under 1 kB); the oldest changed are forgotten first. */
const MAX_CHANGED = 1000;

/**
 * The trace list, live: with `live`, `GET /api/live` under the list's own filters, and each
 * `traces` event applied to the loaded rows (`withLiveTraces`). The first page is asked again once
 * the stream has started (its `ready`), so nothing committed between the page's read and the
 * stream's start is missed; what arrives after is applied on top of it, the newest of each trace
 * winning.
 */
export function useLiveTraces(filters: Params, live: boolean, list: PagesState<TraceSummary>): TraceSummary[] {
  const url = live ? apiUrl('/api/live', filters) : null;
  const [changed, setChanged] = useState<{ url: string | null; traces: Map<string, TraceSummary> }>({ url: null, traces: new Map() });
  useEventStream(url, {
    ready: list.reload,
    traces: (data) => {
      const event = JSON.parse(data) as LiveTracesEvent;
      setChanged((state) => {
        const traces = new Map(state.url === url ? state.traces : []);
        for (const trace of event.traces) {
          // Set again at the end: the map's order is the order of change, oldest first.
          traces.delete(trace.traceId);
          traces.set(trace.traceId, trace);
        }
        for (const traceId of traces.keys()) {
          if (traces.size <= MAX_CHANGED) break;
          traces.delete(traceId);
        }
        return { url, traces };
      });
    },
  });
  const current = changed.url === url ? changed.traces : null;
  return useMemo(() => (current === null ? list.items : withLiveTraces(list.items, current, list.hasMore)), [list.items, list.hasMore, current]);
}
