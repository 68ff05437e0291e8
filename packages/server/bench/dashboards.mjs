// npm run bench:dashboards — a dashboard of 12 panels over 7 days, read as the page reads it: each
// panel a /api/v1/query_range at a step of 1 h. Times each panel alone, then all 12 at once (as the
// page asks them), and gives the ratio of all-at-once to the slowest single panel (goal <= 2x).
//
// The data set is bench:analytics's cached DuckDB file (5,000,000 spans over a day; run
// `npm run bench:analytics` first to make it), copied, and not topped up: the 7 days end at the
// time it was generated. Env: BENCH_RUNS (5 timed runs, after one untimed), BENCH_KEEP=1.
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { startSpoor, stopChild } from './lib.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const ROOT = '/tmp/spoor-bench-analytics';
const cached = (await readdir(ROOT).catch(() => [])).find((d) => d.startsWith('v1-') && !d.endsWith('.building'));
if (cached === undefined) throw new Error(`no cached data set under ${ROOT}: run npm run bench:analytics first`);
const params = JSON.parse(await readFile(join(ROOT, cached, 'params.json'), 'utf8'));

/** Twelve panels as the ready dashboards write them, `$__interval` the step. */
const PANELS = [
  'cost(spans)[1h] by (model)',
  'tokens(spans)[1h] by (model)',
  'input_tokens(spans)[1h]',
  'output_tokens(spans)[1h]',
  'count(spans{category="llm"})[1h] by (service)',
  'errors(spans)[1h] by (service)',
  'p95(duration_ms{category="llm"})[1h] by (model)',
  'p50(duration_ms)[1h]',
  'p95(duration_ms)[1h] by (service)',
  'count(spans)[1h] by (name)',
  'unpriced_calls(spans)[1h]',
  'avg(duration_ms)[1h] by (model)',
];

const dataDir = await mkdtemp('/tmp/spoor-bench-dashboards-');
await copyFile(join(ROOT, cached, 'spoor.duckdb'), join(dataDir, 'spoor.duckdb'));
const spoor = await startSpoor(dataDir);
const endS = Math.floor(params.generatedUs / 1e6);
const startS = endS - 7 * 86_400;

async function panel(expr) {
  const url = `${spoor.url}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${startS}&end=${endS}&step=3600`;
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.json();
  if (res.status !== 200) throw new Error(`${expr}: ${res.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - t, series: body.data.result.length };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const expr of PANELS) await panel(expr);
  const alone = PANELS.map(() => []);
  const together = [];
  for (let run = 0; run < runs; run++) {
    // Alternating: each run times every panel alone, then the 12 at once.
    for (const [i, expr] of PANELS.entries()) alone[i].push((await panel(expr)).ms);
    const t = performance.now();
    await Promise.all(PANELS.map(panel));
    together.push(performance.now() - t);
  }
  const medians = alone.map(median);
  PANELS.forEach((expr, i) => console.log(`${medians[i].toFixed(0).padStart(7)} ms  ${expr}`));
  const slowest = Math.max(...medians);
  console.log(
    `slowest single panel: ${slowest.toFixed(0)} ms; all 12 at once: ${median(together).toFixed(0)} ms; ratio ${(median(together) / slowest).toFixed(2)}x (goal <= 2x)`,
  );
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await stopChild(spoor);
  if (process.env.BENCH_KEEP !== '1') await rm(dataDir, { recursive: true, force: true });
}
