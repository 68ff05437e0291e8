// npm run bench:overload — how polite Spoor stays when more clients post than it can take:
// BENCH_CONCURRENCY (default 32) clients post 1,000-span protobuf bodies as fast as they are
// answered for BENCH_SECONDS (default 15), while a probe asks GET /health and GET /ready every
// 25 ms and GET /api/traces?limit=1 every 250 ms on connections of their own. Reports the
// probes' latency percentiles, how many reads said they waited for the write backlog
// (Spoor-Read-Wait-Ms) or gave up on it (Spoor-Read-Incomplete), and the ingest figures.
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTemplates, driveLoad, startSpoor, stopChild } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const templates = buildTemplates({ count: 16, tracesPerBatch: 100, spansPerTrace: 10 });
const dataDir = await mkdtemp(join(tmpdir(), 'spoor-overload-'));
const spoor = await startSpoor(dataDir);

function get(agent, url) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode, headers: res.headers }));
      })
      .on('error', reject);
  });
}

async function probe(path, everyMs, until) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const results = [];
  while (performance.now() < until) {
    const at = performance.now();
    results.push(await get(agent, `${spoor.url}${path}`));
    const wait = everyMs - (performance.now() - at);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  agent.destroy();
  return results;
}

function percentiles(results) {
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const at = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
  return { count: ms.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: ms.at(-1) };
}

const until = performance.now() + seconds * 1000;
const [load, health, ready, reads] = await Promise.all([
  driveLoad({ url: spoor.url, seconds, concurrency, templates }),
  probe('/health', 25, until),
  probe('/ready', 25, until),
  probe('/api/traces?limit=1', 250, until),
]);
await stopChild(spoor);
await rm(dataDir, { recursive: true, force: true });

const fmt = (p) => `p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms, max ${p.maxMs.toFixed(1)} ms over ${p.count}`;
console.log(
  `${concurrency} clients for ${seconds} s: ${load.spansPerSecond.toFixed(0)} spans/s acknowledged, ${load.refused} refused (503), ${load.failed} failed`,
);
console.log(`GET /health: ${fmt(percentiles(health))} (goal: p99 < 50 ms)`);
console.log(`GET /ready: ${fmt(percentiles(ready))}`);
const waited = reads.filter((r) => r.headers['spoor-read-wait-ms'] !== undefined);
const incomplete = reads.filter((r) => r.headers['spoor-read-incomplete'] === '1');
console.log(`GET /api/traces?limit=1: ${fmt(percentiles(reads))}; ${waited.length} said they waited for the backlog, ${incomplete.length} gave up on it`);
console.log(
  JSON.stringify({
    load,
    health: percentiles(health),
    ready: percentiles(ready),
    reads: { ...percentiles(reads), waited: waited.length, incomplete: incomplete.length },
  }),
);
