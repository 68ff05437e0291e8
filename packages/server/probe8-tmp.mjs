import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(process.argv[2], { access_mode: 'READ_ONLY' });
const c = await inst.connect();
const q = async (sql) => (await c.runAndReadAll(sql)).getRowObjects();
for (const n of [100, 500, 2000, 10000]) {
  const rows = await q(`SELECT trace_id, trace_key, start_us FROM trace_parts ORDER BY start_us DESC LIMIT ${n}`);
  const from = Number(rows.at(-1).start_us);
  const keys = rows.map((r) => r.trace_key).join(', ');
  const json = JSON.stringify(rows.map((r) => r.trace_id));
  const time = async (label, sql, k = 5) => {
    const ms = [];
    let m;
    for (let i = 0; i < k; i++) {
      const s = performance.now();
      m = (await q(sql)).length;
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    console.log(n, label, m, ms.map((x) => x.toFixed(1)).join(' '));
  };
  const ids = `(SELECT unnest(from_json('${json}'::JSON, '["VARCHAR"]')))`;
  await time('ids (json)', `SELECT DISTINCT trace_id FROM trace_parts WHERE project_id='default' AND trace_id IN ${ids} AND start_us < ${from}`, 3);
  await time(
    'keys list + ids',
    `SELECT DISTINCT trace_id FROM trace_parts WHERE project_id='default' AND trace_key IN (${keys}) AND trace_id IN ${ids} AND start_us < ${from}`,
    3,
  );
}
