import type { LlmFields } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { SessionRecord, Store, RecordBatch } from '../../src/store/store.js';
import { ALL, T0, emptyLlm, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const SEC = 1_000_000;
const failed = { code: 'error', message: 'failed' } as const;
const llm = (over: Partial<LlmFields>): LlmFields => ({ ...emptyLlm(), ...over });

/** The contract of `listSessions` and `listSessionRuns`; see `describeAnalyticsContract`. */
export function describeSessionContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store sessions contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const write = (batch: Partial<RecordBatch>) => store.writer.write(recordBatch(batch), null);
    /** A span of trace n from `fromS` to `toS` seconds after T0. */
    const s = (n: number, id: number, name: string, service: string, fromS: number, toS: number, over: Parameters<typeof span>[0] = {}) =>
      span({
        traceId: tid(n),
        spanId: sid(id),
        parentSpanId: id === 1 ? null : sid(1),
        name,
        serviceName: service,
        startTimeUs: T0 + fromS * SEC,
        endTimeUs: T0 + toS * SEC,
        ...over,
      });

    /**
     * As the SDK marks them, only the workflow span of a run carries the session id; its LLM
     * children carry the tokens and cost, and arrive in a later batch. s-1: run 101 (ok, though an
     * LLM call in it failed) and run 102 (its root failed), on two services. s-2: run 103, the
     * latest activity. s-3: an hour earlier. s-4: a run whose root has not arrived, with a failed
     * span. Run 105 has no session; project p2 has an s-1 of its own. Users: ana ran 101 and 103,
     * bo ran 102; a user on a span without the session does not count.
     */
    async function seed(): Promise<void> {
      const workflow = (session: string) => ({ category: 'workflow', sessionId: session }) as const;
      await write({
        spans: [
          s(101, 1, 'chat turn', 'gateway', 0, 5, { ...workflow('s-1'), userId: 'ana' }),
          s(102, 1, 'chat turn', 'batch', 60, 70, { ...workflow('s-1'), status: failed, userId: 'bo' }),
          s(103, 1, 'chat turn', 'web', 30, 100, { ...workflow('s-2'), userId: 'ana' }),
          s(104, 1, 'chat turn', 'gateway', -3_600, -3_590, workflow('s-3')),
          s(105, 1, 'healthcheck', 'gateway', 10, 11),
          s(106, 2, 'step', 'gateway', -7_200, -7_100, { ...workflow('s-4'), status: failed }),
          s(101, 1, 'chat turn', 'gateway', 5, 6, { ...workflow('s-1'), projectId: 'p2', llm: llm({ inputTokens: 7, costUsd: 9 }) }),
        ],
      });
      await write({
        spans: [
          s(101, 2, 'chat gpt-4o', 'gateway', 1, 3, { category: 'llm', status: failed, llm: llm({ inputTokens: 100, outputTokens: 20, costUsd: 0.01 }) }),
          s(101, 3, 'search', 'gateway', 3, 4, { category: 'tool', userId: 'zed' }),
          s(102, 2, 'chat gpt-4o', 'batch', 61, 69, { category: 'llm', llm: llm({ inputTokens: 50, outputTokens: 10, costUsd: 0.02 }) }),
          // A model without a price: tokens counted, no cost, so the session's cost leaves a call out.
          s(103, 2, 'chat mystery-1', 'web', 40, 50, { category: 'llm', llm: llm({ inputTokens: 9, outputTokens: 3, costUsd: null }) }),
        ],
      });
    }

    const s1: SessionRecord = {
      sessionId: 's-1',
      runCount: 2,
      failedRuns: 1,
      inputTokens: 150,
      outputTokens: 30,
      costUsd: expect.closeTo(0.03, 12),
      unpricedCalls: 0,
      firstSeenUs: T0,
      lastActivityUs: T0 + 70 * SEC,
      services: ['batch', 'gateway'],
      userIds: ['ana', 'bo'],
      traceIds: [tid(101), tid(102)].sort(),
    };
    const s2: SessionRecord = {
      sessionId: 's-2',
      runCount: 1,
      failedRuns: 0,
      inputTokens: 9,
      outputTokens: 3,
      costUsd: null,
      unpricedCalls: 1,
      firstSeenUs: T0 + 30 * SEC,
      lastActivityUs: T0 + 100 * SEC,
      services: ['web'],
      userIds: ['ana'],
      traceIds: [tid(103)],
    };
    const s3: SessionRecord = {
      sessionId: 's-3',
      runCount: 1,
      failedRuns: 0,
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      unpricedCalls: 0,
      firstSeenUs: T0 - 3_600 * SEC,
      lastActivityUs: T0 - 3_590 * SEC,
      services: ['gateway'],
      userIds: [],
      traceIds: [tid(104)],
    };
    const s4: SessionRecord = {
      sessionId: 's-4',
      runCount: 1,
      failedRuns: 1,
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      unpricedCalls: 0,
      firstSeenUs: T0 - 7_200 * SEC,
      lastActivityUs: T0 - 7_100 * SEC,
      services: ['gateway'],
      userIds: [],
      traceIds: [tid(106)],
    };

    it("lists sessions by latest activity, with their runs' totals taken from whole traces", async () => {
      await seed();
      expect(await store.analytics.listSessions('default', ALL, 0, 10)).toEqual([s2, s1, s3, s4]);
      expect(await store.analytics.listSessions('p2', ALL, 0, 10)).toEqual([
        {
          sessionId: 's-1',
          runCount: 1,
          failedRuns: 0,
          inputTokens: 7,
          outputTokens: null,
          costUsd: 9,
          unpricedCalls: 0,
          firstSeenUs: T0 + 5 * SEC,
          lastActivityUs: T0 + 6 * SEC,
          services: ['gateway'],
          userIds: [],
          traceIds: [tid(101)],
        },
      ]);
      expect(await store.analytics.listSessions('p3', ALL, 0, 10)).toEqual([]);
    });

    it('pages sessions and counts only the runs with a session span in the range', async () => {
      await seed();
      expect(await store.analytics.listSessions('default', ALL, 1, 2)).toEqual([s1, s3]);
      expect(await store.analytics.listSessions('default', ALL, 4, 2)).toEqual([]);
      expect(await store.analytics.listSessions('default', { fromUs: T0, toUs: T0 + 3_600 * SEC }, 0, 10)).toEqual([s2, s1]);
      expect(
        (await store.analytics.listSessions('default', { fromUs: T0 + 20 * SEC, toUs: null }, 0, 10)).map((x) => [x.sessionId, x.runCount, x.costUsd]),
      ).toEqual([
        ['s-2', 1, null],
        ['s-1', 1, 0.02],
      ]);
    });

    it('lists the sessions of one user, each whole, when a span of the session in the range names them', async () => {
      await seed();
      expect(await store.analytics.listSessions('default', ALL, 0, 10, 'bo')).toEqual([s1]);
      expect(await store.analytics.listSessions('default', ALL, 0, 10, 'ana')).toEqual([s2, s1]);
      expect(await store.analytics.listSessions('default', ALL, 1, 10, 'ana')).toEqual([s1]);
      // zed's span has no session; another project's sessions are never another's user's.
      expect(await store.analytics.listSessions('default', ALL, 0, 10, 'zed')).toEqual([]);
      expect(await store.analytics.listSessions('p2', ALL, 0, 10, 'ana')).toEqual([]);
      // From 20 s on, ana's span of s-1 (at 0 s) is out of the range, bo's (at 60 s) in it.
      const later = { fromUs: T0 + 20 * SEC, toUs: null };
      expect((await store.analytics.listSessions('default', later, 0, 10, 'ana')).map((x) => x.sessionId)).toEqual(['s-2']);
      expect((await store.analytics.listSessions('default', later, 0, 10, 'bo')).map((x) => [x.sessionId, x.runCount])).toEqual([['s-1', 1]]);
    });

    it("lists a session's runs newest first; a run failed when its root span did", async () => {
      await seed();
      const run102 = {
        traceId: tid(102),
        name: 'chat turn',
        serviceName: 'batch',
        startTimeUs: T0 + 60 * SEC,
        endTimeUs: T0 + 70 * SEC,
        failed: true,
        spanCount: 2,
        errorCount: 1,
        inputTokens: 50,
        outputTokens: 10,
        costUsd: 0.02,
        unpricedCalls: 0,
        userId: 'bo',
      };
      const run101 = {
        traceId: tid(101),
        name: 'chat turn',
        serviceName: 'gateway',
        startTimeUs: T0,
        endTimeUs: T0 + 5 * SEC,
        failed: false,
        spanCount: 3,
        errorCount: 1,
        inputTokens: 100,
        outputTokens: 20,
        costUsd: 0.01,
        unpricedCalls: 0,
        userId: 'ana',
      };
      expect(await store.analytics.listSessionRuns('default', 's-1', ALL)).toEqual([run102, run101]);
      expect(await store.analytics.listSessionRuns('default', 's-1', { fromUs: T0 + SEC, toUs: null })).toEqual([run102]);
      // Without its root, a run failed when any span of it did.
      expect((await store.analytics.listSessionRuns('default', 's-4', ALL)).map((r) => [r.traceId, r.name, r.failed])).toEqual([[tid(106), 'step', true]]);
      expect(await store.analytics.listSessionRuns('default', 'never', ALL)).toEqual([]);
      expect((await store.analytics.listSessionRuns('default', 's-2', ALL)).map((r) => [r.traceId, r.costUsd, r.unpricedCalls])).toEqual([[tid(103), null, 1]]);
      expect((await store.analytics.listSessionRuns('p2', 's-1', ALL)).map((r) => [r.traceId, r.spanCount, r.costUsd])).toEqual([[tid(101), 1, 9]]);
    });

    // ana ran 101 (s-1) and 103 (s-2); bo ran 102 (s-1); zed is only on a span without the session.
    const ana = {
      userId: 'ana',
      sessionCount: 2,
      runCount: 2,
      failedRuns: 0,
      errorCount: 1,
      inputTokens: 109,
      outputTokens: 23,
      costUsd: 0.01,
      unpricedCalls: 1,
      firstSeenUs: T0,
      lastSeenUs: T0 + 100 * SEC,
    };
    const bo = {
      userId: 'bo',
      sessionCount: 1,
      runCount: 1,
      failedRuns: 1,
      errorCount: 1,
      inputTokens: 50,
      outputTokens: 10,
      costUsd: 0.02,
      unpricedCalls: 0,
      firstSeenUs: T0 + 60 * SEC,
      lastSeenUs: T0 + 70 * SEC,
    };

    it("lists the sessions' users by latest seen, with their runs' totals, paged and by range", async () => {
      await seed();
      expect(await store.analytics.listUsers('default', ALL, 0, 10)).toEqual([ana, bo]);
      expect(await store.analytics.listUsers('default', ALL, 1, 10)).toEqual([bo]);
      expect(await store.analytics.listUsers('default', ALL, 0, 1)).toEqual([ana]);
      expect(await store.analytics.listUsers('default', ALL, 2, 10)).toEqual([]);
      // From 20 s on, ana's run 101 falls out.
      expect(await store.analytics.listUsers('default', { fromUs: T0 + 20 * SEC, toUs: null }, 0, 10)).toEqual([
        { ...ana, sessionCount: 1, runCount: 1, errorCount: 0, inputTokens: 9, outputTokens: 3, costUsd: null, firstSeenUs: T0 + 30 * SEC },
        bo,
      ]);
      expect(await store.analytics.listUsers('p2', ALL, 0, 10)).toEqual([]);
    });

    it('reads the runs of users, as listUsers counts them, for their scores', async () => {
      await seed();
      const all = await store.analytics.userTraces('default', ['ana', 'bo', 'zed', 'nobody'], ALL);
      expect([...all].sort()).toEqual([
        ['ana', [tid(101), tid(103)]],
        ['bo', [tid(102)]],
      ]);
      expect([...(await store.analytics.userTraces('default', ['ana'], { fromUs: T0 + 20 * SEC, toUs: null }))]).toEqual([['ana', [tid(103)]]]);
      expect((await store.analytics.userTraces('p2', ['ana'], ALL)).size).toBe(0);
      expect((await store.analytics.userTraces('default', [], ALL)).size).toBe(0);
    });
  });
}
