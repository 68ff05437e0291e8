import { errorsFromLogs, errorsFromSpans } from '../normalize/error-occurrences.js';
import { normalizeSpans } from '../normalize/normalize.js';
import { scoresFromLogs, scoresFromSpans } from '../normalize/scores.js';
import type { PriceBook, SpanRecord } from '@spoor/model';
import { type RecordBatch, type WriteBatch, batchOf } from '../store/tables.js';
import { decodeLogsJson } from './json/logs.js';
import { decodeMetricsJson } from './json/metrics.js';
import { decodeTracesJson } from './json/traces.js';
import { decodeLogsProtobuf } from './protobuf/logs.js';
import { decodeMetricsProtobuf } from './protobuf/metrics.js';
import { decodeTracesProtobuf } from './protobuf/traces.js';
import type { Decoded } from './decoded.js';
import { dropOutOfRange, logRangeProblem, pointRangeProblem, spanRangeProblem } from './limits.js';
import type { Encoding, OtlpSignal } from './response.js';

/** A decoded export request: the records to store, and what was rejected and why. */
export interface DecodedRequest {
  batch: RecordBatch;
  records: number;
  rejected: number;
  /** How many of the rejected were spans already received (in the request, or in an earlier one). */
  duplicates?: number;
  rejectReason: string | null;
  /** Evaluation events that could be no score: log records (rejected too) and span events (dropped, their spans kept). */
  refusedEvaluations?: number;
}

export interface DecodeOptions {
  /** Prices LLM spans by this book; without it their cost is only what they reported. */
  prices?: PriceBook;
  /**
   * Fills the derived fields (llm, category, session) and finds the errors. Default true; off,
   * the records are only decoded and checked (the benchmark's one-thread reference does that).
   */
  normalize?: boolean;
  /** Spans acknowledged in earlier requests: one of them sent again is rejected as a duplicate. */
  recent?: { has(span: SpanRecord): boolean };
}

/**
 * Decodes one OTLP export body and normalizes its records. Deterministic for a given body,
 * `receivedUs` and prices, so a spooled body decodes to the same records when it is replayed.
 */
export function decodeRequest(
  signal: OtlpSignal,
  encoding: Encoding,
  body: Uint8Array,
  projectId: string,
  receivedUs: number,
  options: DecodeOptions = {},
): DecodedRequest {
  if (signal === 'traces') {
    const seen: SeenSpans = { traceOf: new Map(), others: new Set() };
    let duplicates = 0;
    const duplicate = (reason: string): string => {
      duplicates++;
      return reason;
    };
    const d = inRange(encoding === 'protobuf' ? decodeTracesProtobuf(body, projectId) : decodeTracesJson(body, projectId), (span) => {
      const problem = spanRangeProblem(span);
      if (problem !== null) return problem;
      const again = duplicateProblem(span, seen);
      if (again !== null) return duplicate(again);
      return options.recent?.has(span) === true ? duplicate(`span ${span.traceId}/${span.spanId} was received in an earlier request; it is stored once`) : null;
    });
    const batch: RecordBatch = { spans: d.records, logs: [], metricPoints: [], writtenUs: receivedUs };
    let refusedEvaluations = 0;
    if (options.normalize !== false) {
      normalizeSpans(d.records, options.prices);
      batch.errors = errorsFromSpans(d.records);
      // An evaluation event that is no score leaves its span as it is; the span is good data.
      const found = scoresFromSpans(d.records);
      batch.scores = found.scores;
      refusedEvaluations = found.refusedEvents;
    }
    return { batch, records: d.records.length, rejected: d.rejected, duplicates, rejectReason: d.rejectReason, refusedEvaluations };
  }
  if (signal === 'logs') {
    const d = inRange(
      encoding === 'protobuf' ? decodeLogsProtobuf(body, projectId, receivedUs) : decodeLogsJson(body, projectId, receivedUs),
      logRangeProblem,
    );
    const batch: RecordBatch = { spans: [], logs: d.records, metricPoints: [], writtenUs: receivedUs };
    let refusedEvaluations = 0;
    if (options.normalize !== false) {
      // An evaluation record that is no score (no name, no value or label, no target) is refused, the rest kept.
      const found = scoresFromLogs(d.records);
      if (found.refused.size > 0) {
        d.records = d.records.filter((log) => !found.refused.has(log));
        d.rejected += found.refused.size;
        d.rejectReason ??= found.refuseReason;
      }
      batch.logs = d.records;
      batch.errors = errorsFromLogs(d.records);
      batch.scores = found.scores;
      refusedEvaluations = found.refusedEvents;
    }
    return { batch, records: d.records.length, rejected: d.rejected, rejectReason: d.rejectReason, refusedEvaluations };
  }
  const d = inRange(encoding === 'protobuf' ? decodeMetricsProtobuf(body, projectId) : decodeMetricsJson(body, projectId), pointRangeProblem);
  return { batch: { spans: [], logs: [], metricPoints: d.records }, records: d.records.length, rejected: d.rejected, rejectReason: d.rejectReason };
}

/** A request decoded into the column batch the writer takes, and its records (for what counts them). */
export interface DecodedBatch extends Omit<DecodedRequest, 'batch'> {
  batch: WriteBatch;
  records: number;
  /** The records the batch was built from, normalized. */
  decoded: RecordBatch;
}

/**
 * Decodes, checks and normalizes one OTLP export body into the column batch the writer stores:
 * the only decoding a request gets on its way in (the receiver does it before the body is
 * spooled), and the one a spooled body gets again when it is replayed after a crash.
 * Deterministic for a given body, `receivedUs` and prices.
 */
export function decodeBatch(
  signal: OtlpSignal,
  encoding: Encoding,
  body: Uint8Array,
  projectId: string,
  receivedUs: number,
  prices: PriceBook | undefined,
  recent?: DecodeOptions['recent'],
  mask?: (records: RecordBatch) => void,
): DecodedBatch {
  const decoded = decodeRequest(signal, encoding, body, projectId, receivedUs, { prices, recent });
  // Masked before the columns are built: nothing unmasked reaches the store, or the spool's replay.
  mask?.(decoded.batch);
  return { ...decoded, decoded: decoded.batch, batch: batchOf(decoded.batch) };
}

/**
 * Why a span is a duplicate of one before it in the request (the same trace and span id), or
 * `null`: the first is kept, the others are rejected and counted, so a trace never holds one
 * span twice from one request.
 */
function duplicateProblem(span: SpanRecord, seen: SeenSpans): string | null {
  // Keyed by span id alone (no string to build per span); ids shared across traces are rare.
  const first = seen.traceOf.get(span.spanId);
  if (first === undefined) {
    seen.traceOf.set(span.spanId, span.traceId);
    return null;
  }
  if (first !== span.traceId) {
    const key = `${span.traceId}/${span.spanId}`;
    if (!seen.others.has(key)) {
      seen.others.add(key);
      return null;
    }
  }
  return `span ${span.traceId}/${span.spanId} appears more than once in the request; the first is kept`;
}

/** The spans of a request seen so far: the trace of each span id's first span, and the (trace, span) pairs after it. */
interface SeenSpans {
  traceOf: Map<string, string>;
  others: Set<string>;
}

/** `decoded` without the records whose numbers no store column can hold, counted as rejected. */
function inRange<T>(decoded: Decoded<T>, problemOf: (record: T) => string | null): Decoded<T> {
  dropOutOfRange(decoded.records, problemOf, (count, reason) => {
    decoded.rejected += count;
    decoded.rejectReason ??= reason;
  });
  return decoded;
}
