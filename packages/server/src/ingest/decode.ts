import { errorsFromLogs, errorsFromSpans } from '../normalize/errors.js';
import { normalizeSpans } from '../normalize/normalize.js';
import type { PriceBook } from '@spoor/model';
import type { WriteBatch } from '../store/store.js';
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
  batch: WriteBatch;
  records: number;
  rejected: number;
  rejectReason: string | null;
}

export interface DecodeOptions {
  /** Prices LLM spans by this book; without it their cost is only what they reported. */
  prices?: PriceBook;
  /**
   * Fills the derived fields (llm, category, session) and finds the errors. Default true; the
   * receiver, which only counts and validates before spooling, turns it off and leaves it to the
   * writer.
   */
  normalize?: boolean;
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
    const d = inRange(encoding === 'protobuf' ? decodeTracesProtobuf(body, projectId) : decodeTracesJson(body, projectId), spanRangeProblem);
    const batch: WriteBatch = { spans: d.records, logs: [], metricPoints: [] };
    if (options.normalize !== false) {
      normalizeSpans(d.records, options.prices);
      batch.errors = errorsFromSpans(d.records);
    }
    return { batch, records: d.records.length, rejected: d.rejected, rejectReason: d.rejectReason };
  }
  if (signal === 'logs') {
    const d = inRange(
      encoding === 'protobuf' ? decodeLogsProtobuf(body, projectId, receivedUs) : decodeLogsJson(body, projectId, receivedUs),
      logRangeProblem,
    );
    const batch: WriteBatch = { spans: [], logs: d.records, metricPoints: [] };
    if (options.normalize !== false) batch.errors = errorsFromLogs(d.records);
    return { batch, records: d.records.length, rejected: d.rejected, rejectReason: d.rejectReason };
  }
  const d = inRange(encoding === 'protobuf' ? decodeMetricsProtobuf(body, projectId) : decodeMetricsJson(body, projectId), pointRangeProblem);
  return { batch: { spans: [], logs: [], metricPoints: d.records }, records: d.records.length, rejected: d.rejected, rejectReason: d.rejectReason };
}

/** `decoded` without the records whose numbers no store column can hold, counted as rejected. */
function inRange<T>(decoded: Decoded<T>, problemOf: (record: T) => string | null): Decoded<T> {
  dropOutOfRange(decoded.records, problemOf, (count, reason) => {
    decoded.rejected += count;
    decoded.rejectReason ??= reason;
  });
  return decoded;
}
