// npm run bench:ingest — sustained OTLP/protobuf ingest into DuckDB, beside two references
// measured in the same run: the ceiling (a server that reads each body and discards it) and the
// one-thread reference (reference-server.mjs: Spoor's decoder appending to one DuckDB table, no
// spool, no fsync). Two runs against Spoor: as fast as 8 clients can go (capacity), then at a
// fixed offered rate (BENCH_RATE spans/s; default 0.8 x the reference's committed rate) for
// latency and 503s at that load. The goal is a ratio: Spoor's committed spans/s over the
// reference's, because this machine's speed drifts up to 3x between days.
// Env: BENCH_SECONDS (default 20), BENCH_CONCURRENCY (8), BENCH_SPANS_PER_BATCH (1000),
// BENCH_SPANS_PER_TRACE (10; 1000 makes each request one big trace), BENCH_RATE.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTemplates, cpuSeconds, driveLoad, mib, peakRssBytes, startDiscardServer, startReferenceServer, startSpoor, stopChild } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const spansPerBatch = Number(process.env.BENCH_SPANS_PER_BATCH ?? 1000);
const spansPerTrace = Number(process.env.BENCH_SPANS_PER_TRACE ?? 10);

const templates = buildTemplates({ count: 16, tracesPerBatch: spansPerBatch / spansPerTrace, spansPerTrace });
console.log(`batches of ${templates[0].spanCount} spans, ${(templates[0].body.length / 1024).toFixed(0)} KiB each; ${concurrency} clients; ${seconds} s per run`);

const discard = await startDiscardServer();
const ceiling = await driveLoad({ url: discard.url, seconds, concurrency, templates });
await stopChild(discard);
console.log(`ceiling (read and discard): ${ceiling.spansPerSecond.toFixed(0)} spans/s, p99 ${ceiling.p99Ms.toFixed(1)} ms`);

async function runServer(label, start, readBackPath, spansPerSecond) {
  const dataDir = await mkdtemp(join(tmpdir(), 'spoor-bench-'));
  const spoor = await start(dataDir);
  const cpuBefore = cpuSeconds(spoor.pid);
  const result = await driveLoad({ url: spoor.url, seconds, concurrency, templates, spansPerSecond });
  // A read waits until every acknowledged span is committed: the time it takes is the store's
  // backlog, and spans over (load time + backlog) is the rate sustained into DuckDB.
  const drainStart = performance.now();
  await fetch(`${spoor.url}${readBackPath}`).then((r) => r.json());
  const drainS = (performance.now() - drainStart) / 1000;
  const committedPerSecond = result.spans / (result.elapsedS + drainS);
  const cpu = cpuSeconds(spoor.pid) - cpuBefore;
  const rss = peakRssBytes(spoor.pid);
  await stopChild(spoor);
  await rm(dataDir, { recursive: true, force: true });
  console.log(`${label}: ${result.spansPerSecond.toFixed(0)} spans/s acknowledged, ` +
    `${committedPerSecond.toFixed(0)} spans/s committed to DuckDB (backlog ${drainS.toFixed(1)} s at the end), ` +
    `p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms, ` +
    `peak RSS ${mib(rss)} MiB, ${result.refused} refused (503), ${result.failed} failed, ` +
    `server CPU ${(cpu / (result.elapsedS + drainS) * 100).toFixed(0)}% (${(cpu * 1e6 / result.spans).toFixed(1)} ms per 1,000 spans)`);
  return { ...result, committedPerSecond, drainS, peakRssMiB: Number(mib(rss)) };
}

const reference = await runServer('reference (one thread, one table, no fsync)', startReferenceServer, '/flush', null);
const capacity = await runServer('spoor, as fast as the clients go', startSpoor, '/api/traces?limit=1', null);
const rate = Math.round(Number(process.env.BENCH_RATE ?? 0.8 * reference.committedPerSecond));
const paced = await runServer(`spoor, offered ${rate} spans/s`, startSpoor, '/api/traces?limit=1', rate);
console.log(`spoor committed / reference committed: ${(capacity.committedPerSecond / reference.committedPerSecond).toFixed(2)}x ` +
  `(goal >= 1.0x, stretch 1.5x); at ${rate} spans/s offered: ${paced.refused} refused (goal 0), peak RSS ${paced.peakRssMiB} MiB; ` +
  `ratio to the ceiling ${(capacity.committedPerSecond / ceiling.spansPerSecond * 100).toFixed(1)}%`);
console.log(JSON.stringify({ ceiling, reference, capacity, paced }));
