// npm run bench:forward — what forwarding costs ingest (goal <= 15% of committed spans/s).
// Spoor at capacity (8 keep-alive clients sending protobuf batches, as bench:ingest) without and
// with one --forward destination, by turns for BENCH_ROUNDS pairs (default 3; this machine's speed
// drifts within minutes): the destination is a fast sink in a process of its own that reads each
// body and answers 200 (lib.mjs startDiscardServer), so what is measured is Spoor's side of it.
// Prints each pair's committed spans/s, their ratio, the median ratio, and how long forwarding
// took after the load to send what was left (read from /metrics).
// Env: BENCH_SECONDS (default 20), BENCH_CONCURRENCY (8), BENCH_SPANS_PER_BATCH (1000), BENCH_ROUNDS (3);
// BENCH_SPOOR_ARGS='--mask policy.json' (lib.mjs) runs both with a masking policy, so what is
// forwarded is rewritten (every attribute read and masked) rather than sent as received.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTemplates, cpuSeconds, driveLoad, median, startDiscardServer, startSpoor, stopChild, waitCommitted } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const spansPerBatch = Number(process.env.BENCH_SPANS_PER_BATCH ?? 1000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const templates = buildTemplates({ count: 16, tracesPerBatch: spansPerBatch / 10, spansPerTrace: 10 });
console.log(
  `batches of ${templates[0].spanCount} spans, ${(templates[0].body.length / 1024).toFixed(0)} KiB each; ${concurrency} clients; ${seconds} s per run; ${rounds} pairs`,
);

const sink = await startDiscardServer();

/** A counter or gauge on /metrics, summed over its series. */
async function metric(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(match[1]);
  return sum;
}

async function run(label, extraArgs) {
  const dataDir = await mkdtemp(join(tmpdir(), 'spoor-bench-forward-'));
  const spoor = await startSpoor(dataDir, extraArgs);
  const cpuBefore = cpuSeconds(spoor.pid);
  const result = await driveLoad({ url: spoor.url, seconds, concurrency, templates });
  const loadEnded = performance.now();
  // Forwarding runs beside ingest: how far behind it was when the load stopped.
  const behindBytes = extraArgs.length > 0 ? await metric(spoor.url, 'spoor_forward_unsent_bytes') : 0;
  const drainS = await waitCommitted(spoor.url, '/api/traces?limit=1');
  const committedPerSecond = result.spans / (result.elapsedS + drainS);
  const cpu = cpuSeconds(spoor.pid) - cpuBefore;
  let forwarded = null;
  if (extraArgs.length > 0) {
    // And how long after the load it had sent everything.
    while ((await metric(spoor.url, 'spoor_forward_sent_records_total')) < result.spans) await new Promise((r) => setTimeout(r, 100));
    forwarded = { behindBytes, catchUpS: (performance.now() - loadEnded) / 1000, sent: await metric(spoor.url, 'spoor_forward_sent_records_total') };
  }
  await stopChild(spoor);
  await rm(dataDir, { recursive: true, force: true });
  console.log(
    `${label}: ${result.spansPerSecond.toFixed(0)} spans/s acknowledged, ${committedPerSecond.toFixed(0)} spans/s committed (backlog ${drainS.toFixed(1)} s), ` +
      `p99 ${result.p99Ms.toFixed(1)} ms, ${result.refused} refused (503), server CPU ${((cpu / (result.elapsedS + drainS)) * 100).toFixed(0)}% (${((cpu * 1e6) / result.spans).toFixed(1)} ms per 1,000 spans)` +
      (forwarded === null
        ? ''
        : `; forwarded ${forwarded.sent} spans, ${(forwarded.behindBytes / 1024 / 1024).toFixed(1)} MiB behind when the load stopped, all sent ${forwarded.catchUpS.toFixed(1)} s after`),
  );
  return { ...result, committedPerSecond, drainS, cpuS: cpu, forwarded };
}

const ratios = [];
const pairs = [];
for (let round = 1; round <= rounds; round++) {
  const without = await run(`round ${round}, no --forward`, []);
  const withForward = await run(`round ${round}, --forward to a sink`, ['--forward', `sink=${sink.url}`]);
  ratios.push(withForward.committedPerSecond / without.committedPerSecond);
  pairs.push({ without, withForward });
  console.log(
    `round ${round}: with / without ${ratios.at(-1).toFixed(2)}x committed spans/s (${withForward.committedPerSecond.toFixed(0)} / ${without.committedPerSecond.toFixed(0)})`,
  );
}
await stopChild(sink);
const ratio = median(ratios);
console.log(
  `with one --forward / without, committed spans/s, median of ${ratios.length} alternating pairs: ${ratio.toFixed(2)}x, a cost of ${((1 - ratio) * 100).toFixed(0)}% (goal <= 15%: >= 0.85x); pairs ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
);
console.log(JSON.stringify(pairs));
