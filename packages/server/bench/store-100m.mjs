// npm run bench:store-100m [-- --engine duckdb|clickhouse] — a store of BENCH_SPANS spans (default
// 100 million) of an agent fleet's shape, sent as bench:ingest sends them (OTLP/protobuf to a real
// `spoor serve`), times spread over the seven days before the fill began, a fifth of the spans
// LLM calls with their messages. Then each read of the issue's goal timed on it and on a reference
// store holding the same last day alone (BENCH_REF_SPANS, default a seventh of BENCH_SPANS, sent
// as the big store's last day was: same shape, same times), the two servers by turns (which goes
// first alternating), median of each read's runs; with start-up time, the default rules at the
// store's end (each through `/api/v1/query`, summed) and the server's last alert round, stalls (`spoor_store_stall_seconds_total`), peak RSS, bytes per span and the load average.
// The reference answers what six more days cost a read of the last hour or day: nothing, when reads
// depend on the range and the page and not on the store.
//
// A filled store is kept (BENCH_DIR, default /tmp/spoor-bench-store-100m; `filled.json` beside
// its data says what it holds): a rerun goes on from what it holds, and does not refill.
// `--fill` fills both stores and stops (the measures want a quiet machine; the fill does not).
// `--load` measures ingest on a copy of the filled store: at capacity against a fresh store by turns,
// at 0.8x the fresh store's capacity, and a start-up after SIGKILL under that load (`loadRounds`).
// `--retention` starts a copy of the filled store with a retention that deletes its oldest day, under
// ingest at 0.8x a fresh store's capacity (`retentionUnderLoad`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildTemplates, driveLoad, freshBody, median, mib, peakRssBytes, startClickHouse, startSpoor, stopChild, waitCommitted } from './lib.mjs';
import { execFileSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'duckdb' },
    checkpoints: { type: 'boolean', default: false },
    fill: { type: 'boolean', default: false },
    load: { type: 'boolean', default: false },
    retention: { type: 'boolean', default: false },
  },
});
const ENGINE = values.engine;
if (ENGINE !== 'duckdb' && ENGINE !== 'clickhouse') throw new Error(`--engine must be duckdb or clickhouse, not ${ENGINE}`);
const SPANS = Number(process.env.BENCH_SPANS ?? 100_000_000);
const DAYS = 7;
const REF_SPANS = Number(process.env.BENCH_REF_SPANS ?? Math.round(SPANS / DAYS));
const ROOT = process.env.BENCH_DIR ?? '/tmp/spoor-bench-store-100m';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CONCURRENCY = 8;
const DAY_MS = 86_400_000;
// 60 traces of 15 spans a request: of the 14 under each root, a third LLM calls (gen_ai.*), and
// three of every 15 spans (s = 1, 7, 13) carry their messages: a fifth of the spans.
const TRACES_PER_BATCH = 60;
const SPANS_PER_TRACE = 15;

const content = (s) =>
  s % 6 === 1
    ? {
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Find three sources on topic ${s} and summarise them.` }] }]),
        'gen_ai.output.messages': JSON.stringify([
          {
            role: 'assistant',
            parts: [{ type: 'text', content: 'Here are three sources, each summarised in two sentences. '.repeat(4) }],
            finish_reason: 'stop',
          },
        ]),
      }
    : {};

/** The store kept for `spans` spans: its data directory and what `filled.json` says it holds. */
function storeOf(spans) {
  const dir = join(ROOT, `${ENGINE}-${spans}`);
  const markerPath = join(dir, 'filled.json');
  const marker = existsSync(markerPath) ? JSON.parse(readFileSync(markerPath, 'utf8')) : null;
  return { spans, dir, dataDir: join(dir, 'data'), markerPath, marker };
}

/** `spoor serve` on `store` with `extraArgs`; on ClickHouse, with its engine started first, or `clickhouse` (one still running) given. */
async function startServer(store, clickhouse = null, extraArgs = []) {
  let args = [...extraArgs];
  if (ENGINE === 'clickhouse') {
    clickhouse ??= await startClickHouse(join(store.dir, 'clickhouse'));
    args.push('--store', 'clickhouse', '--clickhouse-url', clickhouse.url);
  }
  const started = performance.now();
  const spoor = await startSpoor(store.dataDir, args);
  return { ...spoor, startS: (performance.now() - started) / 1000, clickhouse };
}

/** Peak RSS of `spoor serve` and, on ClickHouse, of the chDB process beside it (what a ClickHouse server would hold). */
function peakMemory(server) {
  return { spoor: peakRssBytes(server.pid), engine: server.clickhouse === null ? null : peakRssBytes(server.clickhouse.pid) };
}

const memoryText = (rss) => `peak RSS ${mib(rss.spoor)} MiB${rss.engine === null ? '' : ` (chDB ${mib(rss.engine)} MiB)`}`;

async function stopServer(server) {
  await stopChild(server);
  if (server.clickhouse !== null) await stopChild(server.clickhouse);
}

/**
 * Fills `store` up to its spans, from what its marker says it holds. Each request's times are moved
 * to its place in the seven days (by how far the fill is), so the newest day is sent last, as a
 * fleet's telemetry arrives. The marker is written every million spans acknowledged (acknowledged
 * is durable: the spool holds what the store has not committed).
 */
async function fill(store, window = { startMs: Date.now() - DAYS * DAY_MS, endMs: Date.now() }) {
  await mkdir(store.dir, { recursive: true });
  const marker = store.marker ?? { engine: ENGINE, spans: store.spans, acknowledged: 0, ...window };
  if (marker.acknowledged >= store.spans) return marker;
  const server = await startServer(store);
  const templates = buildTemplates({
    count: 16,
    tracesPerBatch: TRACES_PER_BATCH,
    spansPerTrace: SPANS_PER_TRACE,
    t0: marker.startMs,
    extraAttributes: content,
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const began = performance.now();
  const from = marker.acknowledged;
  let next = 0;
  let refused = 0;
  let lastMarker = marker.acknowledged;
  const worker = async () => {
    while (marker.acknowledged < store.spans) {
      const template = templates[next++ % templates.length];
      // freshBody moves a template's times by the time since it was built: here, by its place in the seven days.
      const shiftMs = (marker.acknowledged / store.spans) * (marker.endMs - marker.startMs - 60_000);
      const status = await post(agent, server.url, freshBody({ ...template, builtMs: Date.now() - shiftMs }, true));
      if (status === 200) marker.acknowledged += template.spanCount;
      else if (status === 503 || status === 429) {
        refused++;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      } else throw new Error(`the fill got ${status}`);
      if (marker.acknowledged - lastMarker >= 1_000_000) {
        lastMarker = marker.acknowledged;
        writeFileSync(store.markerPath, JSON.stringify(marker));
        const rate = (marker.acknowledged - from) / ((performance.now() - began) / 1000);
        console.log(`filled ${store.dir}: ${(marker.acknowledged / 1e6).toFixed(1)} M spans, ${Math.round(rate)} spans/s, load ${loadavg()[0].toFixed(1)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  await waitCommitted(server.url, '/api/traces?limit=1');
  writeFileSync(store.markerPath, JSON.stringify({ ...marker, filledAt: new Date().toISOString() }));
  const seconds = (performance.now() - began) / 1000;
  console.log(`filled ${store.dir} with ${marker.acknowledged - from} spans in ${seconds.toFixed(0)} s (${refused} refused, retried)`);
  console.log(`  what held the commits while it filled: ${stallsOf(await metrics(server.url))}`);
  await stopServer(server);
  return marker;
}

function post(agent, url, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      new URL('/v1/traces', url),
      { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function metrics(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples = new Map();
  for (const line of text.split('\n'))
    if (line !== '' && !line.startsWith('#')) samples.set(line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1)));
  return samples;
}

/** The stall markers' counts: seconds with no commit, and commits over a second, by cause. */
function stallsOf(samples) {
  const of = (family) =>
    [...samples]
      .filter(([series, value]) => series.startsWith(family) && value > 0)
      .map(([series, value]) => `${/cause="(\w+)"/.exec(series)?.[1]} ${value}`)
      .join(', ') || 'none';
  const checkpoints = samples.get('spoor_store_checkpoint_duration_seconds_count') ?? 0;
  const checkpointS = checkpoints === 0 ? 0 : (samples.get('spoor_store_checkpoint_duration_seconds_sum') ?? 0) / checkpoints;
  return (
    `stalled seconds: ${of('spoor_store_stall_seconds_total')}; commits over a second: ${of('spoor_store_slow_commits_total')}; ` +
    `${checkpoints} checkpoints, ${checkpointS.toFixed(2)} s each on average`
  );
}

/** The default rules' expressions, without the comparison some end with (`> 600s`). */
const DEFAULT_RULES = parseYaml(readFileSync(new URL('../alerts/agent-presets.yaml', import.meta.url), 'utf8')).rules.map(
  (rule) => rule.expr.split(/\s[<>]=?\s/)[0],
);

async function timed(url, path) {
  const started = performance.now();
  const response = await fetch(`${url}${path}`);
  const body = await response.json();
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
  return { ms: performance.now() - started, body };
}

/** The reads of the goal, each `RUNS` times on one server; the newest hour and day are the store's own (its marker's end). */
async function measure(store, marker) {
  const server = await startServer(store);
  const endMs = marker.endMs;
  const hour = `from=${endMs - 3_600_000}&to=${endMs}`;
  const day = `from=${endMs - DAY_MS}&to=${endMs}`;
  const first = await timed(server.url, `/api/traces?limit=50&${day}`);
  const traceId = first.body.traces?.[0]?.traceId;
  if (traceId === undefined) throw new Error(`${store.dir}: the trace list is empty`);
  const reads = {
    'trace list, first page': `/api/traces?limit=50`,
    "a trace's detail": `/api/traces/${traceId}`,
    "a trace's tree": `/api/traces/${traceId}/tree`,
    'span stats, last hour': `/api/stats/spans?groupBy=name&${hour}`,
    'sessions, a day': `/api/sessions?${day}`,
    'error groups, a day': `/api/errors?${day}`,
  };
  const times = {};
  for (const [name, path] of Object.entries(reads)) {
    const ms = [];
    for (let i = 0; i < RUNS; i++) ms.push((await timed(server.url, path)).ms);
    times[name] = median(ms);
  }
  // The default rules at the store's end, each through the query API (its comparison left off):
  // the server's own rounds run at the wall clock, whose windows hold nothing once a fill is over.
  const at = `&time=${endMs / 1000}`;
  let rules = 0;
  for (const expr of DEFAULT_RULES) {
    const ms = [];
    for (let i = 0; i < RUNS; i++) ms.push((await timed(server.url, `/api/v1/query?query=${encodeURIComponent(expr)}${at}`)).ms);
    rules += median(ms);
  }
  times["default rules at the store's end"] = rules;
  // The default rules' round, as the server last ran it (its first round may read cold pages).
  const before = (await metrics(server.url)).get('spoor_alert_evaluations_total') ?? 0;
  for (;;) {
    const m = await metrics(server.url);
    if ((m.get('spoor_alert_evaluations_total') ?? 0) >= before + 1) {
      times['alert round (default rules)'] = (m.get('spoor_alert_last_evaluation_seconds') ?? Number.NaN) * 1000;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const rss = peakMemory(server);
  await stopServer(server);
  const bytes = Number(execFileSync('du', ['-sb', store.dir]).toString().split('\t')[0]);
  return { times, startS: server.startS, rss, bytesPerSpan: bytes / marker.acknowledged };
}

/**
 * `--checkpoints`: rounds of BENCH_CAPACITY_S at capacity on the filled store, live times, the
 * server's checkpoints (`scheduled`) against DuckDB's inside commits (`SPOOR_CHECKPOINTS=commit`)
 * by turns, each round's stalls read from the server's markers. The store grows by each round.
 */
async function checkpointRounds(store) {
  const seconds = Number(process.env.BENCH_CAPACITY_S ?? 30);
  const templates = buildTemplates({ count: 16, tracesPerBatch: TRACES_PER_BATCH, spansPerTrace: SPANS_PER_TRACE, extraAttributes: content });
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? ['commit', 'scheduled'] : ['scheduled', 'commit']) {
      if (mode === 'commit') process.env.SPOOR_CHECKPOINTS = 'commit';
      else delete process.env.SPOOR_CHECKPOINTS;
      const server = await startServer(store);
      const load = await driveLoad({ url: server.url, seconds, concurrency: CONCURRENCY, templates, liveTimes: true });
      const caughtUpS = await waitCommitted(server.url, '/api/traces?limit=1');
      const samples = await metrics(server.url);
      const spilled = samples.get('spoor_ingest_spilled_requests_total{reason="store_stalled"}') ?? 0;
      await stopServer(server);
      console.log(
        `  round ${round + 1}, checkpoints ${mode}: ${Math.round(load.spans / (load.elapsedS + caughtUpS))} committed spans/s ` +
          `(${load.spans} in ${load.elapsedS.toFixed(0)} s + ${caughtUpS.toFixed(1)} s to commit the rest), ${load.refused} refused, ${spilled} spilled; ` +
          `${stallsOf(samples)}; load ${loadavg()[0].toFixed(1)}`,
      );
    }
  }
  delete process.env.SPOOR_CHECKPOINTS;
}

/**
 * `--load`: BENCH_ROUNDS rounds of BENCH_CAPACITY_S at capacity, the filled store and a fresh one
 * by turns (committed spans/s: what was acknowledged over the time to commit it all; goal: the
 * filled store >= 0.9x the fresh one's); then the filled store offered 0.8x the fresh store's
 * capacity (goal: nothing refused, no second without a commit); then, under that load, the server
 * killed with SIGKILL and started again (goal: listening and everything acknowledged committed
 * within 30 s, every acknowledged span found). The load's spans are timed as they are sent, after
 * the fill's seven days, so they leave the measured reads' ranges alone.
 */
async function loadRounds(store) {
  const seconds = Number(process.env.BENCH_CAPACITY_S ?? 30);
  const templates = buildTemplates({ count: 16, tracesPerBatch: TRACES_PER_BATCH, spansPerTrace: SPANS_PER_TRACE, extraAttributes: content });
  const run = async (side, spansPerSecond = null) => {
    const fresh = side === 'fresh' ? await mkdtemp('/tmp/spoor-bench-fresh-') : null;
    const server = await startServer(fresh === null ? store : { dir: fresh, dataDir: join(fresh, 'data') });
    const load = await driveLoad({ url: server.url, seconds, concurrency: CONCURRENCY, templates, liveTimes: true, spansPerSecond });
    const caughtUpS = await waitCommitted(server.url, '/api/traces?limit=1');
    const samples = await metrics(server.url);
    const rss = peakMemory(server);
    await stopServer(server);
    if (fresh !== null) await rm(fresh, { recursive: true, force: true });
    const committed = load.spans / (load.elapsedS + caughtUpS);
    console.log(
      `  ${side}${spansPerSecond === null ? ' at capacity' : ` offered ${Math.round(spansPerSecond)} spans/s`}: ${Math.round(committed)} committed spans/s ` +
        `(${load.spans} in ${load.elapsedS.toFixed(0)} s + ${caughtUpS.toFixed(1)} s to commit the rest), ${load.refused} refused, p99 ${load.p99Ms.toFixed(0)} ms; ` +
        `${stallsOf(samples)}; ${memoryText(rss)}; load ${loadavg()[0].toFixed(1)}`,
    );
    return committed;
  };
  const committed = { filled: [], fresh: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? ['filled', 'fresh'] : ['fresh', 'filled']) committed[side].push(await run(side));
  }
  const fresh = median(committed.fresh);
  console.log(`  at capacity, filled / fresh: ${(median(committed.filled) / fresh).toFixed(2)}x (goal >= 0.9x)`);
  await run('filled', 0.8 * fresh);
  await killedUnderLoad(store, templates, 0.8 * fresh);
}

/** Offers `rate` spans/s to a server, kills it with SIGKILL after BENCH_CAPACITY_S / 2, then starts it again and checks what it kept. */
async function killedUnderLoad(store, templates, rate) {
  const server = await startServer(store);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const fromMs = Date.now() - 60_000;
  let acknowledged = 0;
  let killed = false;
  const intervalMs = (templates[0].spanCount / rate) * 1000;
  let next = 0;
  let at = performance.now();
  const worker = async () => {
    while (!killed) {
      const wait = (at += intervalMs) - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const template = templates[next++ % templates.length];
      const status = await post(agent, server.url, freshBody(template, true)).catch(() => 0);
      if (status === 200 && !killed) acknowledged += template.spanCount;
    }
  };
  const workers = Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await new Promise((resolve) => setTimeout(resolve, (Number(process.env.BENCH_CAPACITY_S ?? 30) / 2) * 1000));
  // Counted before the kill: an answer that races it may be lost to the count, never added.
  const counted = acknowledged;
  killed = true;
  server.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGKILL');
  await exited;
  await workers;
  agent.destroy();
  const started = performance.now();
  // ClickHouse is a store of its own: only Spoor was killed, and it comes back to the same one.
  const again = await startServer(store, server.clickhouse);
  const listenS = (performance.now() - started) / 1000;
  await waitCommitted(again.url, '/api/traces?limit=1');
  const committedS = (performance.now() - started) / 1000;
  const toMs = Date.now() + 60_000;
  const stats = await (await fetch(`${again.url}/api/stats/spans?groupBy=service&from=${fromMs}&to=${toMs}`)).json();
  const found = stats.groups.reduce((sum, g) => sum + g.count, 0);
  await stopServer(again);
  console.log(
    `  SIGKILL under ${Math.round(rate)} spans/s: listening again in ${listenS.toFixed(1)} s, all it had acknowledged committed in ${committedS.toFixed(1)} s (goal <= 30 s); ` +
      `${counted} spans acknowledged before the kill, ${found} found (${found >= counted ? 'none lost' : `${counted - found} LOST`})`,
  );
}

/** A fresh store's committed spans/s at capacity over BENCH_CAPACITY_S. */
async function freshCapacity(templates, seconds) {
  const fresh = await mkdtemp('/tmp/spoor-bench-fresh-');
  const server = await startServer({ dir: fresh, dataDir: join(fresh, 'data') });
  const load = await driveLoad({ url: server.url, seconds, concurrency: CONCURRENCY, templates, liveTimes: true });
  const caughtUpS = await waitCommitted(server.url, '/api/traces?limit=1');
  await stopServer(server);
  await rm(fresh, { recursive: true, force: true });
  return load.spans / (load.elapsedS + caughtUpS);
}

/**
 * `--retention`: the traces' retention set so that the run at start deletes the filled store's
 * oldest day (a seventh of it, as a shortened retention or a server down for a day does), with
 * ingest offered 0.8x a fresh store's capacity (measured first) from the moment the server listens,
 * for BENCH_RETENTION_S (default 120). Goal: nothing refused, no second without a commit. Reports
 * the start-up, the run's time and deletions (`spoor_retention_*`), whether it ended before the
 * port opened (a run holds it up to 5 s; the load then meets what follows the deletes, the
 * checkpoint that writes them) or beside the load, and what held the commits.
 */
async function retentionUnderLoad(store, marker) {
  const seconds = Number(process.env.BENCH_CAPACITY_S ?? 30);
  const templates = buildTemplates({ count: 16, tracesPerBatch: TRACES_PER_BATCH, spansPerTrace: SPANS_PER_TRACE, extraAttributes: content });
  const rate = 0.8 * (await freshCapacity(templates, seconds));
  const keepMinutes = Math.floor((Date.now() - (marker.startMs + DAY_MS)) / 60_000);
  const server = await startServer(store, null, ['--retention', `traces=${keepMinutes}m`]);
  const loadS = Number(process.env.BENCH_RETENTION_S ?? 120);
  let ranS = null;
  const began = performance.now();
  const load = driveLoad({ url: server.url, seconds: loadS, concurrency: CONCURRENCY, templates, liveTimes: true, spansPerSecond: rate });
  for (;;) {
    const m = await metrics(server.url);
    if ((m.get('spoor_retention_runs_total{outcome="failed"}') ?? 0) >= 1) throw new Error('the retention run failed (see the server log)');
    if ((m.get('spoor_retention_runs_total{outcome="done"}') ?? 0) >= 1) ranS = (performance.now() - began) / 1000;
    if (ranS !== null || (performance.now() - began) / 1000 > loadS * 10) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const driven = await load;
  const caughtUpS = await waitCommitted(server.url, '/api/traces?limit=1');
  const samples = await metrics(server.url);
  const rss = peakMemory(server);
  await stopServer(server);
  const deleted = samples.get('spoor_retention_deleted_total{signal="traces"}') ?? 0;
  const runS = samples.get('spoor_retention_duration_seconds_sum') ?? NaN;
  console.log(
    `  retention of the oldest day (traces=${keepMinutes}m): listening in ${server.startS.toFixed(1)} s; the run took ${runS.toFixed(1)} s ` +
      `(ended ${ranS === null ? 'NOT within the load' : `${ranS.toFixed(1)} s after listening`}), ${deleted.toLocaleString('en')} spans deleted\n` +
      `  offered ${Math.round(rate)} spans/s (0.8x a fresh store's capacity) for ${driven.elapsedS.toFixed(0)} s: ` +
      `${Math.round(driven.spans / (driven.elapsedS + caughtUpS))} committed spans/s, ${driven.refused} refused, p99 ${driven.p99Ms.toFixed(0)} ms; ` +
      `${stallsOf(samples)}; ${memoryText(rss)}; load ${loadavg()[0].toFixed(1)}`,
  );
}

/** Runs `measure` on a copy of the filled store (the load's spans, timed now, would stay in it and in every later measure's windows). */
async function onCopy(store, suffix, measure) {
  const copy = `${store.dir}-${suffix}`;
  await rm(copy, { recursive: true, force: true });
  execFileSync('cp', ['-r', store.dir, copy]);
  // The copy's gigabytes written out before anything is timed, not by the kernel in the middle of a measure.
  execFileSync('sync');
  try {
    await measure({ ...store, dir: copy, dataDir: join(copy, 'data') });
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

if (values.retention) {
  const store = storeOf(SPANS);
  if ((store.marker?.acknowledged ?? 0) < SPANS) throw new Error(`fill ${store.dir} first (npm run bench:store-100m -- --fill with BENCH_SPANS=${SPANS})`);
  console.log(`${ENGINE}, ${store.marker.acknowledged.toLocaleString('en')} spans: retention of a day under load, on a copy of the filled store`);
  await onCopy(store, 'retention', (copy) => retentionUnderLoad(copy, store.marker));
  process.exit(0);
}

if (values.load) {
  const store = storeOf(SPANS);
  if ((store.marker?.acknowledged ?? 0) < SPANS) throw new Error(`fill ${store.dir} first (npm run bench:store-100m -- --fill with BENCH_SPANS=${SPANS})`);
  console.log(`${ENGINE}, ${store.marker.acknowledged.toLocaleString('en')} spans: ingest on a copy of the filled store`);
  await onCopy(store, 'load', loadRounds);
  process.exit(0);
}

if (values.checkpoints) {
  const store = storeOf(SPANS);
  if ((store.marker?.acknowledged ?? 0) < SPANS) throw new Error(`fill ${store.dir} first (npm run bench:store-100m with BENCH_SPANS=${SPANS})`);
  console.log(`${ENGINE}, ${store.marker.acknowledged.toLocaleString('en')} spans: checkpoints at capacity by turns`);
  await checkpointRounds(store);
  process.exit(0);
}

const load = [loadavg()[0]];
const big = storeOf(SPANS);
const ref = storeOf(REF_SPANS);
const bigMarker = await fill(big);
// The reference holds the big store's last day: the same times, as many spans as that day has.
const markers = new Map([
  [big, bigMarker],
  [ref, await fill(ref, { startMs: bigMarker.endMs - DAY_MS, endMs: bigMarker.endMs })],
]);
if (values.fill) process.exit(0);
load.push(loadavg()[0]);
const results = new Map([
  [big, []],
  [ref, []],
]);
for (let round = 0; round < ROUNDS; round++) {
  for (const store of round % 2 === 0 ? [big, ref] : [ref, big]) {
    results.get(store).push(await measure(store, markers.get(store)));
    load.push(loadavg()[0]);
  }
}
console.log(
  `\n${ENGINE}: ${SPANS.toLocaleString('en')} spans against ${REF_SPANS.toLocaleString('en')}, ${ROUNDS} rounds by turns, median of ${RUNS} runs a read`,
);
for (const name of Object.keys(results.get(big)[0].times)) {
  const a = median(results.get(big).map((r) => r.times[name]));
  const b = median(results.get(ref).map((r) => r.times[name]));
  console.log(`  ${name}: ${a.toFixed(1)} ms against ${b.toFixed(1)} ms on the last day alone, ${(a / b).toFixed(2)}x (goal <= 1.5x)`);
}
for (const [label, store] of [
  ['big', big],
  ['reference', ref],
]) {
  const runs = results.get(store);
  console.log(
    `  ${label}: start-up ${runs.map((r) => r.startS.toFixed(1)).join(', ')} s; ` +
      `${memoryText({ spoor: Math.max(...runs.map((r) => r.rss.spoor)), engine: runs[0].rss.engine === null ? null : Math.max(...runs.map((r) => r.rss.engine)) })}; ` +
      `${runs[0].bytesPerSpan.toFixed(0)} bytes a span on disk`,
  );
}
console.log(`  load average (1 min) through the run: ${load.map((l) => l.toFixed(1)).join(', ')}`);
