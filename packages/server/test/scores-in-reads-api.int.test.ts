import type { ApiErrorBody, Score, SessionDetail, SessionListResponse, TraceDetail, TraceListResponse, TraceTree, UserListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, type Json } from './support/json-fixtures.js';
import { getJson, startTestServer, type TestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * Scores wherever a user looks: a trace's answer and its waterfall tree, the trace list (per
 * name, and its `score=` filters) and sessions. The scores come in as OTLP `gen_ai.evaluation.result`
 * events, as any OTel app sends them.
 */
describe('scores in the trace and session answers', () => {
  const A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  const B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
  const C = 'cccccccccccccccccccccccccccccccc';
  const startUs = (Date.now() - 60_000) * 1000;
  const nanos = (us: number): string => `${us}000`;
  const attrs = (values: Record<string, string | number>): Json[] =>
    Object.entries(values).map(([key, value]) => ({ key, value: typeof value === 'number' ? { doubleValue: value } : { stringValue: value } }));
  const evaluation = (atUs: number, values: Record<string, string | number>): Json => ({
    timeUnixNano: nanos(atUs),
    name: 'gen_ai.evaluation.result',
    attributes: attrs(values),
  });
  const span = (traceId: string, spanId: string, parentSpanId: string | null, name: string, atS: number, over: Json = {}): Json => ({
    traceId,
    spanId,
    ...(parentSpanId === null ? {} : { parentSpanId }),
    name,
    kind: 1,
    startTimeUnixNano: nanos(startUs + atS * 1e6),
    endTimeUnixNano: nanos(startUs + atS * 1e6 + 5_000),
    ...over,
  });

  let server: TestServer;
  const get = <T>(path: string) => getJson<T>(server.url, path);

  beforeAll(async () => {
    server = await startTestServer();
    const post = async (path: string, body: Json) => {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes(body) });
      expect(response.status).toBe(200);
    };
    // Run A of session s-1: faithfulness 0.2 on the trace and 0.4 on its LLM call, a thumbs down.
    // Run B of s-1: faithfulness 0.9. Trace C: no session, no score.
    const spans = [
      span(A, 'a000000000000001', null, 'chat', 0, {
        attributes: attrs({ 'session.id': 's-1', 'user.id': 'u-1' }),
        events: [
          evaluation(startUs + 10, {
            'gen_ai.evaluation.name': 'faithfulness',
            'gen_ai.evaluation.score.value': 0.2,
            'spoor.score.target': 'trace',
            'spoor.score.author': 'judge@1',
          }),
          evaluation(startUs + 20, {
            'gen_ai.evaluation.name': 'thumbs',
            'gen_ai.evaluation.score.label': 'down',
            'spoor.score.target': 'trace',
            'spoor.score.source': 'human',
            'spoor.score.author': 'ana',
          }),
        ],
      }),
      span(A, 'a000000000000002', 'a000000000000001', 'chat gpt-4o', 0.001, {
        events: [
          evaluation(startUs + 30, {
            'gen_ai.evaluation.name': 'faithfulness',
            'gen_ai.evaluation.score.value': 0.4,
            'gen_ai.evaluation.explanation': 'one claim unsupported',
          }),
        ],
      }),
      span(B, 'b000000000000001', null, 'chat', 1, {
        attributes: attrs({ 'session.id': 's-1' }),
        events: [evaluation(startUs + 1e6, { 'gen_ai.evaluation.name': 'faithfulness', 'gen_ai.evaluation.score.value': 0.9, 'spoor.score.target': 'trace' })],
      }),
      span(C, 'c000000000000001', null, 'healthcheck', 2),
    ];
    await post('/v1/traces', {
      resourceSpans: [{ resource: { attributes: attrs({ 'service.name': 'agent' }) }, scopeSpans: [{ scope: { name: 'test' }, spans }] }],
    });
    // The session itself resolved, by a user.
    const sessionScore = {
      timeUnixNano: nanos(startUs + 3e6),
      eventName: 'gen_ai.evaluation.result',
      attributes: attrs({
        'gen_ai.evaluation.name': 'resolved',
        'gen_ai.evaluation.score.value': 1,
        'gen_ai.evaluation.score.label': 'yes',
        'spoor.score.target': 'session',
        'session.id': 's-1',
        'spoor.score.source': 'human',
        'spoor.score.author': 'ana',
      }),
    };
    await post('/v1/logs', {
      resourceLogs: [{ resource: { attributes: attrs({ 'service.name': 'agent' }) }, scopeLogs: [{ scope: { name: 'test' }, logRecords: [sessionScore] }] }],
    });
    await until('the three traces listed', async () => ((await get<TraceListResponse>('/api/traces')).body.traces.length === 3 ? true : undefined));
  });

  afterAll(async () => {
    await server?.stop();
  });

  const scoresOfRunA = { faithfulness: { mean: expect.closeTo(0.3, 12), count: 2, labels: {} }, thumbs: { mean: null, count: 1, labels: { down: 1 } } };

  it("lists each trace's scores per name: mean value, count and label counts", async () => {
    const { body } = await get<TraceListResponse>('/api/traces');
    expect(Object.fromEntries(body.traces.map((t) => [t.traceId, t.scores]))).toEqual({
      [A]: scoresOfRunA,
      [B]: { faithfulness: { mean: 0.9, count: 1, labels: {} } },
      [C]: {},
    });
  });

  it('filters the trace list on scores: a mean compared with a number, a label, several at once', async () => {
    const ids = async (q: string) => (await get<TraceListResponse>(`/api/traces?${q}`)).body.traces.map((t) => t.traceId);
    expect(await ids('score=faithfulness%3C0.7')).toEqual([A]);
    expect(await ids('score=faithfulness%3E%3D0.9')).toEqual([B]);
    expect(await ids('score=thumbs=down')).toEqual([A]);
    expect(await ids('score=thumbs!%3Ddown')).toEqual([]);
    expect(await ids('score=faithfulness%3E0.1&score=thumbs=down')).toEqual([A]);
    expect(await ids('score=faithfulness%3E0.5&score=thumbs=down')).toEqual([]);
    expect(await ids('score=faithfulness%3E0.1&name=healthcheck')).toEqual([]);
  });

  it.each([
    ['score=faithfulness', "'score' must be"],
    ['score=%3C0.7', "'score' must be"],
    ['score=%20%3D1', "'score' must name a score"],
    ['score=thumbs%3Cdown', "'score' compares a label only with = or !="],
    ['score=faithfulness%3C1e999', "'score' compares with a number too large"],
  ])('answers 400 naming the parameter to a malformed score filter: %s', async (q, message) => {
    const { status, body } = await get<ApiErrorBody>(`/api/traces?${q}`);
    expect(status).toBe(400);
    expect(body.error.message).toContain(message);
  });

  /** What each score of trace A is, in time order. */
  const scoresOfA: Array<Partial<Score>> = [
    { traceId: A, spanId: null, name: 'faithfulness', value: 0.2, label: null, source: 'otel', author: 'judge@1', time: expect.any(String) },
    { traceId: A, spanId: null, name: 'thumbs', value: null, label: 'down', source: 'human', author: 'ana' },
    { traceId: A, spanId: 'a000000000000002', name: 'faithfulness', value: 0.4, comment: 'one claim unsupported', source: 'otel', author: '' },
  ];

  it("gives a trace's scores and its spans' with the trace, and with the waterfall's tree", async () => {
    const detail = await get<TraceDetail>(`/api/traces/${A}`);
    expect(detail.status).toBe(200);
    expect(detail.body.spans).toHaveLength(2);
    expect(detail.body.scores).toEqual(scoresOfA.map((s) => expect.objectContaining(s)));
    expect(Object.keys(detail.body.scores[0]!).sort()).toEqual([
      'author',
      'comment',
      'label',
      'name',
      'responseId',
      'scoreId',
      'sessionId',
      'source',
      'spanId',
      'time',
      'traceId',
      'value',
    ]);
    const tree = await get<TraceTree>(`/api/traces/${A}/tree`);
    expect(tree.body.scores).toEqual(detail.body.scores);
    expect(tree.body.spanIds).toHaveLength(2);
    expect((await get<TraceDetail>(`/api/traces/${C}`)).body.scores).toEqual([]);
    expect((await get<ApiErrorBody>(`/api/traces/${'d'.repeat(32)}`)).status).toBe(404);
  });

  it("shows a session's own scores and its runs' in the session list and the session", async () => {
    const list = await get<SessionListResponse>('/api/sessions');
    expect(list.body.sessions).toEqual([
      expect.objectContaining({
        sessionId: 's-1',
        scores: { resolved: { mean: 1, count: 1, labels: { yes: 1 } } },
        traceScores: { faithfulness: { mean: expect.closeTo(0.5, 12), count: 3, labels: {} }, thumbs: { mean: null, count: 1, labels: { down: 1 } } },
      }),
    ]);
    const { body } = await get<SessionDetail>('/api/sessions/s-1');
    expect(body.scores).toEqual([
      expect.objectContaining({ traceId: null, sessionId: 's-1', name: 'resolved', value: 1, label: 'yes', source: 'human', author: 'ana' }),
    ]);
    expect(body.traceScores).toEqual(list.body.sessions[0]!.traceScores);
    expect(Object.fromEntries(body.runs.map((r) => [r.traceId, r.scores]))).toEqual({
      [A]: scoresOfRunA,
      [B]: { faithfulness: { mean: 0.9, count: 1, labels: {} } },
    });
  });

  it("shows each user's scores on the users list: their runs' scores pooled per name", async () => {
    // u-1 is named on run A alone: B's 0.9 is not theirs.
    const { body } = await get<UserListResponse>('/api/users');
    expect(body.users.map((u) => [u.userId, u.traceScores])).toEqual([
      ['u-1', { faithfulness: { mean: expect.closeTo(0.3, 12), count: 2, labels: {} }, thumbs: { mean: null, count: 1, labels: { down: 1 } } }],
    ]);
  });
});
