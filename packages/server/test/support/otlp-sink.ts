import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeTracesProtobuf } from '../../src/ingest/protobuf/traces.js';

/** A request an OTLP sink took, and what it answered. */
export interface SinkRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  atMs: number;
  status: number;
}

/** What the sink answers a request: a status and headers (200 and none by default). */
export type SinkAnswer = (request: { path: string; body: Buffer; index: number }) => { status: number; headers?: Record<string, string> };

/**
 * A real OTLP/HTTP endpoint on 127.0.0.1 that keeps every request it is sent and answers as the
 * test says (`answer`), as a backend that is down (503), busy (429 with Retry-After) or refusing
 * (400) answers.
 */
export interface OtlpSink {
  url: string;
  port: number;
  requests: SinkRequest[];
  answer: SinkAnswer;
  /** Span ids of every trace request answered 2xx, in the order received (a span sent twice is there twice). */
  spanIds(): string[];
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const sink: OtlpSink = {
    url: '',
    port: 0,
    requests: [],
    answer: () => ({ status: 200 }),
    spanIds: () =>
      sink.requests
        .filter((r) => r.path === '/v1/traces' && r.status < 300)
        .flatMap((r) => decodeTracesProtobuf(new Uint8Array(r.body), 'sink').records.map((s) => s.spanId)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = request.url ?? '';
      const { status, headers = {} } = sink.answer({ path, body, index: sink.requests.length });
      sink.requests.push({ path, headers: request.headers, body, atMs: Date.now(), status });
      response.writeHead(status, { 'content-type': 'application/x-protobuf', ...headers });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.address() as AddressInfo).port;
  sink.url = `http://127.0.0.1:${sink.port}`;
  return sink;
}
