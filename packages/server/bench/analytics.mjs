// npm run bench:analytics — the analytics API over 5,000,000 stored spans: span statistics and
// time series over a day, realtime numbers, the critical path of a 50,000-span trace, a /metrics
// scrape, sessions, error groups and a release comparison, each timed through the real server.
//
// The data set (analytics-data.mjs) is written by SQL once and cached under
// /tmp/spoor-bench-analytics/<version>/; it is regenerated when older than BENCH_MAX_AGE_HOURS.
// Each run copies the cached file, adds the traces that would have arrived since it was generated
// (so the last day, and the realtime window of the last 5 minutes, are full up to the moment the
// server starts), then runs `spoor serve` on the copy.
// Env: BENCH_TRACES (198,000 traces of 25 spans), BENCH_BIG_SPANS (50,000), BENCH_RUNS (10 timed
// runs), BENCH_WARMUPS (5 untimed runs first, so V8 has compiled the hot paths), BENCH_MAX_AGE_HOURS
// (3), BENCH_REGENERATE=1, BENCH_KEEP=1 (keep the run's copy), BENCH_ONLY (words of the labels to run),
// BENCH_SCORES (1,000,000 scores of the newest spans, added to the DuckDB run's copy; 0 for none).
// `--store clickhouse` (or BENCH_STORE=clickhouse): the same data set is also copied into
// ClickHouse (analytics-clickhouse.mjs, cached too) and a second server runs on it; each request is
// timed against both servers in turn, and a table gives both medians and their ratio (goal:
// <= 2x), with bytes per span on disk of both stores.
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { prepareClickHouseCache, startClickHouseCopy } from './analytics-clickhouse.mjs';
import { MODELS, SERVICES, addScores, fillUntil, generate } from './analytics-data.mjs';
import { cpuSeconds, mib, peakRssBytes, startSpoor, stopChild } from './lib.mjs';

/** Part of the cache key: bump it when analytics-data.mjs changes what it writes. */
const VERSION = 'v1';
const traces = Number(process.env.BENCH_TRACES ?? 198_000);
const bigSpans = Number(process.env.BENCH_BIG_SPANS ?? 50_000);
const runs = Number(process.env.BENCH_RUNS ?? 10);
const warmups = Number(process.env.BENCH_WARMUPS ?? 5);
const scores = Number(process.env.BENCH_SCORES ?? 1_000_000);
const maxAgeHours = Number(process.env.BENCH_MAX_AGE_HOURS ?? 3);
const ROOT = '/tmp/spoor-bench-analytics';
const cacheDir = join(ROOT, `${VERSION}-${traces}x25-${bigSpans}`);
const cachePath = join(cacheDir, 'spoor.duckdb');
const paramsPath = join(cacheDir, 'params.json');
const nowUs = () => Date.now() * 1000;
/** The timed requests' one connection (see `timeGet`). */
const keepAlive = new Agent({ keepAlive: true });
const { values: flags } = parseArgs({ options: { store: { type: 'string', default: process.env.BENCH_STORE ?? 'duckdb' } } });
if (flags.store !== 'duckdb' && flags.store !== 'clickhouse') throw new Error(`--store must be duckdb or clickhouse, not ${flags.store}`);
const withClickHouse = flags.store === 'clickhouse';

// 1. The cached data set: reused while younger than maxAgeHours, so the top-up below stays small.
let params = await readFile(paramsPath, 'utf8').then(JSON.parse, () => null);
const ageHours = params === null ? Infinity : (nowUs() - params.generatedUs) / 3.6e9;
if (params === null || ageHours > maxAgeHours || process.env.BENCH_REGENERATE === '1') {
  await rm(cacheDir, { recursive: true, force: true });
  const building = `${cacheDir}.building`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  console.log(`generating ${traces.toLocaleString('en')} traces of 25 spans and one of ${bigSpans.toLocaleString('en')} spans into ${cachePath}`);
  const t = performance.now();
  params = await generate({
    path: join(building, 'spoor.duckdb'),
    nowUs: nowUs(),
    traces,
    bigSpans,
    openStore: (o) => DuckDbStore.open(o),
    log: console.log,
  });
  params.generationS = (performance.now() - t) / 1000;
  await writeFile(join(building, 'params.json'), JSON.stringify(params, null, 2));
  await rm(cacheDir, { recursive: true, force: true });
  await rename(building, cacheDir);
  console.log(`generated in ${params.generationS.toFixed(0)} s`);
} else {
  console.log(`using the data set generated ${ageHours.toFixed(1)} h ago (in ${params.generationS.toFixed(0)} s) at ${cachePath}`);
}
const fileBytes = (await stat(cachePath)).size;
console.log(
  `file: ${mib(fileBytes)} MiB; big trace ${params.bigTraceId}: ${params.bigSpans} spans, depth ${params.bigDepth}, ${(params.bigRootMs / 60000).toFixed(0)} min long`,
);

// 2. This run's copy, topped up to now.
await mkdir(ROOT, { recursive: true });
const dataDir = await mkdtemp(join(ROOT, 'run-'));
const dbPath = join(dataDir, 'spoor.duckdb');
await copyFile(cachePath, dbPath);
// The ClickHouse copy is made (once) from the file as cached, before this run's top-up.
const chStats = withClickHouse ? await prepareClickHouseCache(cacheDir, dataDir, console.log) : null;
let t = performance.now();
const added = await fillUntil(dbPath, params, nowUs());
console.log(
  `topped up with ${added.toLocaleString('en')} spans of the last ${((nowUs() - params.generatedUs) / 6e7).toFixed(0)} min in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);
if (scores > 0) {
  t = performance.now();
  // Opened once by the store first, so that a data set cached before the scores table has it.
  await (await DuckDbStore.open({ path: dbPath })).close();
  await addScores(dbPath, scores);
  console.log(`added ${scores.toLocaleString('en')} scores of the newest spans in ${((performance.now() - t) / 1000).toFixed(1)} s (DuckDB store only)`);
}
const clickhouse = withClickHouse ? await startClickHouseCopy(cacheDir, dataDir, join(dataDir, 'clickhouse'), console.log) : null;

t = performance.now();
const spoor = await startSpoor(dataDir);
console.log(`server started in ${((performance.now() - t) / 1000).toFixed(1)} s`);
// The server on ClickHouse keeps its spool in a data directory of its own.
const spoorCh = withClickHouse ? await startSpoor(join(dataDir, 'clickhouse-spoor'), ['--store', 'clickhouse', '--clickhouse-url', clickhouse.url]) : null;
/** The servers timed: the DuckDB one, then the ClickHouse one (whose CPU includes the endpoint's). */
const servers = [{ name: 'DuckDB', spoor, pids: [spoor.pid] }];
if (withClickHouse) servers.push({ name: 'ClickHouse', spoor: spoorCh, pids: [spoorCh.pid, clickhouse.pid] });

// 3. OTLP traffic, so the in-memory span metrics that /metrics reads have realistic series.
const bodies = trafficBodies(20, 1000);
for (const { name, spoor: server } of servers) {
  t = performance.now();
  for (const body of bodies) {
    const response = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    if (response.status !== 200) throw new Error(`OTLP request refused: ${response.status} ${await response.text()}`);
  }
  for (const deadline = performance.now() + 120_000; ; ) {
    const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
    if (/^spoor_ingest_queue_records 0$/m.test(metrics)) break;
    if (performance.now() > deadline) {
      await stopAll();
      throw new Error(`the OTLP traffic was not committed into ${name} within 120 s (see the server log above)`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(
    `sent ${bodies.length * 1000} spans over OTLP/protobuf to the ${name} store and committed them in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
}

// 4. The endpoints. Each `from`/`to` is taken at the moment of the request, as a dashboard would.
const DAY_MS = 86_400_000;
const day = () => `from=${Date.now() - DAY_MS}&to=${Date.now()}`;
const endpoints = [
  [
    'span stats by name, 24 h',
    () => `/api/stats/spans?groupBy=name&${day()}`,
    1000,
    (b) => `${b.groups.length} groups, ${sum(b.groups.map((g) => g.count))} spans`,
  ],
  ['time series p95, 24 h at 1 min', () => `/api/stats/timeseries?metric=p95&step=1m&${day()}`, 500, seriesNote],
  ['time series count, 24 h at 1 min', () => `/api/stats/timeseries?metric=count&step=1m&${day()}`, 500, seriesNote],
  ['realtime', () => '/api/metrics/realtime', 100, (b) => `${b.requestsPerSecond.toFixed(2)} req/s, cache hit rate ${b.cacheHitRate?.toFixed(2)}`],
  [
    `critical path, ${params.bigSpans} spans`,
    () => `/api/traces/${params.bigTraceId}/critical-path`,
    100,
    (b) => `${b.spans.length} spans on the path, ${b.segments.length} segments`,
  ],
  ['/metrics scrape', () => '/metrics', 50, (b) => `${b.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length} samples`],
  ['sessions (default 7 days)', () => '/api/sessions', null, (b) => `${b.sessions.length} sessions`],
  ['error groups', () => '/api/errors', null, (b) => `${b.groups.length} groups`],
  [
    'score stats by name, 24 h',
    () => `/api/stats/scores?by=name&${day()}`,
    null,
    (b) => `${b.groups.length} groups, ${sum(b.groups.map((g) => g.count))} scores`,
  ],
  [
    'score stats by model, 24 h',
    () => `/api/stats/scores?by=model&${day()}`,
    null,
    (b) => `${b.groups.length} groups, ${sum(b.groups.map((g) => g.count))} scores`,
  ],
  ['compare service.version 2.3.1 vs 2.4.0 (7 days)', () => '/api/stats/compare?by=service.version&a=2.3.1&b=2.4.0', null, (b) => `${b.rows.length} rows`],
];

// BENCH_ONLY=stats,compare runs only the requests whose label contains one of the words.
const only = process.env.BENCH_ONLY?.split(',') ?? null;
const results = [];
const serverCpu = (server) => sum(server.pids.map(cpuSeconds));
for (const [label, path, goalMs, note] of endpoints.filter(([label]) => only === null || only.some((word) => label.includes(word)))) {
  const cpuBefore = servers.map(serverCpu);
  const answers = await timeGet(path);
  const rows = servers.map((server, i) => {
    const r = answers[i];
    const cpuPerRequestMs = ((serverCpu(server) - cpuBefore[i]) * 1000) / (runs + warmups);
    const row = { label, path: path(), goalMs, cpuPerRequestMs, peakRssMiB: Number(mib(peakRssBytes(server.spoor.pid))), ...r };
    if (r.error === undefined) {
      try {
        row.note = note(r.body);
      } catch (error) {
        row.note = `unexpected answer: ${error.message}`;
      }
    }
    const on = servers.length > 1 ? ` on ${server.name}` : '';
    console.log(
      r.error === undefined
        ? `${label}${on}: median ${r.medianMs.toFixed(0)} ms, p95 ${r.p95Ms.toFixed(0)} ms, server CPU ${cpuPerRequestMs.toFixed(0)} ms/request, peak RSS so far ${row.peakRssMiB} MiB (${row.note})`
        : `${label}${on}: ${r.error}`,
    );
    return row;
  });
  results.push({ ...rows[0], clickhouse: rows[1] });
}
// The goals are ratios to span stats by name in the same run: this machine's speed drifts.
const base = results.find((r) => r.label.startsWith('span stats by name'));
for (const [label, goal] of [
  ['compare', 3],
  ['sessions', 2],
  ['error groups', 2],
  ['score stats by name', 2],
]) {
  const r = results.find((x) => x.label.startsWith(label));
  if (base?.medianMs !== undefined && r?.medianMs !== undefined) {
    console.log(`${label} / span stats by name: ${(r.medianMs / base.medianMs).toFixed(2)}x (goal <= ${goal}x)`);
  }
}
const rss = peakRssBytes(spoor.pid);
await stopAll();
keepAlive.destroy();
if (process.env.BENCH_KEEP === '1') console.log(`kept ${dataDir}`);
else await rm(dataDir, { recursive: true, force: true });

async function stopAll() {
  for (const { spoor: server } of servers) await stopChild(server);
  if (clickhouse !== null) await stopChild(clickhouse);
}

console.log(`\n${runs} timed runs per request after ${warmups} warm-ups, to the last byte of the answer; server peak RSS ${mib(rss)} MiB\n`);
console.log('| request | median | p95 | goal | |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  if (r.error !== undefined) {
    console.log(`| ${r.label} | - | - | ${r.goalMs === null ? '-' : `< ${r.goalMs} ms`} | ERROR: ${r.error.replaceAll('|', '\\|')} |`);
    continue;
  }
  const verdict = r.goalMs === null ? '' : r.p95Ms < r.goalMs ? 'PASS' : r.medianMs < r.goalMs ? 'PASS at the median, p95 over' : 'MISS';
  console.log(`| ${r.label} | ${r.medianMs.toFixed(0)} ms | ${r.p95Ms.toFixed(0)} ms | ${r.goalMs === null ? '-' : `< ${r.goalMs} ms`} | ${verdict} |`);
}
if (withClickHouse) {
  console.log(`\nThe same requests on the ClickHouse store, timed in turn with the DuckDB store's (goal <= 2x DuckDB's median)\n`);
  console.log('| request | DuckDB median | ClickHouse median | ClickHouse p95 | ratio | goal <= 2x |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    const c = r.clickhouse;
    if (r.error !== undefined || c.error !== undefined) {
      console.log(`| ${r.label} | ${r.medianMs?.toFixed(0) ?? '-'} ms | - | - | - | ERROR: ${(r.error ?? c.error).replaceAll('|', '\\|')} |`);
      continue;
    }
    const ratio = c.medianMs / r.medianMs;
    console.log(
      `| ${r.label} | ${r.medianMs.toFixed(0)} ms | ${c.medianMs.toFixed(0)} ms | ${c.p95Ms.toFixed(0)} ms | ${ratio.toFixed(2)}x | ${ratio <= 2 ? 'PASS' : 'MISS'} |`,
    );
  }
  const spans = chStats.spans;
  console.log(
    `\nOn disk, the cached data set (${spans.toLocaleString('en')} spans, before the top-up): DuckDB file ${mib(fileBytes)} MiB = ${(fileBytes / spans).toFixed(1)} B/span; ` +
      `ClickHouse after OPTIMIZE FINAL ${mib(chStats.bytes.all)} MiB = ${(chStats.bytes.all / spans).toFixed(1)} B/span (spans table ${(chStats.bytes.spans / spans).toFixed(1)} B/span, ${chStats.bytes.parts} parts), ` +
      `after the merges of migrate settled and before OPTIMIZE ${(chStats.beforeOptimize.all / spans).toFixed(1)} B/span (${chStats.beforeOptimize.parts} parts) (goal <= 100 B/span)`,
  );
}
console.log(
  JSON.stringify({
    params,
    fileBytes,
    added,
    chStats,
    peakRssBytes: rss,
    results: results.map((r) => ({ ...r, body: undefined, clickhouse: r.clickhouse === undefined ? undefined : { ...r.clickhouse, body: undefined } })),
  }),
);

function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}

function seriesNote(b) {
  return `${b.times.length} buckets, ${b.series.length} series`;
}

/**
 * Times `runs` requests after `warmups` untimed ones; an answer other than 200 ends the timing with
 * its text. Through node:http on one kept-alive connection: undici's `fetch` adds 10-15 ms of its
 * own to reading a 1.8 MB answer, which would be the client's time, not the server's.
 */
async function timeGet(pathOf) {
  const answers = servers.map(() => ({ times: [], body: undefined, error: undefined }));
  for (let i = 0; i < runs + warmups; i++) {
    // The servers take turns, the first one alternating, so a drift of the machine's speed
    // during the run weighs on both alike.
    for (let k = 0; k < servers.length; k++) {
      const s = (i + k) % servers.length;
      const answer = answers[s];
      if (answer.error !== undefined) continue;
      const path = pathOf();
      const start = performance.now();
      const response = await httpGet(`${servers[s].spoor.url}${path}`);
      if (i >= warmups) answer.times.push(performance.now() - start);
      if (response.status !== 200) answer.error = `${response.status} ${response.text.slice(0, 300)}`;
      else answer.body = response.contentType.includes('json') ? JSON.parse(response.text) : response.text;
    }
  }
  return answers.map(({ times, body, error }) => {
    if (error !== undefined) return { error };
    times.sort((a, b) => a - b);
    return { body, medianMs: times[times.length >> 1], p95Ms: times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)], maxMs: times.at(-1) };
  });
}

/** A GET to the last byte of the answer. */
function httpGet(url) {
  return new Promise((resolve, reject) => {
    get(url, { agent: keepAlive }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode,
          contentType: response.headers['content-type'] ?? '',
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    }).on('error', reject);
  });
}

/**
 * `count` OTLP/protobuf requests of `spansPerBatch` spans, one service per request, every model
 * of the data set: agent runs of 10 spans (workflow, agent, LLM calls, a tool, a retrieval).
 */
function trafficBodies(count, spansPerBatch) {
  const out = [];
  for (let b = 0; b < count; b++) {
    const exporter = new InMemorySpanExporter();
    const service = SERVICES[b % SERVICES.length];
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'service.version': '2.4.0' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('spoor-bench', '1.0.0');
    const t0 = Date.now() - 30_000;
    for (let n = 0; n < spansPerBatch / 10; n++) {
      const start = t0 + n * 20;
      const root = tracer.startSpan('workflow research', { startTime: start, kind: SpanKind.SERVER, attributes: { 'session.id': `live-${n % 40}` } });
      const ctx = trace.setSpan(context.active(), root);
      const agent = tracer.startSpan(
        'invoke_agent researcher',
        { startTime: start + 1, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'researcher' } },
        ctx,
      );
      const agentCtx = trace.setSpan(ctx, agent);
      for (let s = 0; s < 6; s++) {
        const [prov, model, responseModel, operation] = MODELS[(b + n + s) % MODELS.length];
        const llm = tracer.startSpan(
          `${operation} ${model}`,
          {
            startTime: start + 2 + s * 300,
            kind: SpanKind.CLIENT,
            attributes: {
              'gen_ai.operation.name': operation,
              'gen_ai.provider.name': prov,
              'gen_ai.request.model': model,
              'gen_ai.response.model': responseModel,
              'gen_ai.usage.input_tokens': 900 + ((n * 37 + s) % 800),
              'gen_ai.usage.output_tokens': 120 + ((n + s) % 300),
              'gen_ai.response.finish_reasons': ['stop'],
            },
          },
          agentCtx,
        );
        if ((n + s) % 50 === 0) llm.setStatus({ code: SpanStatusCode.ERROR, message: '429 Rate limit reached' });
        llm.end(start + 2 + s * 300 + 250 + ((n * 13 + s * 7) % 900));
      }
      tracer.startSpan('execute_tool web_search', { startTime: start + 1900, attributes: { 'gen_ai.tool.name': 'web_search' } }, agentCtx).end(start + 2300);
      tracer.startSpan('retrieve vector_store', { startTime: start + 2300, attributes: { 'cache.hit': n % 3 === 0 } }, agentCtx).end(start + 2400);
      agent.end(start + 2500);
      root.end(start + 2600);
    }
    out.push(Buffer.from(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())));
  }
  return out;
}
