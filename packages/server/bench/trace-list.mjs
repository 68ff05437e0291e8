// npm run bench:list — the trace list on a big store, both engines, in process: the first page,
// a page deep in the store, a filter one trace in fifty meets and one no trace meets, the slowest
// first (sort=duration) over the store and over its last ten minutes, each against grouping every
// trace of the project (what the list did before it read a window of the newest parts; for the
// slowest, what the list does), alternating in the same run. The store's trace parts are written
// by SQL, as ingest at capacity writes them (one part a trace, one trace in five with a second part
// 2.8 s later), so the bench measures the reads alone.
// Env: BENCH_PARTS (default 2,000,000: a store of some 20 million spans in traces of ten),
// BENCH_RUNS (timed runs of each, default 5), BENCH_STORE (duckdb, clickhouse; default both).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChClient } from '../dist/store/clickhouse/client.js';
import { ClickHouseStore } from '../dist/store/clickhouse/clickhouse-store.js';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { traceKeySql } from '../dist/store/duckdb/trace-key.js';
import { TRACE_TOTALS } from '../dist/store/sql/traces.js';
import { median } from './lib.mjs';

const PARTS = Number(process.env.BENCH_PARTS ?? 2_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ENGINES = (process.env.BENCH_STORE ?? 'duckdb,clickhouse').split(',');
const PAGE = 50;
/** Part `i` starts `STEP_US` after part `i - 1`, the newest a second ago. */
const STEP_US = 1_400;
const NEWEST_US = Date.now() * 1000 - 1_000_000;

/** What every part's row holds, as each engine's SQL spells it over `i`, the part's number. */
function partsSql(engine) {
  const text = engine === 'duckdb' ? (x) => `CAST(${x} AS VARCHAR)` : (x) => `toString(${x})`;
  // One trace in five (i % 5 = 4) is the second part of the trace of part i - 2001, 2.8 s later.
  const trace = `md5(${text(`CASE WHEN i % 5 = 4 THEN i - 2001 ELSE i END`)})`;
  const start = `${NEWEST_US} - (${PARTS - 1} - i) * ${STEP_US}`;
  return `SELECT 'default', ${engine === 'duckdb' ? trace : `lower(hex(${trace.replace('md5', 'MD5')}))`}, ${start}, ${start} + 900000, 10,
    CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END, CASE WHEN i % 5 = 4 THEN NULL ELSE concat('run ', ${text('i % 16')}) END,
    CASE WHEN i % 5 = 4 THEN NULL ELSE 'agent' END, 'step', 'agent', 100, 200, 0.001, concat('session ', ${text('i % 1000')}), i`;
}

const COLUMNS =
  'project_id, trace_id, start_us, end_us, span_count, error_count, root_name, root_service, first_name, first_service, input_tokens, output_tokens, cost_usd, session_id';

async function openDuckDb(dir) {
  const store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
  const connection = store.connection;
  const parts = `(${partsSql('duckdb')} FROM range(${PARTS}) r(i)) AS parts(${COLUMNS}, commit_seq)`;
  await connection.run(`INSERT INTO trace_parts (${COLUMNS}, commit_seq, trace_key) SELECT *, ${traceKeySql('trace_id')} FROM ${parts}`);
  await connection.run('CHECKPOINT');
  const whole = async (sql) => (await connection.runAndReadAll(sql)).getRowObjects().map((r) => r.trace_id);
  return { store, whole, tables: { parts: 'trace_parts' }, close: () => store.close() };
}

async function openClickHouse(dir) {
  const ch = await ChClient.open({ chdbPath: dir });
  const store = await ClickHouseStore.open({ database: 'bench', chdbPath: dir });
  await ch.command(
    'fill trace parts',
    `INSERT INTO bench.trace_parts (${COLUMNS}, batch_id) ${partsSql('clickhouse').replace(/\bi\b/g, 'number')} FROM numbers(${PARTS})`,
  );
  await ch.command('merge trace parts', 'OPTIMIZE TABLE bench.trace_parts FINAL');
  const whole = async (sql) => (await ch.rows('group every trace', sql, {})).map((r) => r.trace_id);
  return {
    store,
    whole,
    tables: { parts: 'bench.trace_parts' },
    close: async () => {
      await store.close();
      await ch.close();
    },
  };
}

const query = (overrides = {}) => ({
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
  ...overrides,
});

/** The list as it was: every trace of the project grouped, then filtered, sorted (by `order`, newest first unless given) and cut to the page. */
function wholeSql(table, having, after, order = 't_start') {
  const filters = [...having];
  if (after !== null) filters.push(`(t_start < ${after.timeUs} OR (t_start = ${after.timeUs} AND trace_id < '${after.id}'))`);
  return `SELECT trace_id, ${TRACE_TOTALS}, max(session_id) AS t_session, max(user_id) AS t_user FROM ${table}
    WHERE project_id = 'default' GROUP BY trace_id ${filters.length > 0 ? `HAVING ${filters.join(' AND ')}` : ''}
    ORDER BY ${order} DESC, trace_id DESC LIMIT ${PAGE}`;
}

async function measure(engine, opened) {
  const { store, whole, tables } = opened;
  // A page 200,000 traces deep (half way down a smaller store): its cursor is the trace there.
  const depth = Math.min(200_000, Math.floor(PARTS * 0.4));
  const deepAt = (await store.traces.listTraces(query(), null, 1))[0].startTimeUs - depth * STEP_US * 1.25;
  const [deepKey] = await store.traces.listTraces(query({ range: { fromUs: null, toUs: Math.round(deepAt) } }), null, 1);
  const after = { timeUs: deepKey.startTimeUs, id: deepKey.traceId };
  const lastTenMinutes = NEWEST_US - 600_000_000;
  const cases = [
    { name: 'first page', q: query(), after: null, having: [] },
    { name: `a page ${depth.toLocaleString('en-US')} traces deep`, q: query(), after, having: [] },
    { name: 'status=error (1 trace in 50)', q: query({ status: 'error' }), after: null, having: ['t_errors > 0'] },
    { name: 'minDurationMs=60000 (no trace)', q: query({ minDurationMs: 60_000 }), after: null, having: ['t_end - t_start >= 60000000'] },
    // Slowest first: any trace of the range may lead, so the list groups the range as the reference does.
    { name: 'sort=duration, the whole store', q: query({ sort: 'duration' }), after: null, having: [], order: 't_end - t_start' },
    {
      name: 'sort=duration, the last 10 minutes',
      q: query({ sort: 'duration', range: { fromUs: lastTenMinutes, toUs: null } }),
      after: null,
      having: [`t_start >= ${lastTenMinutes}`],
      order: 't_end - t_start',
    },
  ];
  for (const c of cases) {
    const list = [];
    const grouped = [];
    let same = true;
    /** Why the grouping failed, each time it did. */
    const failures = [];
    for (let run = 0; run < RUNS + 1; run++) {
      const t0 = performance.now();
      const page = await store.traces.listTraces(c.q, c.after, PAGE);
      const listMs = performance.now() - t0;
      const t1 = performance.now();
      const reference = await whole(wholeSql(tables.parts, c.having, c.after, c.order)).catch((error) => {
        failures.push(String(error.message).split('\n')[0]);
        return null;
      });
      const wholeMs = performance.now() - t1;
      if (reference !== null) same &&= JSON.stringify(page.map((t) => t.traceId)) === JSON.stringify(reference);
      if (run === 0) continue; // warm-up
      list.push(listMs);
      if (reference !== null) grouped.push(wholeMs);
    }
    const wholeText = grouped.length === 0 ? 'failed every run' : `${median(grouped).toFixed(0)} ms`;
    const ratio = grouped.length === 0 ? '' : `, list / whole ${(median(list) / median(grouped)).toFixed(3)}x`;
    console.log(
      `${engine}, ${c.name}: list ${median(list).toFixed(0)} ms, grouping every trace ${wholeText}${ratio}${failures.length > 0 ? ` (grouping failed ${failures.length} of ${RUNS + 1}: ${failures[0]})` : ''}; same page: ${same}`,
    );
  }
}

for (const engine of ENGINES) {
  const dir = await mkdtemp(join(tmpdir(), `spoor-bench-list-${engine}-`));
  const t = performance.now();
  const opened = engine === 'duckdb' ? await openDuckDb(dir) : await openClickHouse(dir);
  console.log(`${engine}: ${PARTS.toLocaleString('en-US')} trace parts written in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  try {
    await measure(engine, opened);
  } finally {
    await opened.close();
    await rm(dir, { recursive: true, force: true });
  }
}
