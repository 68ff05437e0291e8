// npm run bench:ingest — sustained OTLP/protobuf ingest into DuckDB, beside the ceiling of the
// same load against a server that reads each body and discards it.
// Env: BENCH_SECONDS (default 20), BENCH_CONCURRENCY (8), BENCH_SPANS_PER_BATCH (1000).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTemplates, cpuSeconds, driveLoad, mib, peakRssBytes, startDiscardServer, startSpoor, stopChild } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const spansPerBatch = Number(process.env.BENCH_SPANS_PER_BATCH ?? 1000);
const spansPerTrace = 10;

const templates = buildTemplates({ count: 16, tracesPerBatch: spansPerBatch / spansPerTrace, spansPerTrace });
console.log(`batches of ${templates[0].spanCount} spans, ${(templates[0].body.length / 1024).toFixed(0)} KiB each; ${concurrency} clients; ${seconds} s per run`);

const discard = await startDiscardServer();
const ceiling = await driveLoad({ url: discard.url, seconds, concurrency, templates });
await stopChild(discard);
console.log(`ceiling (read and discard): ${ceiling.spansPerSecond.toFixed(0)} spans/s, p99 ${ceiling.p99Ms.toFixed(1)} ms`);

const dataDir = await mkdtemp(join(tmpdir(), 'spoor-bench-'));
const spoor = await startSpoor(dataDir);
const cpuBefore = cpuSeconds(spoor.pid);
const result = await driveLoad({ url: spoor.url, seconds, concurrency, templates });
const cpu = cpuSeconds(spoor.pid) - cpuBefore;
const rss = peakRssBytes(spoor.pid);
await stopChild(spoor);
await rm(dataDir, { recursive: true, force: true });

console.log(`spoor (DuckDB, acknowledged = committed): ${result.spansPerSecond.toFixed(0)} spans/s, ` +
  `p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms, ` +
  `peak RSS ${mib(rss)} MiB, ${result.refused} refused (503), ${result.failed} failed, ` +
  `server CPU ${(cpu / result.elapsedS * 100).toFixed(0)}% (${(cpu * 1e6 / result.spans).toFixed(1)} ms per 1,000 spans)`);
console.log(`ratio to ceiling: ${(result.spansPerSecond / ceiling.spansPerSecond * 100).toFixed(0)}%`);
console.log(JSON.stringify({ ceiling, spoor: { ...result, peakRssMiB: Number(mib(rss)) } }));
