// node bench/compare-scores.mjs — the release comparison's two halves measured in-process, in
// turns with span stats by name, on a copy of bench:analytics' data (run it with BENCH_KEEP=1 and
// pass the kept file): the ratios hold on a machine whose speed drifts, wall and CPU alike.
// Env: BENCH_DB (the DuckDB file; required; it is opened for writing, so pass a copy),
// BENCH_ROUNDS (7), BENCH_BASE (the `dist` folder of another build, e.g. of the base commit in a
// second worktree: its compareScores and scoreStats SQL, and its score comparison's arithmetic, run
// on the same store in turns with this build's, and the answers are compared). Score stats by model
// (24 h) is timed the same way.
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { scoreComparison } from '../dist/query/score-comparison.js';
import * as scoreStats from '../dist/store/sql/score-stats.js';

const path = process.env.BENCH_DB;
if (path === undefined) throw new Error('BENCH_DB: the path of a copy of the analytics data set (bench:analytics with BENCH_KEEP=1)');
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const base = process.env.BENCH_BASE === undefined ? null : await import(`${process.env.BENCH_BASE}/store/sql/score-compare.js`);
const baseRows = process.env.BENCH_BASE === undefined ? null : await import(`${process.env.BENCH_BASE}/query/score-comparison.js`);
const baseStats = process.env.BENCH_BASE === undefined ? null : await import(`${process.env.BENCH_BASE}/store/sql/score-stats.js`);
const store = await DuckDbStore.open({ path });
// The store's engine, as its own ports use it (a private member).
const sql = store.sql;
const nowUs = Date.now() * 1000;
const filter = (days) => ({
  projectId: 'default',
  range: { fromUs: nowUs - days * 86_400e6, toUs: nowUs },
  service: null,
  spanName: null,
  text: null,
  status: null,
  minDurationMs: null,
  maxDurationMs: null,
  attributes: [],
  sessionId: null,
  model: null,
  kind: null,
  category: null,
  rootOnly: false,
});
// As bench:analytics asks: `/api/stats/compare?by=service.version&a=2.3.1&b=2.4.0` (7 days), `/api/stats/spans?groupBy=name` (24 h).
const query = { filter: filter(7), by: { attribute: 'service.version' }, a: '2.3.1', b: '2.4.0', limit: 100 };
// `/api/stats/scores?by=model` (24 h), with the service's default limit.
const byModel = { projectId: 'default', range: filter(1).range, by: 'model', name: null, limit: 100 };
const requests = {
  'span stats by name': () => store.analytics.spanStats({ filter: filter(1), groupBy: { column: 'name' }, limit: 100 }),
  // As the analytics service reads them: the spans, then the scores, and the scores' rows made of their groups.
  compare: async () => [await store.analytics.compareSpans(query), scoreComparison(await store.scoreStats.compare(query), query.limit, 0.05)],
  'compare scores': () => store.scoreStats.compare(query),
  'score stats by model': () => scoreStats.scoreStats(sql, byModel),
};
if (base !== null) {
  requests['compare (base)'] = async () => [
    await store.analytics.compareSpans(query),
    baseRows.scoreComparison(await base.compareScores(sql, query), query.limit, 0.05),
  ];
  requests['compare scores (base)'] = () => base.compareScores(sql, query);
  requests['score stats by model (base)'] = () => baseStats.scoreStats(sql, byModel);
}
const names = Object.keys(requests);
const wall = Object.fromEntries(names.map((n) => [n, []]));
const cpu = Object.fromEntries(names.map((n) => [n, []]));
const answers = {};
for (let r = 0; r < rounds; r++) {
  // Each round in the other order, so a drift weighs on every request alike.
  for (const name of r % 2 === 0 ? names : [...names].reverse()) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    answers[name] = await requests[name]();
    const used = process.cpuUsage(cpuBefore);
    wall[name].push(performance.now() - started);
    cpu[name].push((used.user + used.system) / 1000);
  }
}
await store.close();
const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const baseWall = median(wall['span stats by name']);
const baseCpu = median(cpu['span stats by name']);
console.log(`${rounds} rounds, medians; CPU is the process's (DuckDB's threads included)\n`);
console.log('| request | wall | / span stats | CPU | / span stats |');
console.log('|---|---|---|---|---|');
for (const n of names) {
  console.log(
    `| ${n} | ${median(wall[n]).toFixed(0)} ms | ${(median(wall[n]) / baseWall).toFixed(2)}x | ${median(cpu[n]).toFixed(0)} ms | ${(median(cpu[n]) / baseCpu).toFixed(2)}x |`,
  );
}
if (base !== null) {
  // Each group's values one by one, ascending: a tally's counts spelled out (a build before tallies has none).
  const spelled = (g) => [...g.values].flatMap((v, i) => Array.from({ length: g.counts?.[i] ?? 1 }, () => v)).sort((x, y) => x - y);
  const canonical = (groups) =>
    JSON.stringify(
      groups.map(({ counts: _, ...g }) => ({ ...g, values: spelled({ ...g, counts: _ }) })).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1)),
    );
  const same = canonical(answers['compare scores']) === canonical(answers['compare scores (base)']);
  console.log(`\nthe score groups of both builds: ${same ? 'identical' : 'DIFFERENT'} (${answers['compare scores'].length} groups)`);
  // Means to 12 digits: a sum in another order (DuckDB's threads) can differ in the last bit.
  const rounded = (groups) => JSON.stringify(groups, (_, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v));
  const sameStats = rounded(answers['score stats by model']) === rounded(answers['score stats by model (base)']);
  console.log(`score stats by model of both builds: ${sameStats ? 'identical' : 'DIFFERENT'} (${answers['score stats by model'].length} groups)`);
}
