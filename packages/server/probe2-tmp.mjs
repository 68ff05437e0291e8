import { DuckDBInstance } from '@duckdb/node-api';
const file = process.argv[2];
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
const q = async (sql) => (await c.runAndReadAll(sql)).getRowObjects();
await c.run(`ATTACH '${file}' AS src (READ_ONLY)`);
let s = performance.now();
await c.run(`CREATE TABLE p AS SELECT *, hash(trace_id) AS trace_key FROM src.trace_parts`);
console.log('copy', (performance.now() - s).toFixed(0));
const [t] = await q(`SELECT trace_id FROM p ORDER BY start_us DESC LIMIT 1`);
const id = t.trace_id;
const time = async (label, sql, k = 7) => {
  const ms = [];
  for (let i = 0; i < k; i++) {
    const s = performance.now();
    await q(sql);
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  console.log(label, ms.map((x) => x.toFixed(1)).join(' '));
};
await time('varchar id', `SELECT min(start_us), max(end_us), sum(span_count), count(*) FROM p WHERE project_id='default' AND trace_id='${id}'`);
await time(
  'hash key + id',
  `SELECT min(start_us), max(end_us), sum(span_count), count(*) FROM p WHERE project_id='default' AND trace_key=hash('${id}') AND trace_id='${id}'`,
);
s = performance.now();
await c.run(`CREATE TABLE ps AS SELECT * FROM p ORDER BY trace_id`);
console.log('sorted copy', (performance.now() - s).toFixed(0));
await time('sorted varchar id', `SELECT min(start_us), max(end_us), sum(span_count), count(*) FROM ps WHERE project_id='default' AND trace_id='${id}'`);
s = performance.now();
await c.run(`CREATE INDEX pk ON p(trace_key)`);
console.log('index on key', (performance.now() - s).toFixed(0));
await time(
  'indexed key + id',
  `SELECT min(start_us), max(end_us), sum(span_count), count(*) FROM p WHERE trace_key=hash('${id}') AND trace_id='${id}' AND project_id='default'`,
);
const key = (await q(`SELECT hash('${id}') AS k`))[0].k;
await time('indexed key const', `SELECT min(start_us), max(end_us), sum(span_count), count(*) FROM p WHERE trace_key=${key}::UBIGINT`);
const plan = await q(`EXPLAIN SELECT min(start_us) FROM p WHERE trace_key=${key}::UBIGINT`);
console.log(String(Object.values(plan[0])[1]).match(/Type:[^│]*/g));
