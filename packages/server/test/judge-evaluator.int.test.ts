import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, callJson, startTestServer } from './support/server.js';
import { eventually, llmTraceBody } from './support/trace-bodies.js';

/**
 * An llm-judge evaluator on a running server, end to end: made through the API, it judges the
 * LLM call of a trace that completes with the configured provider (the loopback fake LLM, through
 * the real `openai` client), the judgement is a score of that call, the judge's own call a trace
 * linked to it, and that trace is not judged in turn.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read fields of many answer shapes
type Answer = Record<string, any>;

/**
 * A running server with the loopback fake LLM as its `openai` provider, on DuckDB or on ClickHouse
 * (the engine chdb embeds, behind ClickHouse's HTTP interface in a process of its own).
 */
async function judgeServer(storeName: 'duckdb' | 'clickhouse', options: { alertInterval?: string } = {}) {
  const fake = await startFakeLlm();
  const dir = await mkdtemp(join(tmpdir(), 'spoor-judge-'));
  const keyFile = join(dir, 'provider-key');
  await writeFile(keyFile, 'sk-judge-test');
  const endpoint: ClickHouseEndpoint | null = storeName === 'clickhouse' ? await startClickHouseEndpoint() : null;
  const store = endpoint === null ? {} : { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/judge` };
  const server = await startTestServer({ provider: [`openai=file:${keyFile},base=${fake.baseUrl}/v1,timeout=5s`], traceQuiet: '1s', ...store, ...options });
  return {
    fake,
    server,
    call: (method: string, path: string, body?: unknown) => callJson<Answer>(server.url, method, path, body),
    stop: async () => {
      await server.stop();
      await endpoint?.close();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe.each(['duckdb', 'clickhouse'] as const)('an llm-judge evaluator on a running server (%s store)', (storeName) => {
  let judge: Awaited<ReturnType<typeof judgeServer>>;
  let fake: FakeLlm;
  let server: TestServer;
  const call = (method: string, path: string, body?: unknown) => judge.call(method, path, body);

  beforeAll(async () => {
    judge = await judgeServer(storeName);
    ({ fake, server } = judge);
  }, 60_000);
  afterAll(() => judge?.stop());

  it('judges an LLM call with the provider, scores it, links its own trace, and does not judge that trace', async () => {
    const made = await call('PUT', '/api/evaluators/relevance', {
      kind: 'llm-judge',
      target: 'llm',
      builtin: 'answer-relevance',
      provider: 'openai',
      model: 'gpt-4o-mini',
    });
    expect(made.status).toBe(201);
    // A provider the server was not given is refused, naming it.
    const refused = await call('PUT', '/api/evaluators/other', {
      kind: 'llm-judge',
      target: 'llm',
      builtin: 'toxicity',
      provider: 'anthropic',
      model: 'claude',
    });
    expect(refused.status).toBe(400);
    expect(refused.body!.error.message).toContain('anthropic');

    fake.script({ text: JSON.stringify({ explanation: 'It answers the question asked.', score: 0.9 }) });
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const sent = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: llmTraceBody(traceId, spanId),
    });
    expect(sent.status).toBe(200);

    const scores = await eventually(
      'the call judged',
      () => call('GET', `/api/scores?traceId=${traceId}`),
      (r) => r.body!.scores.length === 1,
    );
    expect(scores.body!.scores[0]).toMatchObject({
      spanId,
      name: 'relevance',
      value: 0.9,
      comment: 'It answers the question asked.',
      source: 'evaluator',
      author: 'relevance@1',
    });
    expect(fake.requests).toHaveLength(1);
    expect(JSON.stringify(fake.requests[0]!.body)).toContain('What is the capital of Portugal?');

    const judgeTraces = await eventually(
      'the judge trace stored',
      () => call('GET', `/api/traces?attr=spoor.evaluation.of=${traceId}&origin=spoor`),
      (r) => r.body!.traces.length === 1,
    );
    const judgeTrace = judgeTraces.body!.traces[0];
    expect(judgeTrace.costUsd).toBeGreaterThan(0);
    const evaluator = await eventually(
      'the cost counted',
      () => call('GET', '/api/evaluators/relevance'),
      (r) => r.body!.scoresMade === 1,
    );
    expect(evaluator.body).toMatchObject({ errors: 0 });
    expect(evaluator.body!.costTodayUsd).toBeCloseTo(judgeTrace.costUsd, 9);

    // A later trace judged: its round came after the judge's trace was complete, and that round's
    // judgements were all made before its scores were written, so the judge's trace was left alone.
    fake.script({ text: JSON.stringify({ explanation: 'Still on topic.', score: 0.8 }) });
    const laterId = randomBytes(16).toString('hex');
    const later = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: llmTraceBody(laterId, randomBytes(8).toString('hex')),
    });
    expect(later.status).toBe(200);
    await eventually(
      'the later call judged',
      () => call('GET', `/api/scores?traceId=${laterId}`),
      (r) => r.body!.scores.length === 1,
    );
    expect(fake.requests).toHaveLength(2);
    expect((await call('GET', `/api/scores?traceId=${judgeTrace.traceId}`)).body!.scores).toEqual([]);
  });
});

describe('an llm-judge evaluator past its daily budget', () => {
  let judge: Awaited<ReturnType<typeof judgeServer>>;
  const call = (method: string, path: string, body?: unknown) => judge.call(method, path, body);

  beforeAll(async () => {
    judge = await judgeServer('duckdb', { alertInterval: '1s' });
  });
  afterAll(() => judge?.stop());

  it('pauses itself, says so as a log record of the project, and an alert on that record fires', { timeout: 30_000 }, async () => {
    // A budget one judgement spends (gpt-4o-mini is priced).
    expect(
      (
        await call('PUT', '/api/evaluators/costly', {
          kind: 'llm-judge',
          target: 'llm',
          builtin: 'answer-relevance',
          provider: 'openai',
          model: 'gpt-4o-mini',
          dailyBudgetUsd: 0.000_000_1,
        })
      ).status,
    ).toBe(201);
    expect((await call('POST', '/api/alerts/rules', { name: 'evaluator-paused', expr: 'count(logs{spoor.evaluator.name="costly"})[15m] > 0' })).status).toBe(
      201,
    );
    judge.fake.script({ text: JSON.stringify({ explanation: 'On topic.', score: 1 }) });
    const sent = await fetch(`${judge.server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: llmTraceBody(randomBytes(16).toString('hex'), randomBytes(8).toString('hex')),
    });
    expect(sent.status).toBe(200);

    const paused = await eventually(
      'the evaluator paused',
      () => call('GET', '/api/evaluators/costly'),
      (r) => r.body!.state === 'paused',
    );
    expect(paused.body).toMatchObject({ pausedReason: 'its daily budget of $1e-7 is spent', scoresMade: 1 });
    const logs = await eventually(
      'the pause logged',
      () => call('GET', '/api/logs?service=spoor'),
      (r) => r.body!.logs.length === 1,
    );
    expect(logs.body!.logs[0]).toMatchObject({
      severityText: 'WARN',
      eventName: 'spoor.evaluator.paused',
      body: 'evaluator costly paused: its daily budget of $1e-7 is spent',
      attributes: { 'spoor.evaluator.name': 'costly', 'spoor.evaluator.reason': 'its daily budget of $1e-7 is spent' },
    });
    await eventually(
      'the alert firing',
      () => call('GET', '/api/alerts?state=firing'),
      (r) => r.body!.alerts.some((a: Answer) => a.rule === 'evaluator-paused'),
    );
  });
});
