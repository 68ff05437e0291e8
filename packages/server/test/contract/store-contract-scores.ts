import type { ScoreQuery, ScoreRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { Store, StoredScore } from '../../src/store/store.js';
import { ALL, T0, emptyLlm, scoreRecord as score, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const SEC = 1_000_000;

const stored = (s: ScoreRecord, writtenUs: number): StoredScore => ({ ...s, writtenUs });

/** The contract of the score port: newest version per slot, deletions, response ids, filters and pages. */
export function describeScoreContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store scores contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const list = (over: Partial<ScoreQuery> = {}, limit = 100) =>
      store.scores.listScores(
        { projectId: 'default', range: ALL, traceId: null, spanId: null, sessionId: null, name: null, source: null, ...over },
        null,
        limit,
      );

    it('reads a score back with every field, from a write batch or added at once', async () => {
      const fromIngest = score({ source: 'otel', author: '', label: 'relevant', value: null, comment: 'cites the context', spanId: sid(2) });
      await store.writer.write(recordBatch({ scores: [fromIngest], writtenUs: T0 + 5 }), null);
      const fromApi = score({
        traceId: tid(1),
        spanId: null,
        value: 1,
        label: 'up',
        comment: 'great',
        source: 'human',
        author: 'user@example.com',
        timeUs: T0 + SEC,
      });
      await store.scores.addScores([fromApi], T0 + SEC + 7);
      expect(await list()).toEqual([stored(fromApi, T0 + SEC + 7), stored(fromIngest, T0 + 5)]);
      expect(await store.scores.getScore('default', fromApi.scoreId)).toEqual(stored(fromApi, T0 + SEC + 7));
      expect(await store.scores.getScore('default', 'no-such-score')).toBeNull();
    });

    it('keeps the newest version of a slot: by its time, then by when it was written', async () => {
      const first = score({ value: 0.2 });
      await store.scores.addScores([first], T0 + 1);
      await store.scores.addScores([score({ value: 0.9, timeUs: T0 + 10 * SEC })], T0 + 2);
      // Older than the newest: a late, out-of-order copy does not win.
      await store.scores.addScores([score({ value: 0.1, timeUs: T0 + 5 * SEC })], T0 + 3);
      expect((await list()).map((s) => s.value)).toEqual([0.9]);
      // The same time, written later (a retried request with a changed vote): it wins.
      await store.writer.write(recordBatch({ scores: [score({ value: 0.7, timeUs: T0 + 10 * SEC })], writtenUs: T0 + 4 }), null);
      expect((await list()).map((s) => s.value)).toEqual([0.7]);
      // Another author's score of the same target and name is a score of its own.
      await store.scores.addScores([score({ value: 0.3, author: 'key-2' })], T0 + 5);
      expect((await list()).map((s) => s.value).sort()).toEqual([0.3, 0.7]);
    });

    it('deletes a score; a newer one for the slot is a score again; other projects are untouched', async () => {
      const s = score();
      await store.scores.addScores([s, { ...s, projectId: 'p2' }], T0 + 1);
      expect(await store.scores.deleteScore('default', s.scoreId, T0 + 2)).toBe(true);
      expect(await store.scores.deleteScore('default', s.scoreId, T0 + 3)).toBe(false);
      expect(await store.scores.deleteScore('default', 'no-such-score', T0 + 3)).toBe(false);
      expect(await list()).toEqual([]);
      expect(await store.scores.getScore('default', s.scoreId)).toBeNull();
      expect(await store.scores.getScore('p2', s.scoreId)).toEqual(stored({ ...s, projectId: 'p2' }, T0 + 1));
      await store.scores.addScores([score({ timeUs: T0 + SEC, value: 0.8 })], T0 + 4);
      expect((await list()).map((s) => s.value)).toEqual([0.8]);
    });

    it('gives a score that named only a response id the span with that id, whichever arrived first', async () => {
      const early = score({ traceId: null, spanId: null, responseId: 'chatcmpl-1', source: 'otel', author: '' });
      await store.writer.write(recordBatch({ scores: [early], writtenUs: T0 }), null);
      expect((await list())[0]).toMatchObject({ traceId: null, spanId: null, responseId: 'chatcmpl-1' });
      const llm = span({ traceId: tid(7), spanId: sid(70), llm: emptyLlm(), attributes: { 'gen_ai.response.id': 'chatcmpl-1' } });
      // A span without an LLM call carrying the same attribute is not a response.
      const notLlm = span({ traceId: tid(8), spanId: sid(80), attributes: { 'gen_ai.response.id': 'chatcmpl-2' } });
      await store.writer.write(recordBatch({ spans: [llm, notLlm] }), null);
      const late = score({ traceId: null, spanId: null, responseId: 'chatcmpl-2', name: 'other', source: 'otel', author: '' });
      await store.scores.addScores([late], T0 + 1);
      expect((await list({ name: 'faithfulness' }))[0]).toMatchObject({ traceId: tid(7), spanId: sid(70), responseId: 'chatcmpl-1' });
      expect(await list({ traceId: tid(7) })).toHaveLength(1);
      expect(await list({ spanId: sid(70) })).toHaveLength(1);
      expect((await store.scores.scoresOfTraces('default', [tid(7)])).map((s) => s.responseId)).toEqual(['chatcmpl-1']);
      expect((await list({ name: 'other' }))[0]).toMatchObject({ traceId: null, spanId: null });
    });

    it('gives a response id stored for two spans the one of the lowest trace, with that span, never a mix of the two', async () => {
      const llm = (trace: number, spanNo: number) =>
        span({ traceId: tid(trace), spanId: sid(spanNo), llm: emptyLlm(), attributes: { 'gen_ai.response.id': 'chatcmpl-twice' } });
      await store.writer.write(recordBatch({ spans: [llm(4, 5), llm(3, 99)] }), null);
      await store.scores.addScores([score({ traceId: null, spanId: null, responseId: 'chatcmpl-twice', source: 'otel', author: '' })], T0);
      expect((await list())[0]).toMatchObject({ traceId: tid(3), spanId: sid(99) });
      expect((await store.scores.scoresOfTraces('default', [tid(3)])).map((s) => s.spanId)).toEqual([sid(99)]);
    });

    it('filters by trace, span, session, name, source and time, and pages newest first', async () => {
      const scores = [
        score({ timeUs: T0 + 1 * SEC, name: 'a' }),
        score({ timeUs: T0 + 2 * SEC, name: 'b', spanId: sid(2) }),
        score({ timeUs: T0 + 3 * SEC, name: 'a', traceId: tid(2), spanId: null, source: 'evaluator', author: 'judge@1' }),
        score({ timeUs: T0 + 4 * SEC, name: 'thumbs', traceId: null, spanId: null, sessionId: 'sess-1', label: 'down', value: null }),
        score({ timeUs: T0 + 4 * SEC, name: 'a', traceId: tid(3), spanId: null }),
        { ...score({ timeUs: T0 + 5 * SEC, name: 'a' }), projectId: 'p2' },
      ];
      await store.scores.addScores(scores, T0);
      const names = (s: StoredScore[]) => s.map((x) => `${x.name}@${(x.timeUs - T0) / SEC}`);
      expect(names(await list({ traceId: tid(1) }))).toEqual(['b@2', 'a@1']);
      expect(names(await list({ spanId: sid(2) }))).toEqual(['b@2']);
      expect(names(await list({ sessionId: 'sess-1' }))).toEqual(['thumbs@4']);
      expect(names(await list({ name: 'a' }))).toEqual(['a@4', 'a@3', 'a@1']);
      expect(names(await list({ source: 'evaluator' }))).toEqual(['a@3']);
      expect(names(await list({ range: { fromUs: T0 + 2 * SEC, toUs: T0 + 4 * SEC } }))).toEqual(['a@3', 'b@2']);
      // Pages: two at a time, each after the last of the one before (equal times by score id).
      const all = await list();
      expect(all).toHaveLength(5);
      const seen: string[] = [];
      let after: { timeUs: number; id: string } | null = null;
      for (;;) {
        const page = await store.scores.listScores(
          { projectId: 'default', range: ALL, traceId: null, spanId: null, sessionId: null, name: null, source: null },
          after,
          2,
        );
        seen.push(...page.map((s) => s.scoreId));
        if (page.length < 2) break;
        after = { timeUs: page[1]!.timeUs, id: page[1]!.scoreId };
      }
      expect(seen).toEqual(all.map((s) => s.scoreId));
      expect((await store.scores.scoresOfTraces('default', [tid(1), tid(2)])).map((s) => s.name)).toEqual(['a', 'b', 'a']);
      expect(await store.scores.scoresOfTraces('p3', [tid(1)])).toEqual([]);
    });

    it("finds a score's target, trace and span, without reading the trace, and only in the project", async () => {
      await store.writer.write(
        recordBatch({
          spans: [
            span({ traceId: tid(1), spanId: sid(1) }),
            // A span a day later: the span read's time bounds are the trace's.
            span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), startTimeUs: T0 + 86_400_000_000, endTimeUs: T0 + 86_400_000_100 }),
            span({ projectId: 'p2', traceId: tid(3), spanId: sid(3) }),
          ],
        }),
        null,
      );
      expect(await store.scores.findTarget('default', tid(1), null)).toBe('found');
      expect(await store.scores.findTarget('default', tid(1), sid(2))).toBe('found');
      expect(await store.scores.findTarget('default', tid(1), sid(3))).toBe('no span');
      expect(await store.scores.findTarget('default', tid(2), null)).toBe('no trace');
      expect(await store.scores.findTarget('default', tid(3), sid(3))).toBe('no trace');
      expect(await store.scores.findTarget('p2', tid(3), sid(3))).toBe('found');
    });

    it('retention deletes scores and response ids older than the cutoff', async () => {
      await store.scores.addScores([score({ timeUs: T0 - 10 * SEC, name: 'old' }), score({ timeUs: T0 + SEC, name: 'new' })], T0);
      await store.writer.write(
        recordBatch({ spans: [span({ startTimeUs: T0 - 10 * SEC, endTimeUs: T0 - 9 * SEC, llm: emptyLlm(), attributes: { 'gen_ai.response.id': 'r-old' } })] }),
        null,
      );
      expect(await store.retention.deleteOlderThan('scores', T0)).toBe(1);
      expect(await store.retention.deleteOlderThan('llmResponses', T0)).toBe(1);
      expect((await list()).map((s) => s.name)).toEqual(['new']);
    });
  });
}
