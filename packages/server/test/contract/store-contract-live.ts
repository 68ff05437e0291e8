import type { SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { type LiveCursor, START, covers, cursorText, isAfter, lowest, parseCursor } from '../../src/store/live-cursor.js';
import type { Store } from '../../src/store/store.js';
import { ALL, T0, emptyLlm, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const FILTER = {
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
};

/** The contract of the live port: what was committed after a cursor, up to another, each row with its commit. */
export function describeLiveContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store live contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));
    let offset = 0;
    /** Commits spans as server `serverId`'s next spool entry (a key, as every server writes). */
    const commit = async (spans: SpanRecord[], serverId = 'server-1'): Promise<LiveCursor> => {
      await store.writer.write(recordBatch({ spans }), { serverId, position: `1:${++offset}` });
      return store.live.head();
    };
    const ids = async (after: LiveCursor, upTo: LiveCursor, traceIds = [tid(1)], projectId = 'default') =>
      (await store.live.spansAfter(projectId, traceIds, after, upTo)).map((row) => row.span.spanId);

    it('reads the spans committed after a cursor up to the head, with every field a viewer draws', async () => {
      expect(cursorText(await store.live.head())).toBe('0');
      const llm = { ...emptyLlm(), requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', inputTokens: 12, outputTokens: 3, costUsd: 0.0025 };
      const first = await commit([
        span({ spanId: sid(1), name: 'agent', category: 'agent' }),
        span({
          spanId: sid(2),
          parentSpanId: sid(1),
          name: 'chat',
          serviceName: 'llm',
          startTimeUs: T0 + 10,
          endTimeUs: T0 + 90,
          status: { code: 'error', message: 'boom' },
          category: 'llm',
          llm,
          events: [{ timeUs: T0 + 20, name: 'gen_ai.content.prompt', attributes: { a: 1 }, droppedAttributesCount: 0 }],
        }),
      ]);
      expect(first).not.toEqual(START);
      const rows = await store.live.spansAfter('default', [tid(1)], START, first);
      expect(rows.map((row) => row.span)).toEqual([
        {
          spanId: sid(1),
          parentSpanId: null,
          name: 'agent',
          service: 'checkout',
          startUs: T0,
          endUs: T0 + 100,
          statusCode: 0,
          category: 1,
          state: 'ended',
          inputTokens: null,
          outputTokens: null,
          costUsd: null,
          model: null,
          events: [],
        },
        {
          spanId: sid(2),
          parentSpanId: sid(1),
          name: 'chat',
          service: 'llm',
          startUs: T0 + 10,
          endUs: T0 + 90,
          statusCode: 2,
          category: 3,
          state: 'ended',
          inputTokens: 12,
          outputTokens: 3,
          costUsd: 0.0025,
          model: 'gpt-4o-2024-08-06',
          events: [[T0 + 20, 'gen_ai.content.prompt']],
        },
      ]);
      expect(rows.every((row) => row.traceId === tid(1) && !isAfter(row.at, first) && isAfter(row.at, START))).toBe(true);
      expect(await ids(first, first)).toEqual([]);
    });

    it('gives each span its commit, so one read from the lowest cursor serves viewers at each', async () => {
      const a = await commit([span({ spanId: sid(1) })]);
      const b = await commit([span({ spanId: sid(2), startTimeUs: T0 + 5 })]);
      const c = await commit([span({ spanId: sid(3), startTimeUs: T0 + 1 })]);
      expect(covers(c, b) && covers(b, a) && !covers(a, b)).toBe(true);
      // In commit order, not start order.
      expect(await ids(START, c)).toEqual([sid(1), sid(2), sid(3)]);
      expect(await ids(a, c)).toEqual([sid(2), sid(3)]);
      expect(await ids(a, b)).toEqual([sid(2)]);
      const rows = await store.live.spansAfter('default', [tid(1)], lowest([a, b]), c);
      expect(rows.filter((row) => isAfter(row.at, b)).map((row) => row.span.spanId)).toEqual([sid(3)]);
      expect(rows.filter((row) => isAfter(row.at, a)).map((row) => row.span.spanId)).toEqual([sid(2), sid(3)]);
      // A cursor survives being sent as text and back (an SSE event id).
      expect(await ids(parseCursor(cursorText(a))!, parseCursor(cursorText(c))!)).toEqual([sid(2), sid(3)]);
    });

    it("sees another server's commits after a cursor taken before them, and none twice", async () => {
      const mine = await commit([span({ spanId: sid(1) })], 'server-a');
      const theirs = await commit([span({ spanId: sid(2) })], 'server-b');
      const both = await commit([span({ spanId: sid(3) })], 'server-a');
      expect(await ids(mine, theirs)).toEqual([sid(2)]);
      expect(await ids(theirs, both)).toEqual([sid(3)]);
      expect((await ids(START, both)).sort()).toEqual([sid(1), sid(2), sid(3)]);
    });

    it("reads only the project's spans of the traces asked for", async () => {
      const head = await commit([span({ spanId: sid(1) }), span({ traceId: tid(2), spanId: sid(2) }), span({ projectId: 'other', spanId: sid(3) })]);
      expect(await ids(START, head)).toEqual([sid(1)]);
      expect(await ids(START, head, [tid(1), tid(2)])).toEqual([sid(1), sid(2)]);
      expect(await ids(START, head, [tid(1)], 'other')).toEqual([sid(3)]);
      expect(await ids(START, head, [])).toEqual([]);
    });

    it('reads a running snapshot as running, and after its span is stored ended only the ended span; a trace of snapshots alone is touched', async () => {
      const write = async (spans: SpanRecord[], runningSpans: SpanRecord[]): Promise<LiveCursor> => {
        await store.writer.write(recordBatch({ spans, runningSpans }), { serverId: 'server-1', position: `1:${++offset}` });
        return store.live.head();
      };
      const a = await write(
        [span({ spanId: sid(1) })],
        [span({ spanId: sid(2), startTimeUs: T0 + 10, endTimeUs: 0 }), span({ traceId: tid(2), spanId: sid(3), endTimeUs: 0 })],
      );
      // By span: the order of one commit's spans is not the contract's.
      const states = async (after: LiveCursor, upTo: LiveCursor) =>
        (await store.live.spansAfter('default', [tid(1)], after, upTo))
          .map((row) => [row.span.spanId, row.span.state, row.span.endUs])
          .sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
      expect(await states(START, a)).toEqual([
        [sid(1), 'ended', T0 + 100],
        [sid(2), 'running', null],
      ]);
      expect((await store.live.tracesAfter('default', START, a, 100)).map((t) => t.traceId).sort()).toEqual([tid(1), tid(2)]);
      const b = await write([span({ spanId: sid(2), startTimeUs: T0 + 10, endTimeUs: T0 + 50 })], []);
      expect(await states(a, b)).toEqual([[sid(2), 'ended', T0 + 50]]);
      // Read again from the start, the snapshot of a span stored ended is not given.
      expect(await states(START, b)).toEqual([
        [sid(1), 'ended', T0 + 100],
        [sid(2), 'ended', T0 + 50],
      ]);
      expect((await store.live.tracesAfter('default', a, b, 100)).map((t) => t.traceId)).toEqual([tid(1)]);
      // A snapshot committed after its span was stored ended (one the receiver did not catch) is not given either,
      // while a snapshot of another span that starts at the same time is.
      const c = await write([], [span({ spanId: sid(2), startTimeUs: T0 + 10, endTimeUs: 0 }), span({ spanId: sid(4), startTimeUs: T0 + 10, endTimeUs: 0 })]);
      expect(await states(b, c)).toEqual([[sid(4), 'running', null]]);
    });

    it("lists the project's traces touched after a cursor, and their summaries under the list's filters", async () => {
      const a = await commit([span({ traceId: tid(1), spanId: sid(1) }), span({ projectId: 'other', traceId: tid(9), spanId: sid(9) })]);
      const b = await commit([
        span({ traceId: tid(2), spanId: sid(2), serviceName: 'billing', startTimeUs: T0 + 50 }),
        span({ traceId: tid(3), spanId: sid(3) }),
      ]);
      const touched = await store.live.tracesAfter('default', a, b, 100);
      expect(touched.map((t) => t.traceId).sort()).toEqual([tid(2), tid(3)]);
      expect(touched.every((t) => isAfter(t.at, a) && !isAfter(t.at, b))).toBe(true);
      expect((await store.live.tracesAfter('default', START, b, 100)).map((t) => t.traceId).sort()).toEqual([tid(1), tid(2), tid(3)]);
      expect((await store.live.tracesAfter('default', START, b, 1)).length).toBe(1);
      expect((await store.live.tracesAfter('other', START, b, 100)).map((t) => t.traceId)).toEqual([tid(9)]);

      const all = await store.live.traceSummaries(FILTER, [tid(1), tid(2), tid(3)]);
      // Newest first, as the list.
      expect(all.map((t) => t.traceId)).toEqual([tid(2), tid(3), tid(1)]);
      expect(all.find((t) => t.traceId === tid(2))).toMatchObject({ rootName: 'op', serviceName: 'billing', spanCount: 1, startTimeUs: T0 + 50 });
      expect((await store.live.traceSummaries({ ...FILTER, service: 'billing' }, [tid(1), tid(2), tid(3)])).map((t) => t.traceId)).toEqual([tid(2)]);
      expect(await store.live.traceSummaries({ ...FILTER, projectId: 'other' }, [tid(1)])).toEqual([]);
      expect(await store.live.traceSummaries(FILTER, [])).toEqual([]);
    });
  });
}
