// npm run bench:flows — the flow map of 100,000 runs of 20 spans (2,000,000 spans) through a real
// `spoor serve`, against span statistics by name over the same runs, timed in the same run: the
// two requests take turns (the first alternating), so a drift of the machine's speed weighs on
// both alike. Goal: the map in <= 3x the statistics' median.
//
// The runs are written straight into a DuckDB file by SQL in the store's schema (going through
// OTLP would take minutes): a `checkout` workflow calling a `planner` agent, which calls nine
// LLM and tool steps (`chat`, `search`, `fetch` in turn, so each repeats: loops) and a `review`
// step calling eight more; `fetch` fails in one run of five.
// Env: BENCH_RUNS (100,000 runs), BENCH_ROUNDS (7 timed rounds), BENCH_WARMUPS (2 untimed first),
// BENCH_KEEP=1 (keep the data directory), BENCH_FLOOR=1 (then time the floor of a map kept at write,
// `flow-floor.mjs`, on the same file).
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { median, mib, peakRssBytes, startSpoor, stopChild } from './lib.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const warmups = Number(process.env.BENCH_WARMUPS ?? 2);
const SPANS = 20;
const keepAlive = new Agent({ keepAlive: true });

const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-flows-'));
const path = join(dir, 'spoor.duckdb');
const endUs = Date.now() * 1000;
// A run every 20 ms, the last ending a minute ago.
const startUs = endUs - 60_000_000 - runs * 20_000;

// 1. The store's schema, then the runs by SQL.
await (await DuckDbStore.open({ path })).close();
const t = performance.now();
const instance = await DuckDBInstance.create(path);
const c = await instance.connect();
// Span j of run i: 0 the root, 1 the planner under it, 11 the review step under the planner;
// 2..10 under the planner and 12..19 under the review step, named chat/search/fetch by j % 3.
// Categories: 0 workflow, 1 agent, 2 step, 3 llm, 4 tool (SPAN_CATEGORIES' order).
await c.run(`INSERT INTO spans BY NAME
  SELECT 'default' AS project_id, lpad(printf('%x', i), 32, '0') AS trace_id, lpad(printf('%x', i * 32 + j), 16, '0') AS span_id,
    CASE WHEN j = 0 THEN NULL ELSE lpad(printf('%x', i * 32 + CASE WHEN j IN (1) THEN 0 WHEN j <= 11 THEN 1 ELSE 11 END), 16, '0') END AS parent_span_id,
    '' AS trace_state, 1 AS flags,
    CASE WHEN j = 0 THEN 'checkout' WHEN j = 1 THEN 'planner' WHEN j = 11 THEN 'review' ELSE ['chat', 'search', 'fetch'][j % 3 + 1] END AS name,
    CASE WHEN j = 0 THEN 1 ELSE 0 END AS kind, 'shop' AS service_name,
    ${startUs} + i * 20000 + j * 1000 AS start_us, ${startUs} + i * 20000 + j * 1000 + d AS end_us, d AS duration_us,
    CASE WHEN j % 3 = 2 AND j > 1 AND j <> 11 AND i % 5 = 1 THEN 2 ELSE 0 END AS status_code, '' AS status_message,
    '{}' AS attributes, '0000000000000000' AS source_id, '[]' AS events, '[]' AS links,
    0 AS dropped_attributes, 0 AS dropped_events, 0 AS dropped_links,
    j % 3 = 0 AND j > 1 AND j <> 11 AS is_llm,
    CASE WHEN j % 3 = 0 AND j > 1 AND j <> 11 THEN 0.001 END AS cost_usd,
    CASE WHEN j = 0 THEN 0 WHEN j = 1 THEN 1 WHEN j = 11 THEN 2 WHEN j % 3 = 0 THEN 3 ELSE 4 END AS category
  FROM (SELECT i, j, 1000 + (i * 7919 + j * 104729) % 5000 AS d FROM range(${runs}) AS r(i), range(${SPANS}) AS s(j))
  ORDER BY end_us`);
c.closeSync();
instance.closeSync();
console.log(`wrote ${runs.toLocaleString('en')} runs of ${SPANS} spans in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// 2. The server on it, the two requests in turns.
const spoor = await startSpoor(dir);
const range = `from=${Math.floor(startUs / 1000) - 1000}&to=${Math.floor(endUs / 1000)}`;
const requests = {
  'span statistics by name': `/api/stats/spans?${range}&groupBy=name`,
  'flow map': `/api/flows?${range}&name=checkout&root=true&runs=${runs}`,
};
const times = Object.fromEntries(Object.keys(requests).map((k) => [k, []]));
const answers = {};
const labels = Object.keys(requests);
for (let round = 0; round < rounds + warmups; round++) {
  for (let k = 0; k < labels.length; k++) {
    const label = labels[(round + k) % labels.length];
    const started = performance.now();
    const answer = await httpGet(`${spoor.url}${requests[label]}`);
    const ms = performance.now() - started;
    if (answer.status !== 200) throw new Error(`${label}: ${answer.status} ${answer.text.slice(0, 300)}`);
    answers[label] = JSON.parse(answer.text);
    if (round >= warmups) times[label].push(ms);
  }
}
const rss = peakRssBytes(spoor.child.pid);
await stopChild(spoor);
if (process.env.BENCH_FLOOR === '1') {
  const { timeFlowFloor } = await import('./flow-floor.mjs');
  await timeFlowFloor({ path, fromUs: startUs - 1_000_000, toUs: endUs, runs, rounds, warmups, map: answers['flow map'] });
}
if (process.env.BENCH_KEEP !== '1') await rm(dir, { recursive: true, force: true });

// 3. The answers checked, then the figures.
const map = answers['flow map'];
if (map.runs !== runs || map.truncated) throw new Error(`the map folded ${map.runs} runs (truncated: ${map.truncated}), not ${runs}`);
const spansInMap = map.nodes.reduce((n, node) => n + node.spans, 0);
if (spansInMap !== runs * SPANS) throw new Error(`the map holds ${spansInMap} spans, not ${runs * SPANS}`);
const stats = median(times['span statistics by name']);
const flows = median(times['flow map']);
console.log(`\n${runs.toLocaleString('en')} runs, ${(runs * SPANS).toLocaleString('en')} spans; ${map.nodes.length} nodes, ${map.edges.length} edges`);
console.log('| request | median ms | min ms | max ms |');
console.log('|---|---:|---:|---:|');
for (const label of labels) {
  const sorted = [...times[label]].sort((a, b) => a - b);
  console.log(`| ${label} | ${median(sorted).toFixed(0)} | ${sorted[0].toFixed(0)} | ${sorted.at(-1).toFixed(0)} |`);
}
console.log(
  `\nflow map / span statistics: ${(flows / stats).toFixed(2)}x (goal <= 3x); server peak RSS ${mib(rss)} MiB; ${rounds} rounds after ${warmups} warm-ups`,
);

/** A GET to the last byte of the answer. */
function httpGet(url) {
  return new Promise((resolve, reject) => {
    get(url, { agent: keepAlive }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    }).on('error', reject);
  });
}
