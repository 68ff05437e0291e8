// npm run bench:scores — the trace list filtered on a score against the list filtered on a span
// name, over a store of BENCH_SPANS spans (default 5,000,000, ten per trace) and BENCH_SCORES
// scores (default 1,000,000), and the tally of a page's scores. The store is filled by SQL, not by
// ingest: what is timed is the read. Env: BENCH_STORE (`duckdb`, default, or `clickhouse`: the
// engine embedded by chdb), BENCH_RUNS (timed runs, default 9).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ClickHouseStore } from '../dist/store/clickhouse/clickhouse-store.js';
import { ROW_GROUP_ROWS, attach } from '../dist/store/duckdb/catalog.js';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { traceKeySql } from '../dist/store/duckdb/trace-key.js';
import { median } from './lib.mjs';

const totalSpans = Number(process.env.BENCH_SPANS ?? 5_000_000);
const totalScores = Number(process.env.BENCH_SCORES ?? 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 9);
const engine = process.env.BENCH_STORE ?? 'duckdb';
const traces = Math.floor(totalSpans / 10);
// Recent enough for ClickHouse's TTLs: a trace every 10 ms from 3 hours ago.
const T0 = (Date.now() - 3 * 3_600_000) * 1000;
const slots = Math.floor(totalScores * 0.95);

/**
 * The fill, in SQL both engines take once the few names that differ are given: trace t is a root
 * `run` and nine children named step-0..step-19 by turn. Scores are each of a trace or of one of
 * its spans: half faithfulness (values), 30% thumbs (labels up or down), 20% relevance; one in
 * twenty a second version of its slot.
 */
function fillSql({ hex32, hex16, range, pairs, traceKey }) {
  return [
    `INSERT INTO spans (project_id, trace_id, span_id, parent_span_id, trace_state, flags, name, kind, service_name, start_us, end_us, duration_us,
       status_code, status_message, attributes, source_id, events, links, dropped_attributes, dropped_events, dropped_links, is_llm, category)
     SELECT 'default', ${hex32('t')}, ${hex16('t * 10 + i')}, CASE WHEN i = 0 THEN NULL ELSE ${hex16('t * 10')} END, '', 1,
       CASE WHEN i = 0 THEN 'run' ELSE concat('step-', CAST((t + i) % 20 AS VARCHAR)) END, 1, 'agent', ${T0} + t * 10000 + i, ${T0} + t * 10000 + i + 500, 500 - i,
       CASE WHEN (t + i) % 97 = 0 THEN 2 ELSE 0 END, '', '{}', 'src', '[]', '[]', 0, 0, 0, false, 7
     FROM ${pairs(traces, 10)}`,
    `INSERT INTO trace_parts (project_id, trace_id, start_us, end_us, span_count, error_count, root_name, root_service, first_name, first_service,
       root_failed${traceKey ? ', trace_key' : ''})
     SELECT project_id, trace_id, min(start_us), max(end_us), count(*), countIf(status_code = 2), 'run', 'agent', 'run', 'agent', false
       ${traceKey ? `, ${traceKey('trace_id')}` : ''}
     FROM spans GROUP BY project_id, trace_id`,
    `INSERT INTO scores (project_id, score_id, time_us, written_us, trace_id, span_id, name, value, label, source, author, deleted)
     SELECT 'default', ${hex32('k')}, ${T0} + s, ${T0} + s, ${hex32(`(k * 7919) % ${traces}`)},
       CASE WHEN k % 3 = 0 THEN NULL ELSE ${hex16(`((k * 7919) % ${traces}) * 10 + k % 10`)} END,
       CASE WHEN k % 10 < 5 THEN 'faithfulness' WHEN k % 10 < 8 THEN 'thumbs' ELSE 'relevance' END,
       CASE WHEN k % 10 < 5 OR k % 10 >= 8 THEN ((s * 31) % 1000) / 1000.0 END,
       CASE WHEN k % 10 BETWEEN 5 AND 7 THEN CASE WHEN s % 4 = 0 THEN 'down' ELSE 'up' END END, 'evaluator', 'judge@1', false
     FROM (SELECT s, s % ${slots} AS k FROM ${range(totalScores)}) AS numbered`,
  ];
}

async function openDuckDb(dir) {
  const path = join(dir, 'spoor.duckdb');
  await (await DuckDbStore.open({ path })).close();
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: '2GB', threads: '2' });
  const db = await instance.connect();
  await attach(db, path, ROW_GROUP_ROWS);
  const sql = fillSql({
    hex32: (x) => `printf('%032x', ${x})`,
    hex16: (x) => `printf('%016x', ${x})`,
    range: (n) => `range(${n}) AS a(s)`,
    pairs: (n, m) => `range(${n}) AS a(t), range(${m}) AS b(i)`,
    traceKey: traceKeySql,
  });
  for (const statement of sql) await db.run(statement);
  db.closeSync();
  instance.closeSync();
  return DuckDbStore.open({ path, memoryLimit: '1GB' });
}

async function openClickHouse(dir) {
  const store = await ClickHouseStore.open({ database: 'bench_scores', chdbPath: dir });
  const ch = store.ch; // the store's client: the fill is not a store method
  const sql = fillSql({
    hex32: (x) => `leftPad(lower(hex(toUInt64(${x}))), 32, '0')`,
    hex16: (x) => `leftPad(lower(hex(toUInt64(${x}))), 16, '0')`,
    range: (n) => `(SELECT number AS s FROM numbers(${n}))`,
    pairs: (n, m) => `(SELECT intDiv(number, ${m}) AS t, number % ${m} AS i FROM numbers(${n * m}))`,
  });
  for (const statement of sql)
    await ch.command(
      'fill the bench store',
      `${statement.replace(/INSERT INTO (\w+)/, 'INSERT INTO bench_scores.$1').replace(/FROM (spans|scores) /, 'FROM bench_scores.$1 ')}`,
    );
  return store;
}

const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-scores-'));
try {
  const filled = performance.now();
  const store = engine === 'clickhouse' ? await openClickHouse(dir) : await openDuckDb(dir);
  console.log(
    `${engine}: filled ${totalSpans.toLocaleString()} spans, ${traces.toLocaleString()} traces, ${totalScores.toLocaleString()} scores in ${((performance.now() - filled) / 1000).toFixed(0)} s`,
  );

  const query = (over) => ({
    projectId: 'default',
    range: { fromUs: null, toUs: null },
    service: null,
    spanName: null,
    text: null,
    status: null,
    minDurationMs: null,
    maxDurationMs: null,
    attributes: [],
    sessionId: null,
    model: null,
    scores: [],
    limit: 50,
    cursor: null,
    ...over,
  });
  const list = (over) => async () => (await store.traces.listTraces(query(over), null, 51)).length;
  const page = (await store.traces.listTraces(query({}), null, 50)).map((t) => t.traceId);
  const reads = {
    'list, no filter': list({}),
    'list, name=step-7 (a span name)': list({ spanName: 'step-7' }),
    'list, score=faithfulness<0.7': list({ scores: [{ name: 'faithfulness', op: '<', value: 0.7 }] }),
    'list, score=thumbs=down': list({ scores: [{ name: 'thumbs', op: '=', label: 'down' }] }),
    'list, score=relevance>=0.999 (rare)': list({ scores: [{ name: 'relevance', op: '>=', value: 0.999 }] }),
    'tally of a page of 50 traces': async () => (await store.scores.tallyTraceScores('default', page)).size,
    "spans of one trace (its detail's)": async () => (await store.traces.getTrace('default', page[0])).spans.length,
    "scores of one trace (its detail's)": async () => (await store.scores.scoresOfTraces('default', [page[0]])).length,
  };
  // Round by round, each read once per round, so that all of them see the same machine (other
  // processes share its two cores); the first round warms up.
  const times = new Map(Object.keys(reads).map((label) => [label, []]));
  const rows = new Map();
  for (let round = 0; round <= runs; round++) {
    for (const [label, read] of Object.entries(reads)) {
      const t = performance.now();
      rows.set(label, await read());
      if (round > 0) times.get(label).push(performance.now() - t);
    }
  }
  const medianOf = (label) => median(times.get(label));
  for (const label of Object.keys(reads))
    console.log(`${label}: median ${medianOf(label).toFixed(0)} ms, max ${Math.max(...times.get(label)).toFixed(0)} ms (${rows.get(label)} rows)`);
  const byName = medianOf('list, name=step-7 (a span name)');
  const ratio = (label) => (medianOf(label) / byName).toFixed(2);
  console.log(
    `ratios to the span-name filter: value ${ratio('list, score=faithfulness<0.7')}, label ${ratio('list, score=thumbs=down')}, rare ${ratio('list, score=relevance>=0.999 (rare)')} (goal <= 2)`,
  );
  await store.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
