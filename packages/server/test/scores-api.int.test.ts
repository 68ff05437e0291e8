import type { Score, ScoreListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiAnswer, type CallOptions, type TestServer, callJson, errorOf, makeKey, startTestServer } from './support/server.js';
import { traceBody } from './support/trace-bodies.js';

/**
 * `POST /api/scores`, `GET /api/scores`, `GET` and `DELETE /api/scores/:scoreId` against a real
 * server (database thread, DuckDB): bad input named, unknown targets 404, a slot sent again
 * replaced, the author the key, the comment masked. Access by role and project, and every
 * spelling of the paths, are walked with every other route (`access*.int.test.ts`).
 */

const TRACE = 'aa5b0a1d3c7e9f4a2b8c6d0e1f2a3b4c';
const ROOT = '0000000000000001';
const STEP = '0000000000000002';

let server: TestServer;
let adminKey = '';
let ingestKey = '';

const call = <T = unknown>(method: string, path: string, options: CallOptions & { body?: unknown } = {}): Promise<ApiAnswer<T>> =>
  callJson<T>(server.url, method, path, options.body, options);
const post = (body: unknown, key = ingestKey) => call<{ score: Score }>('POST', '/api/scores', { body, key });
const list = (query = '') => call<ScoreListResponse>('GET', `/api/scores${query}`, { key: adminKey });

beforeAll(async () => {
  server = await startTestServer();
  // An admin key of every project (the first key, made while none is required), acting on `default`.
  adminKey = await makeKey(server.url, '*', 'admin');
  ingestKey = await makeKey(server.url, 'default', 'ingest', adminKey);
  // Comments hold what users type: the project's policy masks e-mail addresses in them.
  expect((await call('PUT', '/api/projects/default/masking', { body: { detectors: ['email'] }, key: adminKey })).status).toBe(200);
  expect((await call('POST', '/v1/traces', { raw: traceBody(TRACE, 2), key: ingestKey })).status).toBe(200);
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

const keyIdOf = (key: string): string => key.split('_')[2]!;

describe('POST /api/scores', () => {
  it("stores a user's feedback on a span, sent with the app's ingest key, and answers it with its scoreId", async () => {
    const before = Date.now();
    const answer = await post({ traceId: TRACE.toUpperCase(), spanId: STEP, name: 'thumbs', label: 'up', comment: 'mail me at ann@example.com' });
    expect(answer.status).toBe(201);
    const { score } = answer.body;
    expect(score).toEqual({
      scoreId: expect.stringMatching(/^[0-9a-f]{32}$/),
      time: expect.any(String),
      traceId: TRACE,
      spanId: STEP,
      sessionId: null,
      responseId: null,
      name: 'thumbs',
      value: null,
      label: 'up',
      comment: 'mail me at [REDACTED:email]',
      source: 'api',
      author: keyIdOf(ingestKey),
    });
    expect(Date.parse(score.time)).toBeGreaterThanOrEqual(before);
    expect((await call('GET', `/api/scores/${score.scoreId}`, { key: adminKey })).body).toEqual({ score });
    expect((await list(`?spanId=${STEP}&name=thumbs`)).body.scores).toEqual([score]);
  });

  it('replaces a score sent again for the same target, name, source and author', async () => {
    const first = (await post({ traceId: TRACE, name: 'resolved', value: 0 })).body.score;
    const again = (await post({ traceId: TRACE, name: 'resolved', value: 1, comment: 'changed my mind' })).body.score;
    expect(again.scoreId).toBe(first.scoreId);
    expect((await list('?name=resolved')).body.scores).toEqual([again]);
    // A person's vote from the dashboard is a score of its own beside the app's.
    const human = (await post({ traceId: TRACE, name: 'resolved', value: 0, source: 'human' }, adminKey)).body.score;
    expect(human).toMatchObject({ source: 'human', author: keyIdOf(adminKey) });
    expect((await list('?name=resolved')).body.scores.map((s) => s.value).sort()).toEqual([0, 1]);
    expect((await list('?name=resolved&source=human')).body.scores).toEqual([human]);
  });

  it('takes the signed-in key as the author of a vote from the dashboard', async () => {
    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: adminKey }),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';', 1)[0]!;
    const host = new URL(server.url).host;
    const answer = await call<{ score: Score }>('POST', '/api/scores', {
      body: { traceId: TRACE, spanId: ROOT, name: 'thumbs', label: 'down', source: 'human' },
      headers: { cookie, origin: `http://${host}` },
    });
    expect(answer.status).toBe(201);
    expect(answer.body.score).toMatchObject({ source: 'human', author: keyIdOf(adminKey), label: 'down' });
  });

  it('counts a score it stores on /metrics, as a score sent by OpenTelemetry is', async () => {
    const counted = async (): Promise<number> => {
      const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } })).text();
      const line = /^spoor_scores_total\{[^}]*name="metrics-check"[^}]*\} (\S+)$/m.exec(text);
      return line === null ? 0 : Number(line[1]);
    };
    expect(await counted()).toBe(0);
    expect((await post({ traceId: TRACE, name: 'metrics-check', value: 0.5 })).status).toBe(201);
    // A refused score is not counted.
    expect((await post({ traceId: TRACE, name: 'metrics-check' })).status).toBe(400);
    await expect.poll(counted).toBe(1);
  });

  it('scores a session without a trace', async () => {
    const answer = await post({ sessionId: 'sess-42', name: 'csat', value: 4 });
    expect(answer.status).toBe(201);
    expect((await list('?sessionId=sess-42')).body.scores).toEqual([answer.body.score]);
  });

  it('answers 400 naming the field for a score that is no score, and stores nothing', async () => {
    const before = (await list('?limit=1000')).body.scores.length;
    const refused: Array<[unknown, string]> = [
      [{ traceId: TRACE, value: 1 }, "400 'name' is required: what is judged: faithfulness, thumbs, ..."],
      [{ traceId: TRACE, name: '   ', value: 1 }, "400 'name' must be a name of at most 256 characters, not blank, not '   '"],
      [{ traceId: TRACE, name: 'x' }, '400 value: a score needs a value or a label'],
      [{ traceId: TRACE, name: 'x', value: '0.5' }, "400 'value' must be a finite number, not '0.5'"],
      [{ traceId: TRACE, name: 'x', value: 'NaN' }, "400 'value' must be a finite number, not 'NaN'"],
      [{ traceId: TRACE, name: 'x', value: null }, "400 'value' must be a finite number, not 'null'"],
      [{ traceId: TRACE, name: 'x', label: '' }, "400 'label' must not be empty"],
      [{ traceId: 'not-a-trace', name: 'x', value: 1 }, "400 'traceId' must be 32 hex characters, not 'not-a-trace'"],
      [{ traceId: TRACE, spanId: '12', name: 'x', value: 1 }, "400 'spanId' must be 16 hex characters, not '12'"],
      [{ spanId: STEP, name: 'x', value: 1 }, "400 traceId: a span's score names the span's trace too"],
      [{ name: 'x', value: 1 }, '400 traceId: a score needs a target: a traceId (and spanId), or a sessionId'],
      [{ traceId: TRACE, sessionId: 's', name: 'x', value: 1 }, '400 sessionId: a score is about a trace (or one of its spans) or a session, not both'],
      [{ traceId: TRACE, name: 'x', value: 1, source: 'evaluator' }, "400 'source' must be one of api, human, not 'evaluator'"],
      [
        { traceId: TRACE, name: 'x', value: 1, score: 2 },
        "400 'score' is not a field of a score (known: traceId, spanId, sessionId, name, value, label, comment, source)",
      ],
    ];
    for (const [body, message] of refused) expect(errorOf(await post(body)), JSON.stringify(body)).toBe(message);
    // JSON has no NaN or Infinity: a number too large for a double parses to Infinity.
    const huge = await call('POST', '/api/scores', { raw: `{"traceId":"${TRACE}","name":"x","value":1e999}`, key: ingestKey });
    expect(errorOf(huge)).toBe("400 'value' must be a finite number, not 'Infinity'");
    const negative = await call('POST', '/api/scores', { raw: `{"traceId":"${TRACE}","name":"x","value":-1e999}`, key: ingestKey });
    expect(errorOf(negative)).toBe("400 'value' must be a finite number, not '-Infinity'");
    expect((await list('?limit=1000')).body.scores.length).toBe(before);
  });

  it('answers 404 for a trace the project does not have, and for an unknown span of a known trace', async () => {
    const unknown = 'bb5b0a1d3c7e9f4a2b8c6d0e1f2a3b4c';
    expect(errorOf(await post({ traceId: unknown, name: 'x', value: 1 }))).toBe(`404 trace ${unknown} was not found`);
    expect(errorOf(await post({ traceId: unknown, spanId: STEP, name: 'x', value: 1 }))).toBe(`404 trace ${unknown} was not found`);
    expect(errorOf(await post({ traceId: TRACE, spanId: 'ffffffffffffffff', name: 'x', value: 1 }))).toBe(
      `404 span ffffffffffffffff of trace ${TRACE} was not found`,
    );
    // Another project's key knows no trace of this one.
    const other = await makeKey(server.url, 'other', 'ingest', adminKey);
    expect(errorOf(await post({ traceId: TRACE, name: 'x', value: 1 }, other))).toBe(`404 trace ${TRACE} was not found`);
  });
});

describe('GET /api/scores', () => {
  it('pages newest first with an opaque cursor, and refuses one it did not give', async () => {
    for (let i = 0; i < 5; i++) expect((await post({ traceId: TRACE, name: `page-${i}`, value: i })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: ApiAnswer<ScoreListResponse> = await list(`?traceId=${TRACE}&limit=2${cursor === '' ? '' : `&cursor=${cursor}`}`);
      expect(page.status).toBe(200);
      expect(page.body.scores.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.scores.filter((s) => s.name.startsWith('page-')).map((s) => s.name));
      cursor = page.body.nextCursor;
    }
    expect(seen).toEqual(['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
    expect(errorOf(await list('?cursor=bm90LWEtY3Vyc29y'))).toBe("400 'cursor' is not a cursor this server issued");
    expect(errorOf(await list('?source=robot'))).toBe("400 'source' must be one of otel, sdk, api, human, evaluator, not 'robot'");
    expect(errorOf(await list('?score=1'))).toMatch(/^400 'score' is not a parameter of this endpoint/);
  });

  it('filters by time', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await list(`?from=${future}`)).body.scores).toEqual([]);
    expect((await list(`?to=${future}&name=csat`)).body.scores).toHaveLength(1);
  });
});

describe('DELETE /api/scores/:scoreId', () => {
  it('deletes a score (204), then answers 404 for it', async () => {
    const { score } = (await post({ traceId: TRACE, name: 'doomed', value: 1 })).body;
    expect((await call('DELETE', `/api/scores/${score.scoreId}`, { key: adminKey })).status).toBe(204);
    expect(errorOf(await call('GET', `/api/scores/${score.scoreId}`, { key: adminKey }))).toBe(`404 score ${score.scoreId} was not found`);
    expect(errorOf(await call('DELETE', `/api/scores/${score.scoreId}`, { key: adminKey }))).toBe(`404 score ${score.scoreId} was not found`);
    expect((await list('?name=doomed')).body.scores).toEqual([]);
    expect(errorOf(await call('DELETE', '/api/scores/xyz', { key: adminKey }))).toBe("400 'scoreId' must be 32 hex characters, not 'xyz'");
  });
});
