import type { ModelPrice, PriceTable } from '@spoor/model';
import type { CountedScore } from '../metrics/score-metrics.js';
import { buffersOf } from '../store/columns.js';
import type { Served, Transfers } from '../threads/protocol.js';
import type { DecodeCore, DecodeRequest, DecodeResult } from './decoder.js';
import type { MaskFile, MaskingPolicy } from './masking.js';

/** What the decode thread is started with (its `workerData`). */
export interface DecodeThreadConfig {
  prices: PriceTable | null;
  maskFile: MaskFile | null;
  /** Series each derived family on `/metrics` may expose, buckets included (`--metrics-max-series`). */
  metricsMaxSeries: number;
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
  answers: { decode: (result) => [...buffersOf(result.batch.tables), result.body.buffer as ArrayBuffer] },
};

/** What serves the protocol: a `DecodeCore`, in the decode thread or (for tests) in process. */
export function decodeServed(core: DecodeCore): Served<DecodeProtocol> {
  return {
    calls: {
      decode: (request) => core.decode(request),
      spanMetrics: () => core.metrics.render(core.scoreMetrics.overflowed()) + core.scoreMetrics.render() + core.maskedMetrics(),
    },
    posts: {
      settle: (ticket, accepted) => core.settle(ticket, accepted),
      prices: (projectId, models) => core.setPrices(projectId, models),
      remember: (spans) => core.remember(spans),
      masking: (projectId, policy) => core.setMasking(projectId, policy),
      scores: (scores) => core.scoreMetrics.countScores(scores),
    },
  };
}
