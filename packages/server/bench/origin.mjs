// node packages/server/bench/origin.mjs (after npm run build) — what leaving Spoor's own traces out of the app's views costs the reads:
// each read timed with `origin=all` (no condition: the query as it was before the filter) and with
// `origin=app` (the default now: one comparison on a service-name column), in alternating turns on
// one server, over the analytics data set (analytics-data.mjs) of BENCH_TRACES traces of 25 spans
// over a day. The ratio app/all is the cost of the filter.
// Env: BENCH_TRACES (40,000), BENCH_RUNS (20 timed runs each), BENCH_WARMUPS (5).
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { generate } from './analytics-data.mjs';
import { median, startSpoor, stopChild } from './lib.mjs';

const traces = Number(process.env.BENCH_TRACES ?? 40_000);
const runs = Number(process.env.BENCH_RUNS ?? 20);
const warmups = Number(process.env.BENCH_WARMUPS ?? 5);
const nowUs = Date.now() * 1000;

const dataDir = await mkdtemp(join(tmpdir(), 'spoor-bench-origin-'));
let t = performance.now();
await generate({ path: join(dataDir, 'spoor.duckdb'), nowUs, traces, bigSpans: 1_000, openStore: (o) => DuckDbStore.open(o), log: () => {} });
console.log(`${traces.toLocaleString('en')} traces of 25 spans generated in ${((performance.now() - t) / 1000).toFixed(0)} s`);
const spoor = await startSpoor(dataDir);
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

/** A GET to the last byte of the answer, on one kept-alive connection. */
function httpGet(url) {
  return new Promise((resolve, reject) => {
    get(url, { agent: keepAlive }, (response) => {
      response.on('data', () => {});
      response.on('end', () => resolve(response.statusCode));
      response.on('error', reject);
    }).on('error', reject);
  });
}

const from = new Date(nowUs / 1000 - 24 * 3_600_000).toISOString();
const reads = [
  ['trace list, newest 50', '/api/traces?limit=50'],
  ['trace list, costliest 50 of the day', `/api/traces?limit=50&sort=cost&from=${from}`],
  ['span stats by model, a day', `/api/stats/spans?groupBy=model&from=${from}`],
  ['cost timeseries by model, a day', `/api/stats/timeseries?metric=cost&groupBy=model&from=${from}`],
];
console.log('| read | origin=all ms | origin=app ms | app / all |');
console.log('|---|---|---|---|');
try {
  for (const [label, path] of reads) {
    const times = { all: [], app: [] };
    for (let i = 0; i < runs + warmups; i++) {
      // The two take turns, the first alternating, so a drift of the machine weighs on both alike.
      for (const origin of i % 2 === 0 ? ['all', 'app'] : ['app', 'all']) {
        t = performance.now();
        const status = await httpGet(`${spoor.url}${path}&origin=${origin}`);
        if (status !== 200) throw new Error(`${path} answered ${status}`);
        if (i >= warmups) times[origin].push(performance.now() - t);
      }
    }
    const [all, app] = [median(times.all), median(times.app)];
    console.log(`| ${label} | ${all.toFixed(1)} | ${app.toFixed(1)} | ${(app / all).toFixed(2)} |`);
  }
} finally {
  keepAlive.destroy();
  await stopChild(spoor);
  await rm(dataDir, { recursive: true, force: true });
}
