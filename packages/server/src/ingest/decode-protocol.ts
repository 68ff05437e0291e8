import type { MessagePort } from 'node:worker_threads';
import type { ModelPrice, PriceTable } from '@spoor/model';
import { BATCH_TRANSFERS, type BatchProtocol } from '../dbthread/protocol.js';
import type { CountedScore } from '../metrics/score-metrics.js';
import { buffersOf } from '../store/columns.js';
import { ThreadClient } from '../threads/client.js';
import type { Served, Transfers } from '../threads/protocol.js';
import type { DecodeCore, DecodeRequest, DecodeResult } from './decoder.js';
import type { MaskFile, MaskingPolicy } from './masking.js';

/** What the decode thread is started with (its `workerData`). */
export interface DecodeThreadConfig {
  prices: PriceTable | null;
  maskFile: MaskFile | null;
}

/** Between the HTTP thread and its decode thread. */
export type DecodeProtocol = {
  config: DecodeThreadConfig;
  calls: {
    /** Throws the decoder's `AppError` for a body it cannot read. */
    decode: (request: DecodeRequest) => DecodeResult;
    /** The span- and score-derived metrics, and the masked values, in the Prometheus text format. */
    spanMetrics: () => string;
  };
  posts: {
    /** The request `ticket` names was acknowledged (its spans count), or refused after it decoded. */
    settle: [ticket: number, accepted: boolean];
    /**
     * The decode thread's end of a channel to the database thread: from now on each batch goes
     * there as soon as it is decoded, under its ticket (the answer's `batch` is `null`).
     */
    batchesTo: [port: MessagePort];
    /** A project's prices set through the API. */
    prices: [projectId: string, models: ModelPrice[]];
    /** Spans stored before this start, oldest first. */
    remember: [spans: ReadonlyArray<{ projectId: string; traceId: string; spanId: string }>];
    /** A project's masking policy set through the API (`null`: back to the `--mask` file's). */
    masking: [projectId: string, policy: MaskingPolicy | null];
    /** Scores stored other than by ingest, to count on `/metrics`. */
    scores: [scores: readonly CountedScore[]];
  };
  events: Record<never, never>;
};

/** The body moves to the thread and back, with the batch's typed arrays, without a copy. */
export const DECODE_TRANSFERS: Transfers<DecodeProtocol> = {
  calls: { decode: (request) => [request.body.buffer as ArrayBuffer] },
  answers: { decode: (result) => [...(result.batch === null ? [] : buffersOf(result.batch.tables)), result.body.buffer as ArrayBuffer] },
  posts: { batchesTo: (port) => [port] },
};

/** What serves the protocol: a `DecodeCore`, in the decode thread or (for tests) in process. */
export function decodeServed(core: DecodeCore): Served<DecodeProtocol> {
  // Once connected, each batch goes straight to the database thread, which keeps it until it hears
  // where its request was spooled. Sent at once, as it was to the HTTP thread: kept here until the
  // request was spooled instead, this thread (the busy one) spent more per span in paired runs.
  let batches: ThreadClient<BatchProtocol> | null = null;
  return {
    calls: {
      decode: (request) => {
        const decoded = core.decode(request);
        if (batches === null) return decoded;
        batches.post('batch', decoded.ticket, decoded.batch);
        return { ...decoded, batch: null };
      },
      spanMetrics: () => core.metrics.render(core.scoreMetrics.overflowed()) + core.scoreMetrics.render() + core.maskedMetrics(),
    },
    posts: {
      settle: (ticket, accepted) => core.settle(ticket, accepted),
      batchesTo: (port) => {
        batches = new ThreadClient<BatchProtocol>(port, {
          what: 'database thread',
          events: {},
          transfers: BATCH_TRANSFERS,
          unavailable: (failure) => failure,
          // The HTTP thread hears of the database thread's failure from the thread itself.
          onFailed: () => {},
        });
      },

      prices: (projectId, models) => core.setPrices(projectId, models),
      remember: (spans) => core.remember(spans),
      masking: (projectId, policy) => core.setMasking(projectId, policy),
      scores: (scores) => core.scoreMetrics.countScores(scores),
    },
  };
}
