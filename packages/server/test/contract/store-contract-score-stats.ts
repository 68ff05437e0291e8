import { SPOOR_SERVICE_NAME, type ScoreRecord, type ScoreStatsQuery, type ScoreStatsRow, type SpanGroupBy, type TimeRange, scoreIdOf } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { AlertMatcher, AlertSeriesQuery, AlertSeriesRow, Store } from '../../src/store/store.js';
import { ALL, T0, emptyLlm, resource, scoreRecord, sid, span, spanFilter, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';
import { valuesOf } from '../support/fake-score-stats.js';

const SEC = 1_000_000;

/** A score of span 2 of trace 1 by default, by an evaluator. */
const score = (over: Partial<Omit<ScoreRecord, 'scoreId'>> = {}): ScoreRecord =>
  scoreRecord({ timeUs: T0 + SEC, spanId: sid(2), source: 'evaluator', author: 'judge@1', ...over });

/**
 * Two traces of two releases: a root span of service `api` and an LLM span of `worker` each;
 * trace 2's LLM span gave the response `resp-4`. Its scores, newest versions:
 * faithfulness 0.2 (span 2, judge@1), 0.3 (span 2, judge@2), 0.8 (span 4, judge@1; it replaced
 * 0.1), 0.6 (response resp-4, so span 4; from OTel), 0.4 (trace 1, from the API); thumbs up on
 * trace 1, down on trace 2, down on a session. A deleted score, one of another project and one
 * before the range read are left out.
 */
async function seed(store: Store): Promise<void> {
  const v1 = resource('api', { 'service.version': '1.0' });
  const v2 = resource('api', { 'service.version': '2.0' });
  const w1 = resource('worker', { 'service.version': '1.0' });
  const w2 = resource('worker', { 'service.version': '2.0' });
  const llm = (requestModel: string | null, responseModel: string | null) => ({ ...emptyLlm(), requestModel, responseModel });
  await store.writer.write(
    recordBatch({
      spans: [
        span({ traceId: tid(1), spanId: sid(1), serviceName: 'api', resource: v1 }),
        span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), serviceName: 'worker', resource: w1, llm: llm('gpt-4o', 'gpt-4o-2024-08-06') }),
        span({ traceId: tid(2), spanId: sid(3), serviceName: 'api', resource: v2 }),
        span({
          traceId: tid(2),
          spanId: sid(4),
          parentSpanId: sid(3),
          serviceName: 'worker',
          resource: w2,
          llm: llm(null, 'claude'),
          attributes: { 'gen_ai.response.id': 'resp-4' },
        }),
      ],
    }),
    null,
  );
  const trace2Span = { traceId: tid(2), spanId: sid(4) };
  const human = { source: 'human' as const, author: 'user@example.com', value: null, name: 'thumbs' };
  await store.scores.addScores(
    [
      score({ value: 0.2 }),
      score({ value: 0.3, author: 'judge@2' }),
      score({ ...trace2Span, value: 0.1, timeUs: T0 }),
      score({ traceId: null, spanId: null, responseId: 'resp-4', value: 0.6, source: 'otel', author: '' }),
      score({ spanId: null, value: 0.4, source: 'api', author: 'key-1' }),
      score({ ...human, spanId: null, label: 'up' }),
      score({ ...human, traceId: tid(2), spanId: null, label: 'down' }),
      score({ ...human, traceId: null, spanId: null, sessionId: 'sess-1', label: 'down' }),
      score({ author: 'gone', value: 0.99 }),
      { ...score({ value: 0.7 }), projectId: 'p2' },
      score({ name: 'early', timeUs: T0 - SEC }),
    ],
    T0,
  );
  await store.scores.addScores([score({ ...trace2Span, value: 0.8, timeUs: T0 + 10 * SEC })], T0 + 1);
  expect(await store.scores.deleteScore('default', score({ author: 'gone' }).scoreId, T0 + 2)).toBe(true);
}

/** Floating-point sums and means: equal to 9 decimal places. */
const close = (n: number) => expect.closeTo(n, 9);

const SINCE_T0: TimeRange = { fromUs: T0, toUs: null };

/** The contract of score statistics: newest versions only, grouped by name, model, service, release or evaluator, always per name. */
export function describeScoreStatsContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store score statistics contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const stats = (over: Partial<ScoreStatsQuery> = {}) =>
      store.scoreStats.stats({ projectId: 'default', range: SINCE_T0, by: 'name', name: null, limit: 100, ...over });
    const brief = (rows: ScoreStatsRow[]) => rows.map((r) => [r.name, r.key, r.count]);

    it('gives per name the count, mean, p50 and p90 of the values and the count of each label', async () => {
      await seed(store);
      expect(await stats()).toEqual([
        { name: 'faithfulness', key: 'faithfulness', count: 5, mean: close(0.46), p50: close(0.4), p90: close(0.72), labels: {} },
        { name: 'thumbs', key: 'thumbs', count: 3, mean: null, p50: null, p90: null, labels: { down: 2, up: 1 } },
      ]);
      expect(brief(await stats({ name: 'thumbs' }))).toEqual([['thumbs', 'thumbs', 3]]);
      expect(brief(await stats({ limit: 1 }))).toEqual([['faithfulness', 'faithfulness', 5]]);
      // The range holds the newest version: span 4's 0.8 (at T0 + 10 s), not the 0.1 it replaced (at T0).
      expect(await stats({ range: { fromUs: T0 + 5 * SEC, toUs: T0 + 20 * SEC } })).toEqual([
        { name: 'faithfulness', key: 'faithfulness', count: 1, mean: 0.8, p50: 0.8, p90: 0.8, labels: {} },
      ]);
      expect(brief(await stats({ range: ALL })).map((r) => r[0])).toEqual(['faithfulness', 'thumbs', 'early']);
      expect(await stats({ projectId: 'p3' })).toEqual([]);
    });

    it("groups by the scored span's request model (else its response model); a trace's or session's score has none", async () => {
      await seed(store);
      const rows = await stats({ by: 'model' });
      expect(brief(rows)).toEqual([
        ['thumbs', null, 3],
        ['faithfulness', 'claude', 2],
        ['faithfulness', 'gpt-4o', 2],
        ['faithfulness', null, 1],
      ]);
      expect(rows[0]!.labels).toEqual({ down: 2, up: 1 });
      expect(rows[1]).toMatchObject({ mean: close(0.7), p50: close(0.7), p90: close(0.78) });
    });

    it("groups by the scored span's service, a trace's score by its root span's", async () => {
      await seed(store);
      const rows = await stats({ by: 'service' });
      expect(brief(rows)).toEqual([
        ['faithfulness', 'worker', 4],
        ['thumbs', 'api', 2],
        ['faithfulness', 'api', 1],
        ['thumbs', null, 1],
      ]);
      expect(rows[1]!.labels).toEqual({ down: 1, up: 1 });
      expect(rows[3]!.labels).toEqual({ down: 1 });
    });

    it("groups by the release (service.version) of the scored span's resource, a trace's score by its root span's", async () => {
      await seed(store);
      expect(brief(await stats({ by: 'release' }))).toEqual([
        ['faithfulness', '1.0', 3],
        ['faithfulness', '2.0', 2],
        ['thumbs', '1.0', 1],
        ['thumbs', '2.0', 1],
        ['thumbs', null, 1],
      ]);
    });

    it("gives a release comparison the scores of each side's spans, a trace's score going with its root span", async () => {
      await seed(store);
      const compare = async (over: Parameters<typeof spanFilter>[0] = {}) => {
        const groups = await store.scoreStats.compare({ filter: spanFilter(over), by: { attribute: 'service.version' }, a: '1.0', b: '2.0', limit: 100 });
        const key = (g: { name: string; side: string; label: string | null }) => JSON.stringify([g.name, g.side, g.label]);
        return groups
          .map((g) => ({ name: g.name, side: g.side, label: g.label, count: g.count, values: valuesOf(g) }))
          .sort((x, y) => key(x).localeCompare(key(y)));
      };
      const group = (name: string, side: 'a' | 'b', label: string | null, count: number, values: number[]) => ({ name, side, label, count, values });
      // Whatever the score's time: the spans decide. The session's score has no side; the deleted one and p2's are out.
      expect(await compare()).toEqual([
        group('early', 'a', null, 1, [0.5]),
        group('faithfulness', 'a', null, 3, [0.2, 0.3, 0.4]),
        group('faithfulness', 'b', null, 2, [0.6, 0.8]),
        group('thumbs', 'a', 'up', 1, []),
        group('thumbs', 'b', 'down', 1, []),
      ]);
      // Root spans only: the traces' own scores.
      expect(await compare({ rootOnly: true })).toEqual([
        group('faithfulness', 'a', null, 1, [0.4]),
        group('thumbs', 'a', 'up', 1, []),
        group('thumbs', 'b', 'down', 1, []),
      ]);
      expect(await compare({ projectId: 'p3' })).toEqual([]);
    });

    it('counts each score of a release comparison once, its newest version, over scored traces far apart in time', async () => {
      await seed(store);
      // Trace 1's spans stored a second time, and an hour earlier a third trace (release 1.0) with
      // two versions of a score, the newer one deleted, and a score of its span of a new name.
      await store.writer.write(
        recordBatch({
          spans: [
            span({ traceId: tid(1), spanId: sid(1), serviceName: 'api', resource: resource('api', { 'service.version': '1.0' }) }),
            span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), serviceName: 'worker', resource: resource('worker', { 'service.version': '1.0' }) }),
            span({
              traceId: tid(3),
              spanId: sid(5),
              serviceName: 'api',
              startTimeUs: T0 - 3600 * SEC,
              endTimeUs: T0 - 3599 * SEC,
              resource: resource('api', { 'service.version': '1.0' }),
            }),
          ],
        }),
        null,
      );
      const old = { traceId: tid(3), spanId: sid(5) };
      await store.scores.addScores([score({ ...old, name: 'recall', value: 0.1 }), score({ ...old, name: 'gone', value: 0.9 })], T0 + 3);
      await store.scores.addScores([score({ ...old, name: 'recall', value: 0.7, timeUs: T0 + 2 * SEC })], T0 + 4);
      expect(await store.scores.deleteScore('default', score({ ...old, name: 'gone' }).scoreId, T0 + 5)).toBe(true);
      const compare = async (range: TimeRange = ALL, projectId = 'default') => {
        const groups = await store.scoreStats.compare({
          filter: spanFilter({ range, projectId }),
          by: { attribute: 'service.version' },
          a: '1.0',
          b: '2.0',
          limit: 100,
        });
        return groups.map((g) => [g.name, g.side, g.label, g.count, valuesOf(g)]).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      };
      expect(await compare()).toEqual([
        ['early', 'a', null, 1, [0.5]],
        ['faithfulness', 'a', null, 3, [0.2, 0.3, 0.4]],
        ['faithfulness', 'b', null, 2, [0.6, 0.8]],
        ['recall', 'a', null, 1, [0.7]],
        ['thumbs', 'a', 'up', 1, []],
        ['thumbs', 'b', 'down', 1, []],
      ]);
      // The spans' range decides, not the scored traces' times.
      expect((await compare({ fromUs: T0 - SEC, toUs: null })).map((g) => g[0])).not.toContain('recall');
      expect((await compare({ fromUs: null, toUs: T0 - SEC })).map((g) => g.slice(0, 4))).toEqual([['recall', 'a', null, 1]]);
      // p2 has a score but no spans.
      expect(await compare(ALL, 'p2')).toEqual([]);
    });

    it('counts a score written again once in a release comparison, its newest version, where its span was stored twice or came after it', async () => {
      await seed(store);
      // Trace 1's spans stored a second time; then judge@1's 0.2 on span 2 written again as 0.25.
      await store.writer.write(
        recordBatch({
          spans: [
            span({ traceId: tid(1), spanId: sid(1), serviceName: 'api', resource: resource('api', { 'service.version': '1.0' }) }),
            span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), serviceName: 'worker', resource: resource('worker', { 'service.version': '1.0' }) }),
          ],
        }),
        null,
      );
      await store.scores.addScores([score({ value: 0.25, timeUs: T0 + 3 * SEC })], T0 + 3);
      // One slot twice in a batch, and one written by two batches at once: the newer counts.
      await store.scores.addScores([score({ author: 'judge@3', value: 0.1 }), score({ author: 'judge@3', value: 0.15, timeUs: T0 + 2 * SEC })], T0 + 4);
      await Promise.all([
        store.scores.addScores([score({ author: 'judge@4', value: 0.5 })], T0 + 5),
        store.scores.addScores([score({ author: 'judge@4', value: 0.55, timeUs: T0 + 2 * SEC })], T0 + 5),
      ]);
      // Scores of a span of release 2.0 stored after them, one written again after it came.
      const late = { traceId: tid(6), spanId: sid(7), name: 'late' };
      await store.scores.addScores([score({ ...late, value: 0.9 }), score({ ...late, author: 'judge@2', value: 0.1 })], T0 + 6);
      await store.writer.write(
        recordBatch({ spans: [span({ ...late, serviceName: 'worker', resource: resource('worker', { 'service.version': '2.0' }) })] }),
        null,
      );
      await store.scores.addScores([score({ ...late, author: 'judge@2', value: 0.2, timeUs: T0 + 2 * SEC })], T0 + 7);
      const groups = await store.scoreStats.compare({ filter: spanFilter(), by: { attribute: 'service.version' }, a: '1.0', b: '2.0', limit: 100 });
      const brief = groups.map((g) => [g.name, g.side, g.label, g.count, valuesOf(g)]);
      brief.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      expect(brief).toEqual([
        ['early', 'a', null, 1, [0.5]],
        ['faithfulness', 'a', null, 5, [0.15, 0.25, 0.3, 0.4, 0.55]],
        ['faithfulness', 'b', null, 2, [0.6, 0.8]],
        ['late', 'b', null, 2, [0.2, 0.9]],
        ['thumbs', 'a', 'up', 1, []],
        ['thumbs', 'b', 'down', 1, []],
      ]);
      // One release named on both sides: each score once, on side b.
      const same = await store.scoreStats.compare({ filter: spanFilter(), by: { attribute: 'service.version' }, a: '2.0', b: '2.0', limit: 100 });
      expect(same.map((g) => [g.name, g.side, g.count]).sort()).toEqual([
        ['faithfulness', 'b', 2],
        ['late', 'b', 2],
        ['thumbs', 'b', 1],
      ]);
    });

    it("puts a release comparison's score on its span's side as the spans and the filter say, whatever the store knew when it was written", async () => {
      await seed(store);
      const worker = (version: string) => resource('worker', { 'service.version': version });
      // A span stored again the same after its score, a span of Spoor's own, and one stored after
      // a score of it was deleted and one of it written.
      const own = { traceId: tid(8), spanId: sid(9), serviceName: SPOOR_SERVICE_NAME };
      await store.writer.write(recordBatch({ spans: [span({ ...own, resource: resource(SPOOR_SERVICE_NAME, { 'service.version': '2.0' }) })] }), null);
      const again = { traceId: tid(9), spanId: sid(10), serviceName: 'worker', resource: worker('2.0') };
      await store.writer.write(recordBatch({ spans: [span(again)] }), null);
      await store.scores.addScores([score({ ...own, name: 'own' }), score({ ...again, name: 'again' })], T0 + 3);
      await store.writer.write(recordBatch({ spans: [span(again)] }), null);
      const early = { traceId: tid(10), spanId: sid(11), name: 'undone' };
      await store.scores.addScores([score(early), score({ ...early, author: 'judge@2', value: 0.1 })], T0 + 4);
      expect(await store.scores.deleteScore('default', score(early).scoreId, T0 + 5)).toBe(true);
      await store.writer.write(recordBatch({ spans: [span({ ...early, serviceName: 'worker', resource: worker('1.0') })] }), null);
      const compare = async (over: Parameters<typeof spanFilter>[0] = {}, by: SpanGroupBy = { attribute: 'service.version' }, a = '1.0', b = '2.0') => {
        const groups = await store.scoreStats.compare({ filter: spanFilter(over), by, a, b, limit: 100 });
        return groups.map((g) => [g.name, g.side, g.label, g.count, valuesOf(g)]).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      };
      const seeded = [
        ['early', 'a', null, 1, [0.5]],
        ['faithfulness', 'a', null, 3, [0.2, 0.3, 0.4]],
        ['faithfulness', 'b', null, 2, [0.6, 0.8]],
        ['thumbs', 'a', 'up', 1, []],
        ['thumbs', 'b', 'down', 1, []],
      ];
      const added = [
        ['again', 'b', null, 1, [0.5]],
        ['own', 'b', null, 1, [0.5]],
        ['undone', 'a', null, 1, [0.1]],
      ];
      const sorted = (rows: unknown[][]) => rows.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      expect(await compare()).toEqual(sorted([...seeded, ...added]));
      expect(await compare({ origin: 'app' })).toEqual(sorted([...seeded, ...added.filter((g) => g[0] !== 'own')]));
      expect(await compare({ origin: 'spoor' })).toEqual([['own', 'b', null, 1, [0.5]]]);
      // The scored spans start at T0: a range after it has none.
      expect(await compare({ range: { fromUs: T0 + 1, toUs: null } })).toEqual([]);
      expect(await compare({ service: 'api' })).toEqual([
        ['faithfulness', 'a', null, 1, [0.4]],
        ['thumbs', 'a', 'up', 1, []],
        ['thumbs', 'b', 'down', 1, []],
      ]);
      expect(await compare({}, { column: 'service' }, 'api', 'worker')).toEqual([
        ['again', 'b', null, 1, [0.5]],
        ['early', 'b', null, 1, [0.5]],
        ['faithfulness', 'a', null, 1, [0.4]],
        ['faithfulness', 'b', null, 4, [0.2, 0.3, 0.6, 0.8]],
        ['thumbs', 'a', 'down', 1, []],
        ['thumbs', 'a', 'up', 1, []],
        ['undone', 'b', null, 1, [0.1]],
      ]);
    });

    it('groups the scores evaluators made by evaluator, leaving the others out', async () => {
      await seed(store);
      expect(await stats({ by: 'evaluator' })).toEqual([
        { name: 'faithfulness', key: 'judge@1', count: 2, mean: close(0.5), p50: close(0.5), p90: close(0.74), labels: {} },
        { name: 'faithfulness', key: 'judge@2', count: 1, mean: close(0.3), p50: close(0.3), p90: close(0.3), labels: {} },
      ]);
    });
  });
}

/** The contract of alert series over scores: the newest version of each, by its time, labels name, label, source and author. */
export function describeScoreSeriesContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store score alert series contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));
    const MIN = 60 * SEC;
    const series = async (over: Partial<AlertSeriesQuery>) => {
      const rows = await store.alertSeries.read({
        projectId: 'default',
        source: 'scores',
        fn: 'count',
        matchers: [],
        by: [],
        startUs: T0,
        stepUs: MIN,
        buckets: 3,
        ...over,
      });
      const key = (r: AlertSeriesRow) => JSON.stringify(r.labels);
      return [...rows].sort((a, b) => key(a).localeCompare(key(b)) || a.bucket - b.bucket);
    };
    const row = (bucket: number, value: unknown, labels: Array<string | null> = []) => ({ labels, bucket, value });
    const is = (name: string, value: string): AlertMatcher => ({ name, attribute: false, op: '=', value });
    const label = (name: string) => ({ name, attribute: false });

    /**
     * Three 1-minute buckets from T0. Bucket 0: faithfulness 0.2 (judge@1) and 0.6 (judge@2),
     * thumbs down. Bucket 1: faithfulness 0.3 (judge@1, span 3), whose older version 0.9 was in
     * bucket 0. Bucket 2: thumbs down twice and up once. Left out: a thumbs down at the range's
     * end, a faithfulness before it, a deleted one in bucket 2, another project's thumbs down.
     */
    const seed = async () => {
      const thumbs = (n: number, at: number, vote: string, over: Partial<ScoreRecord> = {}) =>
        score({ name: 'thumbs', value: null, label: vote, source: 'human', author: `user-${n}`, spanId: null, traceId: tid(n), timeUs: at, ...over });
      await store.scores.addScores(
        [
          score({ value: 0.2, timeUs: T0 + 5 * SEC }),
          score({ value: 0.6, author: 'judge@2', timeUs: T0 + 6 * SEC }),
          score({ value: 0.9, spanId: sid(3), timeUs: T0 + 10 * SEC }),
          thumbs(1, T0 + 20 * SEC, 'down'),
          thumbs(2, T0 + 2 * MIN + SEC, 'down'),
          thumbs(3, T0 + 2 * MIN + 2 * SEC, 'down'),
          thumbs(4, T0 + 2 * MIN + 3 * SEC, 'up'),
          thumbs(5, T0 + 3 * MIN, 'down'),
          score({ spanId: sid(4), timeUs: T0 - 1 }),
          score({ spanId: sid(5), value: 0, timeUs: T0 + 2 * MIN + 4 * SEC }),
          thumbs(6, T0 + 2 * MIN + 5 * SEC, 'down', { projectId: 'p2' }),
        ].map((s) => ({ ...s, scoreId: scoreIdOf(s) })),
        T0,
      );
      await store.scores.addScores([score({ value: 0.3, spanId: sid(3), timeUs: T0 + 70 * SEC })], T0 + 1);
      expect(await store.scores.deleteScore('default', score({ spanId: sid(5) }).scoreId, T0 + 2)).toBe(true);
    };

    it('computes each score function per bucket over the newest versions', async () => {
      await seed();
      const faithful = [is('name', 'faithfulness')];
      const expected: Record<string, ReturnType<typeof row>[]> = {
        count: [row(0, 2), row(1, 1)],
        rate: [row(0, close(2 / 60)), row(1, close(1 / 60))],
        avg: [row(0, close(0.4)), row(1, close(0.3))],
        min: [row(0, close(0.2)), row(1, close(0.3))],
        max: [row(0, close(0.6)), row(1, close(0.3))],
        sum: [row(0, close(0.8)), row(1, close(0.3))],
        p50: [row(0, close(0.4)), row(1, close(0.3))],
        p90: [row(0, close(0.56)), row(1, close(0.3))],
      };
      for (const [fn, rows] of Object.entries(expected)) expect(await series({ fn: fn as AlertSeriesQuery['fn'], matchers: faithful }), fn).toEqual(rows);
      // Label-only scores count, and have no value to average.
      expect(await series({ fn: 'count', matchers: [is('name', 'thumbs'), is('label', 'down')] })).toEqual([row(0, 1), row(2, 2)]);
      expect(await series({ fn: 'avg', matchers: [is('name', 'thumbs')] })).toEqual([row(0, null), row(2, null)]);
      expect(await series({ fn: 'p90', matchers: [is('name', 'thumbs')] })).toEqual([row(0, null), row(2, null)]);
    });

    it('groups and matches by name, label, source and author', async () => {
      await seed();
      expect(await series({ by: [label('name')] })).toEqual([
        row(0, 2, ['faithfulness']),
        row(1, 1, ['faithfulness']),
        row(0, 1, ['thumbs']),
        row(2, 3, ['thumbs']),
      ]);
      expect(await series({ fn: 'max', by: [label('author')], matchers: [is('source', 'evaluator')] })).toEqual([
        row(0, close(0.2), ['judge@1']),
        row(1, close(0.3), ['judge@1']),
        row(0, close(0.6), ['judge@2']),
      ]);
      expect(await series({ by: [label('label')], matchers: [{ ...is('name', 'thumbs'), op: '!=' }] })).toEqual([row(0, 2, [null]), row(1, 1, [null])]);
      expect(await series({ by: [label('label')], matchers: [{ ...is('label', '^d'), op: '=~' }] })).toEqual([row(0, 1, ['down']), row(2, 2, ['down'])]);
      expect(await series({ projectId: 'p3' })).toEqual([]);
    });
  });
}
