import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { recordBatch } from '../../test/contract/per-test-store.js';
import { CHDB_CLEANUP_MS, chdbStores } from '../../test/support/chdb.js';
import { duckDbStores } from '../../test/support/duckdb.js';
import { FakeStore } from '../../test/support/fake-store.js';
import { T0, emptyLlm, sid, span, tid } from '../../test/support/record-fixtures.js';
import type { Store } from '../store/store.js';
import { evaluatorCalls } from './backend.js';
import { EvaluatorService } from './evaluator-service.js';
import { type EvaluationTarget, type EvaluatorKind, NothingToJudge } from './kind.js';
import { type AnyKind, kindsOf } from './spec.js';

const SEC = 1_000_000;
const engine = chdbStores();
const duckdb = duckDbStores('runner');
afterAll(async () => {
  await Promise.all([engine.cleanup(), duckdb.cleanup()]);
}, CHDB_CLEANUP_MS);

/** A kind of the test's own that counts what it judges, fails on demand, finds nothing to judge in the traces it is told, and costs what it is told. */
function countingKind(): AnyKind & { judged: EvaluationTarget[]; failing: boolean; nothingIn: Set<string> } {
  const kind: EvaluatorKind<Record<string, unknown>> & { judged: EvaluationTarget[]; failing: boolean; nothingIn: Set<string> } = {
    kind: 'counting',
    judged: [],
    failing: false,
    nothingIn: new Set(),
    problem: () => null,
    judge: async (spec, target) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (kind.failing) throw new Error('the judge is down');
      if (kind.nothingIn.has(target.traceId)) throw new NothingToJudge('the target has no output to judge');
      kind.judged.push(target);
      return { value: 1, label: null, comment: null, costUsd: (spec.costUsd as number | undefined) ?? 0 };
    },
  };
  return kind;
}

const stores: Array<[string, () => Promise<Store>]> = [
  ['the fake', async () => new FakeStore()],
  ['DuckDB', () => duckdb.open()],
  ['ClickHouse (chdb)', () => engine.open()],
];

describe.each(stores)('the evaluator runner on %s', (_name, open) => {
  let store: Store;
  let now = T0 + 100 * SEC;
  // Written with spool positions, as a server writes: the runners follow those commits.
  let offset = 0;
  const key = () => ({ serverId: 'server-1', position: `1:${++offset}` });
  /** A round now, then one past the quiet time: what was committed before the first is complete by the second. */
  const settle = async (...services: EvaluatorService[]) => {
    for (const s of services) await s.runRound();
    now += 31 * SEC;
    for (const s of services) await s.runRound();
  };
  const services: EvaluatorService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.close()));
    await store.close();
  });

  async function setUp(): Promise<void> {
    store = await open();
    now = T0 + 100 * SEC;
    // Traces 1-4 end at T0 + n s with their roots; 5 has a span its clock says ends at T0 + 90 s (complete all the same once quiet); 6 has no root yet.
    const spans = [1, 2, 3, 4].flatMap((n) => [
      span({
        traceId: tid(n),
        spanId: sid(n * 10),
        startTimeUs: T0,
        endTimeUs: T0 + n * SEC,
        serviceName: n === 4 ? 'worker' : 'api',
        attributes: { 'output.value': `answer ${n}` },
      }),
      span({ traceId: tid(n), spanId: sid(n * 10 + 1), parentSpanId: sid(n * 10), startTimeUs: T0, endTimeUs: T0 + SEC / 2, category: 'llm', llm: emptyLlm() }),
    ]);
    spans.push(span({ traceId: tid(5), spanId: sid(50), startTimeUs: T0, endTimeUs: T0 + SEC }));
    spans.push(span({ traceId: tid(5), spanId: sid(51), parentSpanId: sid(50), startTimeUs: T0, endTimeUs: T0 + 90 * SEC }));
    spans.push(span({ traceId: tid(6), spanId: sid(61), parentSpanId: sid(60), startTimeUs: T0, endTimeUs: T0 + SEC }));
    await store.writer.write(recordBatch({ spans }), key());
  }

  async function service(kind: AnyKind, serverId = 'a'): Promise<EvaluatorService> {
    const s = await EvaluatorService.start({
      db: { evaluators: evaluatorCalls.make({ store }) },
      kinds: kindsOf([kind]),
      serverId,
      traceQuietMs: 30_000,
      tickMs: 3_600_000,
      nowUs: () => now,
      // One judgement at a time, so a budget is passed by exactly one.
      runner: { startLookbackMs: 3_600_000, leaseTtlMs: 30_000, concurrency: 1 },
    });
    services.push(s);
    return s;
  }

  const evaluatorScores = async () =>
    await store.scores.listScores(
      { projectId: 'default', range: { fromUs: null, toUs: null }, traceId: null, spanId: null, sessionId: null, name: null, source: 'evaluator' },
      null,
      100,
    );

  it('judges each complete trace its filter matches once, into one score per target, also after a restart', async () => {
    await setUp();
    const kind = countingKind();
    const first = await service(kind);
    // Made before the traces were committed: they complete after it.
    now = T0;
    await first.save('default', { name: 'judged', kind: 'counting', target: 'trace', filter: 'service=api' }, 'create');
    now = T0 + 100 * SEC;
    await settle(first);
    await first.runRound();
    expect(kind.judged.map((t) => t.traceId).sort()).toEqual([tid(1), tid(2), tid(3)]);
    expect(kind.judged[0]).toMatchObject({ spanId: null, output: 'answer 1' });
    const scores = await evaluatorScores();
    expect(scores.map((s) => [s.traceId, s.author, s.value]).sort()).toEqual([
      [tid(1), 'judged@1', 1],
      [tid(2), 'judged@1', 1],
      [tid(3), 'judged@1', 1],
    ]);
    await first.close();
    // A restart (a new runner, its cursor gone) looks back an hour of commits and finds every run recorded.
    const again = await service(kind, 'b');
    now += 40 * SEC;
    await settle(again);
    expect(kind.judged).toHaveLength(3);
    expect((await again.get('default', 'judged')).scoresMade).toBe(3);
  });

  it('does not judge a complete trace while a span of it runs, judges it once that span ended, and judges one whose running span was abandoned', async () => {
    await setUp();
    const kind = countingKind();
    const s = await EvaluatorService.start({
      db: { evaluators: evaluatorCalls.make({ store }) },
      kinds: kindsOf([kind]),
      serverId: 'a',
      traceQuietMs: 30_000,
      tickMs: 3_600_000,
      nowUs: () => now,
      runner: { startLookbackMs: 3_600_000, leaseTtlMs: 30_000, concurrency: 1, staleAfterMs: 60_000 },
    });
    services.push(s);
    now = T0;
    await s.save('default', { name: 'judged', kind: 'counting', target: 'trace', filter: 'service=api' }, 'create');
    // Trace 1 has a span running (a snapshot received 5 s before the round); trace 2's running span was last heard from 98 s before it, past --stale-after (60 s).
    now = T0 + 100 * SEC;
    const running = (n: number) => span({ traceId: tid(n), spanId: sid(n * 10 + 9), parentSpanId: sid(n * 10), startTimeUs: T0, endTimeUs: 0 });
    await store.writer.write(recordBatch({ runningSpans: [running(1)], writtenUs: T0 + 126 * SEC }), key());
    await store.writer.write(recordBatch({ runningSpans: [running(2)], writtenUs: T0 + 33 * SEC }), key());
    await settle(s);
    expect(kind.judged.map((t) => t.traceId).sort()).toEqual([tid(2), tid(3)]);
    // Its span ends: the commit of its end finds the trace again, and once quiet it is judged.
    await store.writer.write(recordBatch({ spans: [{ ...running(1), endTimeUs: T0 + 101 * SEC }] }), key());
    await settle(s);
    expect(kind.judged.map((t) => t.traceId).sort()).toEqual([tid(1), tid(2), tid(3)]);
  });

  /** A service whose reads of targets are recorded: the trace ids of each read. */
  async function readingService(kind: AnyKind): Promise<{ s: EvaluatorService; read: string[] }> {
    const calls = evaluatorCalls.make({ store });
    const read: string[] = [];
    const db = { evaluators: { ...calls, targets: (...args: Parameters<typeof calls.targets>) => (read.push(...args[1]), calls.targets(...args)) } };
    const s = await EvaluatorService.start({
      db,
      kinds: kindsOf([kind]),
      serverId: 'a',
      traceQuietMs: 30_000,
      tickMs: 3_600_000,
      nowUs: () => now,
      runner: { startLookbackMs: 3_600_000, leaseTtlMs: 30_000, concurrency: 1 },
    });
    services.push(s);
    return { s, read };
  }

  it('reads each trace once a round for all the evaluators that judge it', async () => {
    await setUp();
    const kind = countingKind();
    const { s, read } = await readingService(kind);
    now = T0;
    await s.save('default', { name: 'first', kind: 'counting', target: 'llm' }, 'create');
    await s.save('default', { name: 'second', kind: 'counting', target: 'llm' }, 'create');
    now = T0 + 100 * SEC;
    await settle(s);
    expect(kind.judged).toHaveLength(8);
    expect(read.sort()).toEqual([1, 2, 3, 4, 5].map(tid));
  });

  it('reads each trace once a round also for evaluators of different targets', async () => {
    await setUp();
    const kind = countingKind();
    const { s, read } = await readingService(kind);
    now = T0;
    await s.save('default', { name: 'whole', kind: 'counting', target: 'trace' }, 'create');
    await s.save('default', { name: 'each', kind: 'counting', target: 'span' }, 'create');
    now = T0 + 100 * SEC;
    await settle(s);
    // Five traces, and ten spans of them.
    expect(kind.judged.filter((t) => t.spanId === null)).toHaveLength(5);
    expect(kind.judged.filter((t) => t.spanId !== null)).toHaveLength(10);
    expect(read.sort()).toEqual([1, 2, 3, 4, 5].map(tid));
  });

  it('has two runners on one store judge each target once between them, also when the lease changes hands', async () => {
    await setUp();
    const kind = countingKind();
    const [a, b] = [await service(kind, 'server-a'), await service(kind, 'server-b')];
    now = T0;
    await a.save('default', { name: 'both', kind: 'counting', target: 'llm' }, 'create');
    now = T0 + 100 * SEC;
    // `a` takes the lease first, so it is `a` that read the commit head a quiet time before the
    // next rounds: a runner that takes an expired lease over has read none and judges a quiet time
    // later (the handover below). The rounds after run side by side.
    await a.runRound();
    await Promise.all([a.runRound(), b.runRound(), b.runRound()]);
    now += 31 * SEC;
    await a.runRound();
    await Promise.all([a.runRound(), b.runRound()]);
    expect(kind.judged.map((t) => `${t.traceId}/${t.spanId}`).sort()).toEqual([1, 2, 3, 4].map((n) => `${tid(n)}/${sid(n * 10 + 1)}`));
    // The holder stops; once its lease expires the other takes it, looks back, and judges only what is new.
    await store.writer.write(
      recordBatch({
        spans: [
          span({ traceId: tid(9), spanId: sid(90) }),
          span({ traceId: tid(9), spanId: sid(91), parentSpanId: sid(90), category: 'llm', llm: emptyLlm() }),
        ],
      }),
      key(),
    );
    now += 60 * SEC;
    await Promise.all([a.runRound(), b.runRound()]);
    await a.close();
    now += 40 * SEC;
    await settle(b);
    expect(kind.judged.map((t) => `${t.traceId}/${t.spanId}`).sort()).toEqual([1, 2, 3, 4, 9].map((n) => `${tid(n)}/${sid(n * 10 + 1)}`));
    expect(await evaluatorScores()).toHaveLength(5);
  });

  it("judges every trace of a burst of 10,000 once, whatever its spans' clocks say, across a restart, and says how far behind it is", async () => {
    store = await open();
    now = T0 + 100 * SEC;
    const kind = countingKind();
    const start = (serverId: string, roundBudgetMs: number) =>
      EvaluatorService.start({
        db: { evaluators: evaluatorCalls.make({ store }) },
        kinds: kindsOf([kind]),
        serverId,
        traceQuietMs: 30_000,
        tickMs: 3_600_000,
        nowUs: () => now,
        runner: { startLookbackMs: 3_600_000, leaseTtlMs: 30_000, concurrency: 8, tracesPerTick: 1000, roundBudgetMs },
      });
    // The first reads one page a round.
    const first = await start('a', 0);
    services.push(first);
    await first.save('default', { name: 'burst', kind: 'counting', target: 'trace' }, 'create');
    await first.runRound();
    // 10,000 one-span traces in 10 commits within a second: on time, 90 s and 10 minutes late, 5 minutes ahead, and a year late all ending in one microsecond.
    const endOf = [now, now - 90 * SEC, now - 600 * SEC, now + 300 * SEC, T0 - 365 * 86_400 * SEC];
    for (let c = 0; c < 10; c++) {
      const spans = Array.from({ length: 1000 }, (_, i) => {
        const n = 10_000 + c * 1000 + i;
        const endUs = endOf[n % endOf.length]!;
        return span({ traceId: tid(n), spanId: sid(n), startTimeUs: endUs - SEC, endTimeUs: endUs });
      });
      await store.writer.write(recordBatch({ spans }), key());
    }
    now += 2 * SEC;
    await first.runRound();
    // Not quiet yet: every trace waits.
    expect(kind.judged).toHaveLength(0);
    expect(first.lags()).toEqual([{ projectId: 'default', waiting: 10_000, oldestSeconds: 2 }]);
    now += 31 * SEC;
    await first.runRound();
    expect(kind.judged).toHaveLength(1000);
    expect(first.lags()).toEqual([{ projectId: 'default', waiting: 9000, oldestSeconds: 33 }]);
    // A restart in the middle: the next server looks back, once its lease is free, and judges the rest, none twice.
    await first.close();
    now += 31 * SEC;
    const second = await start('b', 60_000);
    services.push(second);
    for (let round = 0; round < 30 && kind.judged.length < 10_000; round++) {
      await second.runRound();
      now += 2 * SEC;
    }
    expect(new Set(kind.judged.map((t) => t.traceId)).size).toBe(10_000);
    expect(kind.judged).toHaveLength(10_000);
    await second.runRound();
    expect(second.lags()).toEqual([{ projectId: 'default', waiting: 0, oldestSeconds: 0 }]);
    expect((await second.get('default', 'burst')).scoresMade).toBe(10_000);
  }, 120_000);

  it('looks at a quarter of a round while ingest is busy, and at a whole one when it is not', async () => {
    await setUp();
    const kind = countingKind();
    let busy = true;
    const s = await EvaluatorService.start({
      db: { evaluators: evaluatorCalls.make({ store }) },
      kinds: kindsOf([kind]),
      serverId: 'a',
      traceQuietMs: 30_000,
      tickMs: 3_600_000,
      nowUs: () => now,
      runner: { startLookbackMs: 3_600_000, leaseTtlMs: 30_000, concurrency: 1, tracesPerTick: 4, ingestBusy: () => busy },
    });
    services.push(s);
    now = T0;
    await s.save('default', { name: 'yielding', kind: 'counting', target: 'trace' }, 'create');
    now = T0 + 100 * SEC;
    await settle(s);
    expect(kind.judged.map((t) => t.traceId)).toEqual([tid(1)]);
    busy = false;
    await s.runRound();
    expect(kind.judged.map((t) => t.traceId)).toEqual([1, 2, 3, 4, 5].map(tid));
  });

  it('samples by trace id, judges again under a new version, and keeps the version when the spec is saved unchanged', async () => {
    await setUp();
    const kind = countingKind();
    const s = await service(kind);
    now = T0;
    await s.save('default', { name: 'sampled', kind: 'counting', target: 'trace', sampleRate: 0 }, 'create');
    now = T0 + 100 * SEC;
    await settle(s);
    expect(kind.judged).toEqual([]);
    now = T0;
    const { evaluator } = await s.save('default', { kind: 'counting', target: 'trace', sampleRate: 1 }, 'put', 'sampled');
    expect(evaluator.version).toBe(2);
    expect((await s.save('default', { kind: 'counting', target: 'trace', sampleRate: 1 }, 'put', 'sampled')).evaluator.version).toBe(2);
    now = T0 + 200 * SEC;
    await settle(s);
    expect(kind.judged).toHaveLength(5);
    expect(new Set((await evaluatorScores()).map((x) => x.author))).toEqual(new Set(['sampled@2']));
  });

  it('records a failing judge as errors, retries them, and pauses an evaluator past its daily budget', async () => {
    await setUp();
    const kind = countingKind();
    const s = await service(kind);
    now = T0;
    await s.save('default', { name: 'flaky', kind: 'counting', target: 'trace' }, 'create');
    now = T0 + 100 * SEC;
    kind.failing = true;
    await settle(s);
    expect(await s.get('default', 'flaky')).toMatchObject({ scoresMade: 0, errors: 5 });
    expect(await evaluatorScores()).toEqual([]);
    kind.failing = false;
    expect(await s.retry('default', 'flaky')).toEqual({ retried: 5, ok: 5, errors: 0, notApplicable: 0 });
    expect(await s.get('default', 'flaky')).toMatchObject({ scoresMade: 5, errors: 0 });

    now = T0;
    await s.save('default', { name: 'costly', kind: 'counting', target: 'trace', costUsd: 0.4, dailyBudgetUsd: 1 }, 'create');
    now = T0 + 200 * SEC;
    await s.runRound();
    const costly = await s.get('default', 'costly');
    expect(costly).toMatchObject({ state: 'paused', pausedReason: 'its daily budget of $1 is spent' });
    expect(costly.costTodayUsd).toBeCloseTo(1.2);
    expect(s.pausedStates()).toContainEqual({ projectId: 'default', evaluator: 'costly', paused: true });
    // Later the same UTC day it stays paused; after midnight its budget is new and it goes on with
    // the traces that complete from then (those of the pause are a backfill's, as after a resume by hand).
    now = T0 + 3_600 * SEC;
    await s.runRound();
    expect(await s.get('default', 'costly')).toMatchObject({ state: 'paused' });
    const nextDay = (Math.floor(T0 / (86_400 * SEC)) + 1) * 86_400 * SEC;
    now = nextDay + 60 * SEC;
    await s.runRound();
    expect(await s.get('default', 'costly')).toMatchObject({ state: 'active', pausedReason: null, costTodayUsd: 0 });
    expect(s.pausedStates()).toContainEqual({ projectId: 'default', evaluator: 'costly', paused: false });
    await store.writer.write(
      recordBatch({ spans: [span({ traceId: tid(7), spanId: sid(70), startTimeUs: nextDay + 61 * SEC, endTimeUs: nextDay + 62 * SEC })] }),
      key(),
    );
    await settle(s);
    expect(await s.get('default', 'costly')).toMatchObject({ state: 'active', costTodayUsd: expect.closeTo(0.4, 9) });
    expect(
      (await evaluatorScores())
        .filter((x) => x.name === 'costly')
        .map((x) => x.traceId)
        .sort(),
    ).toEqual([1, 2, 3, 7].map(tid));
  });

  it('leaves an evaluator paused by hand paused after midnight', async () => {
    await setUp();
    const s = await service(countingKind());
    now = T0;
    await s.save('default', { name: 'held', kind: 'counting', target: 'trace' }, 'create');
    await s.setState('default', 'held', true, 'its daily budget of $1 is spent, or so I say');
    now = T0 + 2 * 86_400 * SEC;
    await s.runRound();
    expect(await s.get('default', 'held')).toMatchObject({ state: 'paused' });
  });

  it('records a target with nothing to judge as not applicable: no score, no error, not retried, not judged again', async () => {
    await setUp();
    const kind = countingKind();
    kind.nothingIn.add(tid(2));
    const s = await service(kind);
    now = T0;
    await s.save('default', { name: 'outputs', kind: 'counting', target: 'trace' }, 'create');
    now = T0 + 100 * SEC;
    await settle(s);
    expect(await s.get('default', 'outputs')).toMatchObject({ scoresMade: 4, errors: 0, notApplicable: 1 });
    expect((await evaluatorScores()).map((x) => x.traceId).sort()).toEqual([tid(1), tid(3), tid(4), tid(5)]);
    expect(await s.retry('default', 'outputs')).toEqual({ retried: 0, ok: 0, errors: 0, notApplicable: 0 });
    // A restart looks back and finds trace 2's run: it is not looked at again.
    await s.close();
    kind.nothingIn.clear();
    const again = await service(kind, 'b');
    now += 40 * SEC;
    await settle(again);
    expect(kind.judged.map((t) => t.traceId).sort()).toEqual([tid(1), tid(3), tid(4), tid(5)]);
  });

  it('backfills the traces that completed in a past range with the current version', async () => {
    await setUp();
    const kind = countingKind();
    const s = await service(kind);
    // Made after the traces completed (committed a quiet time before): rounds leave them to a backfill.
    await s.runRound();
    now += 31 * SEC;
    await s.save('default', { name: 'late', kind: 'counting', target: 'trace' }, 'create');
    await settle(s);
    expect(kind.judged).toEqual([]);
    await s.startBackfill('default', 'late', T0, T0 + 3 * SEC);
    await s.close();
    expect(s.backfill('default', 'late')).toMatchObject({ state: 'done', version: 1, traces: 3, sampled: 3, judged: 3, skipped: 0, errors: 0 });
    expect(kind.judged.map((t) => t.traceId).sort()).toEqual([tid(1), tid(2), tid(3)]);
  });
});
