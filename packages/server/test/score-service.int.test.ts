import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.js';
import { type NewScore, ScoreService } from '../src/query/score-service.js';
import type { Store } from '../src/store/store.js';
import { CHDB_CLEANUP_MS, chdbStores } from './support/chdb.js';
import { duckDbStores } from './support/duckdb.js';
import { FakeStore } from './support/fake-store.js';
import { ALL, T0, sid, span, tid } from './support/record-fixtures.js';
import { openForEachTest, recordBatch } from './contract/per-test-store.js';

/**
 * The service behind `POST/GET/DELETE /api/scores` on each store: a score's target checked
 * against the project's traces, a slot sent again replaced, pages by the trace list's cursor.
 */

const engine = chdbStores();
const duckdb = duckDbStores('score-service');
afterAll(async () => {
  await Promise.all([engine.cleanup(), duckdb.cleanup()]);
}, CHDB_CLEANUP_MS);

const STORES: Array<[string, () => Promise<Store>]> = [
  ['DuckDB', () => duckdb.open()],
  ['ClickHouse (chdb)', () => engine.open()],
  ['in-memory fake', async () => new FakeStore()],
];

const SEC = 1_000_000;

function sent(over: Partial<NewScore> = {}): NewScore {
  return {
    projectId: 'default',
    traceId: tid(1),
    spanId: sid(2),
    sessionId: null,
    name: 'helpful',
    value: 1,
    label: null,
    comment: null,
    source: 'api',
    author: 'key-1',
    ...over,
  };
}

/** What the service throws, as `status code: message`. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return `${error.status} ${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe.each(STORES)('scores through the API service on %s', (_name, open) => {
  let store: Store;
  let scores: ScoreService;
  openForEachTest(open, (opened) => {
    store = opened;
    scores = new ScoreService(store);
  });
  const seed = () => store.writer.write(recordBatch({ spans: [span({ spanId: sid(1) }), span({ spanId: sid(2), parentSpanId: sid(1) })] }), null);
  const list = (over: { traceId?: string; spanId?: string; name?: string } = {}, limit = 50, cursor: string | null = null) =>
    scores.list({ projectId: 'default', range: ALL, traceId: null, spanId: null, sessionId: null, name: null, source: null, ...over, limit, cursor });

  it('stores a score of a span and answers it with its scoreId and ISO time', async () => {
    await seed();
    const { score } = await scores.add(sent({ comment: 'it cited the refund policy' }), T0 + SEC);
    expect(score).toEqual({
      scoreId: expect.stringMatching(/^[0-9a-f]{32}$/),
      time: '2025-11-21T10:00:01.000000Z',
      traceId: tid(1),
      spanId: sid(2),
      sessionId: null,
      responseId: null,
      name: 'helpful',
      value: 1,
      label: null,
      comment: 'it cited the refund policy',
      source: 'api',
      author: 'key-1',
    });
    expect(await scores.get('default', score.scoreId)).toEqual({ score });
    expect((await list({ traceId: tid(1) })).scores).toEqual([score]);
    expect((await list({ spanId: sid(2) })).scores).toEqual([score]);
    expect((await list({ spanId: sid(1) })).scores).toEqual([]);
    expect(await scores.ofTraces('default', [tid(1)])).toEqual([score]);
  });

  it('scores a whole trace and a session', async () => {
    await seed();
    const trace = (await scores.add(sent({ spanId: null, value: null, label: 'down' }), T0 + SEC)).score;
    const session = (await scores.add(sent({ traceId: null, spanId: null, sessionId: 'sess-9', name: 'resolved', value: 0 }), T0 + 2 * SEC)).score;
    expect(trace).toMatchObject({ traceId: tid(1), spanId: null, label: 'down', value: null });
    expect(session).toMatchObject({ traceId: null, spanId: null, sessionId: 'sess-9', name: 'resolved' });
    expect((await list()).scores).toEqual([session, trace]);
  });

  it("answers 404 for a trace the project does not have, another project's, and an unknown span of a known trace", async () => {
    await seed();
    expect(await refusal(scores.add(sent({ traceId: tid(7) }), T0))).toBe(`404 ERR_NOT_FOUND: trace ${tid(7)} was not found`);
    expect(await refusal(scores.add(sent({ traceId: tid(7), spanId: null }), T0))).toBe(`404 ERR_NOT_FOUND: trace ${tid(7)} was not found`);
    expect(await refusal(scores.add(sent({ projectId: 'other' }), T0))).toBe(`404 ERR_NOT_FOUND: trace ${tid(1)} was not found`);
    expect(await refusal(scores.add(sent({ spanId: sid(9) }), T0))).toBe(`404 ERR_NOT_FOUND: span ${sid(9)} of trace ${tid(1)} was not found`);
    expect((await list()).scores).toEqual([]);
  });

  it('refuses a score that is no score, naming the field, and stores nothing', async () => {
    await seed();
    const problems = [
      [sent({ name: '  ' }), 'name: a score needs a name'],
      [sent({ value: null, label: null }), 'value: a score needs a value or a label'],
      [sent({ value: Number.POSITIVE_INFINITY }), 'value: must be a finite number'],
      [sent({ value: Number.NaN }), 'value: must be a finite number'],
      [sent({ traceId: null }), "traceId: a span's score names the span's trace too"],
      [sent({ traceId: null, spanId: null }), 'traceId: a score needs a target: a traceId (and spanId), or a sessionId'],
      [sent({ sessionId: 'sess-9' }), 'sessionId: a score is about a trace (or one of its spans) or a session, not both'],
    ] as const;
    for (const [score, message] of problems) expect(await refusal(scores.add(score, T0))).toBe(`400 ERR_BAD_REQUEST: ${message}`);
    expect((await list()).scores).toEqual([]);
  });

  it('replaces the score of a slot sent again, even within one clock tick; another author or source keeps its own', async () => {
    await seed();
    const first = (await scores.add(sent({ value: 1 }), T0 + SEC)).score;
    const again = (await scores.add(sent({ value: 0 }), T0 + SEC)).score;
    expect(again.scoreId).toBe(first.scoreId);
    expect((await list()).scores).toEqual([again]);
    const human = (await scores.add(sent({ source: 'human', value: 1 }), T0 + SEC)).score;
    const other = (await scores.add(sent({ author: 'key-2', value: 1 }), T0 + SEC)).score;
    expect(new Set([first.scoreId, human.scoreId, other.scoreId]).size).toBe(3);
    expect((await list()).scores.map((s) => s.scoreId).sort()).toEqual([first.scoreId, human.scoreId, other.scoreId].sort());
  });

  it('pages newest first with the opaque cursor of the trace list', async () => {
    await seed();
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await scores.add(sent({ name: `check-${i}` }), T0 + i * SEC)).score);
    const first = await list({}, 2);
    expect(first.scores.map((s) => s.name)).toEqual(['check-4', 'check-3']);
    const second = await list({}, 2, first.nextCursor);
    expect(second.scores.map((s) => s.name)).toEqual(['check-2', 'check-1']);
    const third = await list({}, 2, second.nextCursor);
    expect(third).toEqual({ scores: [made[0]], nextCursor: null });
    expect(await refusal(list({}, 2, 'bm90LWEtY3Vyc29y'))).toBe("400 ERR_INVALID_PARAMETER: 'cursor' is not a cursor this server issued");
  });

  it("deletes a score; 404 for one it does not have or another project's", async () => {
    await seed();
    const { score } = await scores.add(sent(), T0 + SEC);
    expect(await refusal(scores.delete('other', score.scoreId, T0 + 2 * SEC))).toBe(`404 ERR_NOT_FOUND: score ${score.scoreId} was not found`);
    await scores.delete('default', score.scoreId, T0 + 2 * SEC);
    expect(await refusal(scores.get('default', score.scoreId))).toBe(`404 ERR_NOT_FOUND: score ${score.scoreId} was not found`);
    expect(await refusal(scores.delete('default', score.scoreId, T0 + 3 * SEC))).toBe(`404 ERR_NOT_FOUND: score ${score.scoreId} was not found`);
    expect((await list()).scores).toEqual([]);
  });
});
