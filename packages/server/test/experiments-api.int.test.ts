import { type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Experiment, ExperimentComparison, ExperimentResultsResponse, ComparedItemDetail, TraceDetail, TraceListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { runDemo } from '../src/cli/demo.js';
import { spoorCli } from './support/cli.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, callJson, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * Experiments end to end on a running server, on DuckDB and on ClickHouse: a dataset made from
 * the demo's recorded LLM calls runs as two LLM-call experiments (a model that answers what the
 * recording expects and one that does not) against the loopback fake LLM with the real `openai`
 * client, scored by a deterministic evaluator and an LLM judge; the comparison shows per-item and
 * total deltas; `spoor experiments compare --fail-on-regression` fails the regression and passes
 * the improvement; a provider failing one item errors that item only; bad input is a clear 4xx.
 */

const GOOD = 'gpt-4o';
const BAD = 'gpt-4o-mini';
const UNSURE = "I don't know.";
/** An item whose input holds this makes the provider fail (a 500), whatever the model. */
const FAILING = 'Summarise the refund thread';
const HAND_ITEMS: ReadonlyArray<[string, string]> = [
  ['What is the boiling point of water at sea level?', '100 °C'],
  ['Name the largest planet of the solar system.', 'Jupiter'],
  ['How many sides has a hexagon?', 'Six'],
  ['Translate "merci" into English.', 'Thank you'],
  ['What gas do plants take in?', 'Carbon dioxide'],
  ['Which metal is liquid at room temperature?', 'Mercury'],
  [`${FAILING} for the customer.`, 'The customer was refunded twice.'],
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read fields of many answer shapes
type Answer = Record<string, any>;

async function experimentServer(storeName: 'duckdb' | 'clickhouse') {
  const fake = await startFakeLlm();
  const dir = await mkdtemp(join(tmpdir(), 'spoor-experiments-'));
  const keyFile = join(dir, 'provider-key');
  await writeFile(keyFile, 'sk-experiment-test');
  const endpoint: ClickHouseEndpoint | null = storeName === 'clickhouse' ? await startClickHouseEndpoint() : null;
  const store = endpoint === null ? {} : { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/experiments` };
  const server = await startTestServer({ provider: [`openai=file:${keyFile},base=${fake.baseUrl}/v1,timeout=5s`], ...store });
  return {
    fake,
    server,
    dir,
    stop: async () => {
      await server.stop();
      await endpoint?.close();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The text of a chat request's last user message. */
function lastUserText(request: Record<string, unknown>): string {
  const messages = (request.messages ?? []) as Array<{ role: string; content: unknown }>;
  const user = [...messages].reverse().find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
}

describe.each(['duckdb', 'clickhouse'] as const)('experiments on a running server (%s store)', (storeName) => {
  let env: Awaited<ReturnType<typeof experimentServer>>;
  let fake: FakeLlm;
  let server: TestServer;
  const call = (method: string, path: string, body?: unknown) => callJson<Answer>(server.url, method, path, body);
  /** Per recorded call's last user message, its recorded answer: what the good model says. */
  const expectedByInput = new Map<string, string>();
  const children = new Set<ChildProcess>();
  const cli = spoorCli(() => env.dir, children);

  beforeAll(async () => {
    env = await experimentServer(storeName);
    ({ fake, server } = env);
    fake.answerWith((request) => {
      const prompt = JSON.stringify(request.messages ?? []);
      // The judge: a structured answer, high for a reply that answers, low for one that does not.
      if (request.response_format !== undefined)
        return {
          text: JSON.stringify({ explanation: 'judged', score: prompt.includes("don't know") ? 0.1 : 0.9 }),
          usage: { inputTokens: 200, outputTokens: 20 },
        };
      const input = lastUserText(request);
      if (input.includes(FAILING)) return { error: { status: 500, message: 'the model is overloaded' } };
      return {
        text: request.model === GOOD ? (expectedByInput.get(input) ?? 'unknown input') : UNSURE,
        usage: { inputTokens: 50, outputTokens: request.model === GOOD ? 30 : 5 },
      };
    });
  }, 60_000);
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await env?.stop();
  });

  let dataset: { name: string; itemIds: string[] };
  let bad: Experiment;
  let good: Experiment;

  it("makes a dataset of the demo's recorded LLM calls", async () => {
    await runDemo({ endpoint: server.url, runs: 4 });
    const traces = await until('the demo stored', async () => {
      const list = (await call('GET', '/api/traces?limit=100')).body as TraceListResponse;
      return list.traces.length >= 4 ? list : undefined;
    });
    const items: Array<{ fromTrace: { traceId: string; spanId: string } }> = [];
    // The main run (the newest), its planner's and researcher's calls: the first two with messages.
    for (const t of traces.traces.slice(0, 1)) {
      const detail = (await call('GET', `/api/traces/${t.traceId}`)).body as TraceDetail;
      for (const span of detail.spans) {
        if (items.length === 2) break;
        if (span.llm === null || span.status.code === 'error') continue;
        const llm = (await call('GET', `/api/traces/${t.traceId}/spans/${span.spanId}/llm`)).body as Answer;
        const input = llm.messages?.input as Array<{ role: string; parts: Array<{ type: string; content?: string }> }> | undefined;
        const output = llm.messages?.output as typeof input;
        const user = input
          ?.filter((m) => m.role === 'user')
          .at(-1)
          ?.parts.map((p) => p.content ?? '')
          .join('');
        const answer = output?.map((m) => m.parts.map((p) => p.content ?? '').join('')).join('\n');
        if (user === undefined || user === '' || answer === undefined || answer === '' || expectedByInput.has(user)) continue;
        expectedByInput.set(user, answer);
        items.push({ fromTrace: { traceId: t.traceId, spanId: span.spanId } });
      }
    }
    expect(items).toHaveLength(2);
    // Beside them, items written by hand: an input, and the answer expected of it.
    const byHand = HAND_ITEMS.map(([input, expectedOutput]) => {
      expectedByInput.set(input, expectedOutput);
      return { input, expectedOutput, metadata: { origin: 'hand' } };
    });
    expect((await call('POST', '/api/datasets', { name: 'demo-calls' })).status).toBe(201);
    const added = await call('POST', '/api/datasets/demo-calls/items', { items: [...items, ...byHand] });
    expect(added.status).toBe(201);
    dataset = { name: 'demo-calls', itemIds: added.body.itemIds as string[] };
    expect(added.body.version).toBe(2);
  }, 60_000);

  it('says how many calls an experiment on a model without a price leaves out of its cost', async () => {
    const made = await call('POST', '/api/experiments', {
      dataset: dataset.name,
      name: 'demo on an unpriced model',
      target: { kind: 'llm-call', provider: 'openai', model: 'acme-unpriced-1' },
      evaluators: [],
    });
    expect(made.status).toBe(201);
    const done = await until(
      'the unpriced run done',
      async () => {
        const experiment = (await call('GET', `/api/experiments/${made.body.id}`)).body as Experiment;
        return experiment.state === 'running' ? undefined : experiment;
      },
      60_000,
    );
    const n = dataset.itemIds.length;
    expect(done).toMatchObject({ state: 'done', itemsErrored: 1, costUsd: null, unpricedCalls: n - 1 });
    const results = (await call('GET', `/api/experiments/${made.body.id}/results?limit=1000`)).body as ExperimentResultsResponse;
    expect(results.results.filter((r) => r.error === null).map((r) => [r.costUsd, r.unpricedCalls])).toEqual(Array.from({ length: n - 1 }, () => [null, 1]));
    expect((await call('DELETE', `/api/experiments/${made.body.id}`)).status).toBe(204);
  }, 90_000);

  it('runs two LLM-call experiments, scored by a deterministic evaluator and an LLM judge', async () => {
    expect((await call('PUT', '/api/evaluators/exact', { kind: 'equals', target: 'trace' })).status).toBe(201);
    const judge = await call('PUT', '/api/evaluators/judge', {
      kind: 'llm-judge',
      target: 'llm',
      provider: 'openai',
      model: 'judge-model',
      output: { type: 'number', min: 0, max: 1 },
      prompt: 'Does the reply say what was expected?\n<reply>{{output}}</reply>\n<expected>{{expected}}</expected>',
    });
    expect(judge.status).toBe(201);
    const run = async (model: string): Promise<Experiment> => {
      const made = await call('POST', '/api/experiments', {
        dataset: dataset.name,
        name: `demo on ${model}`,
        target: { kind: 'llm-call', provider: 'openai', model },
        evaluators: ['exact', 'judge'],
        concurrency: 3,
      });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ state: 'running', datasetVersion: 2, itemCount: dataset.itemIds.length });
      return until(
        `${model} done`,
        async () => {
          const experiment = (await call('GET', `/api/experiments/${made.body.id}`)).body as Experiment;
          return experiment.state === 'running' ? undefined : experiment;
        },
        60_000,
      );
    };
    bad = await run(BAD);
    good = await run(GOOD);
    const n = dataset.itemIds.length;
    // The provider failed one item of each run: errored, with its error, and the rest went on.
    expect(bad).toMatchObject({ state: 'done', itemsDone: n, itemsErrored: 1 });
    expect(good).toMatchObject({ state: 'done', itemsDone: n, itemsErrored: 1 });
    const results = (await call('GET', `/api/experiments/${good.id}/results?limit=1000`)).body as ExperimentResultsResponse;
    const errored = results.results.filter((r) => r.error !== null);
    expect(errored).toHaveLength(1);
    expect(errored[0]!.error).toContain('overloaded');
    expect(errored[0]!.traceId).toBeNull();
    for (const r of results.results.filter((x) => x.error === null)) {
      expect(r.output).toBe(r.expectedOutput);
      expect(r.scores.exact).toEqual({ value: 1, label: 'pass' });
      expect(r.scores.judge!.value).toBe(0.9);
      expect(r.inputTokens).toBe(50);
      expect(r.outputTokens).toBe(30);
      expect(r.costUsd).toBeGreaterThan(0);
      expect(r.unpricedCalls).toBe(0);
    }
    expect(good.unpricedCalls).toBe(0);
    expect(good.scores.find((s) => s.name === 'exact')).toMatchObject({ mean: 1, count: n - 1 });
    expect(bad.scores.find((s) => s.name === 'exact')).toMatchObject({ mean: 0, count: n - 1 });
    expect(bad.scores.find((s) => s.name === 'judge')!.mean).toBeCloseTo(0.1, 9);
    // The runs are traces of their own, linked to the recorded calls, and online evaluators leave them alone.
    const traces = (await call('GET', `/api/traces?attr=spoor.experiment.id=${good.id}&origin=spoor&limit=100`)).body as TraceListResponse;
    expect(traces.traces).toHaveLength(n - 1);
    // Listed newest first, per dataset.
    const listed = (await call('GET', `/api/experiments?dataset=${dataset.name}`)).body.experiments as Experiment[];
    expect(listed.map((e) => e.id)).toEqual([good.id, bad.id]);
    expect((await call('GET', `/api/experiments/${encodeURIComponent(`demo on ${GOOD}`)}`)).body.id).toBe(good.id);
  }, 120_000);

  it('compares the two item by item, with totals and a paired test', async () => {
    const answer = await call('GET', `/api/experiments/${bad.id}/compare/${good.id}`);
    expect(answer.status).toBe(200);
    const c = answer.body as ExperimentComparison;
    const n = dataset.itemIds.length;
    // The item that errored on both sides is no worse.
    expect(c.verdicts).toEqual({ better: n - 1, worse: 0, same: 1, errored: 0, fixed: 0, missing: 0 });
    const exact = c.scores.find((s) => s.name === 'exact')!;
    expect(exact).toMatchObject({ meanA: 0, meanB: 1, delta: 1, pairs: n - 1, better: n - 1, worse: 0 });
    if (n - 1 >= 5) expect(exact.wilcoxon!.pValue).toBeLessThan(0.1);
    expect(c.deltas.outputTokens).toBe((n - 1) * 25);
    const item = c.items.find((i) => i.verdict === 'better')!;
    expect(item.outputDiff).toEqual(expect.arrayContaining([{ op: '-', text: UNSURE }]));
    expect(item.scores.find((s) => s.name === 'judge')!.delta).toBeCloseTo(0.8, 9);
    expect(item.deltas.outputTokens).toBe(25);
    expect(item.traceDiff).toBe(`/api/traces/${item.a!.traceId}/diff/${item.b!.traceId}`);
    // Worst first: the better items last.
    expect(c.items.map((i) => i.verdict)).toEqual(['same', ...Array.from({ length: n - 1 }, () => 'better')]);
    const detail = (await call('GET', `/api/experiments/${bad.id}/compare/${good.id}/items/${item.itemId}`)).body as ComparedItemDetail;
    expect(detail.traceDiffDetail!.a.traceId).toBe(item.a!.traceId);
    expect(detail.traceDiffDetail!.b.traceId).toBe(item.b!.traceId);
    // The two runs line up (their roots are named after their experiments): root to root, call to call.
    expect([detail.traceDiffDetail!.added, detail.traceDiffDetail!.removed]).toEqual([[], []]);
    expect(detail.traceDiffDetail!.rows.map((r) => r.kind)).not.toContain('added');
  });

  it('spoor experiments compare fails a regression and passes an improvement', async () => {
    const improved = await cli.run(['experiments', 'compare', bad.id, good.id, '--fail-on-regression', '--metric', 'exact', '--url', server.url]);
    expect(improved.stderr).toBe('');
    expect(improved.code).toBe(0);
    expect(improved.stdout).toContain('exact: 0 -> 1 (+1)');
    expect(improved.stdout).toContain('No regression');
    const regressed = await cli.run(['experiments', 'compare', good.id, bad.id, '--fail-on-regression', '--url', server.url]);
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toContain('Got worse');
    expect(regressed.stdout).toContain('Regression: exact fell by 1');
    // Within a tolerance as wide as the fall it is none.
    const tolerated = await cli.run(['experiments', 'compare', good.id, bad.id, '--fail-on-regression', '--tolerance', '1', '--url', server.url]);
    expect(tolerated.stdout + tolerated.stderr).toContain('No regression');
    expect(tolerated.code).toBe(0);
  }, 60_000);

  it('records every item of a run larger than a recording batch, at concurrency 8', async () => {
    const items = Array.from({ length: 130 }, (_, i) => ({ input: `Count to ${i}.`, expectedOutput: String(i) }));
    expect((await call('POST', '/api/datasets', { name: 'many' })).status).toBe(201);
    expect((await call('POST', '/api/datasets/many/items', { items })).status).toBe(201);
    const made = await call('POST', '/api/experiments', {
      dataset: 'many',
      name: 'many',
      target: { kind: 'llm-call', provider: 'openai', model: BAD },
      evaluators: ['exact'],
      concurrency: 8,
    });
    const done = await until(
      'many done',
      async () => {
        const experiment = (await call('GET', `/api/experiments/${made.body.id}`)).body as Experiment;
        return experiment.state === 'running' ? undefined : experiment;
      },
      60_000,
    );
    expect(done).toMatchObject({ state: 'done', itemsDone: 130, itemsErrored: 0 });
    expect(done.scores.find((s) => s.name === 'exact')).toMatchObject({ mean: 0, count: 130 });
    const page = (await call('GET', `/api/experiments/${made.body.id}/results?limit=1000`)).body as ExperimentResultsResponse;
    expect(new Set(page.results.map((r) => r.itemId)).size).toBe(130);
  }, 90_000);

  it('answers bad input with a clear 4xx and records nothing', async () => {
    const target = { kind: 'llm-call', provider: 'openai', model: GOOD };
    expect((await call('POST', '/api/experiments', { dataset: 'nope', name: 'x', target })).status).toBe(404);
    expect((await call('POST', '/api/experiments', { dataset: dataset.name, datasetVersion: 99, name: 'x', target })).status).toBe(404);
    const evaluator = await call('POST', '/api/experiments', { dataset: dataset.name, name: 'x', target, evaluators: ['missing-one'] });
    expect(evaluator.status).toBe(400);
    expect(evaluator.body.error.message).toContain("'missing-one'");
    const provider = await call('POST', '/api/experiments', { dataset: dataset.name, name: 'x', target: { ...target, provider: 'anthropic' } });
    expect(provider.status).toBe(400);
    expect(provider.body.error.message).toContain('anthropic');
    expect((await call('POST', '/api/experiments', { dataset: dataset.name, name: 'x', target: { ...target, colour: 'red' } })).status).toBe(400);
    expect((await call('GET', '/api/experiments/0123456789abcdef0123456789abcdef')).status).toBe(404);
    expect((await call('GET', '/api/experiments/no-such-name/compare/another')).status).toBe(404);
    const listed = (await call('GET', `/api/experiments?dataset=${dataset.name}`)).body.experiments as Experiment[];
    expect(listed).toHaveLength(2);
    // An LLM-call experiment's results are the server's to record.
    const posted = await call('POST', `/api/experiments/${good.id}/results`, { results: [{ itemId: dataset.itemIds[0], traceId: null, output: 'x' }] });
    expect(posted.status).toBe(409);
  });

  it('records an SDK run posted through the API, rejecting an unknown item by its index', async () => {
    const made = await call('POST', '/api/experiments', {
      dataset: dataset.name,
      name: 'by hand',
      target: { kind: 'sdk', replay: 'none' },
      evaluators: ['exact'],
    });
    expect(made.status).toBe(201);
    const unknown = await call('POST', `/api/experiments/${made.body.id}/results`, {
      results: [
        { itemId: dataset.itemIds[0], traceId: null, error: 'boom' },
        { itemId: 'f'.repeat(32), traceId: null, output: 'x' },
      ],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('results[1].itemId');
    const posted = await call('POST', `/api/experiments/${made.body.id}/results`, {
      results: [{ itemId: dataset.itemIds[0], traceId: null, error: 'the task threw', latencyMs: 3, scores: [{ name: 'mine', value: 0.5 }] }],
    });
    expect(posted.status).toBe(200);
    expect(posted.body.results[0]).toMatchObject({ itemId: dataset.itemIds[0], error: 'the task threw', output: null, latencyMs: 3 });
    const finished = await call('POST', `/api/experiments/${made.body.id}/finish`, {});
    expect(finished.body).toMatchObject({ state: 'done', itemsDone: 1, itemsErrored: 1 });
    expect((await call('POST', `/api/experiments/${made.body.id}/finish`, {})).status).toBe(409);
    expect((await call('DELETE', `/api/experiments/${made.body.id}`)).status).toBe(204);
    expect((await call('GET', `/api/experiments/${made.body.id}`)).status).toBe(404);
  });
  it("keeps the project's masking policy on dataset items, outputs, errors and the SDK's scores", async () => {
    expect((await call('PUT', '/api/projects/default/masking', { mode: 'mask' })).status).toBe(200);
    try {
      const email = 'ada.lovelace@example.com';
      expect((await call('POST', '/api/datasets', { name: 'private' })).status).toBe(201);
      const added = await call('POST', '/api/datasets/private/items', {
        items: [{ input: `Write to ${email}`, expectedOutput: { to: email }, metadata: { owner: email } }],
      });
      expect(added.status).toBe(201);
      const items = (await call('GET', '/api/datasets/private/items')).body.items as Array<Record<string, unknown>>;
      expect(JSON.stringify(items)).not.toContain(email);
      expect(String(items[0]!.input)).toContain('Write to ');
      const made = await call('POST', '/api/experiments', { dataset: 'private', name: 'private run', target: { kind: 'sdk', replay: 'none' } });
      const itemId = added.body.itemIds[0] as string;
      const traceId = ((await call('GET', '/api/traces?limit=1&origin=all')).body as TraceListResponse).traces[0]!.traceId;
      const posted = await call('POST', `/api/experiments/${made.body.id}/results`, {
        results: [{ itemId, traceId, output: `Sent to ${email}`, scores: [{ name: 'mine', value: 1, comment: `checked ${email}` }] }],
      });
      expect(posted.status).toBe(200);
      expect(JSON.stringify(posted.body)).not.toContain(email);
      const scores = (await call('GET', `/api/scores?traceId=${traceId}&source=sdk`)).body.scores as Array<{ name: string; comment: string }>;
      expect(scores.find((x) => x.name === 'mine')!.comment).toContain('checked ');
      expect(JSON.stringify(scores)).not.toContain(email);
      const failed = await call('POST', `/api/experiments/${made.body.id}/results`, { results: [{ itemId, traceId: null, error: `no mailbox ${email}` }] });
      expect(JSON.stringify(failed.body)).not.toContain(email);
      expect(failed.body.results[0].error).toContain('no mailbox');
    } finally {
      await call('DELETE', '/api/projects/default/masking');
    }
  });
});
