import type { FastifyInstance } from 'fastify';
import { AppError, isAppError } from '../errors.js';

/**
 * Every error answer of the REST API, in one place: `{ error: { code, message } }` with the
 * code's status. A refused parameter or body arrives here as the `AppError` the validator made
 * (`validation.ts`); anything else thrown is mapped below.
 */
export function answerErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    // A server at its share refuses a burst one request at a time: a warning each, not an error with its stack.
    if (appError.code === 'ERR_SERVER_SHARE_FULL') request.log.warn({ code: appError.code, url: request.url }, appError.message);
    else if (appError.status >= 500) request.log.error({ err: error }, appError.message);
    else request.log.info({ code: appError.code, url: request.url }, appError.message);
    if (appError.retryAfterSeconds !== null) reply.header('retry-after', String(appError.retryAfterSeconds));
    if (appError.code === 'ERR_UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer realm="spoor"');
    void reply.code(appError.status).send({ error: { code: appError.code, message: appError.message } });
  });
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
