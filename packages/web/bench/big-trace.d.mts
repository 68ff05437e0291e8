// Types of big-trace.mjs for the TypeScript tests (its JSDoc is the source; keep the two alike).

export interface BigTraceOptions {
  /** How many spans. Default 50,000. */
  spans?: number;
  /** Seeds ids, shape and timing. Default 1. */
  seed?: number;
  /** When the root starts, epoch ms. Default: so that the trace ends 5 s before now. */
  startMs?: number;
  /** The largest body to build. Default 7,500,000 (the goal is under 8 MB). */
  maxRequestBytes?: number;
}

export interface BigTrace {
  /** 32 lowercase hex digits. */
  traceId: string;
  rootSpanId: string;
  spanCount: number;
  /** Spans with status error (each has an `exception` event). */
  errorCount: number;
  /** Of the deepest span, 1 for the root. */
  maxDepth: number;
  /** Of the root span. */
  durationMs: number;
  /** `ExportTraceServiceRequest` bodies as JSON, each under `maxRequestBytes`. */
  bodies: string[];
  /** The spans' links and times, for what a test or benchmark must know of the tree. */
  shape: BigTraceShape;
}

/** Span `i` is element `i` of each column, in the order the spans were made. */
export interface BigTraceShape {
  spanIds: string[];
  parentSpanIds: (string | null)[];
  /** Epoch microseconds, as sent. */
  startUs: Float64Array;
  endUs: Float64Array;
}

/** Builds one agent trace of `spans` spans as OTLP/JSON request bodies; deterministic for a seed. */
export function buildBigTrace(options?: BigTraceOptions): BigTrace;
