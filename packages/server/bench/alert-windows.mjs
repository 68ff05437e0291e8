// npm run bench:alert-windows — what the default alert rules' reads cost a DuckDB store as it fills,
// kept by slices between rounds (AlertSliceCache, what the server does) against read whole (each
// window's statement, as before). In one process: each round writes 15 s of spans (BENCH_RATE
// spans/s, default 10,000; traces of 10 spans: a workflow, LLM calls and steps, 1 in 50 failed),
// then reads the five sliced default rules (error rate over 5 min, cost per workflow over 1 h, the
// three longest-duration rules over 5 min) both ways, and prints the CPU of each read set (the
// process's, DuckDB's threads included) and whether both gave the same values. BENCH_ROUNDS
// (default 24: 6 minutes of spans). BENCH_SLICES_FROM: the spans a window holds before it is kept by
// slices (the store's `alertSlicesFromSpans`; default the store's own, 0 to keep every window by slices).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { SqlAlertSeriesReader } from '../dist/store/sql/sql-reads.js';
import { batchOf } from '../dist/store/tables.js';
import { median } from './lib.mjs';

const rate = Number(process.env.BENCH_RATE ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 24);
const SEC = 1_000_000;
const MIN = 60 * SEC;
const by = (...names) => names.map((name) => ({ name, attribute: false }));
const category = (value) => [{ name: 'category', attribute: false, op: '=', value }];
const RULES = [
  { source: 'spans', fn: 'error_rate', matchers: [], by: by('service'), stepUs: 5 * MIN },
  { source: 'spans', fn: 'cost_per_workflow', matchers: [], by: by('service'), stepUs: 60 * MIN },
  { source: 'duration', fn: 'max', matchers: category('workflow'), by: by('service', 'name'), stepUs: 5 * MIN },
  { source: 'duration', fn: 'max', matchers: category('step'), by: by('service', 'name'), stepUs: 5 * MIN },
  { source: 'duration', fn: 'max', matchers: category('llm'), by: by('service', 'model'), stepUs: 5 * MIN },
];

const hex = (n, width) => n.toString(16).padStart(width, '0');
const llm = {
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini',
  inputTokens: 900,
  outputTokens: 120,
  totalTokens: 1020,
  cacheReadInputTokens: null,
  cacheCreationInputTokens: null,
  reasoningTokens: null,
  costUsd: 0.0002,
  costSource: null,
  timeToFirstTokenMs: null,
  finishReasons: null,
};
let spanCount = 0;
function span(trace, parent, endUs, durationUs, over) {
  const service = `agent-${trace % 3}`;
  return {
    projectId: 'default',
    traceId: hex(trace, 32),
    spanId: hex(++spanCount, 16),
    parentSpanId: parent,
    traceState: '',
    flags: 1,
    name: 'op',
    kind: 'internal',
    serviceName: service,
    startTimeUs: endUs - durationUs,
    endTimeUs: endUs,
    status: { code: trace % 50 === 0 ? 'error' : 'unset', message: '' },
    attributes: {},
    resource: { attributes: { 'service.name': service }, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: 'bench', version: '1', attributes: {}, droppedAttributesCount: 0 },
    events: [],
    links: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    llm: null,
    sessionId: null,
    userId: null,
    category: 'other',
    ...over,
  };
}

const cpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};
async function timed(read) {
  const before = cpuMs();
  const rows = [];
  for (const rule of RULES) rows.push(await read(rule));
  return { ms: cpuMs() - before, values: JSON.stringify(rows.map((r) => r.map((x) => [x.labels, x.value.toPrecision(9)]).sort())) };
}

const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-alert-windows-'));
const slicesFrom = process.env.BENCH_SLICES_FROM === undefined ? {} : { alertSlicesFromSpans: Number(process.env.BENCH_SLICES_FROM) };
const store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb'), ...slicesFrom });
// The alert series as every engine reads them without slices: each window read whole.
const unsliced = new SqlAlertSeriesReader(store.sql);
const startUs = Math.floor(Date.now() / 15_000) * 15 * SEC - rounds * 15 * SEC;
let trace = 0;
const ratios = [];
let differed = 0;
try {
  for (let round = 0; round < rounds; round++) {
    const fromUs = startUs + round * 15 * SEC;
    const spans = rate * 15;
    for (let sent = 0; sent < spans; sent += 1000) {
      const batch = [];
      for (let t = 0; t < 100; t++) {
        const endUs = fromUs + Math.floor(((sent + t * 10) / spans) * 15 * SEC);
        const root = span(++trace, null, endUs, 2 * SEC, { name: 'agent', category: 'workflow' });
        batch.push(root);
        for (let c = 0; c < 9; c++) {
          batch.push(
            span(trace, root.spanId, endUs - 1000 * c, 500_000, c % 2 === 1 ? { name: 'chat', category: 'llm', llm } : { name: 'search', category: 'step' }),
          );
        }
      }
      await store.writer.write(batchOf({ spans: batch, logs: [], metricPoints: [] }), null);
    }
    // A round a few seconds after the slice's end, as the alert engine's rounds fall.
    const nowUs = fromUs + 18 * SEC;
    const query = (rule) => ({ projectId: 'default', ...rule, startUs: nowUs - rule.stepUs, buckets: 1 });
    // Which goes first alternates: the first may find fewer of the pages in DuckDB's cache.
    const readKept = () => timed((rule) => store.alertSeries.read(query(rule)));
    const readWhole = () => timed((rule) => unsliced.read(query(rule)));
    const [kept, whole] = round % 2 === 0 ? [await readKept(), await readWhole()] : await readWhole().then(async (w) => [await readKept(), w]);
    if (kept.values !== whole.values) differed++;
    ratios.push(kept.ms / whole.ms);
    console.log(
      `round ${round + 1}: ${spanCount} spans stored; kept by slices ${kept.ms.toFixed(0)} ms CPU, read whole ${whole.ms.toFixed(0)} ms CPU (${(kept.ms / whole.ms).toFixed(2)}x); ${kept.values === whole.values ? 'same values' : 'VALUES DIFFER'}`,
    );
  }
  console.log(`kept / whole, median of the last 4 rounds: ${median(ratios.slice(-4)).toFixed(2)}x; rounds whose values differed: ${differed}`);
} finally {
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
if (differed > 0) process.exit(1);
