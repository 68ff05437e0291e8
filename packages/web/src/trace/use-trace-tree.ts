import { useEffect, useState } from 'react';
import { type LogRecord, type Score, TREE_MEDIA_TYPE } from '@spoor/model';
import { apiStream, apiUrl } from '../api';
import type { SpanTree } from './span-tree';
import { TreeLoader } from './tree-loader';

/** A trace's tree as it loads: a tree to draw from the first chunk on, the logs and scores at the end. */
export interface TraceLoad {
  tree: SpanTree | null;
  logs: readonly LogRecord[];
  scores: readonly Score[];
  /** The whole tree is in. */
  done: boolean;
  /** Tail sampling did not keep the trace whole: its spans are slim (known once the tree is in). */
  sampledOut: boolean;
  error: Error | undefined;
}

const START: TraceLoad = { tree: null, logs: [], scores: [], done: false, sampledOut: false, error: undefined };

/** Work done between two yields to the browser while a stream is read: it stays responsive, scrolls and paints. */
const SLICE_MS = 8;

/** Resolves in a task of its own (not a microtask): the browser renders and handles input first. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/**
 * Loads `GET /api/traces/:id/tree` as the binary stream, drawing the first rows from its first
 * chunk and a fuller tree at doubling sizes (`TreeLoader`). Marks `spoor:trace-data` when the first
 * tree is made. It waits while `start` is false (a live page opens its stream first).
 */
export function useTraceTree(traceId: string, start = true): TraceLoad {
  const [load, setLoad] = useState<TraceLoad>(START);
  useEffect(() => {
    if (!start) return;
    setLoad(START);
    const controller = new AbortController();
    const { signal } = controller;
    const firstTree = (tree: SpanTree): void => {
      // The benchmark measures from here: the first spans have arrived and are ordered.
      if (performance.getEntriesByName('spoor:trace-data').length === 0) performance.mark('spoor:trace-data');
      setLoad((l) => ({ ...l, tree }));
    };
    const read = async (): Promise<void> => {
      const url = apiUrl(`/api/traces/${encodeURIComponent(traceId)}/tree`);
      const response = await apiStream(url, TREE_MEDIA_TYPE, signal);
      if (response.body === null) throw new Error(`GET ${url} answered no body`);
      const loader = new TreeLoader();
      const reader = response.body.getReader();
      let since = performance.now();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const tree = loader.push(value);
        if (tree !== null) firstTree(tree);
        if (tree !== null || performance.now() - since > SLICE_MS) {
          await nextTask();
          since = performance.now();
        }
      }
      const tree = loader.end();
      firstTree(tree);
      setLoad({
        tree,
        logs: loader.trailer!.logs,
        scores: loader.trailer!.scores,
        done: true,
        sampledOut: loader.trailer!.sampledOut === true,
        error: undefined,
      });
    };
    read().catch((error: Error) => {
      if (!signal.aborted) setLoad((l) => ({ ...l, error }));
    });
    return () => controller.abort();
  }, [traceId, start]);
  return load;
}
