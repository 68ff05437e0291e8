import { status } from '@grpc/grpc-js';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import type { AppError } from '../errors.js';

/**
 * How a refused OTLP/gRPC export is answered (https://opentelemetry.io/docs/specs/otlp/#failures):
 * bad input is `INVALID_ARGUMENT` (not retryable); back-pressure is `RESOURCE_EXHAUSTED` (a full
 * queue or spool, a key past its rate) or `UNAVAILABLE` (a shutdown, the store gone, a copy of a
 * request still being stored, a masking policy an admin must set again: the exporter keeps the
 * records meanwhile), each with a `google.rpc.RetryInfo` saying how long to wait: an
 * exporter retries `RESOURCE_EXHAUSTED` only when it carries one.
 */
export function grpcCodeOf(error: AppError): status {
  switch (error.code) {
    case 'ERR_UNAUTHENTICATED':
      return status.UNAUTHENTICATED;
    case 'ERR_FORBIDDEN':
      return status.PERMISSION_DENIED;
    case 'ERR_RATE_LIMITED':
    case 'ERR_INGEST_QUEUE_FULL':
    case 'ERR_SPOOL_FULL':
      return status.RESOURCE_EXHAUSTED;
    case 'ERR_SHUTTING_DOWN':
    case 'ERR_STORE_UNAVAILABLE':
    case 'ERR_INGEST_DUPLICATE_IN_FLIGHT':
    case 'ERR_INGEST_MASKING_POLICY':
      return status.UNAVAILABLE;
    default:
      if (error.status < 500) return status.INVALID_ARGUMENT;
      // Anything else the store threw is worth a retry when the error says when.
      return error.retryAfterSeconds === null ? status.INTERNAL : status.UNAVAILABLE;
  }
}

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * `google.rpc.Status { code = 1, message = 2, details = 3 (Any) }`, with one
 * `google.rpc.RetryInfo { retry_delay = 1 (Duration { seconds = 1 }) }` when a delay is given:
 * the value of the `grpc-status-details-bin` trailer.
 */
export function statusDetails(code: status, message: string, retryAfterSeconds: number | null): Buffer {
  const w = new BinaryWriter();
  w.tag(1, 0).int32(code);
  w.tag(2, 2).string(message);
  if (retryAfterSeconds !== null) {
    const retryInfo = new BinaryWriter();
    retryInfo.tag(1, 2).fork().tag(1, 0).int64(retryAfterSeconds).join();
    w.tag(3, 2).fork();
    w.tag(1, 2).string(RETRY_INFO_TYPE);
    w.tag(2, 2).bytes(retryInfo.finish());
    w.join();
  }
  return Buffer.from(w.finish());
}
