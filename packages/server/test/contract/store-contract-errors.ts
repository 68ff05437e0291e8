import { type ErrorOccurrenceRecord, SPOOR_SERVICE_NAME } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { ErrorGroupQuery, ErrorGroupRecord, Store, RecordBatch } from '../../src/store/store.js';
import { ALL, T0, errorOccurrence, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const MIN = 60_000_000;
const HOUR = 60 * MIN;
const RANGE = { fromUs: T0, toUs: T0 + 10 * HOUR };

/** The failed spans the errors were found in, and the errors, as ingest writes them. */
function recordsOf(errors: ErrorOccurrenceRecord[]): Partial<RecordBatch> {
  const spans = errors
    .filter((e) => e.traceId !== null && e.spanId !== null)
    .map((e) =>
      span({
        projectId: e.projectId,
        traceId: e.traceId!,
        spanId: e.spanId!,
        parentSpanId: e.parentSpanId,
        name: e.spanName,
        serviceName: e.serviceName,
        startTimeUs: e.timeUs - 1,
        endTimeUs: e.timeUs,
        status: { code: 'error', message: e.message },
      }),
    );
  return { spans, errors };
}

let nextSpan = 100;
const rate = (timeUs: number, trace: number | null, serviceName = 'worker', message = 'Rate limit reached for gpt-4o') =>
  errorOccurrence({
    fingerprint: 'fp-rate',
    timeUs,
    traceId: trace === null ? null : tid(trace),
    spanId: trace === null ? null : sid(nextSpan++),
    source: trace === null ? 'log' : 'span',
    serviceName,
    spanName: 'chat',
    message,
    exceptionType: 'openai.RateLimitError',
    messageKey: 'Rate limit reached for <*>',
    provider: 'openai',
    httpStatus: 429,
    errorType: 'rate_limit_exceeded',
  });
const tool = (timeUs: number, trace: number) =>
  errorOccurrence({
    fingerprint: 'fp-tool',
    timeUs,
    traceId: tid(trace),
    spanId: sid(nextSpan++),
    serviceName: 'tools',
    spanName: 'search',
    message: 'not found: "q"',
    exceptionType: 'ToolError',
    messageKey: 'not found: <str>',
    toolName: 'search',
  });
const other = (fingerprint: string, timeUs: number, trace: number) =>
  errorOccurrence({
    fingerprint,
    timeUs,
    traceId: tid(trace),
    spanId: sid(nextSpan++),
    serviceName: 'api',
    message: 'x is undefined',
    exceptionType: 'TypeError',
    messageKey: 'x is undefined',
    frame: 'handle (src/app.ts)',
  });

/** The contract of the error group reads and status updates; see `describeAnalyticsContract`. */
export function describeErrorGroupContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store error groups contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const write = (errors: ErrorOccurrenceRecord[]) => store.writer.write(recordBatch(recordsOf(errors)), null);
    const groups = (over: Partial<ErrorGroupQuery> = {}, offset = 0, limit = 50) =>
      store.errors.listErrorGroups(
        { projectId: 'default', range: RANGE, status: null, service: null, fingerprint: null, sort: 'lastSeen', ...over },
        offset,
        limit,
      );
    const fingerprints = async (over: Partial<ErrorGroupQuery> = {}, offset = 0, limit = 50) => (await groups(over, offset, limit)).map((g) => g.fingerprint);

    /**
     * fp-rate: once before the range (trace 1), nine times in it (one from a log, without a
     * trace; traces 2 and 7 twice), once after it. fp-tool: twice in the range, fp-once once,
     * fp-old only before it. Project p2 has an fp-rate of its own.
     */
    async function seed(): Promise<void> {
      await write([rate(T0 - HOUR, 1), rate(T0 + 10 * MIN, 2), rate(T0 + 15 * MIN, 8), rate(T0 + 20 * MIN, 2, 'api'), rate(T0 + 30 * MIN, null)]);
      await write([
        rate(T0 + 70 * MIN, 3),
        rate(T0 + 2 * HOUR, 4),
        rate(T0 + 3 * HOUR, 5),
        rate(T0 + 4 * HOUR, 7),
        rate(T0 + 5 * HOUR, 7, 'worker', 'Rate limit reached for gpt-4o-mini'),
        tool(T0 + 6 * HOUR, 20),
        tool(T0 + 7 * HOUR, 21),
      ]);
      await write([
        rate(T0 + 11 * HOUR, 9, 'worker', 'Rate limit reached for o3'),
        other('fp-once', T0 + 9 * HOUR, 22),
        other('fp-old', T0 - 2 * HOUR, 23),
        { ...rate(T0 + HOUR, 40), projectId: 'p2' },
      ]);
    }

    const fpRate: ErrorGroupRecord = {
      fingerprint: 'fp-rate',
      exceptionType: 'openai.RateLimitError',
      messageKey: 'Rate limit reached for <*>',
      frame: null,
      provider: 'openai',
      httpStatus: 429,
      errorType: 'rate_limit_exceeded',
      finishReason: null,
      toolName: null,
      // The newest occurrence of all time, like first and last seen; counts and samples are of the range.
      sampleMessage: 'Rate limit reached for o3',
      storedStatus: 'unresolved',
      resolvedUs: null,
      count: 9,
      traceCount: 6,
      firstSeenUs: T0 - HOUR,
      lastSeenUs: T0 + 11 * HOUR,
      services: ['api', 'worker'],
      // Newest first, each trace once, five at most: trace 8 (at 15 min) does not make it.
      sampleTraceIds: [tid(7), tid(5), tid(4), tid(3), tid(2)],
    };
    const fpTool: ErrorGroupRecord = {
      fingerprint: 'fp-tool',
      exceptionType: 'ToolError',
      messageKey: 'not found: <str>',
      frame: null,
      provider: null,
      httpStatus: null,
      errorType: null,
      finishReason: null,
      toolName: 'search',
      sampleMessage: 'not found: "q"',
      storedStatus: 'unresolved',
      resolvedUs: null,
      count: 2,
      traceCount: 2,
      firstSeenUs: T0 + 6 * HOUR,
      lastSeenUs: T0 + 7 * HOUR,
      services: ['tools'],
      sampleTraceIds: [tid(21), tid(20)],
    };

    it('lists the groups seen in the range, with counts of the range and first and last seen of all time', async () => {
      await seed();
      const listed = await groups();
      expect(listed.map((g) => g.fingerprint)).toEqual(['fp-rate', 'fp-once', 'fp-tool']);
      expect(listed[0]).toEqual(fpRate);
      expect(listed[2]).toEqual(fpTool);
      expect(listed[1]).toMatchObject({ frame: 'handle (src/app.ts)', count: 1, traceCount: 1, services: ['api'], sampleTraceIds: [tid(22)] });
      expect((await groups({ range: ALL })).map((g) => [g.fingerprint, g.count])).toEqual([
        ['fp-rate', 11],
        ['fp-once', 1],
        ['fp-tool', 2],
        ['fp-old', 1],
      ]);
      expect(await groups({ projectId: 'p2' })).toEqual([
        {
          ...fpRate,
          sampleMessage: 'Rate limit reached for gpt-4o',
          count: 1,
          traceCount: 1,
          firstSeenUs: T0 + HOUR,
          lastSeenUs: T0 + HOUR,
          services: ['worker'],
          sampleTraceIds: [tid(40)],
        },
      ]);
      expect(await groups({ projectId: 'p3' })).toEqual([]);
    });

    it("leaves Spoor's own failures (a judge's, an experiment's) out unless their service is asked for", async () => {
      await write(
        [rate(T0 + MIN, 1), rate(T0 + 2 * MIN, 2, SPOOR_SERVICE_NAME), other('fp-own', T0 + 3 * MIN, 3)].map((e, i) =>
          i === 2 ? { ...e, serviceName: SPOOR_SERVICE_NAME } : e,
        ),
      );
      expect((await groups()).map((g) => [g.fingerprint, g.count])).toEqual([['fp-rate', 1]]);
      expect((await groups({ service: SPOOR_SERVICE_NAME })).map((g) => [g.fingerprint, g.count]).sort()).toEqual([
        ['fp-own', 1],
        ['fp-rate', 1],
      ]);
    });

    it('sorts, filters and pages the groups', async () => {
      await seed();
      expect(await fingerprints({ sort: 'firstSeen' })).toEqual(['fp-once', 'fp-tool', 'fp-rate']);
      expect(await fingerprints({ sort: 'count' })).toEqual(['fp-rate', 'fp-tool', 'fp-once']);
      expect(await fingerprints({ service: 'tools' })).toEqual(['fp-tool']);
      expect(await fingerprints({ service: 'api' })).toEqual(['fp-rate', 'fp-once']);
      expect(await groups({ fingerprint: 'fp-tool' })).toEqual([fpTool]);
      expect(await fingerprints({ fingerprint: 'fp-old' })).toEqual([]);
      expect(await fingerprints({ fingerprint: 'fp-old', range: ALL })).toEqual(['fp-old']);
      expect(await fingerprints({}, 1, 1)).toEqual(['fp-once']);
      expect(await fingerprints({}, 3, 1)).toEqual([]);
    });

    it('filters by the effective status: a resolved group seen again is unresolved', async () => {
      await seed();
      await store.errors.setErrorGroupStatus('default', 'fp-tool', 'resolved', T0 + 8 * HOUR);
      // Seen at 11 h, after it was resolved at 10 h.
      await store.errors.setErrorGroupStatus('default', 'fp-rate', 'resolved', T0 + 10 * HOUR);
      await store.errors.setErrorGroupStatus('default', 'fp-once', 'ignored', T0 + 10 * HOUR);
      await store.errors.setErrorGroupStatus('p2', 'fp-rate', 'ignored', T0 + 10 * HOUR);
      expect(await fingerprints({ status: 'resolved' })).toEqual(['fp-tool']);
      expect(await fingerprints({ status: 'unresolved' })).toEqual(['fp-rate']);
      expect(await fingerprints({ status: 'ignored' })).toEqual(['fp-once']);
      expect((await groups()).map((g) => [g.fingerprint, g.storedStatus, g.resolvedUs])).toEqual([
        ['fp-rate', 'resolved', T0 + 10 * HOUR],
        ['fp-once', 'ignored', null],
        ['fp-tool', 'resolved', T0 + 8 * HOUR],
      ]);
      expect((await groups({ projectId: 'p2' })).map((g) => g.storedStatus)).toEqual(['ignored']);

      // Unresolving forgets when it was resolved; resolving again sets it anew.
      await store.errors.setErrorGroupStatus('default', 'fp-tool', 'unresolved', T0 + 12 * HOUR);
      await store.errors.setErrorGroupStatus('default', 'fp-rate', 'resolved', T0 + 12 * HOUR);
      expect((await groups()).map((g) => [g.fingerprint, g.storedStatus, g.resolvedUs])).toEqual([
        ['fp-rate', 'resolved', T0 + 12 * HOUR],
        ['fp-once', 'ignored', null],
        ['fp-tool', 'unresolved', null],
      ]);
      expect(await fingerprints({ status: 'resolved' })).toEqual(['fp-rate']);
      expect(await fingerprints({ status: 'unresolved' })).toEqual(['fp-tool']);
    });

    it('counts an error passed on from a child span of the same trace once, as the child', async () => {
      /** Span n of a trace is the child of span n - 1; the deeper, the earlier it failed. */
      const chain = (fingerprint: string, trace: number, n: number, name: string, messageKey = 'Internal error', exceptionType = 'openai.APIError') =>
        errorOccurrence({
          fingerprint,
          timeUs: T0 + (trace - 30) * MIN + (4 - n) * 1_000_000,
          traceId: tid(trace),
          spanId: sid(n),
          parentSpanId: n === 1 ? null : sid(n - 1),
          spanName: name,
          exceptionType,
          messageKey,
          message: messageKey,
        });
      await write([
        // Trace 30: the LLM call failed, its step and the agent above passed it on. Its error arrives later.
        chain('fp-root', 30, 1, 'agent'),
        chain('fp-step', 30, 2, 'step'),
        // Trace 31: the step failed with an error of its own.
        chain('fp-step-own', 31, 2, 'step', 'step failed', 'StepError'),
        chain('fp-llm', 31, 3, 'chat'),
        // Trace 32: the same step error, without a failed child in its trace (trace 33 has one under a span of the same id).
        chain('fp-step', 32, 2, 'step'),
        chain('fp-llm', 33, 3, 'chat'),
      ]);
      await write([chain('fp-llm', 30, 3, 'chat')]);
      expect((await fingerprints({ range: ALL, sort: 'count' })).slice(0, 1)).toEqual(['fp-llm']);
      expect((await groups({ range: ALL })).map((g) => [g.fingerprint, g.count, g.sampleTraceIds]).sort()).toEqual([
        ['fp-llm', 3, [tid(33), tid(31), tid(30)]],
        ['fp-step', 1, [tid(32)]],
        ['fp-step-own', 1, [tid(31)]],
      ]);
      expect((await store.errors.listErrorOccurrences('default', 'fp-step', ALL, 10)).map((o) => o.traceId)).toEqual([tid(32)]);
      expect(await store.errors.errorGroupHourly('default', ['fp-root', 'fp-step'], ALL)).toEqual([{ fingerprint: 'fp-step', hourUs: T0, count: 1 }]);
    });

    it('counts a failure once when its parent failed with only a status, or a log reported it, whatever batch they came in', async () => {
      const at = (trace: number, spanId: string | null, over: Partial<ErrorOccurrenceRecord>) =>
        errorOccurrence({
          timeUs: T0 + trace * MIN,
          traceId: tid(trace),
          spanId,
          exceptionType: 'CitationError',
          messageKey: 'citation check failed',
          ...over,
        });
      const thrown = (trace: number) => at(trace, sid(2), { fingerprint: 'fp-citation', parentSpanId: sid(1), frame: 'check (src/write.ts)' });
      // The step above said only "step write failed" (no exception type); the log the step wrote has the exception without a stack.
      const step = (trace: number, over: Partial<ErrorOccurrenceRecord> = {}) =>
        at(trace, sid(1), { fingerprint: 'fp-step', exceptionType: '', messageKey: 'step write failed', message: 'step write failed', ...over });
      const logged = (trace: number, over: Partial<ErrorOccurrenceRecord> = {}) => at(trace, sid(2), { fingerprint: 'fp-log', source: 'log', ...over });
      // Trace 1: the child arrives after its parent and its log. Trace 2: one batch.
      await write([step(1), logged(1)]);
      await write([thrown(1)]);
      await write([thrown(2), step(2), logged(2)]);
      // Trace 3: a step with an exception of its own, and a log of another error; trace 4: a step and a log with no failed span under them.
      await write([
        thrown(3),
        step(3, { fingerprint: 'fp-step-own', exceptionType: 'StepError', frame: 'write (src/step.ts)' }),
        logged(3, { fingerprint: 'fp-log-other', messageKey: 'quota low' }),
      ]);
      await write([step(4), logged(4, { spanId: sid(9) })]);
      // Trace 5: a step as Spoor wrote one before it left the type empty, `Error`.
      await write([step(5, { fingerprint: 'fp-step-v1', exceptionType: 'Error' })]);
      await write([thrown(5)]);
      expect((await groups({ range: ALL })).map((g) => [g.fingerprint, g.count, g.sampleTraceIds]).sort()).toEqual([
        ['fp-citation', 4, [tid(5), tid(3), tid(2), tid(1)]],
        ['fp-log', 1, [tid(4)]],
        ['fp-log-other', 1, [tid(3)]],
        ['fp-step', 1, [tid(4)]],
        ['fp-step-own', 1, [tid(3)]],
      ]);
      expect((await groups({ range: ALL, fingerprint: 'fp-step' }))[0]).toMatchObject({
        exceptionType: '',
        messageKey: 'step write failed',
        sampleMessage: 'step write failed',
      });
    });

    it('takes first and last seen, and the sample message, from events only, where the earliest or latest error was passed on', async () => {
      // A step's error in a trace; with `child`, its LLM call failed first with the same error, so the step's only passes it on.
      const step = (trace: number, timeUs: number, message: string, child: boolean) => [
        errorOccurrence({
          fingerprint: 'fp-step',
          timeUs,
          traceId: tid(trace),
          spanId: sid(1),
          spanName: 'step',
          exceptionType: 'openai.APIError',
          messageKey: 'Internal error',
          message,
        }),
        ...(child
          ? [
              errorOccurrence({
                fingerprint: 'fp-llm',
                timeUs: timeUs - 1,
                traceId: tid(trace),
                spanId: sid(2),
                parentSpanId: sid(1),
                spanName: 'chat',
                exceptionType: 'openai.APIError',
                messageKey: 'Internal error',
                message,
              }),
            ]
          : []),
      ];
      // Each in a batch of its own, so only the reads can tell the passed-on errors from events.
      await write(step(60, T0 - 2 * HOUR, 'passed on, earliest', false).slice(0, 1));
      await write(step(60, T0 - 2 * HOUR, 'passed on, earliest', true).slice(1));
      await write(step(61, T0 - HOUR, 'first event', false));
      await write(step(62, T0 + 2 * HOUR, 'last event', false));
      await write(step(63, T0 + 11 * HOUR, 'passed on, latest', false));
      await write(step(63, T0 + 11 * HOUR, 'passed on, latest', true).slice(1));
      // fp-tool's earliest rows share a time: one passed on (its child failed alike), one an event.
      const tied = (trace: number, timeUs: number) => ({ ...tool(timeUs, trace), spanId: sid(1) });
      await write([tied(70, T0 - HOUR), { ...tool(T0 - HOUR - 1, 70), spanId: sid(2), parentSpanId: sid(1), fingerprint: 'fp-tool-child' }]);
      await write([tied(71, T0 - HOUR), tied(72, T0 + 3 * HOUR)]);
      expect((await groups()).map((g) => [g.fingerprint, g.count, g.firstSeenUs, g.lastSeenUs, g.sampleMessage, g.exceptionType]).sort()).toEqual([
        ['fp-step', 1, T0 - HOUR, T0 + 2 * HOUR, 'last event', 'openai.APIError'],
        ['fp-tool', 1, T0 - HOUR, T0 + 3 * HOUR, 'not found: "q"', 'ToolError'],
      ]);
      // All time: the children count, each once.
      expect((await groups({ range: ALL })).map((g) => [g.fingerprint, g.count, g.firstSeenUs, g.lastSeenUs]).sort()).toEqual([
        ['fp-llm', 2, T0 - 2 * HOUR - 1, T0 + 11 * HOUR - 1],
        ['fp-step', 2, T0 - HOUR, T0 + 2 * HOUR],
        ['fp-tool', 2, T0 - HOUR, T0 + 3 * HOUR],
        ['fp-tool-child', 1, T0 - HOUR - 1, T0 - HOUR - 1],
      ]);
    });

    it('lists a range of 1,500 groups: the ends of every group are checked in one statement of bounded size', async () => {
      const many = Array.from({ length: 1_500 }, (_, i) => [
        { ...other(`fp-many-${i}`, T0 + i * 1_000, 100 + i), spanId: sid(1) },
        { ...other(`fp-many-${i}`, T0 + HOUR + i * 1_000, 100 + i), spanId: sid(2) },
      ]).flat();
      await write(many);
      const listed = await groups({ sort: 'firstSeen' }, 0, 3);
      expect(listed.map((g) => [g.fingerprint, g.count, g.firstSeenUs, g.lastSeenUs])).toEqual(
        [1_499, 1_498, 1_497].map((i) => [`fp-many-${i}`, 2, T0 + i * 1_000, T0 + HOUR + i * 1_000]),
      );
    });

    it('samples the traces hit most recently, however often the newest one was hit', async () => {
      // Trace 51 failed 150 times in a retry loop after traces 50 and 52; a log error has no trace.
      const loop = Array.from({ length: 150 }, (_, i) => tool(T0 + 2 * HOUR + i, 51));
      await write([tool(T0 + HOUR, 50), tool(T0 + HOUR + 1, 52), ...loop, { ...tool(T0 + 3 * HOUR, 53), traceId: null, spanId: null, source: 'log' }]);
      expect(await groups()).toMatchObject([{ fingerprint: 'fp-tool', count: 153, traceCount: 3, sampleTraceIds: [tid(51), tid(52), tid(50)] }]);
    });

    it('counts occurrences per hour and lists the newest ones', async () => {
      await seed();
      const hourly = await store.errors.errorGroupHourly('default', ['fp-rate', 'fp-tool', 'fp-none'], RANGE);
      expect(
        hourly.sort((a, b) => a.fingerprint.localeCompare(b.fingerprint) || a.hourUs - b.hourUs).map((h) => [h.fingerprint, (h.hourUs - T0) / HOUR, h.count]),
      ).toEqual([
        ['fp-rate', 0, 4],
        ['fp-rate', 1, 1],
        ['fp-rate', 2, 1],
        ['fp-rate', 3, 1],
        ['fp-rate', 4, 1],
        ['fp-rate', 5, 1],
        ['fp-tool', 6, 1],
        ['fp-tool', 7, 1],
      ]);
      expect(await store.errors.errorGroupHourly('default', [], RANGE)).toEqual([]);
      expect(await store.errors.errorGroupHourly('p2', ['fp-rate'], RANGE)).toEqual([{ fingerprint: 'fp-rate', hourUs: T0 + HOUR, count: 1 }]);

      const occurrences = await store.errors.listErrorOccurrences('default', 'fp-rate', RANGE, 3);
      expect(occurrences).toEqual([
        {
          timeUs: T0 + 5 * HOUR,
          traceId: tid(7),
          spanId: expect.any(String),
          serviceName: 'worker',
          spanName: 'chat',
          message: 'Rate limit reached for gpt-4o-mini',
        },
        {
          timeUs: T0 + 4 * HOUR,
          traceId: tid(7),
          spanId: expect.any(String),
          serviceName: 'worker',
          spanName: 'chat',
          message: 'Rate limit reached for gpt-4o',
        },
        {
          timeUs: T0 + 3 * HOUR,
          traceId: tid(5),
          spanId: expect.any(String),
          serviceName: 'worker',
          spanName: 'chat',
          message: 'Rate limit reached for gpt-4o',
        },
      ]);
      const all = await store.errors.listErrorOccurrences('default', 'fp-rate', ALL, 100);
      expect(all.map((o) => (o.timeUs - T0) / MIN)).toEqual([660, 300, 240, 180, 120, 70, 30, 20, 15, 10, -60]);
      expect(all.find((o) => o.timeUs === T0 + 30 * MIN)).toMatchObject({ traceId: null, spanId: null });
      expect(await store.errors.listErrorOccurrences('p2', 'fp-tool', ALL, 100)).toEqual([]);
    });

    it('deletes errors older than a cutoff', async () => {
      await seed();
      await store.retention.deleteOlderThan('errors', T0);
      expect((await groups({ range: ALL })).map((g) => [g.fingerprint, g.count, g.firstSeenUs])).toEqual([
        ['fp-rate', 10, T0 + 10 * MIN],
        ['fp-once', 1, T0 + 9 * HOUR],
        ['fp-tool', 2, T0 + 6 * HOUR],
      ]);
    });
  });
}
