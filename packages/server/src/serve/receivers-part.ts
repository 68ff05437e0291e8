import type { FastifyInstance } from 'fastify';
import type { ForwardThread } from '../forward/forward-client.js';
import { startSending } from '../forward/part.js';
import type { AccessControl } from '../auth/access-control.js';
import type { DecodeThread } from '../ingest/decode-client.js';
import type { AcceptedRequest } from '../ingest/export.js';
import { loadRecorder } from '../replay/replayer.js';
import type { ServeBase } from './base.js';
import type { Lifecycle } from '../parts/lifecycle.js';

/** The port a listening server bound (the real one when 0 was asked for). */
export function boundPort(app: FastifyInstance, asked: number): number {
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : asked;
}

/**
 * Starts the HTTP app (made by `makeApp`) listening, and OTLP/gRPC when asked: last, so they
 * close first and nothing arrives while the rest closes (each waits for its requests in flight,
 * and each of those for its spool write). Then forwarding starts sending, once its destinations
 * are known not to be this server.
 */
interface ReceiverNeeds {
  makeApp: () => Promise<FastifyInstance>;
  access: AccessControl;
  decoder: DecodeThread;
  accept: (request: AcceptedRequest) => Promise<void>;
  forward: ForwardThread | null;
}

export async function startReceivers(
  life: Lifecycle,
  { config, state, ingestMetrics }: ServeBase,
  { makeApp, access, decoder, accept, forward }: ReceiverNeeds,
) {
  const app = await life.start('the HTTP receiver', makeApp, (made) => made.close());
  await app.listen({ host: config.host, port: config.port });
  // A server that can replay or judge (it has a --provider) loads what records those calls now,
  // not in the middle of its first one, where loading held up requests for some 200 ms. A
  // failure here is reported by that call.
  if (config.providers.length > 0) loadRecorder();
  const grpcPort = config.grpcPort;
  // Loaded only for a server that takes OTLP/gRPC (`@grpc/grpc-js`, some 0.1 s to load).
  const startGrpc = async () =>
    (await import('../ingest/grpc.js')).startGrpcReceiver({
      host: config.host,
      port: grpcPort!,
      maxBodyBytes: config.maxBodyBytes,
      check: (request) => access.check(request),
      decoder,
      accept,
      metrics: ingestMetrics,
      logger: app.log,
    });
  const grpc = grpcPort === null ? null : await life.start('the gRPC receiver', startGrpc, (receiver) => receiver.close());
  const port = boundPort(app, config.port);
  if (forward !== null)
    startSending(
      forward,
      config,
      [port, grpc?.port ?? 0].filter((p) => p > 0),
    );
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  state.url = `http://${host}:${port}`;
  return { app, url: state.url, grpcUrl: grpc === null ? null : `http://${host}:${grpc.port}` };
}
