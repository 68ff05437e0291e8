import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(process.argv[2], { access_mode: 'READ_ONLY' });
const c = await inst.connect();
const q = async (sql, params = []) => (await c.runAndReadAll(sql, params)).getRowObjects();
const now = Date.now() * 1000,
  from = now - 900e6;
const params = ['default', from, now, 'spoor', 60e6];
const t = async (name, sql, p = params) => {
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    await q(sql, p);
    console.log(name, (performance.now() - s).toFixed(1));
  }
};
await t(
  'roots only',
  `SELECT count(*) FROM span_facts WHERE project_id = $1 AND end_us >= $2::BIGINT AND end_us < $3::BIGINT AND service_name <> $4 AND parent_span_id IS NULL`,
  params.slice(0, 4),
);
await t('parts of project', `SELECT sum(coalesce(cost_usd,0)) FROM trace_parts WHERE project_id = $1`, ['default']);
await t(
  'parts join nothing',
  `SELECT count(*) FROM (SELECT 'x' AS trace_id WHERE false) r JOIN trace_parts p ON p.trace_id = r.trace_id WHERE p.project_id = $1`,
  ['default'],
);
console.log((await q(`SELECT sql FROM duckdb_views() WHERE view_name = 'span_facts'`))[0]?.sql?.slice(0, 600));
