import { describe, expect, it } from 'vitest';
import type { RecordBatch, Store } from '../../src/store/store.js';
import { type StoredSpan, type StoredTraceBytes, logDataFromStored, spanRecordFromStored } from '../../src/store/stored-trace.js';
import { T0, log, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

/** A page's spans with their texts decoded, as `getTrace` reads spans. */
function storedSpansOf(page: StoredTraceBytes): StoredSpan[] {
  const decoder = new TextDecoder();
  const { bytes, starts, ends } = page.texts;
  const text = (k: number) => decoder.decode(bytes.subarray(starts[k], ends[k]));
  return page.spans.map((s, i) => ({ ...s, attributesJson: text(3 * i), eventsJson: text(3 * i + 1), linksJson: text(3 * i + 2) }));
}

/**
 * What a page of a trace reads (`GET /api/traces/:id?spans=OFFSET,LIMIT`): the spans of given ids
 * (their texts as UTF-8 bytes, as the whole answer reads them) with their logs, and how many
 * spans a trace has stored, on every store.
 */
export function describeTracePagesContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Trace pages contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));
    const write = (batch: Partial<RecordBatch>) => store.writer.write(recordBatch(batch), null);

    // Escapes a cast to bytes could misread (`\x41`), quotes and multi-byte characters.
    const HARD = 'say "hi" \\x41 \\ \n 日本 😀 }]{"timeUs":1},[';
    const spans = [
      span({ spanId: sid(1) }),
      span({
        spanId: sid(2),
        parentSpanId: sid(1),
        name: 'two',
        startTimeUs: T0 + 10,
        attributes: { [HARD]: HARD },
        events: [{ timeUs: T0 + 11, name: HARD, attributes: { m: HARD }, droppedAttributesCount: 0 }],
        links: [{ traceId: tid(2), spanId: sid(9), traceState: HARD, attributes: {}, droppedAttributesCount: 0, flags: 1 }],
      }),
      span({ spanId: sid(3), parentSpanId: sid(1), name: 'three', startTimeUs: T0 + 20, attributes: { k: 'v' } }),
    ];
    const logs = [
      log({ logId: 'on-2', traceId: tid(1), spanId: sid(2), timeUs: T0 + 11 }),
      log({ logId: 'on-3', traceId: tid(1), spanId: sid(3), timeUs: T0 + 21 }),
      log({ logId: 'no-span', traceId: tid(1), spanId: null, timeUs: T0 + 1 }),
      log({ logId: 'foreign-span', traceId: tid(1), spanId: sid(99), timeUs: T0 + 2 }),
    ];

    it('reads the spans of the ids asked for, their texts as UTF-8 bytes, with their logs in time order', async () => {
      await write({ spans, logs });
      const page = await store.traces.getTraceSpans('default', tid(1), [sid(3), sid(2)], false);
      expect(
        storedSpansOf(page)
          .map(spanRecordFromStored)
          .sort((a, b) => a.spanId.localeCompare(b.spanId)),
      ).toEqual([spans[1], spans[2]]);
      expect(page.logs.map((l) => l.logId)).toEqual(['on-2', 'on-3']);
      expect(page.logs.map(logDataFromStored)[0]).toEqual(logs[0]);
    });

    it("adds the trace's own logs (no span, or a span it lacks) when asked, in time order", async () => {
      await write({ spans, logs });
      const page = await store.traces.getTraceSpans('default', tid(1), [sid(1)], true);
      expect(page.spans.map((s) => s.spanId)).toEqual([sid(1)]);
      expect(page.logs.map((l) => l.logId)).toEqual(['no-span', 'foreign-span']);
      const none = await store.traces.getTraceSpans('default', tid(1), [], true);
      expect(none.spans).toEqual([]);
      expect(none.logs.map((l) => l.logId)).toEqual(['no-span', 'foreign-span']);
    });

    it('reads every stored copy of a span sent twice, and counts the trace by its parts', async () => {
      await write({ spans });
      await write({ spans: [{ ...spans[2]!, endTimeUs: T0 + 500 }] });
      const page = await store.traces.getTraceSpans('default', tid(1), [sid(3)], false);
      expect(page.spans.map((s) => s.endTimeUs).sort()).toEqual([T0 + 100, T0 + 500]);
      expect((await store.traces.traceSize('default', tid(1))).spans).toBe(4);
    });

    it("reads nothing of another project's trace, and counts none of it", async () => {
      await write({ spans, logs });
      const foreign = await store.traces.getTraceSpans('p2', tid(1), [sid(1), sid(2)], true);
      expect([foreign.spans, foreign.logs, foreign.texts.bytes.length]).toEqual([[], [], 0]);
      expect((await store.traces.traceSize('p2', tid(1))).spans).toBe(0);
      expect((await store.traces.traceSize('default', tid(7))).spans).toBe(0);
    });

    it('takes a page of 10,000 ids at once', async () => {
      await write({ spans, logs });
      const ids = [sid(2), sid(3), ...Array.from({ length: 9_998 }, (_, i) => sid(1_000 + i))];
      const page = await store.traces.getTraceSpans('default', tid(1), ids, false);
      expect(page.spans.map((s) => s.spanId).sort()).toEqual([sid(2), sid(3)]);
      expect(page.logs.map((l) => l.logId)).toEqual(['on-2', 'on-3']);
    });
  });
}
