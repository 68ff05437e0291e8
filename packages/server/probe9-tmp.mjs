import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(process.argv[2], { access_mode: 'READ_ONLY' });
const c = await inst.connect();
const q = async (sql, params = []) => (await c.runAndReadAll(sql, params)).getRowObjects();
const [m] = await q('SELECT max(end_us) AS e FROM trace_parts');
const hours = Number(process.argv[3] ?? 0);
const now = hours ? Number(m.e) : Date.now() * 1000;
const from = now - (hours || 0.25) * 3600e6;
const params = ['default', from, now, 'spoor', 60e6];
const KEY = (col) => `CASE WHEN regexp_matches(${col}, '[0-9a-fA-F]{8}$') THEN CAST('0x' || right(${col}, 8) AS UINTEGER) ELSE 0 END`;
const roots = (key) =>
  `WITH roots AS (SELECT trace_id${key ? `, ${KEY('trace_id')} AS trace_key` : ''}, service_name AS l0, ((end_us - $2::BIGINT) // ($5::BIGINT)) AS bucket FROM span_facts WHERE project_id = $1 AND end_us >= $2::BIGINT AND end_us < $3::BIGINT AND service_name <> $4 AND parent_span_id IS NULL)`;
const tail = (join) =>
  ` SELECT l0, bucket, sum(cost) / sum(n) AS value FROM ( SELECT l0, bucket, 0 AS cost, 1 AS n FROM roots UNION ALL SELECT r.l0, r.bucket, coalesce(p.cost_usd, 0) AS cost, 0 AS n FROM roots AS r JOIN ${join} WHERE p.project_id = $1 ) AS costed GROUP BY l0, bucket`;
const variants = {
  swapped:
    roots(false) +
    ` SELECT l0, bucket, sum(cost) / sum(n) AS value FROM ( SELECT l0, bucket, 0 AS cost, 1 AS n FROM roots UNION ALL SELECT r.l0, r.bucket, coalesce(p.cost_usd, 0) AS cost, 0 AS n FROM trace_parts AS p JOIN roots AS r ON p.trace_id = r.trace_id WHERE p.project_id = $1 ) AS costed GROUP BY l0, bucket`,
  inIds:
    roots(false) +
    tail('(SELECT trace_id, cost_usd, project_id FROM trace_parts WHERE trace_id IN (SELECT trace_id FROM roots)) AS p ON p.trace_id = r.trace_id'),
  inKeys:
    roots(true) +
    tail(
      '(SELECT trace_id, cost_usd, project_id FROM trace_parts WHERE trace_key IN (SELECT trace_key FROM roots) AND trace_id IN (SELECT trace_id FROM roots)) AS p ON p.trace_id = r.trace_id',
    ),
  grouped:
    roots(true) +
    tail(
      '(SELECT trace_id, sum(cost_usd) AS cost_usd, any_value(project_id) AS project_id FROM trace_parts WHERE project_id = $1 AND trace_key IN (SELECT trace_key FROM roots) GROUP BY trace_id) AS p ON p.trace_id = r.trace_id',
    ),
  current: roots(false) + tail('trace_parts AS p ON p.trace_id = r.trace_id'),
  keyAndId: roots(true) + tail('trace_parts AS p ON p.trace_key = r.trace_key AND p.trace_id = r.trace_id'),
  keyFirst:
    roots(true) +
    tail('(SELECT * FROM trace_parts WHERE trace_key IN (SELECT trace_key FROM roots)) AS p ON p.trace_key = r.trace_key AND p.trace_id = r.trace_id'),
};
console.log('roots', (await q(roots(false) + ' SELECT count(*) n FROM roots', params))[0]);
for (let round = 0; round < 2; round++)
  for (const [name, sql] of Object.entries(variants).filter(([n]) => (process.argv[4] ?? '').split(',').includes(n))) {
    const t = performance.now();
    const r = await q(sql, params);
    console.log(name, r.length, (performance.now() - t).toFixed(1));
  }
if (process.argv[5]) await c.run(`SET disabled_optimizers = '${process.argv[5]}'`);
for (const name of (process.argv[4] ?? 'inKeys').split(',')) {
  await c.run("PRAGMA enable_profiling='json'");
  await c.run("PRAGMA profiling_output='/tmp/prof.json'");
  await q(variants[name], params);
  await c.run('PRAGMA disable_profiling');
  const prof = JSON.parse((await import('node:fs')).readFileSync('/tmp/prof.json', 'utf8'));
  const walk = (n, d) => {
    console.log(
      ' '.repeat(d * 2) + n.operator_name?.trim(),
      n.operator_timing?.toFixed(3),
      n.operator_cardinality,
      JSON.stringify(n.extra_info ?? {}).slice(0, 160),
    );
    for (const ch of n.children ?? []) walk(ch, d + 1);
  };
  console.log('==', name, prof.latency);
  for (const ch of prof.children) walk(ch, 0);
}
