// node packages/server/bench/score-post.mjs — POST /api/scores against a running Spoor on DuckDB:
// one trace of BENCH_SPANS spans (default 200) among BENCH_TRACES others (default 2,000 of 10
// spans), then BENCH_POSTS scores (default 500) one after another, then the same with 16 at
// once, half on the trace and half on one of its spans. Beside them, the same number of
// GET /health, the floor of a request through the same server: the ratio is what a post costs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTemplates, driveLoad, freshBody, percentile, startSpoor, stopChild, waitCommitted } from './lib.mjs';

const spans = Number(process.env.BENCH_SPANS ?? 200);
const traces = Number(process.env.BENCH_TRACES ?? 2000);
const posts = Number(process.env.BENCH_POSTS ?? 500);

const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-score-post-'));
const spoor = await startSpoor(dir);
try {
  const others = buildTemplates({ count: 4, tracesPerBatch: 100, spansPerTrace: 10 });
  await driveLoad({ url: spoor.url, seconds: 60, concurrency: 4, templates: others, maxSpans: traces * 10 });
  const [big] = buildTemplates({ count: 1, tracesPerBatch: 1, spansPerTrace: spans });
  const body = freshBody(big);
  const sent = await fetch(`${spoor.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  if (sent.status !== 200) throw new Error(`ingest answered ${sent.status}`);
  await waitCommitted(spoor.url, '/api/traces?limit=1');
  const {
    traces: [summary],
  } = await (await fetch(`${spoor.url}/api/traces?limit=1&minDurationMs=5000`)).json();
  const { spans: stored } = await (await fetch(`${spoor.url}/api/traces/${summary.traceId}`)).json();
  const traceId = summary.traceId;
  const spanId = stored.at(-1).spanId;

  const post = async (i) => {
    const score = { traceId, ...(i % 2 === 0 ? {} : { spanId }), name: `quality-${i % 10}`, value: (i % 100) / 100 };
    const response = await fetch(`${spoor.url}/api/scores`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(score) });
    if (response.status !== 201 && response.status !== 200) throw new Error(`POST /api/scores answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };
  const health = async () => (await fetch(`${spoor.url}/health`)).arrayBuffer();
  const run = async (label, one, concurrency) => {
    const latencies = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < posts) {
          const i = next++;
          const t = performance.now();
          await one(i);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p) => percentile(latencies, p).toFixed(1);
    console.log(`${label}, ${concurrency} at once: ${(posts / seconds).toFixed(0)}/s, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
    return posts / seconds;
  };
  console.log(`a trace of ${spans} spans among ${traces} others; ${posts} requests per run`);
  for (const concurrency of [1, 16]) {
    const floor = await run('GET /health', health, concurrency);
    const scored = await run('POST /api/scores', post, concurrency);
    console.log(`  posts/s over health/s: ${(scored / floor).toFixed(2)}x`);
  }
} finally {
  await stopChild(spoor);
  await rm(dir, { recursive: true, force: true });
}
