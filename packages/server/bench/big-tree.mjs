// npm run bench:big-tree — a trace of a million spans against a real `spoor serve`: stored (sent as
// OTLP/JSON bodies under 8 MB, the web bench's agent trace), listed, opened (`/tree` as the binary
// stream, and as JSON), searched and its critical path answered, the server process's resident
// set sampled every 20 ms throughout. The goal: under 1 GiB at every step.
// BENCH_SPANS (default 1,000,000); BENCH_STORE=clickhouse runs it on a chdb ClickHouse endpoint.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TREE_MEDIA_TYPE, TreeStreamDecoder } from '@spoor/model';
import { buildBigTrace } from '../../web/bench/big-trace.mjs';
import { postTraceBodies } from '../../web/bench/post-traces.mjs';
import { mib, startClickHouse, startSpoor, stopChild } from './lib.mjs';

const spans = Number(process.env.BENCH_SPANS ?? 1_000_000);
const onClickHouse = process.env.BENCH_STORE === 'clickhouse';
const GIB = 1024 ** 3;

const dataDir = await mkdtemp(join(tmpdir(), 'spoor-big-tree-'));
let clickhouse = null;
if (onClickHouse) clickhouse = await startClickHouse(join(dataDir, 'clickhouse'));
const serveArgs = clickhouse === null ? [] : ['--store', 'clickhouse', '--clickhouse-url', clickhouse.url];
let server = await startSpoor(join(dataDir, 'spoor'), serveArgs);

const rssBytes = () => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return 0; // between the two servers of a restart
  }
};
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rssBytes())), 20);
const results = [];
/** Runs `step`, reporting its time and the server's peak RSS while it ran. */
async function measure(name, step) {
  peak = rssBytes();
  const started = performance.now();
  const detail = await step();
  const ms = performance.now() - started;
  peak = Math.max(peak, rssBytes());
  results.push({ step: name, ms: Math.round(ms), peakRssMiB: Number(mib(peak)), underGiB: peak < GIB, ...detail });
  console.log(`${name.padEnd(22)} ${(ms / 1000).toFixed(2).padStart(8)} s   peak RSS ${mib(peak).padStart(5)} MiB   ${JSON.stringify(detail)}`);
}

const idleRss = rssBytes();
const built = performance.now();
const trace = buildBigTrace({ spans });
console.log(
  `built ${trace.spanCount} spans in ${trace.bodies.length} bodies in ${((performance.now() - built) / 1000).toFixed(1)} s; server idle at ${mib(idleRss)} MiB`,
);
const get = (path, headers = {}) => fetch(`${server.url}${path}`, { headers });

await measure('store', async () => {
  await postTraceBodies(server.url, trace.bodies, 'application/json');
  trace.bodies.length = 0;
  // Acknowledged is spooled; stored is when the list counts every span.
  for (;;) {
    const { traces } = await (await get('/api/traces?limit=5')).json();
    const listed = traces.find((t) => t.traceId === trace.traceId);
    if (listed?.spanCount === spans) return { spans };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});
// The reads again on a server started afresh on the same data: what serving the trace costs, without
// what ingesting it left in the heaps (BENCH_RESTART=0 reads on the server that ingested).
if (process.env.BENCH_RESTART !== '0') {
  await stopChild(server);
  server = await startSpoor(join(dataDir, 'spoor'), serveArgs);
  const ready = performance.now();
  while (
    !(await get('/api/traces?limit=1').then(
      (r) => r.ok,
      () => false,
    ))
  )
    await new Promise((resolve) => setTimeout(resolve, 100));
  console.log(`restarted: ${mib(rssBytes())} MiB after ${((performance.now() - ready) / 1000).toFixed(1)} s`);
}
await measure('list', async () => {
  const { traces } = await (await get('/api/traces?limit=50')).json();
  return { spanCount: traces.find((t) => t.traceId === trace.traceId)?.spanCount };
});
await measure('tree (binary stream)', async () => {
  const started = performance.now();
  const response = await get(`/api/traces/${trace.traceId}/tree`, { accept: TREE_MEDIA_TYPE });
  const decoder = new TreeStreamDecoder();
  let bytes = 0;
  let firstChunkMs = null;
  for await (const slice of response.body) {
    bytes += slice.length;
    if (decoder.push(slice).length > 0) firstChunkMs ??= Math.round(performance.now() - started);
  }
  decoder.end();
  return { status: response.status, spans: decoder.spanCount, mb: Number((bytes / 1e6).toFixed(1)), firstChunkMs };
});
await measure('search', async () => {
  const response = await get(`/api/traces/${trace.traceId}/search?q=${encodeURIComponent('timed out')}`);
  const body = await response.json();
  return { status: response.status, found: body.spanIds?.length, truncated: body.truncated };
});
await measure('critical path', async () => {
  const response = await get(`/api/traces/${trace.traceId}/critical-path`);
  const body = await response.json();
  return { status: response.status, segments: body.segments?.length ?? body.error?.message };
});

// Last: the JSON form holds the whole tree, and a heap grown for it does not give its pages back at once.
await measure('tree (JSON)', async () => {
  const response = await get(`/api/traces/${trace.traceId}/tree`);
  let bytes = 0;
  for await (const slice of response.body) bytes += slice.length;
  return { status: response.status, mb: Number((bytes / 1e6).toFixed(1)) };
});

clearInterval(sampler);
await stopChild(server);
if (clickhouse !== null) await stopChild(clickhouse);
await rm(dataDir, { recursive: true, force: true });
console.log(JSON.stringify({ spans, store: onClickHouse ? 'clickhouse' : 'duckdb', idleRssMiB: Number(mib(idleRss)), results }));
