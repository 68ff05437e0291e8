import { BinaryWriter } from '@bufbuild/protobuf/wire';

/**
 * OTLP/HTTP answers (https://opentelemetry.io/docs/specs/otlp/#otlphttp-response), in the
 * request's encoding. Every Export*ServiceResponse has `partial_success` at field 1, holding the
 * rejected count at field 1 and the message at field 2; only the JSON name of the count differs.
 */
export type Encoding = 'protobuf' | 'json';

const REJECTED_JSON_NAME = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
} as const;

export type OtlpSignal = keyof typeof REJECTED_JSON_NAME;

export const CONTENT_TYPES: Record<Encoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

export function exportResponse(signal: OtlpSignal, encoding: Encoding, rejected: number, message: string | null): Uint8Array | string {
  // Nothing rejected but a message: a warning (OTLP: `partial_success` with a zero count).
  if (encoding === 'json') {
    if (rejected === 0 && message === null) return '{}';
    return JSON.stringify({ partialSuccess: { ...(rejected === 0 ? {} : { [REJECTED_JSON_NAME[signal]]: String(rejected) }), errorMessage: message ?? '' } });
  }
  if (rejected === 0 && message === null) return new Uint8Array(0);
  const w = new BinaryWriter();
  w.tag(1, 2).fork();
  if (rejected !== 0) w.tag(1, 0).int64(rejected);
  if (message !== null) w.tag(2, 2).string(message);
  w.join();
  return w.finish();
}

/** gRPC status codes used in `google.rpc.Status` bodies of failed exports. */
const GRPC_CODE_FOR_STATUS: Record<number, number> = {
  400: 3, // INVALID_ARGUMENT
  413: 3,
  415: 3,
  429: 8, // RESOURCE_EXHAUSTED
  503: 14, // UNAVAILABLE
};

/**
 * A failed export's body: `google.rpc.Status { code, message }`. The JSON form also carries
 * Spoor's own `error` object, so API clients and OTLP clients both read it.
 */
export function statusBody(encoding: Encoding, httpStatus: number, code: string, message: string): Uint8Array | string {
  const grpcCode = GRPC_CODE_FOR_STATUS[httpStatus] ?? 13; // INTERNAL
  if (encoding === 'json') return JSON.stringify({ code: grpcCode, message, error: { code, message } });
  const w = new BinaryWriter();
  w.tag(1, 0).int32(grpcCode);
  w.tag(2, 2).string(message);
  return w.finish();
}
