// node packages/server/bench/trace-list-running.mjs — the trace list's span filters (a session, a span name) on a store of
// TRACES traces of ten spans (default 50,000), in process, with this build's list SQL and, by turns, with the list SQL of
// another build (BENCH_BEFORE: the `dist` folder of a build of the base, placed inside packages/server so its imports
// resolve). Both read the same store. Env: ENGINE (duckdb, clickhouse; default duckdb), RUNS (timed runs a side, default 9).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { ClickHouseStore } from '../dist/store/clickhouse/clickhouse-store.js';
import { batchOf } from '../dist/store/tables.js';
import * as after from '../dist/store/sql/traces.js';

if (process.env.BENCH_BEFORE === undefined) throw new Error('BENCH_BEFORE names the dist folder of the build to compare with');
const before = await import(pathToFileURL(resolve(process.env.BENCH_BEFORE, 'store/sql/traces.js')).href);

const TRACES = Number(process.env.TRACES ?? 50_000);
const ENGINE = process.env.ENGINE ?? 'duckdb';
const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-sess-'));
const store = ENGINE === 'duckdb' ? await DuckDbStore.open({ path: join(dir, 'x.duckdb') }) : await ClickHouseStore.open({ database: 'bench', chdbPath: dir });
const hex = (n, w) => n.toString(16).padStart(w, '0');
const T0 = Date.now() * 1000 - 3_600_000_000;
const span = (o) => ({
  projectId: 'default',
  parentSpanId: null,
  traceState: '',
  flags: 1,
  name: 'op',
  kind: 'internal',
  serviceName: 'agent',
  status: { code: 'unset', message: '' },
  attributes: {},
  resource: { attributes: { 'service.name': o.serviceName ?? 'agent' }, droppedAttributesCount: 0, schemaUrl: '' },
  scope: { name: 'bench', version: '', attributes: {}, droppedAttributesCount: 0 },
  events: [],
  links: [],
  droppedAttributesCount: 0,
  droppedEventsCount: 0,
  droppedLinksCount: 0,
  llm: null,
  sessionId: null,
  userId: null,
  category: 'other',
  ...o,
});
for (let b = 0; b < TRACES; b += 1000) {
  const spans = [];
  for (let t = b; t < Math.min(TRACES, b + 1000); t++) {
    const traceId = hex(t, 32);
    const start = T0 + t * 60_000;
    spans.push(
      span({ traceId, spanId: hex(t * 16, 16), name: `run ${t % 16}`, startTimeUs: start, endTimeUs: start + 900_000, sessionId: `session ${t % 1000}` }),
    );
    for (let c = 1; c < 10; c++)
      spans.push(
        span({
          traceId,
          spanId: hex(t * 16 + c, 16),
          parentSpanId: hex(t * 16, 16),
          name: c % 2 ? 'chat gpt-4o' : 'tool',
          startTimeUs: start + c * 1000,
          endTimeUs: start + c * 1000 + 500,
          sessionId: `session ${t % 1000}`,
        }),
      );
  }
  await store.writer.write(batchOf({ spans, logs: [], metricPoints: [] }), null);
}
const q = (o) => ({
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
  ...o,
});
const cases = [
  ['sessionId (1 trace in 1,000)', q({ sessionId: 'session 7' })],
  ['name (every trace)', q({ spanName: 'chat gpt-4o' })],
  ['service + name', q({ service: 'agent', spanName: 'run 3' })],
];
const sql = store.sql;
for (const [label, query] of cases) {
  const times = { before: [], after: [] };
  for (let i = 0; i < 2 + 2 * Number(process.env.RUNS ?? 9); i++) {
    const side = i % 2 === 0 ? 'before' : 'after';
    const mod = side === 'before' ? before : after;
    const t = performance.now();
    const rows = await mod.listTraces(sql, query, null, 51);
    const ms = performance.now() - t;
    if (i >= 2) times[side].push(ms);
    if (i < 2) console.log(`  ${side}: ${rows.length} traces`);
  }
  const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
  console.log(
    `${ENGINE} ${TRACES * 10} spans, ${label}: before ${med(times.before).toFixed(1)} ms, after ${med(times.after).toFixed(1)} ms, after/before ${(med(times.after) / med(times.before)).toFixed(2)}`,
  );
}
await store.close();
await rm(dir, { recursive: true, force: true });
