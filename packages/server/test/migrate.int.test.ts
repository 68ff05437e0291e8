import { join } from 'node:path';
import type { SamplingAnswer, Score, SpanStatsResponse, TraceDetail, TraceListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/cli/demo.js';
import { migrateCommand } from '../src/cli/migrate.js';
import { ClickHouseStore } from '../src/store/clickhouse/clickhouse-store.js';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { ExperimentRecord, ExperimentResultRecord, SamplingDecision } from '../src/store/store.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { recordBatch } from './contract/per-test-store.js';
import { emptyLlm, scoreRecord, span } from './support/record-fixtures.js';
import { DEFAULT_RULE_NAMES } from '../src/alerting/default-rules.js';
import { type TestServer, callJson, getJson, startTestServer } from './support/server.js';

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
  expect(
    (await fetch(`${server.url}/api/datasets`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'qa', description: 'moved' }) })).status,
  ).toBe(201);
  const added = await fetch(`${server.url}/api/datasets/qa/items`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ items: [{ input: 'one' }, { input: 'two', expectedOutput: 2 }] }),
  });
  expect(added.status).toBe(201);
  const [first] = ((await added.json()) as { itemIds: string[] }).itemIds;
  expect((await fetch(`${server.url}/api/datasets/qa/items/${first}`, { method: 'DELETE' })).status).toBe(200);
  expect((await callJson(server.url, 'PUT', `/api/projects/${SAMPLED}/sampling`, { rate: 0.1 })).status).toBe(200);
  // A review queue with an item reviewed and one waiting.
  const rubric = [{ name: 'helpful', type: 'numeric', min: 1, max: 5 }];
  expect((await callJson(server.url, 'POST', '/api/queues', { name: 'triage', rubric })).status).toBe(201);
  expect((await callJson(server.url, 'POST', '/api/queues/triage/items', { items: [{ sessionId: 's-1' }, { sessionId: 's-2' }] })).status).toBe(201);
  expect((await callJson(server.url, 'POST', '/api/queues/triage/next')).status).toBe(200);
  const reviewed = await callJson(server.url, 'POST', '/api/queues/triage/items/session%3As-1/submit', { scores: [{ name: 'helpful', value: 4 }] });
  expect(reviewed.status).toBe(200);
  // A prompt with two versions and its production label moved once.
  expect((await callJson(server.url, 'POST', '/api/prompts', { name: 'greet', prompt: 'Hi {{name}}', labels: ['production'] })).status).toBe(201);
  expect((await callJson(server.url, 'POST', '/api/prompts', { name: 'greet', prompt: [{ role: 'system', content: 'Greet {{name}}' }] })).status).toBe(201);
  expect((await callJson(server.url, 'PUT', '/api/prompts/greet/labels/production', { version: 2 })).status).toBe(200);
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
    await store.writer.write(
      recordBatch({
        runningSpans: [span({ traceId: RUNNING_TRACE, startTimeUs: NOW_US - 3_700_000_000, endTimeUs: 0, name: 'lost run' })],
        writtenUs: NOW_US - 3_600_000_000,
      }),
      null,
    );
    // Tail sampling's traces, decided as the sampler does: most sampled out (their spans moved to
    // span_stats, their response ids with them), then a judge's score by response id of one of them.
    await store.writer.write(recordBatch({ spans: SAMPLED_TRACES.flatMap(sampledTrace) }), null);
    await store.sampling.record(SAMPLED, SAMPLED_DECISIONS);
    await store.sampling.slim(
      SAMPLED,
      SAMPLED_DECISIONS.filter((d) => !d.kept).map((d) => d.traceId),
    );
    await store.writer.write(recordBatch({ scores: [JUDGED], writtenUs: NOW_US }), null);
  } finally {
    await store.close();
  }
}, 60_000);

const NOW_US = Date.now() * 1000;
const RUNNING_TRACE = 'abc0abc0abc0abc0abc0abc0abc0abc0';
const experiment = (n: number, overrides: Partial<ExperimentRecord> = {}): ExperimentRecord => ({
  experimentId: String(n).repeat(32),
  name: 'nightly',
  dataset: 'qa',
  datasetVersion: 2,
  target: '{"kind":"sdk","replay":"tools"}',
  evaluators: '["fast"]',
  metadata: '{}',
  state: 'running',
  error: null,
  itemCount: 2,
  createdUs: NOW_US + n,
  timeUs: NOW_US + n,
  finishedUs: null,
  deleted: false,
  ...overrides,
});
const result = (n: number, item: string, overrides: Partial<ExperimentResultRecord> = {}): ExperimentResultRecord => ({
  experimentId: String(n).repeat(32),
  itemId: item.repeat(32),
  traceId: null,
  spanId: null,
  output: '"ok"',
  error: null,
  latencyMs: 20,
  inputTokens: 4,
  outputTokens: 2,
  costUsd: 0.001,
  timeUs: NOW_US + 10,
  unpricedCalls: 0,
  ...overrides,
});
/** Per project, an experiment's rows and its results (an item run twice, one errored). */
const EXPERIMENTS: Array<[string, ExperimentRecord[], ExperimentResultRecord[]]> = [
  [
    'default',
    [
      experiment(1),
      experiment(1, { state: 'done', timeUs: NOW_US + 50, finishedUs: NOW_US + 50 }),
      experiment(2, { name: 'deleted' }),
      experiment(2, { name: 'deleted', timeUs: NOW_US + 60, deleted: true }),
    ],
    [
      result(1, 'a'),
      result(1, 'a', { output: '"again"', timeUs: NOW_US + 20 }),
      result(1, 'b', { output: null, error: 'threw', inputTokens: null, outputTokens: null, costUsd: null }),
    ],
  ],
  ['lab', [experiment(3, { name: 'lab run', state: 'failed', error: 'no provider' })], [result(3, 'c')]],
];

/** A project under a sampling policy: 30 traces of a workflow, a step and an LLM call; the first 5 kept, 25 sampled out. */
const SAMPLED = 'sampled';
const SAMPLED_TRACES = Array.from({ length: 30 }, (_, n) => n);
const SAMPLED_OUT = 25;
const SAMPLED_FROM_US = NOW_US - 1_800_000_000;
const sampledId = (n: number): string => `5a${n.toString(16).padStart(30, '0')}`;
const callIdOf = (n: number): string => `ca${n.toString(16).padStart(14, '0')}`;
function sampledTrace(n: number) {
  const traceId = sampledId(n);
  const startUs = SAMPLED_FROM_US + n * 1_000_000;
  const at = { projectId: SAMPLED, traceId, serviceName: 'qa-agent', sessionId: `s-${n % 3}` };
  const root = span({
    ...at,
    spanId: `b0${n.toString(16).padStart(14, '0')}`,
    name: 'answer',
    category: 'workflow',
    startTimeUs: startUs,
    endTimeUs: startUs + 900_000 + n * 1000,
  });
  const step = span({
    ...at,
    spanId: `c0${n.toString(16).padStart(14, '0')}`,
    parentSpanId: root.spanId,
    name: 'plan',
    category: 'step',
    startTimeUs: startUs + 10_000,
    endTimeUs: startUs + 800_000 + n * 700,
    status: n % 10 === 9 ? { code: 'error', message: 'the planner failed' } : { code: 'unset', message: '' },
    attributes: { 'cache.hit': n % 2 === 0 },
  });
  const call = span({
    ...at,
    spanId: callIdOf(n),
    parentSpanId: step.spanId,
    name: 'chat gpt-4o',
    kind: 'client',
    category: 'llm',
    startTimeUs: startUs + 20_000,
    endTimeUs: startUs + 500_000 + n * 3000,
    attributes: { 'gen_ai.response.id': `resp-${n}`, 'gen_ai.input.messages': `question ${n}` },
    llm: {
      ...emptyLlm(),
      provider: 'openai',
      requestModel: n % 4 === 0 ? 'gpt-4o-mini' : 'gpt-4o',
      inputTokens: 40 + n,
      outputTokens: 7 + (n % 5),
      totalTokens: 47 + n + (n % 5),
      costUsd: 0.001 * (n + 1),
    },
  });
  return [root, step, call];
}
const SAMPLED_DECISIONS: SamplingDecision[] = SAMPLED_TRACES.map((n) => ({
  traceId: sampledId(n),
  kept: n < SAMPLED_TRACES.length - SAMPLED_OUT,
  reason: n < SAMPLED_TRACES.length - SAMPLED_OUT ? 'rate' : 'sampled_out',
  startUs: SAMPLED_FROM_US + n * 1_000_000,
  endUs: SAMPLED_FROM_US + n * 1_000_000 + 900_000 + n * 1000,
  decidedUs: NOW_US - 60_000_000,
}));
/** A judge's score of a sampled-out LLM call, by its response id alone. */
const JUDGED_CALL = 17;
const JUDGED = scoreRecord({
  projectId: SAMPLED,
  timeUs: NOW_US - 30_000_000,
  traceId: null,
  spanId: null,
  responseId: `resp-${JUDGED_CALL}`,
  name: 'faithful',
  value: 0.75,
  source: 'otel',
  author: 'judge',
});

afterAll(async () => {
  await endpoint?.close();
});

function output(): { io: { out: (t: string) => void; err: (t: string) => void; tty: boolean }; text: () => string } {
  let text = '';
  return { io: { out: (t) => (text += t), err: (t) => (text += t), tty: false }, text: () => text };
}

/**
 * Runs `check` against a server on the DuckDB data directory and one on the migrated ClickHouse
 * database, then stops both (the data directory kept for the next test).
 */
async function onBoth(check: (duck: TestServer, click: TestServer) => Promise<void>): Promise<void> {
  let duck: TestServer | null = null;
  let click: TestServer | null = null;
  try {
    duck = await startTestServer({ data: dataDir });
    click = await startTestServer({ store: 'clickhouse', clickhouseUrl: `${endpoint.url}/migrated` });
    await check(duck, click);
  } finally {
    await click?.stop();
    await duck?.stop({ keepData: true });
  }
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

    // Stopped again after the first chunk of the sampled-out spans (75 rows).
    const again = new AbortController();
    const resumed = output();
    const stopInSpanStats = {
      ...resumed.io,
      chunkRows: 40,
      signal: again.signal,
      err: (t: string) => (resumed.io.err(t), /^span_stats +\[#+-+\] +[1-9]\d?% /.test(t) && again.abort()),
    };
    expect(await migrateCommand(['--from', dataDir, '--to', to], stopInSpanStats), resumed.text()).toBe(130);
    expect(resumed.text()).toMatch(/span_stats .* 40\/75\n/);

    const second = output();
    expect(await migrateCommand(['--from', dataDir, '--to', to], { ...second.io, chunkRows: 40 }), second.text()).toBe(0);
    expect(second.text()).toMatch(/Every row was copied/);
    expect(second.text()).not.toMatch(/differs/);
    expect(second.text()).toMatch(/spans +\d+ +\d+\n/);
    expect(second.text()).toMatch(/running_spans +1 +1\n/);
    // The spans of the sampled-out traces, each trace's decision and the project's policy.
    expect(second.text()).toMatch(/\n {2}span_stats +75 +75\n/);
    expect(second.text()).toMatch(/\n {2}sampling_decisions +30 +30\n/);
    expect(second.text()).toMatch(/sampling policies: 1\n/);

    // Run again: everything is there already; nothing is copied twice.
    const third = output();
    expect(await migrateCommand(['--from', dataDir, '--to', to], third.io)).toBe(0);
    expect(third.text()).toMatch(/alert rules of default: copied before/);
    expect(third.text()).toMatch(/evaluators of default: copied before/);
    expect(third.text()).toMatch(/datasets of default: copied before/);
    expect(third.text()).toMatch(/experiments of default: copied before/);
    expect(third.text()).toMatch(/sampling policies: copied before/);
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
      expect(await click.experiments.listExperiments('default', 'qa', 10)).toEqual([
        experiment(1, { state: 'done', timeUs: NOW_US + 50, finishedUs: NOW_US + 50 }),
      ]);
      expect(await click.experiments.getExperiment('lab', '3'.repeat(32))).toMatchObject({ state: 'failed', error: 'no provider' });
      expect(await click.experiments.resultTotals('default', ['1'.repeat(32)])).toEqual(await duck.experiments.resultTotals('default', ['1'.repeat(32)]));
    } finally {
      await click.close();
      await duck.close();
    }
  });

  it('serves from ClickHouse what the embedded store served', async () => {
    await onBoth(async (duck, click) => {
      const [a, b] = await Promise.all([
        getJson<TraceListResponse>(duck.url, '/api/traces?limit=100'),
        getJson<TraceListResponse>(click.url, '/api/traces?limit=100'),
      ]);
      // The demo's twelve runs, and the trace of the running span alone.
      expect(b.body.traces).toHaveLength(13);
      expect(b.body).toEqual(a.body);
      for (const id of [a.body.traces[0]!.traceId, RUNNING_TRACE]) {
        expect((await getJson<TraceDetail>(click.url, `/api/traces/${id}`)).body).toEqual((await getJson<TraceDetail>(duck.url, `/api/traces/${id}`)).body);
      }
      expect((await getJson<TraceDetail>(click.url, `/api/traces/${RUNNING_TRACE}`)).body.spans.map((s) => [s.name, s.state, s.durationMs])).toEqual([
        ['lost run', 'abandoned', 100_000],
      ]);
      expect((await getJson<{ rules: Array<{ spec: { name: string } }> }>(click.url, '/api/alerts/rules')).body.rules.map((r) => r.spec.name)).toEqual([
        'slow',
      ]);
      const evaluators = (await getJson<{ evaluators: Array<{ name: string; version: number; spec: unknown }> }>(click.url, '/api/evaluators')).body.evaluators;
      expect(evaluators.map(({ name, version, spec }) => ({ name, version, spec }))).toEqual([
        { name: 'fast', version: 1, spec: expect.objectContaining({ kind: 'latency', maxMs: 2000 }) },
      ]);
      // Every version of a dataset reads as it did.
      for (const path of ['/api/datasets', '/api/datasets/qa?version=2', '/api/datasets/qa/items?version=2', '/api/datasets/qa/items']) {
        const [from, to] = [await getJson(duck.url, path), await getJson(click.url, path)];
        expect(to.status, path).toBe(200);
        expect(to.body, path).toEqual(from.body);
      }
      expect((await getJson<{ itemCount: number; version: number }>(click.url, '/api/datasets/qa')).body).toMatchObject({ version: 3, itemCount: 1 });
      // A review queue reads as it did: its items, reviews and progress.
      for (const path of ['/api/queues', '/api/queues/triage', '/api/queues/triage/items', '/api/queues/triage/items/session%3As-1']) {
        const [from, to] = [await getJson(duck.url, path), await getJson(click.url, path)];
        expect(to.status, path).toBe(200);
        expect(to.body, path).toEqual(from.body);
      }
      expect((await getJson<{ progress: { done: number } }>(click.url, '/api/queues/triage')).body.progress.done).toBe(1);
      // A prompt reads as it did: its versions, its label and the label's history.
      for (const path of ['/api/prompts', '/api/prompts/greet', '/api/prompts/greet/versions', '/api/prompts/greet/labels/production/history']) {
        const [from, to] = [await getJson(duck.url, path), await getJson(click.url, path)];
        expect(to.status, path).toBe(200);
        expect(to.body, path).toEqual(from.body);
      }
      expect((await getJson<{ version: number }>(click.url, '/api/prompts/greet')).body.version).toBe(2);
    });
  });

  it("keeps what tail sampling left: the sampled-out traces' statistics, their marks, the policy, and a score by response id on its span", async () => {
    await onBoth(async (duck, click) => {
      const from = new Date(SAMPLED_FROM_US / 1000 - 60_000).toISOString();
      const get = async <T>(server: TestServer, path: string): Promise<T> => {
        const answer = await callJson<T>(server.url, 'GET', path, undefined, { headers: { 'spoor-project': SAMPLED } });
        expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(200);
        return answer.body;
      };
      // Sums of doubles differ in their last bits with the order rows are added in: to 12 digits.
      const rounded = (value: unknown): unknown =>
        JSON.parse(JSON.stringify(value), (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v));
      for (const groupBy of ['name', 'model']) {
        const path = `/api/stats/spans?from=${from}&groupBy=${groupBy}`;
        const [a, b] = [await get<SpanStatsResponse>(duck, path), await get<SpanStatsResponse>(click, path)];
        // Every span counts, kept or sampled out: 30 traces of 3 spans (grouped by model, 60 with none).
        expect(
          a.groups.reduce((n, g) => n + g.count, 0),
          path,
        ).toBe(90);
        expect(rounded(b), path).toEqual(rounded(a));
      }
      const list = `/api/traces?from=${from}&limit=100`;
      const [a, b] = [await get<TraceListResponse>(duck, list), await get<TraceListResponse>(click, list)];
      expect(a.traces.filter((t) => t.sampledOut === true)).toHaveLength(SAMPLED_OUT);
      expect(a.sampling).toEqual({ kept: 30 - SAMPLED_OUT, total: 30 });
      expect(b).toEqual(a);
      const policy = `/api/projects/${SAMPLED}/sampling`;
      expect(await get<SamplingAnswer>(click, policy)).toEqual(await get<SamplingAnswer>(duck, policy));
      expect((await get<SamplingAnswer>(click, policy)).policy).toMatchObject({ rate: 0.1 });
      // The judge's score named only a response id; the sampled-out call it names is found on both.
      const scores = `/api/scores?from=${from}&traceId=${sampledId(JUDGED_CALL)}`;
      const found = await get<{ scores: Score[] }>(click, scores);
      expect(found.scores).toEqual([
        expect.objectContaining({ traceId: sampledId(JUDGED_CALL), spanId: callIdOf(JUDGED_CALL), responseId: `resp-${JUDGED_CALL}`, value: 0.75 }),
      ]);
      expect(found).toEqual(await get<{ scores: Score[] }>(duck, scores));
    });
  });
});
