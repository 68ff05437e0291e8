// npm run bench:grpc — OTLP/gRPC against OTLP/HTTP on the same protobuf bodies (gRPC at
// least 0.9x HTTP's committed rate): a fresh server per run, the two kinds alternating, 8 clients
// each with a connection of its own (BENCH_SHARED=1: one connection for all, as one exporter has).
// Env: BENCH_SECONDS (10), BENCH_ROUNDS (3), BENCH_CONCURRENCY (8), BENCH_SPANS_PER_BATCH (1000).
import { Client, credentials, status } from '@grpc/grpc-js';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTemplates, cpuSeconds, driveLoad, freshBody, startSpoor, stopChild, waitCommitted } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const spansPerBatch = Number(process.env.BENCH_SPANS_PER_BATCH ?? 1000);
const templates = buildTemplates({ count: 16, tracesPerBatch: spansPerBatch / 10, spansPerTrace: 10 });
console.log(`batches of ${templates[0].spanCount} spans, ${(templates[0].body.length / 1024).toFixed(0)} KiB; ${concurrency} clients; ${seconds} s per run`);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const same = (b) => b;

async function driveGrpc({ target }) {
  let spans = 0,
    refused = 0,
    failed = 0,
    next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  // BENCH_SHARED=1: one channel (one HTTP/2 connection) for every client, as one OTel exporter has.
  const shared = process.env.BENCH_SHARED === '1' ? new Client(target, credentials.createInsecure()) : null;
  const worker = async () => {
    const client = shared ?? new Client(target, credentials.createInsecure());
    while (performance.now() < deadline) {
      const template = templates[next++ % templates.length];
      const body = freshBody(template);
      const code = await new Promise((resolve) =>
        client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', same, same, body, (error) =>
          resolve(error === null ? 0 : error.code),
        ),
      );
      if (code === 0) spans += template.spanCount;
      else if (code === status.RESOURCE_EXHAUSTED || code === status.UNAVAILABLE) {
        refused++;
        await new Promise((r) => setTimeout(r, 1000));
      } else {
        failed++;
      }
    }
    client.close();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { spans, refused, failed, elapsedS: (performance.now() - started) / 1000 };
}

async function run(kind) {
  const dataDir = await mkdtemp(join(tmpdir(), 'spoor-grpc-bench-'));
  const grpcPort = await freePort();
  const server = await startSpoor(dataDir, ['--grpc-port', String(grpcPort)]);
  const cpu0 = cpuSeconds(server.pid);
  const result = kind === 'http' ? await driveLoad({ url: server.url, seconds, concurrency, templates }) : await driveGrpc({ target: `127.0.0.1:${grpcPort}` });
  const drainS = await waitCommitted(server.url, '/api/traces?limit=1');
  const cpu = cpuSeconds(server.pid) - cpu0;
  await stopChild(server);
  await rm(dataDir, { recursive: true, force: true });
  const committed = result.spans / (result.elapsedS + drainS);
  console.log(
    `${kind.padEnd(4)}: ${(result.spans / result.elapsedS).toFixed(0)} spans/s acknowledged, ${committed.toFixed(0)} spans/s committed (backlog ${drainS.toFixed(1)} s), ${result.refused} refused, ${result.failed} failed, ${((cpu * 1e6) / result.spans).toFixed(1)} ms CPU per 1,000 spans`,
  );
  return committed;
}

const totals = { http: [], grpc: [] };
for (let i = 0; i < rounds; i++) {
  for (const kind of i % 2 === 0 ? ['http', 'grpc'] : ['grpc', 'http']) totals[kind].push(await run(kind));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `median committed: http ${median(totals.http).toFixed(0)}, grpc ${median(totals.grpc).toFixed(0)} spans/s; grpc/http ${(median(totals.grpc) / median(totals.http)).toFixed(2)}x`,
);
