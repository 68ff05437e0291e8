import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { AccessRequest, RequestAccess } from '../auth/access-control.js';
import { type ExportDeps, backPressureLogged, exportError, exportRecords, isBackPressure } from './export.js';
import { grpcCodeOf, statusDetails } from './grpc-status.js';
import { type OtlpSignal, exportResponse } from './response.js';

/**
 * The OTLP/gRPC receiver (port 4317): the trace, log and metric services' `Export`. A request
 * message is the same protobuf `Export*ServiceRequest` an OTLP/HTTP body holds, so the service is
 * defined over raw bytes (identity serializers) and the bytes go to the one decoder; grpc-js
 * inflates gzip messages before they get here. The answer is sent once the records are spooled,
 * as over HTTP.
 */

const SERVICES: Record<OtlpSignal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
};

/** The `/service/Export` path of a signal's service, as a client calls it. */
export function exportPathOf(signal: OtlpSignal): string {
  return `/${SERVICES[signal]}/Export`;
}

const same = (bytes: Buffer): Buffer => bytes;

/** A service with one unary `Export` method, its messages left as bytes. */
export function exportServiceOf(signal: OtlpSignal): ServiceDefinition {
  return {
    Export: {
      path: exportPathOf(signal),
      requestStream: false,
      responseStream: false,
      requestSerialize: same,
      requestDeserialize: same,
      responseSerialize: same,
      responseDeserialize: same,
    },
  };
}

export interface GrpcLogger {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
  error: (obj: object, msg: string) => void;
}

export interface GrpcReceiverOptions extends ExportDeps {
  host: string;
  /** 0: any free port. */
  port: number;
  /** Largest message accepted, in bytes, after inflating. */
  maxBodyBytes: number;
  /** The access check HTTP ingest runs (`auth/access-control.ts`); throws `AppError`. */
  check: (request: AccessRequest) => RequestAccess;
  logger: GrpcLogger;
  now?: () => number;
}

export interface GrpcReceiver {
  /** The port bound (the real one when 0 was asked for). */
  port: number;
  /** Stops taking calls and waits (up to `graceMs`) for those in flight to be answered. */
  close: (graceMs?: number) => Promise<void>;
}

export async function startGrpcReceiver(options: GrpcReceiverOptions): Promise<GrpcReceiver> {
  const now = options.now ?? Date.now;
  const server = new Server({
    'grpc.max_receive_message_length': options.maxBodyBytes,
    // An exporter's batch is one small unary call; its answer is at most a partial success.
    'grpc.max_send_message_length': 64 * 1024,
  });
  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    const handler = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
      void handleExport(options, signal, call, now).then(
        (answer) => callback(null, answer),
        (failure: GrpcFailure) => callback(failure, null),
      );
    };
    server.addService(exportServiceOf(signal), { Export: handler } as UntypedServiceImplementation);
  }
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) => {
      if (error === null) resolve(bound);
      else
        reject(
          new Error(`cannot listen for OTLP/gRPC on ${host}:${options.port} (${error.message}); choose another port with --grpc-port, or 0 to turn it off`, {
            cause: error,
          }),
        );
    });
  });
  return {
    port,
    close: async (graceMs = 10_000) => {
      const timer = setTimeout(() => server.forceShutdown(), graceMs);
      timer.unref();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      clearTimeout(timer);
    },
  };
}

interface GrpcFailure {
  code: number;
  details: string;
  metadata: Metadata;
}

/** Answers one call: the response bytes, or rejects with the status to send. */
async function handleExport(options: GrpcReceiverOptions, signal: OtlpSignal, call: ServerUnaryCall<Buffer, Buffer>, now: () => number): Promise<Buffer> {
  try {
    const { projectId } = options.check({
      method: 'POST',
      route: `/v1/${signal}`,
      headers: { authorization: textOf(call.metadata, 'authorization'), 'spoor-project': textOf(call.metadata, 'spoor-project') },
      clientAddress: peerAddress(call.getPeer()),
    });
    const { rejected, message } = await exportRecords(options, { signal, encoding: 'protobuf', body: call.request, projectId, receivedUs: now() * 1000 });
    options.metrics.requests({ signal, status: '200' });
    return Buffer.from(exportResponse(signal, 'protobuf', rejected, message) as Uint8Array);
  } catch (error) {
    const appError = exportError(error);
    // Counted under the HTTP status the same refusal gets over OTLP/HTTP, so one series means one thing.
    options.metrics.requests({ signal, status: String(appError.status) });
    if (isBackPressure(appError)) {
      if (backPressureLogged.shouldLog(appError.code)) options.logger.warn({ signal, code: appError.code, transport: 'grpc' }, appError.message);
    } else if (appError.status >= 500) options.logger.error({ err: appError.cause ?? appError, signal, transport: 'grpc' }, appError.message);
    else options.logger.info({ signal, code: appError.code, transport: 'grpc' }, appError.message);
    const code = grpcCodeOf(appError);
    const metadata = new Metadata();
    metadata.set('grpc-status-details-bin', statusDetails(code, appError.message, appError.retryAfterSeconds));
    const failure: GrpcFailure = { code, details: appError.message, metadata };
    throw failure;
  }
}

/** The address of a gRPC peer (`ipv4:127.0.0.1:5000`, `ipv6:[::1]:5000`), without its port. */
function peerAddress(peer: string): string {
  const address = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(address);
  if (bracketed !== null) return bracketed[1]!;
  const colon = address.lastIndexOf(':');
  return colon > 0 && !address.slice(0, colon).includes(':') ? address.slice(0, colon) : address;
}

function textOf(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}
