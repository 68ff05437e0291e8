import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { IngestMetrics } from '../self-metrics.js';
import { readBody } from './body.js';
import { type ExportDeps, backPressureLogged, exportError, exportRecords, isBackPressure } from './export.js';
import { CONTENT_TYPES, type Encoding, type OtlpSignal, exportResponse, statusBody } from './response.js';

export type { AcceptedRequest } from './export.js';

export interface IngestRouteOptions extends ExportDeps {
  /** Largest body accepted, in bytes, after inflating. */
  maxBodyBytes: number;
  /** The project a request stores under (its key's). */
  projectOf: (request: FastifyRequest) => string;
  now?: () => number;
}

/**
 * The OTLP/HTTP receiver: `POST /v1/traces`, `/v1/logs` and `/v1/metrics`, protobuf or JSON,
 * optionally gzipped. Registered in its own encapsulated context so its raw-body handling does not
 * touch the JSON parsing of the REST API.
 */
export async function ingestRoutes(app: FastifyInstance, options: IngestRouteOptions): Promise<void> {
  const now = options.now ?? Date.now;
  let forwardedSaid = false;
  app.removeAllContentTypeParsers();
  // The body stays a stream here; `readBody` enforces the size limit while inflating.
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    app.post(`/v1/${signal}`, async (request, reply) => {
      const encoding = encodingOf(request.headers['content-type']);
      try {
        if (encoding === null) {
          throw new AppError(
            'ERR_INGEST_UNSUPPORTED_MEDIA_TYPE',
            `Content-Type '${request.headers['content-type'] ?? ''}' is not supported; send application/x-protobuf or application/json`,
          );
        }
        const projectId = options.projectOf(request);
        const received = await readBody(request.raw, options.maxBodyBytes);
        const receivedUs = now() * 1000;
        const forwardedBySpoor = request.headers['spoor-forwarded'] === '1';
        const { rejected, message } = await exportRecords(options, { signal, encoding, body: received, projectId, receivedUs, forwardedBySpoor });
        if (forwardedBySpoor && !forwardedSaid) {
          forwardedSaid = true;
          request.log.info(
            { projectId, signal },
            "taking data forwarded by another Spoor (spoor-forwarded): its own traces (judges, replays) are kept as Spoor's own, listed with origin=spoor",
          );
        }
        options.metrics.requests({ signal, status: '200' });
        return reply
          .code(200)
          .type(CONTENT_TYPES[encoding ?? 'json'])
          .send(exportResponse(signal, encoding, rejected, message));
      } catch (error) {
        return sendFailure(request, reply, signal, encoding ?? 'json', error, options.metrics);
      }
    });
  }
}

function sendFailure(
  request: FastifyRequest,
  reply: FastifyReply,
  signal: OtlpSignal,
  encoding: Encoding,
  error: unknown,
  metrics: IngestMetrics,
): FastifyReply {
  const appError = exportError(error);
  metrics.requests({ signal, status: String(appError.status) });
  if (isBackPressure(appError)) {
    // Counted on /metrics, and logged at most once a second, without a stack.
    if (backPressureLogged.shouldLog(appError.code)) request.log.warn({ signal, code: appError.code }, appError.message);
  } else if (appError.status >= 500) request.log.error({ err: appError.cause ?? appError, signal }, appError.message);
  else request.log.info({ signal, code: appError.code }, appError.message);
  if (appError.retryAfterSeconds !== null) reply.header('retry-after', String(appError.retryAfterSeconds));
  // The rest of an unread body is not worth reading: close the connection after answering.
  if (!request.raw.readableEnded) reply.header('connection', 'close');
  return reply
    .code(appError.status)
    .type(CONTENT_TYPES[encoding])
    .send(statusBody(encoding, appError.status, appError.code, appError.message));
}

function encodingOf(header: string | undefined): Encoding | null {
  const type = header?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return null;
}
