import type { WriteBatch } from '../store/tables.js';
import { AppError, isAppError } from '../errors.js';
import type { IngestMetrics } from '../self-metrics.js';
import { type DecodeResult, type Decoder, rebuildsFromBody } from './decoder.js';
import type { Encoding, OtlpSignal } from './response.js';

/**
 * One OTLP export, whatever carried it (OTLP/HTTP or OTLP/gRPC): decode the body once, refuse it
 * when nothing in it is valid, hand it to the pipeline (which resolves once it is spooled), and
 * count it. Both receivers answer from what this returns or throws.
 */

/** An accepted request, as handed to the pipeline: the body as received, and what it decoded to. */
export interface AcceptedRequest {
  signal: OtlpSignal;
  encoding: Encoding;
  projectId: string;
  receivedUs: number;
  body: Uint8Array;
  /** Its valid records as the column batch the writer stores (`batch.records` of them). */
  batch: WriteBatch;
  /** Whether decoding the body again gives this batch (`rebuildsFromBody`). */
  fromBody?: boolean;
}

export interface ExportDeps {
  /** Decodes, normalizes and prices bodies into write batches (on a thread of its own when served). */
  decoder: Decoder;
  /** Takes a request; resolves once it is durable. Throws `AppError` when it cannot take it. */
  accept: (request: AcceptedRequest) => Promise<void>;
  metrics: IngestMetrics;
}

export interface ExportRequest {
  signal: OtlpSignal;
  encoding: Encoding;
  projectId: string;
  receivedUs: number;
  body: Uint8Array;
  /**
   * Sent on by another Spoor's forwarding (its `spoor-forwarded` header): Spoor's own traces in
   * it are that Spoor's, kept as Spoor's own here; from an app they are refused. The header is
   * not a credential: it decides only which view the key's own project shows them in.
   */
  forwardedBySpoor?: boolean;
}

/** A durably accepted export: how many records were rejected, and why (the partial success). */
export interface ExportOutcome {
  rejected: number;
  message: string | null;
}

const RECORD_NOUN: Record<OtlpSignal, string> = { traces: 'spans', logs: 'log records', metrics: 'data points' };

/** Resolves once the export's valid records are spooled; throws `AppError` (or a store error) otherwise. */
export async function exportRecords(deps: ExportDeps, request: ExportRequest): Promise<ExportOutcome> {
  const { signal, encoding, projectId, receivedUs, body, forwardedBySpoor } = request;
  const decoded = await deps.decoder.decode({ signal, encoding, projectId, receivedUs, body, fromClient: forwardedBySpoor !== true });
  const countRejected = (): void => {
    if (decoded.duplicates > 0) deps.metrics.rejected({ signal, reason: 'duplicate' }, decoded.duplicates);
    if (decoded.rejected > decoded.duplicates) deps.metrics.rejected({ signal, reason: 'invalid' }, decoded.rejected - decoded.duplicates);
    if (decoded.refusedEvaluations > 0) deps.metrics.evaluationsRefused({ signal }, decoded.refusedEvaluations);
    // Dropped, not rejected: a snapshot after its span's end is the protocol working, not an error of the request.
    if (decoded.snapshotsAfterEnd > 0) deps.metrics.runningSnapshots({ outcome: 'after_end' }, decoded.snapshotsAfterEnd);
    if (decoded.replacedStrings > 0) deps.metrics.replacedStrings({ signal }, decoded.replacedStrings);
  };
  if (decoded.records === 0 && decoded.snapshots === 0 && decoded.rejected > 0) {
    deps.decoder.dropped(decoded.ticket);
    countRejected();
    throw new AppError('ERR_INGEST_NO_VALID_RECORDS', `every one of the ${decoded.rejected} ${RECORD_NOUN[signal]} was invalid: ${decoded.rejectReason}`);
  }
  try {
    await deps.accept({ signal, encoding, projectId, receivedUs, body: decoded.body, batch: decoded.batch, fromBody: rebuildsFromBody(decoded) });
    deps.decoder.accepted(decoded.ticket);
  } catch (error) {
    deps.decoder.dropped(decoded.ticket);
    const reason =
      isAppError(error) && error.code === 'ERR_INGEST_QUEUE_FULL'
        ? 'queue_full'
        : isAppError(error) && error.code === 'ERR_SPOOL_FULL'
          ? 'spool_full'
          : 'store_error';
    deps.metrics.rejected({ signal, reason }, decoded.records);
    throw error;
  }
  deps.metrics.accepted({ signal }, decoded.records);
  if (decoded.snapshots > 0) deps.metrics.runningSnapshots({ outcome: 'stored' }, decoded.snapshots);
  countRejected();
  return { rejected: decoded.rejected, message: outcomeMessage(signal, decoded) };
}

/**
 * `partial_success.error_message`: what was rejected, and what was kept repaired. A request whose
 * only fault is invalid UTF-8 answers a partial success with nothing rejected: OTLP's warning.
 */
function outcomeMessage(signal: OtlpSignal, decoded: Pick<DecodeResult, 'rejected' | 'rejectReason' | 'replacedStrings'>): string | null {
  const parts: string[] = [];
  if (decoded.rejected > 0) parts.push(`${decoded.rejected} ${RECORD_NOUN[signal]} rejected: ${decoded.rejectReason}`);
  if (decoded.replacedStrings > 0) {
    const strings = decoded.replacedStrings === 1 ? '1 string was' : `${decoded.replacedStrings} strings were`;
    parts.push(`${strings} not valid UTF-8: invalid sequences replaced with U+FFFD, ${RECORD_NOUN[signal]} kept`);
  }
  return parts.length === 0 ? null : parts.join('; ');
}

/** What a failed export becomes: its own `AppError`, or a retryable store error for anything else. */
export function exportError(error: unknown): AppError {
  return isAppError(error) ? error : new AppError('ERR_STORE', 'the records could not be stored; retry later', { cause: error, retryAfterSeconds: 1 });
}

/** Back-pressure (a full queue or spool, a shutdown, a copy of a request in flight): the protocol working, not a fault. */
export function isBackPressure(error: AppError): boolean {
  return (
    error.code === 'ERR_INGEST_QUEUE_FULL' ||
    error.code === 'ERR_SPOOL_FULL' ||
    error.code === 'ERR_SHUTTING_DOWN' ||
    error.code === 'ERR_INGEST_DUPLICATE_IN_FLIGHT'
  );
}

/**
 * Lets one line through per code and second. Under load one error line with a stack per refused
 * request flooded stderr.
 */
export const backPressureLogged = {
  last: new Map<string, number>(),
  shouldLog(code: string): boolean {
    const now = Date.now();
    if (now - (this.last.get(code) ?? 0) < 1000) return false;
    this.last.set(code, now);
    return true;
  },
};
