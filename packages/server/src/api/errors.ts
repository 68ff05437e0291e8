import type { FastifyInstance } from 'fastify';
import { toAppError } from '../errors.js';

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
