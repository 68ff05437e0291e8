import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback proxy in front of a Spoor server that notes when each of its answers to an OTLP post
 * went back: when an exporter's spans were acknowledged, the start of the time a live page takes to
 * show them.
 */
export interface TimingProxy {
  url: string;
  /** `Date.now()` of each `POST /v1/traces` answered 200, in order. */
  acknowledgedMs: number[];
  close: () => Promise<void>;
}

export async function startTimingProxy(targetUrl: string): Promise<TimingProxy> {
  const target = new URL(targetUrl);
  const acknowledgedMs: number[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const forwarded = request(
      { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        answer.on('end', () => {
          if (incoming.method === 'POST' && incoming.url === '/v1/traces' && answer.statusCode === 200) acknowledgedMs.push(Date.now());
        });
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    acknowledgedMs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
