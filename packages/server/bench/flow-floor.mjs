// The floor of a flow map kept at write, on bench:flows' file (`BENCH_FLOOR=1 npm run bench:flows`):
// what the map would cost if every span's place in it (its node, the node of the sibling before it,
// how many times its run had passed each) were stored when its trace is written, so that the map
// is an aggregate in the engine like span statistics. The rows are derived here by SQL from the
// bench's fixed run shape (the fold would store the same; checked against the server's map), then
// the map's statement (the matched runs as the server finds them, joined with their rows, nodes and
// "then" edges grouped with exact percentiles, as the API answers them) and the span statistics'
// own statement take turns on one DuckDB connection. No page of runs per node is read, and no check
// that a run's rows are current: the floor leaves out what a real one would add.
import { DuckDBInstance } from '@duckdb/node-api';
import { spanStats } from '../dist/store/sql/analytics.js';
import { flowRunsSql } from '../dist/store/sql/flows.js';
import { duckDbDialect } from '../dist/store/duckdb/dialect.js';
import { spanFilterFields } from '../dist/params/parameters.js';
import { median } from './lib.mjs';

/** A span's label and path by its place j in bench:flows' runs (0 the root, 1 the planner, 11 the review step). */
const LABEL = `CASE WHEN category = 3 THEN 'llm' ELSE ['workflow', 'agent', 'step', 'llm', 'tool'][category + 1] || ':' || name END`;
const PATH = `CASE WHEN j = 0 THEN 'workflow:checkout' WHEN j = 1 THEN 'workflow:checkout/agent:planner'
  WHEN j = 11 THEN 'workflow:checkout/agent:planner/step:review'
  WHEN j <= 10 THEN 'workflow:checkout/agent:planner/' || ${LABEL} ELSE 'workflow:checkout/agent:planner/step:review/' || ${LABEL} END`;

/** A statement run by the store's code, caught with its parameters instead of run. */
async function caught(make) {
  let out = null;
  const db = { dialect: duckDbDialect, rows: async (what, sql, p) => ((out = { sql, values: p.values }), []) };
  await make(db);
  return out;
}

export async function timeFlowFloor({ path, fromUs, toUs, runs, rounds, warmups, map }) {
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  const t = performance.now();
  // The bench's span j is at start + j ms within its run: j is recovered from the start.
  await c.run(`CREATE TABLE flow_floor AS
    WITH placed AS (SELECT project_id, hash(trace_id) AS trace_key, start_us, duration_us, status_code = 2 AS failed, cost_usd, name, category,
        CAST(((start_us - ${fromUs + 1_000_000}) % 20000) // 1000 AS INTEGER) AS j FROM spans),
      noded AS (SELECT *, hash(${PATH}) AS node FROM placed)
    SELECT project_id, trace_key, start_us, duration_us, failed, cost_usd, name, category, node,
      CASE WHEN j BETWEEN 3 AND 11 OR j BETWEEN 13 AND 19 THEN lag(node) OVER (PARTITION BY trace_key ORDER BY j) END AS prev,
      row_number() OVER (PARTITION BY trace_key, node ORDER BY start_us) AS rep
    FROM noded ORDER BY start_us`);
  await c.run(
    `CREATE OR REPLACE TABLE flow_floor AS SELECT *, row_number() OVER (PARTITION BY trace_key, node, prev ORDER BY start_us) AS then_rep FROM flow_floor ORDER BY start_us`,
  );
  await c.run('CHECKPOINT');
  console.log(`\nflow rows derived in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Every span of the range: the fields a request with no filter gives (`spanFilterFields`).
  const filter = { projectId: 'default', range: { fromUs, toUs }, ...spanFilterFields({}), kind: null, category: null, rootOnly: false };
  const stats = await caught((db) => spanStats(db, { filter, groupBy: { column: 'name' }, limit: 100 }));
  const flowSql = {
    hash53: (...e) => `CAST(hash(${e.join(', ')}) >> 11 AS DOUBLE)`,
    double: (e) => `CAST(${e} AS DOUBLE)`,
    text: (e) => e,
    nan: "'NaN'::DOUBLE",
    joinKey: (e) => `hash(${e})`,
  };
  const matched = await caught(async (db) => {
    const { sql, p } = await flowRunsSql(db, { filter: { ...filter, spanName: 'checkout', rootOnly: true }, sides: null, maxRuns: runs }, flowSql);
    await db.rows('', sql, p);
  });
  const tallies = (rep) => `count(*) FILTER (${rep} = 1) AS runs, count(*) AS spans, count(*) FILTER (failed) AS errors, sum(cost_usd) AS cost,
    quantile_cont(duration_us, [0.5, 0.95]) AS q, count(*) FILTER (${rep} = 2) AS loop_runs, max(${rep}) AS max_repeats`;
  const mapSql = matched.sql.replace('runs AS (', 'runs AS MATERIALIZED (').replace(
    /SELECT trace_id, b FROM runs ORDER BY run$/,
    `,
    f AS MATERIALIZED (SELECT f.* FROM flow_floor f JOIN runs r ON f.trace_key = r.trace_hash WHERE f.project_id = 'default')
    SELECT 'node' AS kind, node, NULL AS prev, ${tallies('rep')} FROM f GROUP BY node
    UNION ALL SELECT 'then', node, prev, ${tallies('then_rep')} FROM f WHERE prev IS NOT NULL GROUP BY node, prev`,
  );
  if (mapSql === matched.sql) throw new Error('the runs statement changed shape: the floor cannot append to it');

  const statements = { 'span statistics by name': stats, 'map from stored rows': { sql: mapSql, values: matched.values } };
  const times = Object.fromEntries(Object.keys(statements).map((k) => [k, []]));
  const labels = Object.keys(statements);
  let nodes = null;
  for (let round = 0; round < rounds + warmups; round++) {
    for (let k = 0; k < labels.length; k++) {
      const label = labels[(round + k) % labels.length];
      const started = performance.now();
      const rows = (await c.runAndReadAll(statements[label].sql, statements[label].values)).getRowObjectsJS();
      if (round >= warmups) times[label].push(performance.now() - started);
      if (label !== 'span statistics by name') nodes = rows.filter((r) => r.kind === 'node');
    }
  }
  c.closeSync();
  instance.closeSync();
  // The stored rows must fold as the server did: each node's runs and spans, by path.
  const served = map.nodes
    .map((n) => `${n.runs}/${n.spans}`)
    .sort()
    .join(' ');
  const floor = nodes
    .map((n) => `${n.runs}/${n.spans}`)
    .sort()
    .join(' ');
  if (served !== floor) throw new Error(`the stored rows give nodes ${floor}, the server's map ${served}`);
  const statsMs = median(times['span statistics by name']);
  const mapMs = median(times['map from stored rows']);
  console.log('| statement, in DuckDB | median ms | min ms | max ms |');
  console.log('|---|---:|---:|---:|');
  for (const label of labels) {
    const sorted = [...times[label]].sort((a, b) => a - b);
    console.log(`| ${label} | ${median(sorted).toFixed(0)} | ${sorted[0].toFixed(0)} | ${sorted.at(-1).toFixed(0)} |`);
  }
  console.log(`\nmap from stored rows / span statistics: ${(mapMs / statsMs).toFixed(2)}x (the floor of a map kept at write)`);
}
