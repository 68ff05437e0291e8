// `npm run bench:sdk-live`: what live mode (`init({ live: true })`) costs an app, against the
// same workload with live mode off, alternating rounds in one process so machine drift hits both.
//
// The workload: a long-running session span whose progress attribute changes all along, and in
// it three-step agent runs (workflow + plan, search, answer), CONCURRENCY of them in flight at a
// time, so a live tick finds spans open and changed. liveIntervalMs is 1000, the most often
// allowed. Spans are encoded to OTLP protobuf as the OTLP exporter does, then discarded: the
// encoding of snapshots is counted, the network is not.
import { ExportResultCode } from '@opentelemetry/core';
// The OTLP exporter's own encoder (a dependency of @opentelemetry/exporter-trace-otlp-proto).
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { init, shutdown, step, withSpan, workflow } from '@spoor/sdk';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
/** Long enough (about 2-3 s a round here) for the first-snapshot delay and a few 1 s ticks. */
const RUNS_PER_ROUND = Number(process.env.RUNS ?? 40_000);
const CONCURRENCY = 16;
const SPANS_PER_RUN = 4;

const count = { spans: 0, snapshots: 0, bytes: 0 };
const sink = {
  export(spans, done) {
    for (const span of spans) {
      if (span.endTime[0] === 0) count.snapshots++;
      else count.spans++;
    }
    count.bytes += ProtobufTraceSerializer.serializeRequest(spans)?.length ?? 0;
    done({ code: ExportResultCode.SUCCESS });
  },
  shutdown: async () => {},
  forceFlush: async () => {},
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const agent = (i) =>
  workflow('agent', { agent: 'bench' }, async () => {
    await step('plan', { number: 1 }, async (span) => span.setAttribute('plan.steps', 2));
    await step('search', { number: 2 }, async (span) => {
      span.setAttribute('search.query', `question ${i % 100}`);
      // The tool call's I/O: the event loop turns, so timers (the batch processor's, live mode's) run.
      await new Promise((resolve) => setImmediate(resolve));
    });
    await step('answer', { number: 3 }, async () => 'done');
  });

/**
 * One round: init with live on or off, the workload, shutdown (outside the timing); the process's
 * CPU time per agent run in ns. CPU time, not wall time: on a machine shared with other work the
 * wall time of a round moved by 2x between runs here, its CPU time far less.
 */
async function round(live) {
  init({ serviceName: 'bench', exporter: { spans: sink }, live, liveIntervalMs: 1000, logDestination: { write() {} }, metricsIntervalMs: 600_000 });
  const start = process.cpuUsage();
  await withSpan('session', async (session) => {
    let next = 0;
    const worker = async () => {
      while (next < RUNS_PER_ROUND) {
        const i = next++;
        await agent(i);
        if (i % 1000 === 0) session.setAttribute('session.progress', i);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  });
  const used = process.cpuUsage(start);
  const ns = ((used.user + used.system) * 1000) / RUNS_PER_ROUND;
  await shutdown();
  return ns;
}

const results = { off: [], on: [] };
const snapshotsPerRound = [];
for (let r = -1; r < ROUNDS; r++) {
  // Each side goes first in every other round, so what one round leaves behind (garbage, a warm JIT) hits both alike.
  for (const live of r % 2 === 0 ? [false, true] : [true, false]) {
    const before = count.snapshots;
    const ns = await round(live);
    if (r < 0) continue;
    results[live ? 'on' : 'off'].push(ns);
    if (live) snapshotsPerRound.push(count.snapshots - before);
    else if (count.snapshots !== before) throw new Error('live mode off sent a snapshot');
  }
}

const off = median(results.off);
const on = median(results.on);
const fmt = (ns) => `${(ns / 1000).toFixed(2)} µs`;
console.log(
  `node ${process.version}, ${ROUNDS} rounds of ${RUNS_PER_ROUND} agent runs (${SPANS_PER_RUN} spans each, ${CONCURRENCY} in flight), median CPU time per run`,
);
console.log(
  `ended spans exported ${count.spans}, snapshots exported ${count.snapshots} (median ${median(snapshotsPerRound)} a live round), ${(count.bytes / 1e6).toFixed(1)} MB encoded\n`,
);
console.log('| workload | live off | live on | ratio |');
console.log('|---|---|---|---|');
console.log(`| three-step agent run, per run | ${fmt(off)} | ${fmt(on)} | ${(on / off).toFixed(3)}× |`);
