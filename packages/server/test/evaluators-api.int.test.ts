import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type TestServer, callJson, makeKey, metricValue, startTestServer } from './support/server.js';
import { eventually, llmTraceBody, traceBody } from './support/trace-bodies.js';

const TRACE = 'e'.repeat(32);

/** A JSON answer, read loosely: the assertions say what it holds. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read fields of many answer shapes
type Answer = Record<string, any>;

describe('the evaluators API on a running server', () => {
  let server: TestServer;
  let dir: string;
  const call = (method: string, path: string, body?: unknown) => callJson<Answer>(server.url, method, path, body);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spoor-evaluators-'));
    const file = join(dir, 'evaluators.yaml');
    await writeFile(file, 'evaluators:\n  - { name: from-file, kind: latency, target: trace, maxMs: 60000 }\n');
    server = await startTestServer({ evaluators: file, traceQuiet: '1s' });
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('makes, lists, replaces (a new version when the spec changes) and refuses bad specs naming the field', async () => {
    const made = await call('POST', '/api/evaluators', { name: 'fast', kind: 'latency', target: 'trace', maxMs: 1000 });
    expect(made).toMatchObject({ status: 201, body: { name: 'fast', version: 1, author: 'fast@1', state: 'active', source: 'api', scoresMade: 0 } });
    expect((await call('POST', '/api/evaluators', { name: 'fast', kind: 'latency', target: 'trace', maxMs: 1000 })).status).toBe(409);
    expect(await call('PUT', '/api/evaluators/fast', { kind: 'latency', target: 'trace', maxMs: 2000 })).toMatchObject({ status: 200, body: { version: 2 } });
    expect(await call('PUT', '/api/evaluators/fast', { kind: 'latency', target: 'trace', maxMs: 2000 })).toMatchObject({ status: 200, body: { version: 2 } });
    const list = await call('GET', '/api/evaluators');
    expect(list.body!.evaluators.map((e: { name: string; source: string }) => [e.name, e.source])).toEqual([
      ['fast', 'api'],
      ['from-file', 'file'],
    ]);
    expect(await call('PUT', '/api/evaluators/from-file', { kind: 'latency', target: 'trace', maxMs: 1 })).toMatchObject({ status: 409 });
    expect((await call('PUT', '/api/evaluators/fast', { kind: 'latency', target: 'trace', maxMs: 2000, foo: 1 })).body!.error.message).toBe(
      "invalid evaluator: foo: 'foo' is not a field of a latency evaluator (its fields: maxMs; and every evaluator's: name, kind, target, filter, sampleRate, dailyBudgetUsd)",
    );
    for (const [spec, field] of [
      [{ name: 'x', kind: 'vibes', target: 'trace' }, 'kind'],
      [{ name: 'x', kind: 'latency', target: 'trace', maxMs: 1, sampleRate: 2 }, 'sampleRate'],
      [{ name: 'x', kind: 'latency', target: 'trace', maxMs: 1, filter: 'colour=red' }, 'filter'],
      [{ name: 'x', kind: 'regex', target: 'llm', pattern: '(a' }, 'pattern'],
      [{ name: 'x', kind: 'length', target: 'llm' }, 'min'],
      [{ name: 'x', kind: 'latency', target: 'trace', maxMs: 1, foo: 1 }, 'foo'],
      [{ name: 'x', kind: 'contains', target: 'llm', text: 'a', baseUrl: 'http://127.0.0.1:9/' }, 'baseUrl'],
      [{ name: 'x', kind: 'latency', target: 'trace', maxMs: 1, webhook: 'http://127.0.0.1:9/' }, 'webhook'],
    ] as const) {
      const refused = await call('POST', '/api/evaluators', spec);
      expect(refused.status).toBe(400);
      expect(refused.body!.error.message).toContain(`invalid evaluator: ${field}`);
    }
  });

  it('judges a trace that completes, shows it, pauses and resumes on /metrics, previews and backfills', async () => {
    await call('PUT', '/api/evaluators/quick', { kind: 'latency', target: 'trace', maxMs: 60000 });
    const sent = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: traceBody(TRACE, 3, Date.now()),
    });
    expect(sent.status).toBe(200);
    // Quiet for 1 s, then found by a round (every 2 s).
    await eventually(
      'the trace judged',
      () => call('GET', '/api/evaluators/quick'),
      (r) => r.body!.scoresMade === 1,
    );
    expect(await metricValue(server.url, 'spoor_evaluator_runs_total')).toBeGreaterThanOrEqual(1);
    // Its score is counted on /metrics, as one sent by OpenTelemetry or the API is.
    expect(await metricValue(server.url, 'spoor_scores_total')).toBeGreaterThanOrEqual(1);

    expect(await call('POST', '/api/evaluators/quick/pause', {})).toMatchObject({ status: 200, body: { state: 'paused', pausedReason: 'paused by hand' } });
    expect(await metricValue(server.url, 'spoor_evaluator_paused')).toBe(1);
    expect(await call('POST', '/api/evaluators/quick/resume', {})).toMatchObject({ status: 200, body: { state: 'active', pausedReason: null } });
    expect(await metricValue(server.url, 'spoor_evaluator_paused')).toBe(0);

    const preview = await call('POST', '/api/evaluators/preview', { spec: { name: 'p', kind: 'latency', target: 'trace', maxMs: 0 } });
    expect(preview).toMatchObject({ status: 200, body: { items: [{ traceId: TRACE, spanId: null, value: 0, label: 'fail', error: null }] } });

    // The file's evaluator was made before the trace; a backfill of an already judged range skips what it judged.
    expect((await call('POST', '/api/evaluators/from-file/backfill', { from: new Date(Date.now() - 3_600_000).toISOString() })).status).toBe(202);
    await eventually(
      'the backfill done',
      () => call('GET', '/api/evaluators/from-file/backfill'),
      (r) => r.body!.state === 'done',
    );
    expect((await call('GET', '/api/evaluators/from-file/backfill')).body).toMatchObject({ traces: 1, judged: 0, skipped: 1 });
    expect((await call('GET', '/api/evaluators/from-file')).body).toMatchObject({ scoresMade: 1 });

    // Traces whose spans' clocks are 10 minutes behind the server's and 5 minutes ahead are judged all the same, once quiet.
    for (const [traceId, startMs] of [
      ['a'.repeat(32), Date.now() - 600_000],
      ['b'.repeat(32), Date.now() + 300_000],
    ] as const) {
      const posted = await fetch(`${server.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: traceBody(traceId, 2, startMs),
      });
      expect(posted.status).toBe(200);
    }
    await eventually(
      'the late and early traces judged',
      () => call('GET', '/api/evaluators/quick'),
      (r) => r.body!.scoresMade === 3,
    );
    // How far behind the evaluators are: nothing waits once they are judged.
    await eventually(
      'nothing waiting',
      async () => [await metricValue(server.url, 'spoor_evaluator_traces_waiting'), await metricValue(server.url, 'spoor_evaluator_oldest_waiting_seconds')],
      (v) => v[0] === 0 && v[1] === 0,
    );
  });

  it('deletes an evaluator, and answers 404 for one it does not have', async () => {
    await call('PUT', '/api/evaluators/gone', { kind: 'latency', target: 'trace', maxMs: 1 });
    expect((await call('DELETE', '/api/evaluators/gone')).status).toBe(204);
    expect((await call('GET', '/api/evaluators/gone')).status).toBe(404);
    expect((await call('DELETE', '/api/evaluators/gone')).status).toBe(404);
    expect((await call('POST', '/api/evaluators/nobody/retry', {})).status).toBe(404);
  });
});

describe("an evaluator's errors on a running server", () => {
  let fake: FakeLlm;
  let server: TestServer;
  let dir: string;
  const keys = { admin: '', other: '' };
  const call = (method: string, path: string, key: string, body?: unknown) => callJson<Answer>(server.url, method, path, body, { key });
  const judged = () => call('GET', '/api/evaluators/relevance', keys.admin);
  const send = async (traceId: string, spanId: string) =>
    expect((await callJson(server.url, 'POST', '/v1/traces', undefined, { key: keys.admin, raw: llmTraceBody(traceId, spanId) })).status).toBe(200);

  beforeAll(async () => {
    fake = await startFakeLlm();
    dir = await mkdtemp(join(tmpdir(), 'spoor-evaluator-errors-'));
    const keyFile = join(dir, 'provider-key');
    await writeFile(keyFile, 'sk-judge-test');
    // A judge from the file; the fake LLM's default answer is prose, not the JSON asked for: each judging fails.
    const file = join(dir, 'evaluators.yaml');
    await writeFile(
      file,
      'evaluators:\n  - { name: relevance, kind: llm-judge, target: llm, builtin: answer-relevance, provider: openai, model: gpt-4o-mini }\n',
    );
    server = await startTestServer({ evaluators: file, provider: [`openai=file:${keyFile},base=${fake.baseUrl}/v1,timeout=5s`], traceQuiet: '1s' });
    // The first key is made while none is required: an admin of every project, acting on `default`.
    keys.admin = await makeKey(server.url, '*', 'admin');
    keys.other = await makeKey(server.url, 'other', 'read', keys.admin);
  });
  afterAll(async () => {
    await server?.stop();
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lists the calls whose judging failed, newest first with the error, and retries the file's evaluator without changing it", async () => {
    const [older, newer] = [
      { traceId: '1'.repeat(32), spanId: 'a'.repeat(16) },
      { traceId: '2'.repeat(32), spanId: 'b'.repeat(16) },
    ];
    // One after the other, so the second failure is recorded after the first.
    await send(older.traceId, older.spanId);
    await eventually('the first call judged', judged, (r) => r.body.errors === 1);
    await send(newer.traceId, newer.spanId);
    await eventually('the second call judged', judged, (r) => r.body.errors === 2);

    const failure = (target: typeof older) => ({
      ...target,
      error: expect.stringMatching(/^the judge's answer is not JSON: Hello from the fake LLM\. \(judge trace [0-9a-f]{32}\)$/),
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const listed = await call('GET', '/api/evaluators/relevance/errors', keys.admin);
    expect(listed).toEqual({ status: 200, body: { errors: [failure(newer), failure(older)] } });
    expect(Date.parse(listed.body.errors[0].time)).toBeGreaterThan(Date.parse(listed.body.errors[1].time));
    expect((await call('GET', '/api/evaluators/relevance/errors?limit=1', keys.admin)).body).toEqual({ errors: [failure(newer)] });

    // A file's evaluator is retried like any other: the judge answers this time, and its definition stays.
    const answer = { text: JSON.stringify({ explanation: 'It answers the question asked.', score: 0.9 }) };
    fake.script(answer, answer);
    expect(await call('POST', '/api/evaluators/relevance/retry', keys.admin, {})).toEqual({
      status: 200,
      body: { retried: 2, ok: 2, errors: 0, notApplicable: 0 },
    });
    expect((await call('GET', '/api/evaluators/relevance/errors', keys.admin)).body).toEqual({ errors: [] });
    expect((await judged()).body).toMatchObject({ version: 1, source: 'file', errors: 0, scoresMade: 2 });
  });

  it('answers 404 for an unknown evaluator and for another project, and 400 for a bad limit', async () => {
    expect(await call('GET', '/api/evaluators/nobody/errors', keys.admin)).toMatchObject({
      status: 404,
      body: { error: { message: "no evaluator named 'nobody'" } },
    });
    expect((await call('GET', '/api/evaluators/relevance/errors', keys.other)).status).toBe(404);
    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'colour=red']) {
      const refused = await call('GET', `/api/evaluators/relevance/errors?${query}`, keys.admin);
      expect(refused.status, query).toBe(400);
    }
  });
});
