import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(process.argv[2], { access_mode: 'READ_ONLY' });
const c = await inst.connect();
const q = async (sql) => (await c.runAndReadAll(sql)).getRowObjects();
const rows = await q(`SELECT trace_id, trace_key, start_us FROM trace_parts ORDER BY start_us DESC LIMIT 50`);
const from = Number(rows.at(-1).start_us);
const ids = rows.map((r) => `'${r.trace_id}'`).join(', ');
const keys = rows.map((r) => r.trace_key).join(', ');
const time = async (label, sql, k = 5) => {
  const ms = [];
  let n;
  for (let i = 0; i < k; i++) {
    const s = performance.now();
    n = (await q(sql)).length;
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  console.log(label, n, ms.map((x) => x.toFixed(1)).join(' '));
};
await time('ids', `SELECT DISTINCT trace_id FROM trace_parts WHERE project_id='default' AND trace_id IN (${ids}) AND start_us < ${from}`);
await time(
  'keys+ids',
  `SELECT DISTINCT trace_id FROM trace_parts WHERE project_id='default' AND trace_key IN (${keys}) AND trace_id IN (${ids}) AND start_us < ${from}`,
);
await time('keys only', `SELECT DISTINCT trace_id FROM trace_parts WHERE trace_key IN (${keys})`);
await time('keys only, 5', `SELECT DISTINCT trace_id FROM trace_parts WHERE trace_key IN (${keys.split(', ').slice(0, 5).join(', ')})`);
await time(
  'keys sub',
  `SELECT DISTINCT trace_id FROM trace_parts WHERE trace_key IN (SELECT unnest([${keys}]::UINTEGER[])) AND trace_id IN (${ids}) AND start_us < ${from}`,
);
await time(
  'key list_contains',
  `SELECT DISTINCT trace_id FROM trace_parts WHERE list_contains([${keys}]::UINTEGER[], trace_key) AND trace_id IN (${ids}) AND start_us < ${from}`,
);
await time('scan key col', `SELECT count(*) FROM trace_parts WHERE trace_key > 5`);
const plan = await q(
  `EXPLAIN SELECT DISTINCT trace_id FROM trace_parts WHERE project_id='default' AND trace_key IN (${keys}) AND trace_id IN (${ids}) AND start_us < ${from}`,
);
console.log(
  String(Object.values(plan[0])[1])
    .split('\n')
    .filter((l) => /[A-Z_]{4,}|Filters|IN|OR/.test(l))
    .slice(0, 30)
    .join('\n'),
);
