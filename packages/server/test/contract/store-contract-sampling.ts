import type { SpanGroupBy } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING_KEEP } from '@spoor/model';
import { AppError } from '../../src/errors.js';
import { QueryService } from '../../src/query/query-service.js';
import { decideTraces } from '../../src/sampling/backend.js';
import { repriceSpans } from '../../src/store/reprice.js';
import { tracePartColumns } from '../../src/store/tables.js';
import { tracePartsOf } from '../../src/store/trace-parts.js';
import { resolvePolicy } from '../../src/sampling/policy.js';
import type { SamplingDecision, Store } from '../../src/store/store.js';
import { ALL, T0, emptyLlm, log, logQuery, query, scoreRecord, sid, span, spanFilter, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const SEC = 1_000_000;

const decision = (n: number, kept: boolean, overrides: Partial<SamplingDecision> = {}): SamplingDecision => ({
  traceId: tid(n),
  kept,
  reason: kept ? 'rate' : 'sampled_out',
  startUs: T0,
  endUs: T0 + SEC,
  decidedUs: T0 + 60 * SEC,
  ...overrides,
});

/** A trace of a workflow root, a step and an LLM call, the call carrying content, events and a link; a log of it. */
function heavyTrace(n: number, overrides: { llmEndUs?: number; error?: boolean; costUsd?: number } = {}) {
  const traceId = tid(n);
  const root = span({
    traceId,
    spanId: sid(n * 10),
    name: 'run',
    category: 'workflow',
    startTimeUs: T0,
    endTimeUs: T0 + 10 * SEC,
    attributes: { 'app.route': '/ask' },
  });
  const step = span({
    traceId,
    spanId: sid(n * 10 + 1),
    parentSpanId: sid(n * 10),
    name: 'plan',
    category: 'step',
    startTimeUs: T0 + SEC,
    endTimeUs: T0 + 9 * SEC,
    status: overrides.error === true ? { code: 'error', message: 'planner failed' } : { code: 'unset', message: '' },
    attributes: { 'cache.hit': true, note: 'x'.repeat(200) },
  });
  const call = span({
    traceId,
    spanId: sid(n * 10 + 2),
    parentSpanId: sid(n * 10 + 1),
    name: 'chat gpt-4o',
    category: 'llm',
    startTimeUs: T0 + 2 * SEC,
    endTimeUs: overrides.llmEndUs ?? T0 + 5 * SEC,
    traceState: 'vendor=1',
    attributes: { 'gen_ai.input.messages': 'What is the capital of Portugal?'.repeat(20), 'gen_ai.response.id': `resp-${n}` },
    events: [{ timeUs: T0 + 3 * SEC, name: 'gen_ai.choice', attributes: { content: 'Lisbon' }, droppedAttributesCount: 0 }],
    links: [{ traceId: tid(99), spanId: sid(99), traceState: '', attributes: {}, droppedAttributesCount: 0, flags: 0 }],
    llm: { ...emptyLlm(), requestModel: 'gpt-4o', inputTokens: 40, outputTokens: 7, totalTokens: 47, costUsd: overrides.costUsd ?? 0.25 },
  });
  return { spans: [root, step, call], logs: [log({ logId: `log-${n}`, traceId, spanId: call.spanId, body: 'asked the model' })] };
}

/** The contract of `store.sampling`: policies, decisions, what deciding reads, and the slimming of a sampled-out trace. */
export function describeSamplingContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Sampling store contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    it('keeps one policy per project, replaced by the next and removed once', async () => {
      const s = store.sampling;
      await s.policies.putPolicy('default', '{"rate":0.1}', T0);
      await s.policies.putPolicy('shop', '{"rate":0.5}', T0 + 1);
      await s.policies.putPolicy('default', '{"rate":0.2}', T0 + 2);
      expect(await s.policies.listPolicies()).toEqual([
        { projectId: 'default', policy: '{"rate":0.2}', updatedUs: T0 + 2 },
        { projectId: 'shop', policy: '{"rate":0.5}', updatedUs: T0 + 1 },
      ]);
      expect(await s.policies.deletePolicy('default')).toBe(true);
      expect(await s.policies.deletePolicy('default')).toBe(false);
      expect(await s.policies.deletePolicy('never')).toBe(false);
      expect((await s.policies.listPolicies()).map((p) => p.projectId)).toEqual(['shop']);
    });

    it("records a trace's first decision, reads them by trace, and counts a range's sampled-out traces per project", async () => {
      const s = store.sampling;
      await store.writer.write(
        recordBatch({ spans: [1, 2, 3, 4].map((n) => span({ traceId: tid(n), spanId: sid(n), startTimeUs: T0 + n * SEC, endTimeUs: T0 + n * SEC + 5 })) }),
        null,
      );
      await s.record('default', [decision(1, true), decision(2, false, { startUs: T0 + 2 * SEC }), decision(3, false, { startUs: T0 + 3 * SEC })]);
      await s.record('default', [decision(4, false, { startUs: T0 + 4 * SEC })]);
      await s.record('shop', [decision(1, false)]);
      expect(await s.decisionsOf('default', [tid(1), tid(2), tid(4), tid(9)])).toEqual(
        new Map([
          [tid(1), true],
          [tid(2), false],
          [tid(4), false],
        ]),
      );
      expect(await s.decisionsOf('default', [])).toEqual(new Map());
      // Many ids (DuckDB binds them as one JSON text), and the traces' times bounding the read.
      const many = [...Array(200).keys()].map((i) => tid(1000 + i));
      expect(await s.decisionsOf('default', [...many, tid(2), tid(4)])).toEqual(
        new Map([
          [tid(2), false],
          [tid(4), false],
        ]),
      );
      expect(await s.decisionsOf('default', [tid(1), tid(2), tid(4)], { fromUs: T0 + 2 * SEC, toUs: T0 + 4 * SEC + 5 })).toEqual(
        new Map([
          [tid(2), false],
          [tid(4), false],
        ]),
      );
      expect(await s.countSampledOut(query())).toEqual({ total: 4, sampledOut: 3 });
      expect(await s.countSampledOut(query({ range: { fromUs: T0 + 3 * SEC, toUs: null } }))).toEqual({ total: 2, sampledOut: 2 });
      expect(await s.countSampledOut(query({ range: { fromUs: null, toUs: T0 + 2 * SEC } }))).toEqual({ total: 1, sampledOut: 0 });
      expect(await s.anySampledOut('default', { fromUs: null, toUs: T0 + 2 * SEC })).toBe(false);
      expect(await s.anySampledOut('default', ALL)).toBe(true);
      expect(await s.anySampledOut('other', ALL)).toBe(false);
      expect(await store.retention.deleteOlderThan('samplingDecisions', T0 + 3 * SEC)).toBe(3);
      expect(await s.decisionsOf('default', [tid(1), tid(2), tid(3), tid(4)])).toEqual(
        new Map([
          [tid(3), false],
          [tid(4), false],
        ]),
      );
      // Decided again (two servers at once, before a lease changed hands): the first decision stands,
      // and of two in the same microsecond the sampled-out one, whose spans may be slimmed already.
      await s.record('default', [decision(4, true, { startUs: T0 + 4 * SEC, decidedUs: T0 + 61 * SEC }), decision(3, true, { startUs: T0 + 3 * SEC })]);
      expect(await s.decisionsOf('default', [tid(3), tid(4)])).toEqual(
        new Map([
          [tid(3), false],
          [tid(4), false],
        ]),
      );
    });

    it("reads what deciding needs: errors, cost, each category's longest span, and the traces a filter or a score matches", async () => {
      const a = heavyTrace(1, { error: true, costUsd: 2 });
      const b = heavyTrace(2, { llmEndUs: T0 + 40 * SEC });
      await store.writer.write(recordBatch({ spans: [...a.spans, ...b.spans] }), null);
      await store.scores.addScores([scoreRecord({ traceId: tid(2), spanId: null, name: 'helpfulness', value: 0.2 })], T0);
      const facts = (await store.sampling.facts('default', [tid(1), tid(2), tid(9)])).sort((x, y) => (x.traceId < y.traceId ? -1 : 1));
      const longest = (workflowS: number, stepS: number, llmS: number) => [workflowS * SEC, 0, stepS * SEC, llmS * SEC, 0, 0, 0, 0];
      expect(facts).toEqual([
        { traceId: tid(1), startUs: T0, endUs: T0 + 10 * SEC, errorCount: 1, costUsd: 2, longestUs: longest(10, 8, 3) },
        { traceId: tid(2), startUs: T0, endUs: T0 + 40 * SEC, errorCount: 0, costUsd: 0.25, longestUs: longest(10, 8, 38) },
      ]);
      expect(await store.sampling.facts('shop', [tid(1)])).toEqual([]);
      const every = {
        service: null,
        spanName: null,
        text: null,
        status: null,
        minDurationMs: null,
        maxDurationMs: null,
        attributes: [],
        sessionId: null,
        model: null,
        scores: [],
      };
      expect(await store.sampling.matching('default', [tid(1), tid(2)], { ...every, status: 'error' })).toEqual([tid(1)]);
      expect((await store.sampling.matching('default', [tid(1), tid(2)], { ...every, model: 'gpt-4o' })).sort()).toEqual([tid(1), tid(2)]);
      expect(await store.sampling.matching('default', [tid(1), tid(2)], { ...every, scores: [{ name: 'helpfulness', op: '<', value: 0.5 }] })).toEqual([
        tid(2),
      ]);
      expect(await store.sampling.matching('default', [tid(1)], { ...every, scores: [{ name: 'helpfulness', op: '<', value: 0.5 }] })).toEqual([]);
    });

    it('reads the longest span per category from the spans of traces with a part stored before parts kept it', async () => {
      // As a store written before schema 17 (DuckDB) or 9 (ClickHouse) holds them: parts with no longest spans.
      const older = (spans: ReturnType<typeof heavyTrace>['spans']) => {
        const batch = recordBatch({ spans });
        return {
          ...batch,
          tables: batch.tables.map((t) => (t.table === 'trace_parts' ? tracePartColumns(tracePartsOf(spans).map((p) => ({ ...p, longestUs: null }))) : t)),
        };
      };
      const a = heavyTrace(1);
      const b = heavyTrace(2, { llmEndUs: T0 + 40 * SEC });
      await store.writer.write(older(a.spans), null);
      await store.writer.write(older(b.spans.slice(0, 2)), null);
      await store.writer.write(recordBatch({ spans: b.spans.slice(2) }), null);
      const facts = (await store.sampling.facts('default', [tid(1), tid(2)])).sort((x, y) => (x.traceId < y.traceId ? -1 : 1));
      expect(facts.map((f) => f.longestUs)).toEqual([
        [10 * SEC, 0, 8 * SEC, 3 * SEC, 0, 0, 0, 0],
        [10 * SEC, 0, 8 * SEC, 38 * SEC, 0, 0, 0, 0],
      ]);
    });

    it("slims a sampled-out trace's spans and deletes its logs, leaving what statistics read, and other traces, as they were", async () => {
      const out = heavyTrace(1);
      const kept = heavyTrace(2);
      await store.writer.write(recordBatch({ spans: [...out.spans, ...kept.spans], logs: [...out.logs, ...kept.logs] }), null);
      // A judge's score that names only the call's response id.
      await store.scores.addScores([scoreRecord({ traceId: null, spanId: null, responseId: 'resp-1', name: 'faithful', value: 0.3 })], T0);
      const stats = (groupBy: SpanGroupBy) => store.analytics.spanStats({ filter: spanFilter(), groupBy, limit: 100 });
      const scoreStats = () => store.scoreStats.stats({ projectId: 'default', range: ALL, by: 'model', name: null, limit: 10 });
      const scored = async () =>
        (await store.scores.scoresOfTraces('default', [tid(1)])).map((s) => ({ responseId: s.responseId, traceId: s.traceId, spanId: s.spanId }));
      const before = {
        byName: await stats({ column: 'name' }),
        byModel: await stats({ column: 'model' }),
        list: await store.traces.listTraces(query(), null, 10),
        scores: await scored(),
        scoreStats: await scoreStats(),
      };
      expect(before.scores).toEqual([{ responseId: 'resp-1', traceId: tid(1), spanId: sid(12) }]);
      const keptBefore = await store.traces.getTrace('default', tid(2));

      await store.sampling.slim('default', [tid(1)]);
      // Its logs go; its spans leave the trace's page for span_stats (the in-memory store slims them
      // in place): no content either way, and statistics, the list and other traces as they were.
      const slim = await store.traces.getTrace('default', tid(1));
      expect(slim?.logs ?? []).toEqual([]);
      for (const s of slim?.spans ?? []) expect([JSON.parse(s.eventsJson), JSON.parse(s.linksJson), s.traceState]).toEqual([[], [], '']);
      // A score by response id still finds the sampled-out call (its response id moved with it).
      expect({
        byName: await stats({ column: 'name' }),
        byModel: await stats({ column: 'model' }),
        list: await store.traces.listTraces(query(), null, 10),
        scores: await scored(),
        scoreStats: await scoreStats(),
      }).toEqual(before);
      expect(await store.traces.getTrace('default', tid(2))).toEqual(keptBefore);
      // Idempotent: slimming again changes nothing.
      await store.sampling.slim('default', [tid(1)]);
      expect(await store.traces.getTrace('default', tid(1))).toEqual(slim);
      expect({ byName: await stats({ column: 'name' }), byModel: await stats({ column: 'model' }) }).toEqual({
        byName: before.byName,
        byModel: before.byModel,
      });
      expect(await store.sampling.slim('default', [])).toBeUndefined();
    });

    it("answers a sampled-out trace's detail past the size bound with none of its spans, where a kept one past the bound is refused", async () => {
      const out = heavyTrace(1);
      const kept = heavyTrace(2);
      const unmoved = heavyTrace(3);
      await store.writer.write(recordBatch({ spans: [...out.spans, ...kept.spans, ...unmoved.spans] }), null);
      // Trace 3 is decided but not moved yet, as between a round's decisions and its move.
      await store.sampling.record('default', [decision(1, false), decision(2, true), decision(3, false)]);
      await store.sampling.slim('default', [tid(1)]);
      // Its size is counted from its parts, which the move leaves as they were.
      expect((await store.traces.traceSize('default', tid(1))).textBytes).toBeGreaterThan(1);
      // Spans of trace 1 that arrive after its move stay in the spans table until a later round.
      await store.writer.write(recordBatch({ spans: heavyTrace(1).spans.map((s, i) => ({ ...s, spanId: sid(1000 + i) })) }), null);
      const queries = new QueryService(store, { maxDetailTextBytes: 1 });
      for (const n of [1, 3]) {
        const detail = JSON.parse(new TextDecoder().decode(await queries.getTrace('default', tid(n)))) as { sampledOut?: boolean; spans: unknown[] };
        expect(detail).toMatchObject({ sampledOut: true, spans: [] });
      }
      const refused = await queries.getTrace('default', tid(2)).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({ code: 'ERR_TRACE_TOO_LARGE' });
    });

    it("keeps a sampled-out trace's size through a re-price, as its parts said it before the move", async () => {
      // Its call unpriced, so the re-price reaches it (a reported cost is left alone).
      const spans = heavyTrace(1).spans.map((s) => (s.llm === null ? s : { ...s, llm: { ...s.llm, costUsd: null, costSource: null } }));
      await store.writer.write(recordBatch({ spans }), null);
      await store.sampling.record('default', [decision(1, false)]);
      await store.sampling.slim('default', [tid(1)]);
      const before = await store.traces.traceSize('default', tid(1));
      expect(await repriceSpans(store.prices, 'default', { fromUs: null, toUs: null }, () => 0.25)).toMatchObject({ traces: 1 });
      expect(await store.traces.traceSize('default', tid(1))).toEqual(before);
    });

    it("finds the traces completed in a stretch of commits, whatever their spans' clocks, a page at a time, and decides a round of traces", async () => {
      const late = heavyTrace(1);
      // Written with spool positions, as a server writes: the live cursor follows those commits.
      let offset = 0;
      const key = () => ({ serverId: 'server-1', position: `1:${++offset}` });
      await store.writer.write(recordBatch({ spans: late.spans.slice(0, 2) }), key());
      await store.sampling.record('default', [decision(1, false), decision(2, true)]);
      const after = await store.live.head();
      const every = {
        service: null,
        spanName: null,
        text: null,
        status: null,
        minDurationMs: null,
        maxDurationMs: null,
        attributes: [],
        sessionId: null,
        model: null,
        scores: [],
      };
      const complete = async (projectId: string, range: { upTo: typeof after; head: typeof after; after?: typeof after; afterId?: string }, limit = 10) =>
        (await store.evaluators.completeTracesCommitted(projectId, every, { after, afterId: '', ...range }, limit, true)).map((t) => t.traceId);
      expect(await complete('default', { upTo: after, head: after })).toEqual([]);
      // The LLM call arrives after the decision, with the root of trace 2 (its clock a year behind) and a span of trace 5, whose root never came.
      await store.writer.write(
        recordBatch({
          spans: [
            late.spans[2]!,
            span({ traceId: tid(2), spanId: sid(21), startTimeUs: T0 - 365 * 86_400 * SEC, endTimeUs: T0 - 365 * 86_400 * SEC + 100 }),
            span({ traceId: tid(5), spanId: sid(51), parentSpanId: sid(50), endTimeUs: T0 + 200 * SEC }),
          ],
        }),
        key(),
      );
      const head = await store.live.head();
      expect(await complete('default', { upTo: head, head })).toEqual([tid(1), tid(2)]);
      expect(await complete('default', { upTo: head, head }, 1)).toEqual([tid(1)]);
      expect(await complete('default', { upTo: head, head, afterId: tid(1) }, 1)).toEqual([tid(2)]);
      expect(await complete('shop', { upTo: head, head })).toEqual([]);
      // A commit after the stretch touched trace 2: not quiet in this stretch, found in the one that holds that commit.
      await store.writer.write(recordBatch({ spans: [span({ traceId: tid(2), spanId: sid(22), parentSpanId: sid(21) })] }), key());
      const later = await store.live.head();
      expect(await complete('default', { upTo: head, head: later })).toEqual([tid(1)]);
      expect(await complete('default', { after: head, upTo: later, head: later })).toEqual([tid(2)]);
      expect(await store.evaluators.tracesTouched('default', after, later, 100)).toBe(3);
      expect(await store.evaluators.tracesTouched('default', after, later, 2)).toBe(2);
      // Where a runner that starts looks from: the commits made by a time, by the server's clock (the fake keeps none: every commit).
      const nowUs = () => Date.now() * 1000;
      const before = nowUs();
      while (nowUs() <= before) await Promise.resolve();
      await store.writer.write(recordBatch({ spans: [span({ traceId: tid(8), spanId: sid(80) })] }), key());
      const last = await store.live.head();
      const covered = (cursor: typeof after, by: typeof after) =>
        cursor.every((p) => by.some((q) => q.writer === p.writer && (q.major > p.major || (q.major === p.major && q.minor >= p.minor))));
      const atBefore = await store.evaluators.commitsAt(before);
      expect(covered(atBefore, later)).toBe(true);
      if (atBefore.length > 0) {
        expect(atBefore).toEqual(later);
        expect(await store.evaluators.commitsAt(nowUs() + 60 * SEC)).toEqual(last);
        expect(await store.evaluators.commitsAt(T0)).toEqual([]);
      }

      // A round: trace 3 errs (kept), trace 4 does not (its id's hash at rate 0 samples it out), trace 1 was decided before.
      await store.writer.write(recordBatch({ spans: [...heavyTrace(3, { error: true }).spans, ...heavyTrace(4).spans], logs: heavyTrace(4).logs }), key());
      const policy = resolvePolicy({ rate: 0, keep: DEFAULT_SAMPLING_KEEP });
      const outcome = await decideTraces(store.sampling, 'default', [tid(1), tid(3), tid(4)], policy, T0 + 100 * SEC);
      expect(outcome).toEqual({ decided: { errors: 1, sampled_out: 1 }, again: 1, outBounds: { fromUs: T0, toUs: T0 + 10 * SEC } });
      expect(await store.sampling.decisionsOf('default', [tid(1), tid(3), tid(4)])).toEqual(
        new Map([
          [tid(1), false],
          [tid(3), true],
          [tid(4), false],
        ]),
      );
      // Slimmed: its LLM call moved to span_stats, or (the in-memory store) emptied in place.
      const slimmed = async (n: number) => {
        const call = (await store.traces.getTrace('default', tid(n)))?.spans.find((s) => s.name === 'chat gpt-4o');
        return call === undefined || call.eventsJson === '[]';
      };
      // Trace 1, found again, is slimmed at once; trace 4, sampled out now, with the round's others, through its decision.
      expect([await slimmed(1), await slimmed(3), await slimmed(4)]).toEqual([true, false, false]);
      await store.sampling.slimDecided('default', T0 + 99 * SEC, outcome.outBounds!);
      expect(await slimmed(4)).toBe(false);
      await store.sampling.slimDecided('default', T0 + 100 * SEC, outcome.outBounds!);
      expect([await slimmed(1), await slimmed(3), await slimmed(4), (await store.traces.getTrace('default', tid(4)))!.logs]).toEqual([true, false, true, []]);
    });

    it('deletes the logs that commits after a cursor brought of sampled-out traces, and no other', async () => {
      let offset = 0;
      const key = () => ({ serverId: 'server-1', position: `1:${++offset}` });
      const before = log({ logId: 'before', traceId: tid(1), spanId: sid(10) });
      await store.writer.write(recordBatch({ spans: [1, 2].flatMap((n) => heavyTrace(n).spans), logs: [before] }), key());
      await store.sampling.record('default', [decision(1, false), decision(2, true)]);
      const after = await store.live.head();
      expect(await store.sampling.deleteLateLogs('default', after, after)).toBe(0);
      // Logs of the sampled-out trace 1, the kept trace 2, a trace not decided and none, after the decisions.
      const late = [1, 2, 3].map((n) => log({ logId: `late-${n}`, traceId: tid(n), spanId: sid(n * 10) }));
      await store.writer.write(recordBatch({ logs: [...late, log({ logId: 'alone' })] }), key());
      const head = await store.live.head();
      expect(await store.sampling.deleteLateLogs('shop', after, head)).toBe(0);
      expect(await store.sampling.deleteLateLogs('default', after, head)).toBe(1);
      const logIds = async () => (await store.logs.listLogs(logQuery(), null, 50)).map((l) => l.logId).sort();
      // Every log of trace 1 goes, as slimming deletes them.
      expect(await logIds()).toEqual(['alone', 'late-2', 'late-3']);
    });
  });
}
