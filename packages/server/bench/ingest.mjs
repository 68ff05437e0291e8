// npm run bench:ingest — sustained OTLP/protobuf ingest into DuckDB, beside three references
// measured in the same run: the ceiling (a server that reads each body and discards it), the
// hand-written floor (handwritten-server.mjs: its own protobuf reader writing straight into
// DuckDB data chunks of one table, one thread, no spool, no fsync, no normalization) and the
// one-thread reference (reference-server.mjs: Spoor's decoder appending to one DuckDB table, no
// spool, no fsync; it moves with Spoor's decoder). Spoor as fast as 8 clients can go
// (capacity), by turns with the hand-written floor (F S F S F), then at a fixed offered rate
// (BENCH_RATE spans/s; default 0.8 x the floor's committed rate) for latency and 503s at that
// load. The goal is a ratio: Spoor's committed spans/s over the hand-written floor's (goal:
// >= 1.0x), each Spoor round over the mean of the floor's rounds on either side, their median,
// because this machine's speed drifts up to 3x between days and by a fifth within minutes.
// Env: BENCH_SECONDS (default 20), BENCH_CONCURRENCY (8), BENCH_SPANS_PER_BATCH (1000),
// BENCH_SPANS_PER_TRACE (10; 1000 makes each request one big trace), BENCH_RATE,
// BENCH_FLOOR_ROUNDS (Spoor's rounds at capacity between the floor's, default 2).
// `--store clickhouse` (or BENCH_STORE=clickhouse) also runs Spoor on the ClickHouse store (the
// engine chdb embeds, behind ClickHouse's HTTP interface, in a process of its own: lib.mjs
// `startClickHouse`) in the same run, with the same load, and prints its ratios to the DuckDB
// store's and to the reference's committed spans/s (goal >= 0.8x of DuckDB's).
// Every request's span times are moved to when it is sent (BENCH_FIXED_TIMES=1: the templates' own).
// `--evaluators N` (or BENCH_EVALUATORS) instead runs Spoor at capacity without and with N
// deterministic evaluators at sampleRate 1 (an --evaluators file), by turns for BENCH_ROUNDS
// pairs (default 3), all with
// --trace-quiet 1s and every request's spans timed as if they had just ended (so traces
// complete during the load, one after another, as in production), and prints each pair's ratio,
// their median (goal >= 0.9x) and what was judged.
// `--base DIR` (a built checkout of another commit) instead runs Spoor at capacity (or at BENCH_RATE),
// this build and DIR's by turns, for BENCH_ROUNDS pairs (default 6), and prints each pair's ratio
// of committed spans/s and of CPU per span, their medians, and each side's 503s: a before/after
// claim on a machine whose speed drifts within minutes.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildTemplates,
  clickHouseBytes,
  cpuSeconds,
  driveLoad,
  median,
  mib,
  peakRssBytes,
  spilledRequests,
  startClickHouse,
  startDiscardServer,
  startHandwrittenServer,
  startReferenceServer,
  startSpoor,
  stopChild,
  waitCommitted,
} from './lib.mjs';

const { values: flags } = parseArgs({
  options: {
    store: { type: 'string', default: process.env.BENCH_STORE ?? 'duckdb' },
    evaluators: { type: 'string', default: process.env.BENCH_EVALUATORS ?? '0' },
    base: { type: 'string' },
  },
});
const evaluatorCount = Number(flags.evaluators);
/** Pairs of runs (without, with) for `--evaluators`: BENCH_ROUNDS, default 3. */
const evaluatorRounds = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(evaluatorCount) || evaluatorCount < 0 || evaluatorCount > 3) throw new Error(`--evaluators must be 0 to 3, not ${flags.evaluators}`);
if (flags.store !== 'duckdb' && flags.store !== 'clickhouse') throw new Error(`--store must be duckdb or clickhouse, not ${flags.store}`);
const withClickHouse = flags.store === 'clickhouse';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const spansPerBatch = Number(process.env.BENCH_SPANS_PER_BATCH ?? 1000);
const spansPerTrace = Number(process.env.BENCH_SPANS_PER_TRACE ?? 10);

/**
 * Whether each request's times are moved to when it is sent, as an app's spans end moments before
 * they are exported: what alert rules and complete traces see then is what they see in production
 * (with the templates' own times, every span of a run ends in the same second). BENCH_FIXED_TIMES=1
 * sends the templates' times, as the figures before 2026-11-26 (thirteenth session) did.
 */
let liveTimes = process.env.BENCH_FIXED_TIMES !== '1';
let templates = buildTemplates({ count: 16, tracesPerBatch: spansPerBatch / spansPerTrace, spansPerTrace, ...(liveTimes ? { t0: Date.now() - 2000 } : {}) });
console.log(
  `batches of ${templates[0].spanCount} spans, ${(templates[0].body.length / 1024).toFixed(0)} KiB each; ${concurrency} clients; ${seconds} s per run`,
);

if (evaluatorCount > 0) {
  await compareWithEvaluators(evaluatorCount);
  process.exit(0);
}

if (flags.base !== undefined) {
  await compareWithBase(resolve(flags.base, 'packages/server/bin/spoor.js'));
  process.exit(0);
}

const discard = await startDiscardServer();
const ceiling = await driveLoad({ url: discard.url, seconds, concurrency, templates });
await stopChild(discard);
console.log(`ceiling (read and discard): ${ceiling.spansPerSecond.toFixed(0)} spans/s, p99 ${ceiling.p99Ms.toFixed(1)} ms`);

/**
 * One server under load in a data directory of its own. `start(dataDir)` resolves with the server
 * and, for the ClickHouse store, `clickhouse`: the endpoint process, whose CPU is counted apart.
 */
async function runServer(label, start, readBackPath, spansPerSecond, beforeStop = async () => undefined) {
  const dataDir = await mkdtemp(join(tmpdir(), 'spoor-bench-'));
  const { server: spoor, clickhouse } = await start(dataDir);
  const cpuBefore = cpuSeconds(spoor.pid);
  const chCpuBefore = clickhouse === undefined ? 0 : cpuSeconds(clickhouse.pid);
  const result = await driveLoad({ url: spoor.url, seconds, concurrency, templates, spansPerSecond, liveTimes });
  // A read waits until every acknowledged span is committed: the time it takes is the store's
  // backlog, and spans over (load time + backlog) is the rate sustained into the store.
  const drainS = await waitCommitted(spoor.url, readBackPath);
  const committedPerSecond = result.spans / (result.elapsedS + drainS);
  const cpu = cpuSeconds(spoor.pid) - cpuBefore;
  const chCpu = clickhouse === undefined ? 0 : cpuSeconds(clickhouse.pid) - chCpuBefore;
  const rss = peakRssBytes(spoor.pid);
  const extra = await beforeStop(spoor);
  await stopChild(spoor);
  // On disk: the DuckDB file once the server closed it (checkpointed), or ClickHouse's parts.
  let bytes = null;
  if (clickhouse !== undefined) {
    bytes = await clickHouseBytes(clickhouse);
    await stopChild(clickhouse);
  } else {
    const file = await stat(join(dataDir, 'spoor.duckdb')).catch(() => null);
    if (file !== null) bytes = { all: file.size, spans: null };
  }
  await rm(dataDir, { recursive: true, force: true });
  const spanMs = (seconds) => ((seconds * 1e6) / result.spans).toFixed(1);
  console.log(
    `${label}: ${result.spansPerSecond.toFixed(0)} spans/s acknowledged, ` +
      `${committedPerSecond.toFixed(0)} spans/s committed (backlog ${drainS.toFixed(1)} s at the end), ` +
      `p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms, ` +
      `peak RSS ${mib(rss)} MiB, ${result.refused} refused (503), ${result.failed} failed, ` +
      `server CPU ${((cpu / (result.elapsedS + drainS)) * 100).toFixed(0)}% (${spanMs(cpu)} ms per 1,000 spans)` +
      (clickhouse === undefined
        ? bytes === null
          ? ''
          : `, ${(bytes.all / result.spans).toFixed(1)} B/span on disk (the DuckDB file)`
        : `, ClickHouse CPU ${((chCpu / (result.elapsedS + drainS)) * 100).toFixed(0)}% (${spanMs(chCpu)} ms per 1,000 spans), ` +
          `${(bytes.all / result.spans).toFixed(1)} B/span on disk after OPTIMIZE FINAL (spans table ${(bytes.spans / result.spans).toFixed(1)})`),
  );
  return { ...result, committedPerSecond, drainS, peakRssMiB: Number(mib(rss)), cpuS: cpu, clickhouseCpuS: chCpu, bytes, ...extra };
}

async function compareWithEvaluators(n) {
  /** Three deterministic evaluators of every trace (one of every span). */
  const specs = [
    '  - { name: fast, kind: latency, target: trace, maxMs: 2000 }',
    '  - { name: searched, kind: tool-called, target: trace, tool: web_search }',
    "  - { name: no-timeout, kind: regex, target: span, pattern: 'timed out', on: output }",
  ];
  const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-evaluators-'));
  const file = join(dir, 'evaluators.yaml');
  await writeFile(file, `evaluators:\n${specs.slice(0, n).join('\n')}\n`);
  // Each trace ends a few hundred ms to two seconds before it is sent, so after the server
  // started (a version judges what completes after it was made), and traces complete as they arrive.
  liveTimes = true;
  templates = buildTemplates({ count: 16, tracesPerBatch: spansPerBatch / spansPerTrace, spansPerTrace, t0: Date.now() - 2000 });
  const quiet = ['--trace-quiet', '1s'];
  const judged = async (spoor) => {
    // Judged during the load and its drain, read before the server stops.
    const { evaluators } = await (await fetch(`${spoor.url}/api/evaluators`)).json();
    const sum = (field) => evaluators.reduce((total, e) => total + e[field], 0);
    return { judged: sum('scoresMade'), evaluatorErrors: sum('errors'), notApplicable: sum('notApplicable') };
  };
  // Runs without and with by turns (this machine's speed drifts within minutes): the ratio of each pair, then their median.
  const ratios = [];
  const rounds = [];
  for (let round = 1; round <= evaluatorRounds; round++) {
    const without = await runServer(
      `round ${round}, spoor, no evaluators`,
      (d) => startSpoor(d, quiet).then((server) => ({ server })),
      '/api/traces?limit=1',
      null,
    );
    const withThem = await runServer(
      `round ${round}, spoor, ${n} evaluators at sampleRate 1`,
      (d) => startSpoor(d, [...quiet, '--evaluators', file]).then((server) => ({ server })),
      '/api/traces?limit=1',
      null,
      judged,
    );
    ratios.push(withThem.committedPerSecond / without.committedPerSecond);
    rounds.push({ without, withThem });
    console.log(
      `round ${round}: with / without ${ratios.at(-1).toFixed(2)}x committed, CPU per 1,000 spans ${((withThem.cpuS / withThem.spans) * 1e6).toFixed(1)} / ${((without.cpuS / without.spans) * 1e6).toFixed(1)} ms; ` +
        `targets during the run: ${withThem.judged} scored, ${withThem.notApplicable} with nothing to judge, ${withThem.evaluatorErrors} errors`,
    );
  }
  await rm(dir, { recursive: true, force: true });
  console.log(
    `with ${n} evaluators / without, committed spans/s, median of ${ratios.length} alternating pairs: ${median(ratios).toFixed(2)}x (goal >= 0.9x); pairs ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
  );
  console.log(JSON.stringify(rounds));
}

/**
 * This build against another, by turns (`--base`): at capacity, or with BENCH_RATE at that offered
 * rate (then the 503s of each side are what to compare).
 */
async function compareWithBase(baseCli) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
  const offered = process.env.BENCH_RATE === undefined ? null : Number(process.env.BENCH_RATE);
  const pairs = [];
  for (let round = 1; round <= rounds; round++) {
    // Which goes first alternates: the machine's speed drifts within minutes.
    const run = (label, cli) =>
      runServer(`round ${round}, ${label}`, (d) => startSpoor(d, [], cli).then((server) => ({ server })), '/api/traces?limit=1', offered);
    const got = {};
    for (const side of round % 2 === 1 ? ['base', 'this'] : ['this', 'base']) got[side] = await run(side, side === 'base' ? baseCli : undefined);
    const cpuPerSpan = (r) => r.cpuS / r.spans;
    pairs.push({
      committed: got.this.committedPerSecond / got.base.committedPerSecond,
      cpu: cpuPerSpan(got.this) / cpuPerSpan(got.base),
      refused: { this: got.this.refused, base: got.base.refused },
    });
    console.log(
      `round ${round}: this / base ${pairs.at(-1).committed.toFixed(3)}x committed, ${pairs.at(-1).cpu.toFixed(3)}x CPU per span; refused (503) this ${got.this.refused}, base ${got.base.refused}`,
    );
  }
  const refused = (side) => pairs.map((p) => p.refused[side]).join(', ');
  console.log(
    `this / base, median of ${rounds} alternating pairs${offered === null ? '' : ` at ${offered} spans/s offered`}: ${median(pairs.map((p) => p.committed)).toFixed(3)}x committed spans/s, ` +
      `${median(pairs.map((p) => p.cpu)).toFixed(3)}x CPU per span; refused (503) this ${refused('this')}, base ${refused('base')}`,
  );
}

const duckdb = (dataDir) => startSpoor(dataDir).then((server) => ({ server }));
/** Spoor's requests acknowledged into the spool alone (a stalled commit), read before it stops. */
const spills = async (spoor) => ({ spilled: await spilledRequests(spoor.url) });
const clickhouse = async (dataDir) => {
  const ch = await startClickHouse(join(dataDir, 'clickhouse'));
  const server = await startSpoor(dataDir, ['--store', 'clickhouse', '--clickhouse-url', ch.url]);
  return { server, clickhouse: ch };
};
const readBack = '/api/traces?limit=1';

const reference = await runServer(
  "reference (Spoor's decoder, one thread, one table, no fsync)",
  (dir) => startReferenceServer(dir).then((server) => ({ server })),
  '/flush',
  null,
);
/**
 * The hand-written floor and Spoor at capacity by turns, floor first and last (F S F S F for the
 * default BENCH_FLOOR_ROUNDS=2): each Spoor round against the mean of the floor's rounds on either
 * side, since this machine's speed drifts within minutes: measured once before Spoor, the floor
 * went from 90,000 to 113,000 spans/s between three runs in an hour.
 */
const floorRounds = Number(process.env.BENCH_FLOOR_ROUNDS ?? 2);
const runFloor = (round) =>
  runServer(
    `hand-written floor (own protobuf reader, data chunks, one thread, one table, no fsync), round ${round}`,
    (dir) => startHandwrittenServer(dir).then((server) => ({ server })),
    '/flush',
    null,
  );
const floors = [await runFloor(1)];
const capacities = [];
const floorRatios = [];
for (let round = 1; round <= floorRounds; round++) {
  capacities.push(await runServer(`spoor, as fast as the clients go, round ${round}`, duckdb, readBack, null, spills));
  floors.push(await runFloor(round + 1));
  const floorMean = (floors.at(-2).committedPerSecond + floors.at(-1).committedPerSecond) / 2;
  floorRatios.push(capacities.at(-1).committedPerSecond / floorMean);
  console.log(`round ${round}: spoor committed / the floor's mean on either side ${floorRatios.at(-1).toFixed(3)}x`);
}
const floorRatio = median(floorRatios);
const handwritten = { committedPerSecond: median(floors.map((f) => f.committedPerSecond)), rounds: floors };
/** Spoor's round whose ratio is nearest the median, for what is printed of one round. */
const capacity = capacities[floorRatios.reduce((best, r, i) => (Math.abs(r - floorRatio) < Math.abs(floorRatios[best] - floorRatio) ? i : best), 0)];
const chCapacity = withClickHouse ? await runServer('spoor on ClickHouse, as fast as the clients go', clickhouse, readBack, null) : null;
const rate = Math.round(Number(process.env.BENCH_RATE ?? 0.8 * handwritten.committedPerSecond));
const paced = await runServer(`spoor, offered ${rate} spans/s`, duckdb, readBack, rate, spills);
const chPaced = withClickHouse ? await runServer(`spoor on ClickHouse, offered ${rate} spans/s`, clickhouse, readBack, rate) : null;
console.log(
  `spoor committed / hand-written floor committed, median of ${floorRounds} rounds each against the floor's on either side: ${floorRatio.toFixed(2)}x (goal >= 1.0x; rounds ${floorRatios.map((r) => r.toFixed(3)).join(', ')}); ` +
    `spoor committed / reference (Spoor's decoder) committed: ${(capacity.committedPerSecond / reference.committedPerSecond).toFixed(2)}x; ` +
    `at ${rate} spans/s offered: ${paced.refused} refused (goal 0), peak RSS ${paced.peakRssMiB} MiB (goal < 1024), ` +
    `requests acknowledged into the spool alone ${JSON.stringify(paced.spilled)} (at capacity ${JSON.stringify(capacity.spilled)}); ` +
    `ratio to the ceiling ${((capacity.committedPerSecond / ceiling.spansPerSecond) * 100).toFixed(1)}%`,
);
if (withClickHouse) {
  console.log(
    `ClickHouse store committed / DuckDB store committed: ${(chCapacity.committedPerSecond / capacity.committedPerSecond).toFixed(2)}x (goal >= 0.8x); ` +
      `ClickHouse store / reference: ${(chCapacity.committedPerSecond / reference.committedPerSecond).toFixed(2)}x; ` +
      `at ${rate} spans/s offered: ${chPaced.refused} refused, backlog ${chPaced.drainS.toFixed(1)} s, peak RSS ${chPaced.peakRssMiB} MiB`,
  );
}
console.log(JSON.stringify({ ceiling, reference, handwritten, capacity, capacities, floorRatios, paced, chCapacity, chPaced }));
