// npm run bench:scores — the trace list filtered on a score against the list filtered on a span
// name, over a DuckDB store of BENCH_SPANS spans (default 5,000,000, ten per trace) and
// BENCH_SCORES scores (default 1,000,000), and the tally of a page's scores. The store is filled
// by SQL, not by ingest: what is timed is the read. Env: BENCH_RUNS (timed runs, default 9).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { attach } from '../dist/store/duckdb/catalog.js';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';

const totalSpans = Number(process.env.BENCH_SPANS ?? 5_000_000);
const totalScores = Number(process.env.BENCH_SCORES ?? 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 9);
const traces = Math.floor(totalSpans / 10);
const T0 = 1_763_719_200_000_000;

const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-scores-'));
const path = join(dir, 'spoor.duckdb');
try {
  await (await DuckDbStore.open({ path })).close();
  const filled = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: '2GB', threads: '2' });
  const db = await instance.connect();
  await attach(db, path);
  // Trace t: a root `run` and nine children named step-0..step-19 by turn; a trace every 10 ms.
  await db.run(`INSERT INTO spans SELECT 'default', printf('%032x', t), printf('%016x', t * 10 + i), CASE WHEN i = 0 THEN NULL ELSE printf('%016x', t * 10) END,
    '', 1, CASE WHEN i = 0 THEN 'run' ELSE 'step-' || ((t + i) % 20) END, 1, 'agent', ${T0} + t * 10000 + i, ${T0} + t * 10000 + i + 500, 500 - i,
    CASE WHEN (t + i) % 97 = 0 THEN 2 ELSE 0 END, '', '{}', 'src', '[]', '[]', 0, 0, 0, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, NULL, 7, NULL
    FROM range(${traces}) AS a(t), range(10) AS b(i)`);
  await db.run(`INSERT INTO trace_parts SELECT project_id, trace_id, min(start_us), max(end_us), count(*), countIf(status_code = 2), 'run', 'agent', 'run', 'agent',
    NULL, NULL, NULL, false, NULL, NULL FROM spans GROUP BY project_id, trace_id`);
  // Scores, each of a trace or of one of its spans: half faithfulness (values), 30% thumbs
  // (labels up or down), 20% relevance; one in twenty a second version of its slot.
  const slots = Math.floor(totalScores * 0.95);
  await db.run(`INSERT INTO scores SELECT 'default', printf('%032x', k), ${T0} + s, ${T0} + s,
    printf('%032x', (k * 7919) % ${traces}), CASE WHEN k % 3 = 0 THEN NULL ELSE printf('%016x', ((k * 7919) % ${traces}) * 10 + k % 10) END, NULL, NULL,
    CASE WHEN k % 10 < 5 THEN 'faithfulness' WHEN k % 10 < 8 THEN 'thumbs' ELSE 'relevance' END,
    CASE WHEN k % 10 < 5 OR k % 10 >= 8 THEN ((s * 31) % 1000) / 1000.0 END, CASE WHEN k % 10 BETWEEN 5 AND 7 THEN CASE WHEN s % 4 = 0 THEN 'down' ELSE 'up' END END,
    NULL, 'evaluator', 'judge@1', false FROM (SELECT s, s % ${slots} AS k FROM range(${totalScores}) AS a(s))`);
  db.closeSync();
  instance.closeSync();
  console.log(`filled ${totalSpans.toLocaleString()} spans, ${traces.toLocaleString()} traces, ${totalScores.toLocaleString()} scores in ${((performance.now() - filled) / 1000).toFixed(0)} s`);

  const store = await DuckDbStore.open({ path, memoryLimit: '1GB' });
  const query = (over) => ({
    projectId: 'default', range: { fromUs: null, toUs: null }, service: null, spanName: null, text: null, status: null, minDurationMs: null,
    maxDurationMs: null, attributes: [], sessionId: null, model: null, scores: [], limit: 50, cursor: null, ...over,
  });
  const list = (over) => async () => (await store.listTraces(query(over), null, 51)).length;
  const page = (await store.listTraces(query({}), null, 50)).map((t) => t.traceId);
  const reads = {
    'list, no filter': list({}),
    'list, name=step-7 (a span name)': list({ spanName: 'step-7' }),
    'list, score=faithfulness<0.7': list({ scores: [{ name: 'faithfulness', op: '<', value: 0.7 }] }),
    'list, score=thumbs=down': list({ scores: [{ name: 'thumbs', op: '=', label: 'down' }] }),
    'list, score=relevance>=0.999 (rare)': list({ scores: [{ name: 'relevance', op: '>=', value: 0.999 }] }),
    'tally of a page of 50 traces': async () => (await store.scores.tallyTraceScores('default', page)).size,
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
  const median = (label) => [...times.get(label)].sort((a, b) => a - b)[runs >> 1];
  for (const label of Object.keys(reads)) console.log(`${label}: median ${median(label).toFixed(0)} ms, max ${Math.max(...times.get(label)).toFixed(0)} ms (${rows.get(label)} rows)`);
  const byName = median('list, name=step-7 (a span name)');
  const ratio = (label) => (median(label) / byName).toFixed(2);
  console.log(`ratios to the span-name filter: value ${ratio('list, score=faithfulness<0.7')}, label ${ratio('list, score=thumbs=down')}, rare ${ratio('list, score=relevance>=0.999 (rare)')} (goal <= 2)`);
  await store.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
