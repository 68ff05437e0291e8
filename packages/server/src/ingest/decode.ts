import { errorsFromLogs, errorsFromSpans } from '../normalize/error-occurrences.js';
import { isRunning, normalizeSpans } from '../normalize/normalize.js';
import { scoresFromLogs, scoresFromSpans } from '../normalize/scores.js';
import type { PriceBook, SpanRecord } from '@spoor/model';
import { type RecordBatch, type WriteBatch, batchOf } from '../store/tables.js';
import { decodeLogsJson } from './json/logs.js';
import { decodeMetricsJson } from './json/metrics.js';
import { decodeTracesJson } from './json/traces.js';
import { decodeLogsProtobuf } from './protobuf/logs.js';
import { decodeMetricsProtobuf } from './protobuf/metrics.js';
import { decodeTracesProtobuf } from './protobuf/traces.js';
import { type Decoded, receivedProblem, repeatedProblem } from './decoded.js';
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
  /** Strings whose invalid UTF-8 was replaced with U+FFFD, their records kept. */
  replacedStrings?: number;
  /** Running snapshots kept (in `batch.runningSpans`, not among `records`). */
  snapshots?: number;
  /** Running snapshots dropped because their span arrived ended (in the request, or before): not stored, not an error. */
  snapshotsAfterEnd?: number;
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
  /** Whether a span was received ended in an earlier request: a running snapshot of it is dropped. Read only, it claims nothing. */
  ended?: (span: SpanRecord) => boolean;
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
    let snapshots: SpanRecord[] | undefined;
    const d = encoding === 'protobuf' ? decodeTracesProtobuf(body, projectId) : decodeTracesJson(body, projectId);
    dropOutOfRange(
      d.records,
      (span) => {
        const problem = spanRangeProblem(span);
        if (problem !== null) return problem;
        // Set aside, not claimed: the ended span that replaces a snapshot must not be taken for a resend of it.
        if (isRunning(span)) {
          (snapshots ??= []).push(span);
          return SET_ASIDE;
        }
        const again = duplicateProblem(span, seen);
        if (again !== null) return duplicate(again);
        return options.recent?.has(span) === true ? duplicate(receivedProblem(span.traceId, span.spanId)) : null;
      },
      (count, reason) => {
        if (reason === SET_ASIDE) return;
        d.rejected += count;
        d.rejectReason ??= reason;
      },
    );
    const running = snapshots === undefined ? EMPTY : latestSnapshots(snapshots, seen, options.ended);
    const batch: RecordBatch = { spans: d.records, logs: [], metricPoints: [], writtenUs: receivedUs };
    if (running.kept.length > 0) batch.runningSpans = running.kept;
    let refusedEvaluations = 0;
    if (options.normalize !== false) {
      if (running.kept.length > 0) normalizeSpans(running.kept, options.prices);
      normalizeSpans(d.records, options.prices);
      batch.errors = errorsFromSpans(d.records);
      // An evaluation event that is no score leaves its span as it is; the span is good data.
      const found = scoresFromSpans(d.records);
      batch.scores = found.scores;
      refusedEvaluations = found.refusedEvents;
    }
    return {
      batch,
      records: d.records.length,
      rejected: d.rejected,
      duplicates,
      rejectReason: d.rejectReason,
      refusedEvaluations,
      replacedStrings: d.replacedStrings ?? 0,
      snapshots: running.kept.length,
      snapshotsAfterEnd: running.afterEnd,
    };
  }
  if (signal === 'logs') {
    const d = inRange(encoding === 'protobuf' ? decodeLogsProtobuf(body, projectId, receivedUs) : decodeLogsJson(body, projectId, receivedUs), logRangeProblem);
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
    return {
      batch,
      records: d.records.length,
      rejected: d.rejected,
      rejectReason: d.rejectReason,
      refusedEvaluations,
      replacedStrings: d.replacedStrings ?? 0,
    };
  }
  const d = inRange(encoding === 'protobuf' ? decodeMetricsProtobuf(body, projectId) : decodeMetricsJson(body, projectId), pointRangeProblem);
  return {
    batch: { spans: [], logs: [], metricPoints: d.records },
    records: d.records.length,
    rejected: d.rejected,
    rejectReason: d.rejectReason,
    replacedStrings: d.replacedStrings ?? 0,
  };
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
 * the only decoding a log or metric request gets on its way in (the receiver does it before the
 * body is spooled), and the one a spooled body gets again when it is replayed after a crash. A
 * trace request goes straight into columns instead (`decode-columns.ts`); for traces this is the
 * record path that is compared with (its tests, the SDK's test receiver, the benchmark's
 * reference). Deterministic for a given body, `receivedUs` and prices.
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
  ended?: DecodeOptions['ended'],
): DecodedBatch {
  const decoded = decodeRequest(signal, encoding, body, projectId, receivedUs, { prices, recent, ended });
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
  return repeatedProblem(span.traceId, span.spanId);
}

/** What `inRange` is told of a running snapshot: out of the records, to be sorted out after (not a rejection). */
const SET_ASIDE = 'a running snapshot';
const EMPTY = { kept: [] as SpanRecord[], afterEnd: 0 };

/**
 * The snapshots of a request to store: for each span the last one in the request, none of a span
 * the request (`seen`) or an earlier one (`ended`) carried ended. Those are counted: a snapshot
 * sent after its span ended (an exporter's late timer) must not bring the span back as running.
 */
function latestSnapshots(snapshots: SpanRecord[], seen: SeenSpans, ended: DecodeOptions['ended']): { kept: SpanRecord[]; afterEnd: number } {
  const last = new Map<string, SpanRecord>();
  let afterEnd = 0;
  for (const span of snapshots) {
    if (wasSeen(span, seen) || ended?.(span) === true) {
      afterEnd++;
      continue;
    }
    last.set(`${span.traceId}/${span.spanId}`, span);
  }
  return { kept: [...last.values()], afterEnd };
}

/** Whether the request carried this span ended (`duplicateProblem` noted each ended span it kept). */
function wasSeen(span: SpanRecord, seen: SeenSpans): boolean {
  const first = seen.traceOf.get(span.spanId);
  return first === span.traceId || (first !== undefined && seen.others.has(`${span.traceId}/${span.spanId}`));
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
