import { useEffect, useRef, useState } from 'react';
import type { LiveSpan, LiveSpansEvent } from '@spoor/model';
import { apiUrl } from '../api';
import { useEventStream } from '../live/use-event-stream';
import { batchFromLiveSpans, liveStreamUntilMs } from './live-spans';
import { buildSpanTree, type SpanTree } from './span-tree';
import { type TraceLoad, useTraceTree } from './use-trace-tree';

/** How long a page keeps its stream past the trace's last end or news: spans still on their way (an app without live mode sends a span when it ends). */
const LINGER_MS = 10_000;
/** How long the tree waits for the stream to start before it loads anyway (a stream refused, a proxy holding it). */
const STREAM_START_WAIT_MS = 1500;

/** A trace's tree as it loads and then as it changes. */
export interface LiveTraceLoad extends TraceLoad {
  /** Whether a span of the trace runs. */
  running: boolean;
  /** Bumped by each change the stream brought (the tree object stays when only values changed). */
  version: number;
}

/**
 * A trace page's tree, kept up to date while the trace runs. The trace's live stream
 * (`GET /api/traces/:id/live`) opens first and the tree is read once it has started (its `ready`),
 * so nothing committed in between is missed; what the stream sends while the tree still loads is
 * applied after it. Each `spans` event is upserted into the tree's columns (a running span replaced
 * by a newer snapshot or by its end, never an ended span by a snapshot), the order rebuilt only
 * when a span came or moved. The stream is closed once nothing runs and the trace has been quiet
 * for a while (`liveStreamUntilMs`): at once for a run that ended before the page opened.
 */
export function useLiveTrace(traceId: string): LiveTraceLoad {
  const [streaming, setStreaming] = useState(true);
  const [started, setStarted] = useState(false);
  const load = useTraceTree(traceId, started);
  const [live, setLive] = useState<{ tree: SpanTree | null; version: number; running: boolean }>({ tree: null, version: 0, running: false });
  const waiting = useRef<LiveSpan[][]>([]);
  const heardMs = useRef(-Infinity);
  /** The tree shown, once the whole tree is in: events go on it as they come, between renders too. */
  const shown = useRef<SpanTree | null>(null);

  const apply = (batches: readonly LiveSpan[][], current: SpanTree): void => {
    const spans = current.spans;
    let structure = false;
    for (const batch of batches) structure = spans.upsert(batchFromLiveSpans(batch, spans.originUs, Date.now() * 1000)).structure || structure;
    const tree = structure ? buildSpanTree(spans) : current;
    shown.current = tree;
    setLive((state) => ({ tree, version: state.version + 1, running: spans.runningCount > 0 }));
  };

  useEffect(() => {
    const timer = window.setTimeout(() => setStarted(true), STREAM_START_WAIT_MS);
    return () => window.clearTimeout(timer);
  }, []);

  useEventStream(
    streaming ? apiUrl(`/api/traces/${encodeURIComponent(traceId)}/live`) : null,
    {
      ready: () => setStarted(true),
      spans: (data) => {
        const event = JSON.parse(data) as LiveSpansEvent;
        heardMs.current = Date.now();
        if (shown.current === null) waiting.current.push(event.spans);
        else apply([event.spans], shown.current);
      },
    },
    () => setStarted(true),
  );

  // The whole tree is in: what came meanwhile goes on it.
  const base = load.done ? load.tree : null;
  useEffect(() => {
    if (base === null) return;
    shown.current = base;
    const batches = waiting.current.splice(0);
    if (batches.length > 0) apply(batches, base);
    else setLive({ tree: base, version: 0, running: base.spans.runningCount > 0 });
    // `apply` is made anew each render and reads nothing of it: only a new base tree matters here.
  }, [base]);

  // Close the stream once nothing runs and the trace has been quiet a while.
  const { version } = live;
  const tree = live.tree;
  useEffect(() => {
    if (!streaming) return;
    if (load.error !== undefined) {
      setStreaming(false);
      return;
    }
    if (tree === null) return;
    const waitMs = liveStreamUntilMs(tree.spans, heardMs.current, LINGER_MS) - Date.now();
    if (waitMs === Infinity) return;
    if (waitMs <= 0) {
      setStreaming(false);
      return;
    }
    const timer = window.setTimeout(() => setStreaming(false), waitMs);
    return () => window.clearTimeout(timer);
  }, [streaming, tree, version, load.error]);

  return { ...load, tree: tree ?? load.tree, running: live.running, version };
}
