import type { SpanRecord, TraceQuery } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { spanRecordFromStored } from '../../src/store/stored-trace.js';
import type { RunningTraceFilter, Store, StoredRunningSpan } from '../../src/store/store.js';
import { ALL, T0, emptyLlm, query, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const SEC = 1_000_000;
const NO_FILTER: RunningTraceFilter = { service: null, spanName: null, sessionId: null };

/** A running snapshot: a span with no end. */
const snapshot = (over: Partial<SpanRecord> = {}): SpanRecord => span({ endTimeUs: 0, ...over });

/** Snapshots written as ingest writes them: one write batch per request, received at `receivedUs`. */
const received = (receivedUs: number, runningSpans: SpanRecord[], spans: SpanRecord[] = []) => recordBatch({ spans, runningSpans, writtenUs: receivedUs });

/** What a read gave, as records and when received, comparable across engines. */
const asRecords = (read: readonly StoredRunningSpan[]) => read.map(({ receivedUs, ...s }) => ({ ...spanRecordFromStored(s), receivedUs }));

/** The contract of the running span port: newest snapshot per span, hidden by the ended span, swept, listed, retained. */
export function describeRunningSpanContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store running spans contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));
    const of = (traceIds: string[] = [tid(1)], spanId?: string) => store.runningSpans.ofTraces('default', traceIds, spanId);

    it('reads a snapshot back with every field, its end unset, and when its request was received', async () => {
      const llm = {
        ...emptyLlm(),
        provider: 'openai',
        operation: 'chat',
        requestModel: 'gpt-4o',
        inputTokens: 120,
        outputTokens: null,
        costUsd: 0.0003,
        costSource: 'price_table' as const,
        finishReasons: ['stop'],
      };
      const written = snapshot({
        parentSpanId: sid(9),
        attributes: { 'gen_ai.request.model': 'gpt-4o', nested: { a: [1, 'x'] } },
        events: [{ timeUs: T0 + 5, name: 'tick', attributes: { n: 1 }, droppedAttributesCount: 0 }],
        llm,
        category: 'llm',
        sessionId: 's-1',
        userId: 'u-1',
        status: { code: 'error', message: 'so far' },
      });
      await store.writer.write(received(T0 + 7 * SEC, [written]), null);
      expect(asRecords(await of())).toEqual([{ ...written, receivedUs: T0 + 7 * SEC }]);
      // Nothing of it is a span: no trace, no trace list entry.
      expect(await store.traces.getTrace('default', tid(1))).toBeNull();
      expect(
        await store.traces.listTraces(
          {
            projectId: 'default',
            range: ALL,
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
            limit: 10,
            cursor: null,
          },
          null,
          10,
        ),
      ).toEqual([]);
    });

    it('keeps the newest snapshot of each span, by when it was received, whatever order they were written in', async () => {
      await store.writer.write(received(T0 + 3 * SEC, [snapshot({ name: 'third' }), snapshot({ spanId: sid(2), name: 'other' })]), null);
      await store.writer.write(received(T0 + 1 * SEC, [snapshot({ name: 'first' })]), null);
      await store.writer.write(received(T0 + 2 * SEC, [snapshot({ name: 'second' })]), null);
      expect((await of()).map((s) => [s.spanId, s.name, s.receivedUs])).toEqual([
        [sid(1), 'third', T0 + 3 * SEC],
        [sid(2), 'other', T0 + 3 * SEC],
      ]);
      // Two received in the same microsecond: the one holding more (a running span's attributes only grow).
      await store.writer.write(received(T0 + 4 * SEC, [snapshot({ spanId: sid(2), name: 'more', attributes: { step: 2, tokens: 40 } })]), null);
      await store.writer.write(received(T0 + 4 * SEC, [snapshot({ spanId: sid(2), name: 'less', attributes: { step: 1 } })]), null);
      expect((await of([tid(1)], sid(2))).map((s) => s.name)).toEqual(['more']);
    });

    it('hides a snapshot once its span is stored ended, before and after the sweep, and the sweep deletes what no read shows', async () => {
      await store.writer.write(received(T0 + 1 * SEC, [snapshot({ name: 'a v1' }), snapshot({ spanId: sid(2), name: 'b v1' })]), null);
      await store.writer.write(received(T0 + 2 * SEC, [snapshot({ name: 'a v2' }), snapshot({ spanId: sid(2), name: 'b v2' })]), null);
      await store.writer.write(received(T0 + 3 * SEC, [], [span({ name: 'a ended', endTimeUs: T0 + 2 * SEC })]), null);
      const before = (await of()).map((s) => s.name);
      expect(before).toEqual(['b v2']);
      // Rows: a v1, a v2 (ended), b v1 (replaced), b v2: the sweep leaves b v2 alone.
      expect(await store.runningSpans.sweep()).toBe(1);
      expect((await of()).map((s) => s.name)).toEqual(before);
      expect(await store.runningSpans.sweep()).toBe(1);
      // A snapshot written after its span ended (a late timer) stays hidden.
      await store.writer.write(received(T0 + 4 * SEC, [snapshot({ name: 'a late' })]), null);
      expect((await of()).map((s) => s.name)).toEqual(['b v2']);
      expect(await store.runningSpans.sweep()).toBe(1);
    });

    it('says when each trace with running spans was last heard from, and reads one span or another project alone', async () => {
      await store.writer.write(received(T0 + 1 * SEC, [snapshot(), snapshot({ traceId: tid(2) })]), null);
      await store.writer.write(received(T0 + 5 * SEC, [snapshot({ spanId: sid(2) })]), null);
      await store.writer.write(received(T0 + 9 * SEC, [snapshot({ projectId: 'p2' })]), null);
      expect(await store.runningSpans.lastHeard('default', [tid(1), tid(2), tid(3)])).toEqual(
        new Map([
          [tid(1), T0 + 5 * SEC],
          [tid(2), T0 + 1 * SEC],
        ]),
      );
      expect(await store.runningSpans.lastHeard('default', [])).toEqual(new Map());
      expect((await of([tid(1)], sid(2))).map((s) => s.spanId)).toEqual([sid(2)]);
      expect((await store.runningSpans.ofTraces('p2', [tid(1)])).map((s) => s.receivedUs)).toEqual([T0 + 9 * SEC]);
      expect(await of([tid(3)])).toEqual([]);
    });

    it('says which traces were heard from since a time, by their running spans alone, the last heard first, at most as many as asked', async () => {
      await store.writer.write(received(T0 + 1 * SEC, [snapshot({ traceId: tid(1) }), snapshot({ traceId: tid(2) }), snapshot({ traceId: tid(3) })]), null);
      await store.writer.write(received(T0 + 5 * SEC, [snapshot({ traceId: tid(2), spanId: sid(2) }), snapshot({ traceId: tid(4) })]), null);
      await store.writer.write(received(T0 + 7 * SEC, [snapshot({ traceId: tid(3) }), snapshot({ traceId: tid(5), projectId: 'p2' })]), null);
      // Trace 4's span ended: it has no running span left.
      await store.writer.write(received(T0 + 8 * SEC, [], [span({ traceId: tid(4), endTimeUs: T0 + 6 * SEC })]), null);
      expect(await store.runningSpans.recentlyHeard('default', T0 + 5 * SEC, 10)).toEqual(
        new Map([
          [tid(3), T0 + 7 * SEC],
          [tid(2), T0 + 5 * SEC],
        ]),
      );
      expect(await store.runningSpans.recentlyHeard('default', T0, 1)).toEqual(new Map([[tid(3), T0 + 7 * SEC]]));
      expect(await store.runningSpans.recentlyHeard('default', T0 + 8 * SEC, 10)).toEqual(new Map());
      expect(await store.runningSpans.recentlyHeard('p2', T0, 10)).toEqual(new Map([[tid(5), T0 + 7 * SEC]]));
    });

    it('lists the traces of running spans alone, summarized from their snapshots, newest first, paged and filtered', async () => {
      await store.writer.write(
        received(
          T0 + 10 * SEC,
          [
            snapshot({ traceId: tid(1), startTimeUs: T0 + 1 * SEC, name: 'agent', serviceName: 'svc-a', sessionId: 's-1', userId: 'u-1' }),
            snapshot({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), startTimeUs: T0 + 2 * SEC, name: 'tool', serviceName: 'svc-b' }),
            // Its root has not arrived: the earliest span names it.
            snapshot({ traceId: tid(2), parentSpanId: sid(7), startTimeUs: T0 + 3 * SEC, name: 'step' }),
            snapshot({ traceId: tid(3), startTimeUs: T0 + 3 * SEC, name: 'third' }),
            // A trace with a span stored ended is listed by the trace list itself.
            snapshot({ traceId: tid(4), startTimeUs: T0 + 4 * SEC }),
          ],
          [span({ traceId: tid(4), spanId: sid(5) })],
        ),
        null,
      );
      await store.writer.write(received(T0 + 11 * SEC, [snapshot({ traceId: tid(2), spanId: sid(3), parentSpanId: sid(7), startTimeUs: T0 + 5 * SEC })]), null);
      const all = await store.runningSpans.listRunningTraces('default', ALL, NO_FILTER, null, 10);
      expect(all.map((t) => t.traceId)).toEqual([tid(3), tid(2), tid(1)]);
      expect(all[2]).toEqual({
        traceId: tid(1),
        rootName: 'agent',
        serviceName: 'svc-a',
        startTimeUs: T0 + 1 * SEC,
        endTimeUs: T0 + 1 * SEC,
        spanCount: 0,
        errorCount: 0,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        unpricedCalls: 0,
        sessionId: 's-1',
        userId: 'u-1',
        lastHeardUs: T0 + 10 * SEC,
      });
      expect(all[1]).toMatchObject({ rootName: 'step', lastHeardUs: T0 + 11 * SEC });
      // Pages by start then trace id, strictly after the cursor; within the range.
      expect((await store.runningSpans.listRunningTraces('default', ALL, NO_FILTER, { timeUs: T0 + 3 * SEC, id: tid(3) }, 10)).map((t) => t.traceId)).toEqual([
        tid(2),
        tid(1),
      ]);
      expect((await store.runningSpans.listRunningTraces('default', ALL, NO_FILTER, null, 1)).map((t) => t.traceId)).toEqual([tid(3)]);
      expect((await store.runningSpans.listRunningTraces('default', { fromUs: T0 + 2 * SEC, toUs: null }, NO_FILTER, null, 10)).map((t) => t.traceId)).toEqual([
        tid(3),
        tid(2),
      ]);
      // Any snapshot of the trace may match a filter.
      const only = (filter: Partial<RunningTraceFilter>) =>
        store.runningSpans.listRunningTraces('default', ALL, { ...NO_FILTER, ...filter }, null, 10).then((l) => l.map((t) => t.traceId));
      expect(await only({ service: 'svc-b' })).toEqual([tid(1)]);
      expect(await only({ spanName: 'third' })).toEqual([tid(3)]);
      expect(await only({ sessionId: 's-1' })).toEqual([tid(1)]);
      // Only the traces named (a trace with an ended span is never one of them); none named, none.
      expect(await only({ traceIds: [tid(1), tid(3), tid(4)] })).toEqual([tid(3), tid(1)]);
      expect(await only({ traceIds: [] })).toEqual([]);
      expect(await store.runningSpans.listRunningTraces('p2', ALL, NO_FILTER, null, 10)).toEqual([]);
    });

    it('lists a trace with a span stored ended by what its running root alone holds, the filters held on one span', async () => {
      // The root runs with the run's session; its child ended, with none.
      await store.writer.write(
        received(
          T0 + 10 * SEC,
          [snapshot({ traceId: tid(1), startTimeUs: T0, name: 'research', sessionId: 's-run' })],
          [span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), startTimeUs: T0 + SEC, endTimeUs: T0 + 2 * SEC, name: 'plan' })],
        ),
        null,
      );
      const listed = (over: Partial<TraceQuery>) => store.traces.listTraces(query(over), null, 10).then((l) => l.map((t) => t.traceId));
      expect(await listed({ sessionId: 's-run' })).toEqual([tid(1)]);
      expect(await listed({ spanName: 'research' })).toEqual([tid(1)]);
      expect(await listed({ spanName: 'plan' })).toEqual([tid(1)]);
      expect(await listed({ sessionId: 's-run', spanName: 'plan' })).toEqual([]);
      expect(await listed({ sessionId: 's-other' })).toEqual([]);
      expect(await store.traces.listTraces(query({ projectId: 'p2', sessionId: 's-run' }), null, 10)).toEqual([]);
    });

    it('reads snapshots committed after a sweep left none, the sweep run before or during their transaction', async () => {
      expect(await store.runningSpans.sweep()).toBe(0);
      await store.writer.write(received(T0 + 1 * SEC, [snapshot()]), null);
      expect((await of()).map((s) => s.spanId)).toEqual([sid(1)]);
      // Its span ended and swept: no row left.
      await store.writer.write(received(T0 + 2 * SEC, [], [span({ endTimeUs: T0 + SEC })]), null);
      expect(await store.runningSpans.sweep()).toBe(0);
      await store.writer.append(received(T0 + 3 * SEC, [snapshot({ traceId: tid(2) })]), null);
      await store.runningSpans.sweep();
      await store.writer.commit(null);
      expect((await of([tid(2)])).map((s) => s.traceId)).toEqual([tid(2)]);
      expect(await store.runningSpans.lastHeard('default', [tid(2)])).toEqual(new Map([[tid(2), T0 + 3 * SEC]]));
      expect((await store.runningSpans.listRunningTraces('default', ALL, NO_FILTER, null, 10)).map((t) => t.traceId)).toEqual([tid(2)]);
      expect(await store.runningSpans.sweep()).toBe(1);
    });

    it('deletes snapshots with their traces at retention, by start', async () => {
      await store.writer.write(received(T0 + 1 * SEC, [snapshot({ startTimeUs: T0 - 10 * SEC }), snapshot({ spanId: sid(2), startTimeUs: T0 + SEC })]), null);
      expect(await store.retention.deleteOlderThan('runningSpans', T0)).toBe(1);
      expect((await of()).map((s) => s.spanId)).toEqual([sid(2)]);
    });
  });
}
