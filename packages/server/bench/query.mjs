// npm run bench:query — read latency of the trace API: one 10,000-span trace, one 20,000-span
// trace against the client's own parse of it, and trace lists with filters over 1,000,000 stored
// spans. Env: BENCH_SPANS (default 1,000,000; 0 skips the fill and the lists), BENCH_RUNS
// (timed runs per request, default 15).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTemplates, driveLoad, freshBody, startSpoor, stopChild } from './lib.mjs';

const totalSpans = Number(process.env.BENCH_SPANS ?? 1_000_000);
const dataDir = await mkdtemp(join(tmpdir(), 'spoor-bench-query-'));
const spoor = await startSpoor(dataDir);

const timedRuns = Number(process.env.BENCH_RUNS ?? 15);

async function timeGet(path, runs = timedRuns) {
  const times = [];
  let body;
  for (let i = 0; i < runs + 2; i++) {
    const t = performance.now();
    const response = await fetch(`${spoor.url}${path}`);
    const bytes = await response.arrayBuffer();
    // Timed to the last byte of the answer; the client's own JSON.parse is not the server's time.
    if (i >= 2) times.push(performance.now() - t); // two warm-up runs
    body = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  }
  times.sort((a, b) => a - b);
  return { body, medianMs: times[times.length >> 1], p95Ms: times[Math.floor(times.length * 0.95)], maxMs: times.at(-1) };
}

// 1. The big trace: 10,000 spans in one tree, sent in one request.
const [big] = buildTemplates({ count: 1, tracesPerBatch: 1, spansPerTrace: 10_000 });
const bigBody = freshBody(big);
const sent = await fetch(`${spoor.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: bigBody });
if (sent.status !== 200) throw new Error(`big trace refused: ${sent.status}`);
const bigTraceId = bigBody.subarray(big.offsets[0][0], big.offsets[0][0] + 16).toString('hex');
const detail = await timeGet(`/api/traces/${bigTraceId}`);
console.log(
  `GET /api/traces/:id, 10,000 spans (${(bigBody.length / 1e6).toFixed(1)} MB OTLP): median ${detail.medianMs.toFixed(0)} ms, p95 ${detail.p95Ms.toFixed(0)} ms (spans returned: ${detail.body.spans.length})`,
);

// 2. The 20,000-span trace: the server's time to the last byte against the time a client takes to
// JSON.parse that answer, in the same run, alternating, so both see the same machine.
const [huge] = buildTemplates({ count: 1, tracesPerBatch: 1, spansPerTrace: 20_000 });
const hugeBody = freshBody(huge);
const sentHuge = await fetch(`${spoor.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: hugeBody });
if (sentHuge.status !== 200) throw new Error(`20,000-span trace refused: ${sentHuge.status}`);
const hugeTraceId = hugeBody.subarray(huge.offsets[0][0], huge.offsets[0][0] + 16).toString('hex');
{
  const serverMs = [];
  const parseMs = [];
  const ratios = [];
  let bytes = 0;
  let spans = 0;
  for (let i = 0; i < timedRuns + 2; i++) {
    const t = performance.now();
    const response = await fetch(`${spoor.url}/api/traces/${hugeTraceId}`);
    const raw = await response.arrayBuffer();
    const server = performance.now() - t;
    if (response.status !== 200) throw new Error(`/api/traces/${hugeTraceId}: ${response.status}`);
    const text = Buffer.from(raw).toString('utf8');
    const p = performance.now();
    const parsed = JSON.parse(text);
    const parse = performance.now() - p;
    bytes = raw.byteLength;
    spans = parsed.spans.length;
    if (i < 2) continue; // two warm-up runs
    serverMs.push(server);
    parseMs.push(parse);
    ratios.push(server / parse);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(
    `GET /api/traces/:id, 20,000 spans (${(bytes / 1e6).toFixed(1)} MB of JSON, ${spans} spans): server median ${median(serverMs).toFixed(0)} ms, ` +
      `client JSON.parse median ${median(parseMs).toFixed(0)} ms, ratio median ${median(ratios).toFixed(2)} (goal <= 3)`,
  );
}

if (totalSpans <= 0) {
  await stopChild(spoor);
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
}

// 3. Fill the store to `totalSpans` spans from four services, 10 spans per trace.
const templates = [0, 1, 2, 3].flatMap((n) => buildTemplates({ count: 4, tracesPerBatch: 100, spansPerTrace: 10, service: `bench-agent-${n}` }));
const t = performance.now();
await driveLoad({ url: spoor.url, seconds: 600, concurrency: 8, templates, maxSpans: totalSpans - 30_000 });
// Wait until the store has committed everything, so no query below waits for the backlog.
for (;;) {
  const metrics = await fetch(`${spoor.url}/metrics`).then((r) => r.text());
  if (/^spoor_ingest_queue_records 0$/m.test(metrics)) break;
  await new Promise((r) => setTimeout(r, 200));
}
const stored = await fetch(`${spoor.url}/api/services`).then((r) => r.json());
const storedSpans = stored.services.reduce((n, s) => n + s.spanCount, 0);
console.log(`stored ${storedSpans} spans (committed) in ${((performance.now() - t) / 1000).toFixed(0)} s`);

const queries = [
  ['newest 50, no filter', '/api/traces?limit=50'],
  ['service + span name', `/api/traces?service=bench-agent-2&name=${encodeURIComponent('chat gpt-4o')}`],
  ['status=error', '/api/traces?status=error'],
  ['attribute session.id=s-7', `/api/traces?attr=${encodeURIComponent('session.id=s-7')}`],
  ['minDurationMs=400', '/api/traces?minDurationMs=400'],
  ['text in span name', '/api/traces?text=web_search&service=bench-agent-1'],
  ['model', '/api/traces?model=gpt-4o&limit=20'],
  // Another order than newest first groups every trace of the range: here the whole store.
  ['slowest 50, the whole store', '/api/traces?sort=duration&limit=50'],
  ['costliest 50, the whole store', '/api/traces?sort=cost&limit=50'],
  ['slowest 50, status=error', '/api/traces?sort=duration&status=error&limit=50'],
];
for (const [label, path] of queries) {
  const r = await timeGet(path);
  console.log(`GET ${path} (${label}): median ${r.medianMs.toFixed(0)} ms, p95 ${r.p95Ms.toFixed(0)} ms, ${r.body.traces.length} traces`);
}

await stopChild(spoor);
await rm(dataDir, { recursive: true, force: true });
