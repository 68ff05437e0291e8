import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WriteBatch } from '../store/tables.js';
import { AppError, isAppError } from '../errors.js';
import type { IngestMetrics } from '../self-metrics.js';
import { readBody } from './body.js';
import type { Decoder } from './decoder.js';
import { CONTENT_TYPES, type Encoding, type OtlpSignal, exportResponse, statusBody } from './response.js';

/** An accepted request, as handed to the pipeline: the body as received, and what it decoded to. */
export interface AcceptedRequest {
  signal: OtlpSignal;
  encoding: Encoding;
  projectId: string;
  receivedUs: number;
  body: Uint8Array;
  /** Its valid records as the column batch the writer stores (`batch.records` of them). */
  batch: WriteBatch;
}

export interface IngestRouteOptions {
  /** Largest body accepted, in bytes, after inflating. */
  maxBodyBytes: number;
  /** The project a request stores under (its key's). */
  projectOf: (request: FastifyRequest) => string;
  /** Decodes, normalizes and prices bodies into write batches (on a thread of its own when served). */
  decoder: Decoder;
  /** Takes a request; resolves once it is durable. Throws `AppError` when it cannot take it. */
  accept: (request: AcceptedRequest) => Promise<void>;
  metrics: IngestMetrics;
  now?: () => number;
}

const RECORD_NOUN: Record<OtlpSignal, string> = { traces: 'spans', logs: 'log records', metrics: 'data points' };

/**
 * The OTLP/HTTP receiver: `POST /v1/traces`, `/v1/logs` and `/v1/metrics`, protobuf or JSON,
 * optionally gzipped. Registered in its own encapsulated context so its raw-body handling does not
 * touch the JSON parsing of the REST API.
 */
export async function ingestRoutes(app: FastifyInstance, options: IngestRouteOptions): Promise<void> {
  const now = options.now ?? Date.now;
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
        const decoded = await options.decoder.decode({ signal, encoding, body: received, projectId, receivedUs });
        const { body } = decoded;
        const countRejected = (): void => {
          if (decoded.duplicates > 0) options.metrics.rejected({ signal, reason: 'duplicate' }, decoded.duplicates);
          if (decoded.rejected > decoded.duplicates) options.metrics.rejected({ signal, reason: 'invalid' }, decoded.rejected - decoded.duplicates);
        };
        if (decoded.records === 0 && decoded.rejected > 0) {
          options.decoder.dropped(decoded.ticket);
          countRejected();
          throw new AppError('ERR_INGEST_NO_VALID_RECORDS', `every one of the ${decoded.rejected} ${RECORD_NOUN[signal]} was invalid: ${decoded.rejectReason}`);
        }
        try {
          await options.accept({ signal, encoding, projectId, receivedUs, body, batch: decoded.batch });
          options.decoder.accepted(decoded.ticket);
        } catch (error) {
          options.decoder.dropped(decoded.ticket);
          const reason = isAppError(error) && error.code === 'ERR_INGEST_QUEUE_FULL' ? 'queue_full' : isAppError(error) && error.code === 'ERR_SPOOL_FULL' ? 'spool_full' : 'store_error';
          options.metrics.rejected({ signal, reason }, decoded.records);
          throw error;
        }
        options.metrics.accepted({ signal }, decoded.records);
        countRejected();
        options.metrics.requests({ signal, status: '200' });
        const message = decoded.rejected > 0 ? `${decoded.rejected} ${RECORD_NOUN[signal]} rejected: ${decoded.rejectReason}` : null;
        return reply
          .code(200)
          .type(CONTENT_TYPES[encoding ?? 'json'])
          .send(exportResponse(signal, encoding, decoded.rejected, message));
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
  const appError = isAppError(error)
    ? error
    : new AppError('ERR_STORE', 'the records could not be stored; retry later', { cause: error, retryAfterSeconds: 1 });
  metrics.requests({ signal, status: String(appError.status) });
  if (appError.code === 'ERR_INGEST_QUEUE_FULL' || appError.code === 'ERR_SPOOL_FULL' || appError.code === 'ERR_SHUTTING_DOWN') {
    // Back-pressure (a full queue, a shutdown) is the protocol working, not a fault: it is
    // counted on /metrics, and logged at most once a second, without a stack. Under load one
    // error line with a stack per refused request flooded stderr.
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

/** Lets one line through per code and second. */
const backPressureLogged = {
  last: new Map<string, number>(),
  shouldLog(code: string): boolean {
    const now = Date.now();
    if (now - (this.last.get(code) ?? 0) < 1000) return false;
    this.last.set(code, now);
    return true;
  },
};

function encodingOf(header: string | undefined): Encoding | null {
  const type = header?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return null;
}
