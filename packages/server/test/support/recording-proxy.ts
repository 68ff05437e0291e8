import { type IncomingHttpHeaders, type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { type TestServer, startTestServer } from './server.js';

/** One request that passed through a `RecordingProxy`, with the answer it got. */
export interface Exchange {
  method: string;
  path: string;
  contentType: string | null;
  contentEncoding: string | null;
  status: number;
}

export interface RecordingProxy {
  /** `http://127.0.0.1:port`; point exporters at `${url}/v1/traces` and so on. */
  url: string;
  /** Every request forwarded so far, in the order the answers came back. */
  exchanges: Exchange[];
  close: () => Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a real server that records what each request looked like on
 * the wire. The OpenTelemetry exporters only log failed exports; with the proxy a test can assert
 * that every export got a 200, and that an exporter really sent JSON, protobuf or gzip.
 */
export async function startRecordingProxy(targetUrl: string): Promise<RecordingProxy> {
  const target = new URL(targetUrl);
  const exchanges: Exchange[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const forwarded = request(
      { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        exchanges.push({
          method: incoming.method ?? '',
          path: incoming.url ?? '',
          contentType: header(incoming.headers, 'content-type'),
          contentEncoding: header(incoming.headers, 'content-encoding'),
          status: answer.statusCode ?? 0,
        });
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', (error) => {
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`proxy could not reach ${targetUrl}: ${error.message}`);
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: async () => {
      // Exporters keep their connections alive; close them or `close` waits for their idle timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  return typeof value === 'string' ? value : null;
}

/** A test server with a recording proxy in front of it, as `useServerBehindProxy` provides. */
export interface ServerBehindProxy {
  readonly server: TestServer;
  readonly proxy: RecordingProxy;
  /** Where a variant's exporter sends: the proxy for OTLP/HTTP, the server's gRPC port for OTLP/gRPC. */
  endpointFor: (variant: { transport: 'http' | 'grpc' }) => string;
}

/**
 * Starts a test server and a recording proxy before the tests of the calling file and stops
 * both after them. Read `server` and `proxy` inside tests and hooks, not at load time.
 */
export function useServerBehindProxy(): ServerBehindProxy {
  let server: TestServer | undefined;
  let proxy: RecordingProxy | undefined;
  beforeAll(async () => {
    server = await startTestServer({ grpc: true });
    proxy = await startRecordingProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });
  return {
    get server() {
      if (server === undefined) throw new Error('the test server is started in beforeAll');
      return server;
    },
    get proxy() {
      if (proxy === undefined) throw new Error('the proxy is started in beforeAll');
      return proxy;
    },
    endpointFor(variant) {
      if (variant.transport === 'http') return this.proxy.url;
      if (this.server.grpcUrl === null) throw new Error('the test server serves no OTLP/gRPC');
      return this.server.grpcUrl;
    },
  };
}
