/**
 * One error type for the whole server, and the catalogue of its codes. The HTTP status of each
 * code is fixed here; `api/errors.ts` maps an `AppError` to a response in one place.
 */
export const ERROR_CODES = {
  ERR_BAD_REQUEST: 400,
  ERR_INVALID_PARAMETER: 400,
  ERR_TRACE_TOO_LARGE: 400,
  ERR_INGEST_MALFORMED_BODY: 400,
  ERR_INGEST_NO_VALID_RECORDS: 400,
  ERR_INGEST_RESERVED_SERVICE: 400,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403,
  ERR_NOT_FOUND: 404,
  ERR_CONFLICT: 409,
  /** A trace or call added to a dataset that already holds an item from it; the message names the item. */
  ERR_DATASET_DUPLICATE: 409,
  ERR_BODY_TOO_LARGE: 413,
  ERR_INGEST_BODY_TOO_LARGE: 413,
  ERR_INGEST_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_INGEST_UNSUPPORTED_ENCODING: 415,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_HOST_NOT_ALLOWED: 421,
  ERR_RATE_LIMITED: 429,
  /** A project holds its share of something a server runs for all (`shares.ts`); the message names the limit and its flag. */
  ERR_PROJECT_SHARE_FULL: 429,
  ERR_PROVIDER: 502,
  ERR_PROVIDER_TIMEOUT: 504,
  ERR_INGEST_QUEUE_FULL: 503,
  ERR_INGEST_MASKING_POLICY: 503,
  ERR_INGEST_DUPLICATE_IN_FLIGHT: 503,
  ERR_SPOOL_FULL: 503,
  ERR_SHUTTING_DOWN: 503,
  ERR_STORE_UNAVAILABLE: 503,
  ERR_LIVE_STREAMS_FULL: 503,
  /** The server holds its whole share of something, for all projects (`shares.ts`). */
  ERR_SERVER_SHARE_FULL: 503,
  // A key's or a project's share of the live streams, and the distinct list filters they watch.
  ERR_LIVE_STREAMS_PER_KEY: 429,
  ERR_LIVE_STREAMS_PER_PROJECT: 429,
  ERR_LIVE_LIST_FILTERS_PER_PROJECT: 429,
  ERR_LIVE_LIST_FILTERS_FULL: 503,
  ERR_STORE: 500,
  ERR_INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds after which a client may retry (sent as `Retry-After`). */
  readonly retryAfterSeconds: number | null;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Maps anything thrown in a handler to an `AppError`, keeping Fastify's own 4xx statuses. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const status = (error as { statusCode?: number }).statusCode;
  const message = (error as Error).message ?? 'unknown error';
  // Fastify refuses these before a route runs: on the REST API, not OTLP (whose routes answer for themselves).
  if (status === 415) return new AppError('ERR_UNSUPPORTED_MEDIA_TYPE', message, { cause: error });
  if (status === 413) return new AppError('ERR_BODY_TOO_LARGE', message, { cause: error });
  if (status !== undefined && status >= 400 && status < 500) return new AppError('ERR_BAD_REQUEST', message, { cause: error });
  // The driver's words stay in the log: they can name files and internals.
  if ((error as Error).name === 'StoreConflictError') {
    return new AppError('ERR_CONFLICT', 'another change of the same record was saved at the same moment; send yours again', { cause: error });
  }
  if ((error as Error).name === 'StoreError') return new AppError('ERR_STORE', 'the store could not answer; retry later', { cause: error });
  return new AppError('ERR_INTERNAL', 'internal error', { cause: error });
}
