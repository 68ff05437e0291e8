import { DuckDBInstance } from '@duckdb/node-api';
const file = process.argv[2];
const inst = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
const c = await inst.connect();
const q = async (sql) => (await c.runAndReadAll(sql)).getRowObjects();
const [{ n, g }] = await q(`SELECT count(*) n, count(DISTINCT row_group_id) g FROM pragma_storage_info('trace_parts') WHERE column_name='trace_id'`).catch(
  () => [{}],
);
console.log('parts row groups info', n, g);
const [t] = await q(`SELECT trace_id FROM trace_parts ORDER BY start_us DESC LIMIT 1`);
const id = t.trace_id;
const time = async (label, sql, k = 5) => {
  const ms = [];
  for (let i = 0; i < k; i++) {
    const s = performance.now();
    await q(sql);
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  console.log(label, ms.map((x) => x.toFixed(1)).join(' '));
};
await time('bounds by id', `SELECT min(start_us), max(end_us), sum(span_count), count(*) FROM trace_parts WHERE project_id='default' AND trace_id='${id}'`);
await time('count(*) parts', `SELECT count(*) FROM trace_parts`);
const b = (await q(`SELECT min(start_us) f, max(end_us) t FROM trace_parts WHERE trace_id='${id}'`))[0];
await time('spans in bounds', `SELECT count(*) FROM spans WHERE project_id='default' AND trace_id='${id}' AND start_us BETWEEN ${b.f} AND ${b.t}`);
const conns = await Promise.all([1, 2, 3, 4].map(() => inst.connect()));
const s = performance.now();
const each = await Promise.all(
  conns.map(async (cc) => {
    const s0 = performance.now();
    await cc.run(`SELECT min(start_us), max(end_us) FROM trace_parts WHERE project_id='default' AND trace_id='${id}'`);
    return performance.now() - s0;
  }),
);
console.log('4 at once', (performance.now() - s).toFixed(1), each.map((x) => x.toFixed(1)).join(' '));
const plan = await q(
  `EXPLAIN ANALYZE SELECT min(start_us), max(end_us), sum(span_count), count(*) FROM trace_parts WHERE project_id='default' AND trace_id='${id}'`,
);
console.log(Object.values(plan[0])[1]);
