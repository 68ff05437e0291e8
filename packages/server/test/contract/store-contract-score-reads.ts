import type { ScoreFilter, ScoreRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { RecordBatch, ScoreTallies, Store } from '../../src/store/store.js';
import { ALL, T0, emptyLlm, query, scoreRecord, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const SEC = 1_000_000;

/** A score of trace 1 by default (no span). */
const score = (over: Partial<Omit<ScoreRecord, 'scoreId'>> = {}): ScoreRecord => scoreRecord({ spanId: null, ...over });

/** Tallies as plain objects, for `toEqual`. */
function plain(tallies: ScoreTallies) {
  return Object.fromEntries(
    [...tallies].map(([owner, byName]) => [owner, Object.fromEntries([...byName].map(([name, t]) => [name, { ...t, labels: Object.fromEntries(t.labels) }]))]),
  );
}

const tally = (count: number, valueCount: number, valueSum: number, labels: Record<string, number> = {}) => ({ count, valueCount, valueSum, labels });

/**
 * The contract of the score reads the trace list and sessions make: tallies per trace and per
 * session, and the trace list's `score=` filters. Each reads the newest version of a slot, leaves
 * deletions out and counts a score that named only a response id for that response's trace.
 */
export function describeScoreReadsContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store score reads contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const write = (batch: Partial<RecordBatch>) => store.writer.write(recordBatch(batch), null);
    /** The root span of trace n, started n seconds after T0 (so the list is newest first by n). */
    const root = (n: number, over: Parameters<typeof span>[0] = {}) =>
      span({ traceId: tid(n), spanId: sid(n * 10), name: `run ${n}`, startTimeUs: T0 + n * SEC, endTimeUs: T0 + n * SEC + 100, ...over });

    /**
     * Traces 1 to 5. Trace 1: faithfulness 0.2 on the trace and 0.4 on a span (mean 0.3), thumbs
     * down by one user and up by another. Trace 2: faithfulness 0.9, first sent as 0.1 (replaced),
     * and a thumbs up. Trace 3: faithfulness 0.6 from a response id whose span came later, and a
     * deleted thumbs down. Trace 4: thumbs down, no faithfulness. Trace 5: nothing. Project p2's
     * trace 1 has a faithfulness of 0.99 and a thumbs up.
     */
    async function seed(): Promise<void> {
      await write({
        spans: [1, 2, 4, 5].map((n) => root(n)),
        scores: [
          score({ value: 0.2 }),
          score({ spanId: sid(11), value: 0.4, source: 'evaluator', author: 'judge@1' }),
          score({ traceId: tid(2), value: 0.1 }),
          score({ traceId: tid(3), responseId: null, name: 'thumbs', value: null, label: 'down', source: 'human', author: 'ana' }),
          score({ traceId: null, responseId: 'chatcmpl-3', value: 0.6, source: 'otel', author: '' }),
        ],
        writtenUs: T0,
      });
      await store.scores.addScores(
        [
          score({ name: 'thumbs', value: null, label: 'down', source: 'human', author: 'ana' }),
          score({ name: 'thumbs', value: 1, label: 'up', source: 'human', author: 'bo' }),
          score({ traceId: tid(2), value: 0.9, timeUs: T0 + SEC }),
          score({ traceId: tid(2), name: 'thumbs', value: null, label: 'up', source: 'human', author: 'ana' }),
          score({ traceId: tid(4), name: 'thumbs', value: null, label: 'down', source: 'human', author: 'ana' }),
          score({ projectId: 'p2', value: 0.99 }),
          score({ projectId: 'p2', name: 'thumbs', value: null, label: 'up', source: 'human', author: 'ana' }),
        ],
        T0 + 1,
      );
      const deleted = score({ traceId: tid(3), name: 'thumbs', value: null, label: 'down', source: 'human', author: 'ana' });
      expect(await store.scores.deleteScore('default', deleted.scoreId, T0 + 2)).toBe(true);
      await write({
        spans: [
          root(3),
          span({
            traceId: tid(3),
            spanId: sid(31),
            parentSpanId: sid(30),
            startTimeUs: T0 + 3 * SEC + 10,
            llm: emptyLlm(),
            attributes: { 'gen_ai.response.id': 'chatcmpl-3' },
          }),
          root(1, { projectId: 'p2' }),
        ],
      });
    }

    it("tallies each trace's scores per name: the newest version of a slot, span and response scores counted, deletions and other projects not", async () => {
      await seed();
      const tallies = await store.scores.tallyTraceScores('default', [tid(1), tid(2), tid(3), tid(4), tid(5)]);
      expect(plain(tallies)).toEqual({
        [tid(1)]: { faithfulness: tally(2, 2, expect.closeTo(0.6, 12)), thumbs: tally(2, 1, 1, { down: 1, up: 1 }) },
        [tid(2)]: { faithfulness: tally(1, 1, 0.9), thumbs: tally(1, 0, 0, { up: 1 }) },
        [tid(3)]: { faithfulness: tally(1, 1, 0.6) },
        [tid(4)]: { thumbs: tally(1, 0, 0, { down: 1 }) },
      });
      expect(plain(await store.scores.tallyTraceScores('p2', [tid(1)]))).toEqual({
        [tid(1)]: { faithfulness: tally(1, 1, 0.99), thumbs: tally(1, 0, 0, { up: 1 }) },
      });
      expect((await store.scores.tallyTraceScores('default', [])).size).toBe(0);
    });

    const listed = async (...scores: ScoreFilter[]) => (await store.traces.listTraces(query({ scores }), null, 100)).map((t) => t.traceId);

    it("filters the trace list on the mean of a trace's values of a score, by each comparison", async () => {
      await seed();
      const f = (op: ScoreFilter['op'], value: number): ScoreFilter => ({ name: 'faithfulness', op, value });
      // Means: trace 1 0.3 (0.2 and 0.4), trace 2 0.9 (the newest version), trace 3 0.6 (its response's).
      expect(await listed(f('<', 0.7))).toEqual([tid(3), tid(1)]);
      expect(await listed(f('<=', 0.6))).toEqual([tid(3), tid(1)]);
      expect(await listed(f('>', 0.6))).toEqual([tid(2)]);
      expect(await listed(f('>=', 0.6))).toEqual([tid(3), tid(2)]);
      expect(await listed(f('=', 0.9))).toEqual([tid(2)]);
      // Traces without a value of the name (4 and 5) match no comparison, `!=` neither.
      expect(await listed(f('!=', 0.9))).toEqual([tid(3), tid(1)]);
      // A score with a label and a value compares by its value.
      expect(await listed({ name: 'thumbs', op: '>', value: 0.5 })).toEqual([tid(1)]);
      expect(await listed({ name: 'no such score', op: '<', value: 1 })).toEqual([]);
    });

    it('compares with any finite number, however large: integers past 64 bits and doubles near the largest', async () => {
      await seed();
      // A score takes any finite number, so a filter compares with any: 2e19 is past a 64-bit integer.
      await store.scores.addScores([score({ traceId: tid(5), value: 2e19 })], T0 + 3);
      const f = (op: ScoreFilter['op'], value: number): ScoreFilter => ({ name: 'faithfulness', op, value });
      expect(await listed(f('>', 1e19))).toEqual([tid(5)]);
      expect(await listed(f('<', -1e19))).toEqual([]);
      expect(await listed(f('=', 2e19))).toEqual([tid(5)]);
      expect(await listed(f('<', 1.7e308))).toEqual([tid(5), tid(3), tid(2), tid(1)]);
      expect(await listed(f('>', -1.7e308))).toEqual([tid(5), tid(3), tid(2), tid(1)]);
      expect(await listed(f('>=', 2 ** 63))).toEqual([tid(5)]);
    });

    it('filters the trace list on labels: a score so labelled, or scores of the name none so labelled', async () => {
      await seed();
      // Trace 3's thumbs down was deleted.
      expect(await listed({ name: 'thumbs', op: '=', label: 'down' })).toEqual([tid(4), tid(1)]);
      expect(await listed({ name: 'thumbs', op: '!=', label: 'down' })).toEqual([tid(2)]);
      expect(await listed({ name: 'thumbs', op: '=', label: 'Down' })).toEqual([]);
    });

    it('meets every score filter and every other filter of the list at once', async () => {
      await seed();
      const low: ScoreFilter = { name: 'faithfulness', op: '<', value: 0.7 };
      expect(await listed(low, { name: 'thumbs', op: '=', label: 'down' })).toEqual([tid(1)]);
      expect((await store.traces.listTraces(query({ scores: [low], spanName: 'run 3' }), null, 100)).map((t) => t.traceId)).toEqual([tid(3)]);
      expect((await store.traces.listTraces(query({ scores: [low], range: { fromUs: T0 + 2 * SEC, toUs: null } }), null, 100)).map((t) => t.traceId)).toEqual([
        tid(3),
      ]);
      // Pages go on after the cursor.
      const first = await store.traces.listTraces(query({ scores: [low] }), null, 1);
      expect(first.map((t) => t.traceId)).toEqual([tid(3)]);
      expect((await store.traces.listTraces(query({ scores: [low] }), { timeUs: first[0]!.startTimeUs, id: tid(3) }, 10)).map((t) => t.traceId)).toEqual([
        tid(1),
      ]);
      // Another project's scores do not count: p2's trace 1 scored 0.99.
      expect(
        (await store.traces.listTraces(query({ projectId: 'p2', scores: [{ name: 'faithfulness', op: '>', value: 0.9 }] }), null, 10)).map((t) => t.traceId),
      ).toEqual([tid(1)]);
      expect((await store.traces.listTraces(query({ projectId: 'p2', scores: [low] }), null, 10)).map((t) => t.traceId)).toEqual([]);
    });

    it("tallies a session's own scores and the scores of the traces given with it", async () => {
      const inSession = (n: number, session: string, startS: number) =>
        span({
          traceId: tid(n),
          spanId: sid(n * 10),
          sessionId: session,
          category: 'workflow',
          startTimeUs: T0 + startS * SEC,
          endTimeUs: T0 + startS * SEC + 100,
        });
      await write({
        spans: [inSession(1, 's-1', 0), inSession(2, 's-1', 10), inSession(3, 's-1', -3_600), inSession(4, 's-2', 20), root(5)],
        scores: [
          score({ value: 0.2 }),
          score({ traceId: tid(2), value: 0.6, spanId: sid(20) }),
          score({ traceId: tid(2), name: 'thumbs', value: null, label: 'up', source: 'human', author: 'ana' }),
          // Trace 3 started before the range: not counted.
          score({ traceId: tid(3), value: 0.1 }),
          score({ traceId: tid(4), value: 1 }),
          score({ traceId: tid(5), value: 0 }),
          // The session itself: its own scores, newest version per slot.
          score({ traceId: null, sessionId: 's-1', name: 'resolved', value: 0, source: 'human', author: 'ana' }),
        ],
        writtenUs: T0,
      });
      await store.scores.addScores(
        [
          score({ traceId: null, sessionId: 's-1', name: 'resolved', value: 1, label: 'yes', source: 'human', author: 'ana', timeUs: T0 + SEC }),
          score({ traceId: null, sessionId: 's-1', name: 'resolved', value: null, label: 'no', source: 'human', author: 'bo' }),
          score({ traceId: null, sessionId: 's-3', name: 'resolved', value: 1, source: 'human', author: 'ana' }),
          score({ projectId: 'p2', traceId: null, sessionId: 's-1', name: 'resolved', value: 0.5, source: 'human', author: 'ana' }),
        ],
        T0 + 1,
      );
      // The sessions' runs as the session list reads them within a range that leaves trace 3 out.
      const window = { fromUs: T0 - 60 * SEC, toUs: T0 + 60 * SEC };
      const { own, traces } = await store.scores.tallySessionScores(
        'default',
        [
          { sessionId: 's-1', traceIds: [tid(1), tid(2)] },
          { sessionId: 's-2', traceIds: [tid(4)] },
          { sessionId: 's-9', traceIds: [] },
        ],
        window,
      );
      expect(plain(own)).toEqual({ 's-1': { resolved: tally(2, 1, 1, { yes: 1, no: 1 }) } });
      expect(plain(traces)).toEqual({
        's-1': { faithfulness: tally(2, 2, expect.closeTo(0.8, 12)), thumbs: tally(1, 0, 0, { up: 1 }) },
        's-2': { faithfulness: tally(1, 1, 1) },
      });
      const wide = await store.scores.tallySessionScores('default', [{ sessionId: 's-1', traceIds: [tid(1), tid(2), tid(3)] }], ALL);
      expect(plain(wide.traces)['s-1']?.faithfulness).toEqual(tally(3, 3, expect.closeTo(0.9, 12)));
      expect(plain((await store.scores.tallySessionScores('p2', [{ sessionId: 's-1', traceIds: [] }], ALL)).own)).toEqual({
        's-1': { resolved: tally(1, 1, 0.5) },
      });
      // More traces than one statement names (a long-running chat): they are found again from the session's spans in the range.
      const many = [tid(1), tid(2), ...Array.from({ length: 1_000 }, (_, i) => tid(10_000 + i))];
      expect(plain((await store.scores.tallySessionScores('default', [{ sessionId: 's-1', traceIds: many }], window)).traces)['s-1']).toEqual(
        plain(traces)['s-1'],
      );
    });
  });
}
