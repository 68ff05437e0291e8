import { join } from 'node:path';
import type { TraceDetail, TraceListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/cli/demo.js';
import { migrateCommand } from '../src/cli/migrate.js';
import { ClickHouseStore } from '../src/store/clickhouse/clickhouse-store.js';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { ExperimentRecord, ExperimentResultRecord } from '../src/store/store.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { recordBatch } from './contract/per-test-store.js';
import { span } from './support/record-fixtures.js';
import { DEFAULT_RULE_NAMES } from '../src/alerting/default-rules.js';
import { type TestServer, getJson, startTestServer } from './support/server.js';

/** `spoor migrate`: an embedded store copied into ClickHouse, stopped halfway and resumed. */

let endpoint: ClickHouseEndpoint;
let dataDir: string;

beforeAll(async () => {
  endpoint = await startClickHouseEndpoint();
  const server = await startTestServer();
  dataDir = server.dataDir;
  await runDemo({ endpoint: server.url, runs: 12 });
  const rule = await fetch(`${server.url}/api/alerts/rules`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'slow', expr: 'p95(duration_ms)[5m] > 3s' }),
  });
  expect(rule.status).toBe(201);
  // The default rules it was given, deleted: they stay deleted on ClickHouse (the seed record moves with the rules).
  for (const name of DEFAULT_RULE_NAMES) expect((await fetch(`${server.url}/api/alerts/rules/${name}`, { method: 'DELETE' })).status).toBe(204);
  const evaluator = await fetch(`${server.url}/api/evaluators`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fast', kind: 'latency', target: 'trace', maxMs: 2000 }),
  });
  expect(evaluator.status).toBe(201);
  const json = { 'content-type': 'application/json' };
  expect((await fetch(`${server.url}/api/datasets`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'qa', description: 'moved' }) })).status).toBe(201);
  const added = await fetch(`${server.url}/api/datasets/qa/items`, { method: 'POST', headers: json, body: JSON.stringify({ items: [{ input: 'one' }, { input: 'two', expectedOutput: 2 }] }) });
  expect(added.status).toBe(201);
  const [first] = ((await added.json()) as { itemIds: string[] }).itemIds;
  expect((await fetch(`${server.url}/api/datasets/qa/items/${first}`, { method: 'DELETE' })).status).toBe(200);
  await server.stop({ keepData: true });
  // Experiments as the store keeps them (the API that makes them is not this test's), one in a
  // project that has nothing else.
  const store = await DuckDbStore.open({ path: join(dataDir, 'spoor.duckdb') });
  try {
    for (const [projectId, rows, results] of EXPERIMENTS) {
      for (const row of rows) await store.experiments.putExperiment(projectId, row);
      await store.experiments.addResults(projectId, results);
    }
    // The last snapshot of a span whose process died an hour ago: copied, and shown abandoned on both sides.
    await store.write(recordBatch({ runningSpans: [span({ traceId: RUNNING_TRACE, startTimeUs: NOW_US - 3_700_000_000, endTimeUs: 0, name: 'lost run' })], writtenUs: NOW_US - 3_600_000_000 }), null);
  } finally {
    await store.close();
  }
}, 60_000);

const NOW_US = Date.now() * 1000;
const RUNNING_TRACE = 'abc0abc0abc0abc0abc0abc0abc0abc0';
const experiment = (n: number, overrides: Partial<ExperimentRecord> = {}): ExperimentRecord => ({
  experimentId: String(n).repeat(32), name: 'nightly', dataset: 'qa', datasetVersion: 2, target: '{"kind":"sdk","replay":"tools"}', evaluators: '["fast"]', metadata: '{}',
  state: 'running', error: null, itemCount: 2, createdUs: NOW_US + n, timeUs: NOW_US + n, finishedUs: null, deleted: false, ...overrides,
});
const result = (n: number, item: string, overrides: Partial<ExperimentResultRecord> = {}): ExperimentResultRecord => ({
  experimentId: String(n).repeat(32), itemId: item.repeat(32), traceId: null, spanId: null, output: '"ok"', error: null, latencyMs: 20, inputTokens: 4, outputTokens: 2, costUsd: 0.001,
  timeUs: NOW_US + 10, ...overrides,
});
/** Per project, an experiment's rows and its results (an item run twice, one errored). */
const EXPERIMENTS: Array<[string, ExperimentRecord[], ExperimentResultRecord[]]> = [
  ['default', [experiment(1), experiment(1, { state: 'done', timeUs: NOW_US + 50, finishedUs: NOW_US + 50 }), experiment(2, { name: 'deleted' }), experiment(2, { name: 'deleted', timeUs: NOW_US + 60, deleted: true })],
    [result(1, 'a'), result(1, 'a', { output: '"again"', timeUs: NOW_US + 20 }), result(1, 'b', { output: null, error: 'threw', inputTokens: null, outputTokens: null, costUsd: null })]],
  ['lab', [experiment(3, { name: 'lab run', state: 'failed', error: 'no provider' })], [result(3, 'c')]],
];

afterAll(async () => {
  await endpoint?.close();
});

function output(): { io: { out: (t: string) => void; err: (t: string) => void; tty: boolean }; text: () => string } {
  let text = '';
  return { io: { out: (t) => (text += t), err: (t) => (text += t), tty: false }, text: () => text };
}

describe('spoor migrate', () => {
  it('copies every record and setting, resumes after a stop without copying anything twice, and compares the counts', async () => {
    const to = `${endpoint.url.replace(/^http/, 'clickhouse')}/migrated`;
    // Stopped after the third chunk of 40 rows.
    const stop = new AbortController();
    let chunks = 0;
    const first = output();
    const io = { ...first.io, chunkRows: 40, signal: stop.signal, err: (t: string) => (first.io.err(t), /\d+%/.test(t) && ++chunks === 3 && stop.abort()) };
    expect(await migrateCommand(['--from', dataDir, '--to', to], io)).toBe(130);
    expect(first.text()).toMatch(/stopped; run the same command again/);

    const second = output();
    expect(await migrateCommand(["--from", dataDir, "--to", to], { ...second.io, chunkRows: 40 }), second.text()).toBe(0);
    expect(second.text()).toMatch(/Every row was copied/);
    expect(second.text()).not.toMatch(/differs/);
    expect(second.text()).toMatch(/spans +\d+ +\d+\n/);
    expect(second.text()).toMatch(/running_spans +1 +1\n/);

    // Run again: everything is there already; nothing is copied twice.
    const third = output();
    expect(await migrateCommand(['--from', dataDir, '--to', to], third.io)).toBe(0);
    expect(third.text()).toMatch(/alert rules of default: copied before/);
    expect(third.text()).toMatch(/evaluators of default: copied before/);
    expect(third.text()).toMatch(/datasets of default: copied before/);
    expect(third.text()).toMatch(/experiments of default: copied before/);
    expect(third.text()).not.toMatch(/differs/);
  });

  it('copies every row of every experiment and its results, of a project that has nothing else too', async () => {
    const [duck, click] = [await DuckDbStore.open({ path: join(dataDir, 'spoor.duckdb') }), await ClickHouseStore.open({ url: `${endpoint.url}/migrated` })];
    try {
      for (const [projectId, rows, results] of EXPERIMENTS) {
        const copied = await click.experiments.allRows(projectId);
        expect(copied.experiments, projectId).toHaveLength(rows.length);
        expect(copied.results, projectId).toHaveLength(results.length);
        expect(copied, projectId).toEqual(await duck.experiments.allRows(projectId));
      }
      expect(await click.experiments.listExperiments('default', 'qa', 10)).toEqual([experiment(1, { state: 'done', timeUs: NOW_US + 50, finishedUs: NOW_US + 50 })]);
      expect(await click.experiments.getExperiment('lab', '3'.repeat(32))).toMatchObject({ state: 'failed', error: 'no provider' });
      expect(await click.experiments.resultTotals('default', ['1'.repeat(32)])).toEqual(await duck.experiments.resultTotals('default', ['1'.repeat(32)]));
    } finally {
      await click.close();
      await duck.close();
    }
  });

  it('serves from ClickHouse what the embedded store served', async () => {
    let duck: TestServer | null = null;
    let click: TestServer | null = null;
    try {
      duck = await startTestServer({ data: dataDir });
      click = await startTestServer({ store: 'clickhouse', clickhouseUrl: `${endpoint.url}/migrated` });
      const [a, b] = await Promise.all([getJson<TraceListResponse>(duck.url, '/api/traces?limit=100'), getJson<TraceListResponse>(click.url, '/api/traces?limit=100')]);
      // The demo's twelve runs, and the trace of the running span alone.
      expect(b.body.traces).toHaveLength(13);
      expect(b.body).toEqual(a.body);
      for (const id of [a.body.traces[0]!.traceId, RUNNING_TRACE]) {
        expect((await getJson<TraceDetail>(click.url, `/api/traces/${id}`)).body).toEqual((await getJson<TraceDetail>(duck.url, `/api/traces/${id}`)).body);
      }
      expect((await getJson<TraceDetail>(click.url, `/api/traces/${RUNNING_TRACE}`)).body.spans.map((s) => [s.name, s.state, s.durationMs])).toEqual([['lost run', 'abandoned', 100_000]]);
      expect((await getJson<{ rules: Array<{ spec: { name: string } }> }>(click.url, '/api/alerts/rules')).body.rules.map((r) => r.spec.name)).toEqual(['slow']);
      const evaluators = (await getJson<{ evaluators: Array<{ name: string; version: number; spec: unknown }> }>(click.url, '/api/evaluators')).body.evaluators;
      expect(evaluators.map(({ name, version, spec }) => ({ name, version, spec }))).toEqual([{ name: 'fast', version: 1, spec: expect.objectContaining({ kind: 'latency', maxMs: 2000 }) }]);
      // Every version of a dataset reads as it did.
      for (const path of ['/api/datasets', '/api/datasets/qa?version=2', '/api/datasets/qa/items?version=2', '/api/datasets/qa/items']) {
        const [from, to] = [await getJson(duck.url, path), await getJson(click.url, path)];
        expect(to.status, path).toBe(200);
        expect(to.body, path).toEqual(from.body);
      }
      expect((await getJson<{ itemCount: number; version: number }>(click.url, '/api/datasets/qa')).body).toMatchObject({ version: 3, itemCount: 1 });
    } finally {
      await click?.stop();
      await duck?.stop({ keepData: true });
    }
  });
});
