import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { QueryService } from '../../src/query/query-service.js';
import type { RecordBatch, Store, TraceReader } from '../../src/store/store.js';
import { type StoredTraceBytes, storedTraceBytesOf } from '../../src/store/stored-trace.js';
import { T0, log, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

/**
 * What the whole answer of a trace reads (`GET /api/traces/:id`): its spans' texts as UTF-8 bytes
 * (`getTraceBytes`), the same texts `getTrace` reads as strings, and how many bytes those texts
 * are before reading them (`traceSize`), on every store.
 */
export function describeTraceAnswerContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Trace answer contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));
    const write = (batch: Partial<RecordBatch>) => store.writer.write(recordBatch(batch), null);

    // Escapes a cast to bytes could misread (`\x41`), quotes, multi-byte characters, and a lone surrogate.
    const HARD = 'say "hi" \\x41 \\ \n\t \u0001 日本 😀 \ud800 }]{"timeUs":1},[';
    const spans = [
      span({ spanId: sid(1), attributes: { [HARD]: HARD, nested: { list: [HARD, 1.5] } } }),
      span({
        spanId: sid(2),
        parentSpanId: sid(1),
        startTimeUs: T0 + 10,
        events: [{ timeUs: T0 + 11, name: HARD, attributes: { message: HARD }, droppedAttributesCount: 1 }],
        links: [{ traceId: tid(2), spanId: sid(9), traceState: HARD, attributes: { k: HARD }, droppedAttributesCount: 0, flags: 1 }],
      }),
      span({ spanId: sid(3), parentSpanId: sid(1), startTimeUs: T0 + 20 }),
    ];
    const logs = [log({ logId: 'on-2', traceId: tid(1), spanId: sid(2), timeUs: T0 + 11, body: HARD })];

    /** A read trace in a form to compare: spans by id with their texts decoded. */
    const comparable = (trace: StoredTraceBytes) => {
      const decoder = new TextDecoder();
      const { bytes, starts, ends } = trace.texts;
      const text = (k: number) => decoder.decode(bytes.subarray(starts[k], ends[k]));
      return {
        spans: trace.spans
          .map((s, i) => ({ ...s, texts: [text(3 * i), text(3 * i + 1), text(3 * i + 2)] }))
          // A span stored twice comes back twice, in any order: its copies are told apart by their end.
          .sort((a, b) => a.spanId.localeCompare(b.spanId) || a.endTimeUs - b.endTimeUs),
        logs: trace.logs,
      };
    };

    it("reads a trace's spans with their texts as the bytes of the text getTrace reads, and its logs", async () => {
      await write({ spans, logs });
      const bytes = await store.traces.getTraceBytes('default', tid(1));
      const text = await store.traces.getTrace('default', tid(1));
      expect(bytes).not.toBeNull();
      expect(bytes!.spans).toHaveLength(3);
      expect(comparable(bytes!)).toEqual(comparable(storedTraceBytesOf(text!)));
      expect(JSON.parse(comparable(bytes!).spans[1]!.texts[1]!)).toEqual(spans[1]!.events);
    });

    it('reads a trace the same in memory it is lent as in its own, the memory lent again for another', async () => {
      const other = span({ traceId: tid(3), spanId: sid(4), attributes: { other: 'x'.repeat(5000) } });
      await write({ spans: [...spans, other], logs });
      const alone = comparable((await store.traces.getTraceBytes('default', tid(1)))!);
      const memory = Buffer.alloc(1 << 20, 0xff);
      const lent = () => memory;
      expect(comparable((await store.traces.getTraceBytes('default', tid(1), lent))!)).toEqual(alone);
      // Lent again for another trace, then for the first: nothing of one read shows in the next.
      const read = comparable((await store.traces.getTraceBytes('default', tid(3), lent))!);
      expect(read.spans[0]!.texts[0]).toBe(JSON.stringify(other.attributes));
      expect(comparable((await store.traces.getTraceBytes('default', tid(1), lent))!)).toEqual(alone);
      // Too small for the read, or none lent.
      expect(comparable((await store.traces.getTraceBytes('default', tid(1), () => Buffer.alloc(16)))!)).toEqual(alone);
      expect(comparable((await store.traces.getTraceBytes('default', tid(1), () => null))!)).toEqual(alone);
      expect(await store.traces.getTraceBytes('default', tid(7), lent)).toBeNull();
    });

    it('reads no trace the project does not have, and counts none of its bytes', async () => {
      await write({ spans, logs });
      expect(await store.traces.getTraceBytes('p2', tid(1))).toBeNull();
      expect(await store.traces.getTraceBytes('default', tid(7))).toBeNull();
      expect((await store.traces.traceSize('p2', tid(1))).textBytes).toBe(0);
      expect(await store.traces.traceSize('default', tid(7))).toEqual({ spans: 0, textBytes: 0, bounds: null });
    });

    it("counts the UTF-8 bytes of a trace's span attributes, events and links, each stored copy", async () => {
      await write({ spans, logs });
      await write({ spans: [{ ...spans[2]!, endTimeUs: T0 + 500 }] });
      const utf8 = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
      const expected = [...spans, spans[2]!].reduce((n, s) => n + utf8(s.attributes) + utf8(s.events) + utf8(s.links), 0);
      const size = await store.traces.traceSize('default', tid(1));
      expect(size).toMatchObject({ spans: 4, textBytes: expected });
      // Read within the bounds it found, the trace is the one read without them.
      const within = await store.traces.getTraceBytes('default', tid(1), undefined, size.bounds);
      expect(comparable(within!)).toEqual(comparable((await store.traces.getTraceBytes('default', tid(1)))!));
    });

    it("counts a trace's bytes as its spans read: multi-byte texts, events and links or none, its spans in several batches", async () => {
      const trace = [
        span({ traceId: tid(4), spanId: sid(1), attributes: { città: 'é 中 😀', nested: { list: ['中文', 1.5] } } }),
        span({
          traceId: tid(4),
          spanId: sid(2),
          parentSpanId: sid(1),
          startTimeUs: T0 + 5,
          events: [{ timeUs: T0 + 6, name: '中文', attributes: { emoji: '😀', plain: 'x' }, droppedAttributesCount: 0 }],
        }),
        span({
          traceId: tid(4),
          spanId: sid(3),
          parentSpanId: sid(1),
          startTimeUs: T0 + 7,
          links: [{ traceId: tid(5), spanId: sid(9), traceState: 'é=1', attributes: { k: 'é' }, droppedAttributesCount: 0, flags: 1 }],
        }),
        span({ traceId: tid(4), spanId: sid(4), parentSpanId: sid(1), startTimeUs: T0 + 9, attributes: {} }),
      ];
      // Three batches, so three parts of the trace; another trace beside it in one of them.
      await write({ spans: trace.slice(0, 1) });
      await write({ spans: [...trace.slice(1, 3), span({ traceId: tid(6), spanId: sid(1), attributes: { other: '😀'.repeat(50) } })] });
      await write({ spans: trace.slice(3) });
      const read = (await store.traces.getTraceBytes('default', tid(4)))!;
      let readBytes = 0;
      for (let k = 0; k < read.texts.starts.length; k++) readBytes += read.texts.ends[k]! - read.texts.starts[k]!;
      const utf8 = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
      expect(readBytes).toBe(trace.reduce((n, s) => n + utf8(s.attributes) + utf8(s.events) + utf8(s.links), 0));
      expect(await store.traces.traceSize('default', tid(4))).toMatchObject({ spans: 4, textBytes: readBytes });
    });

    it('refuses the whole answer of a trace whose stored texts pass the bound, naming spans=, and pages it', async () => {
      await write({ spans, logs });
      const bytes = (await store.traces.traceSize('default', tid(1))).textBytes;
      const within = new QueryService(store, { maxDetailTextBytes: bytes });
      const detail = JSON.parse(new TextDecoder().decode(await within.getTrace('default', tid(1)))) as { spans: unknown[] };
      expect(detail.spans).toHaveLength(3);
      const refused = await new QueryService(store, { maxDetailTextBytes: bytes - 1 }).getTrace('default', tid(1)).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({ code: 'ERR_TRACE_TOO_LARGE', status: 400 });
      expect((refused as AppError).message).toContain('?spans=0,10000');
      const page = JSON.parse(
        new TextDecoder().decode(await new QueryService(store, { maxDetailTextBytes: bytes - 1 }).getTrace('default', tid(1), { offset: 0, limit: 10 })),
      ) as { spans: unknown[] };
      expect(page.spans).toHaveLength(3);
    });

    it('answers large traces read at once and one after another each with its own texts (the memory reads are lent)', async () => {
      // Each trace's texts pass a megabyte, as the reads that are lent memory do.
      const large = (t: number, s: number) => span({ traceId: tid(t), spanId: sid(s), attributes: { text: `${t}/${s} `.repeat(300_000) } });
      await write({ spans: [large(4, 1), large(4, 2), large(5, 1), large(5, 2), large(6, 1)] });
      // Both reads end before either answer is written: had they been lent the same memory, the second would overwrite the first.
      let reads = 0;
      let bothRead = (): void => {};
      const barrier = new Promise<void>((resolve) => (bothRead = resolve));
      const held = Object.create(store.traces) as TraceReader;
      held.getTraceBytes = async (...args) => {
        const read = await store.traces.getTraceBytes(...args);
        if (++reads === 2) bothRead();
        if (reads <= 2) await barrier;
        return read;
      };
      const { logs, metrics, scores, runningSpans, sampling } = store;
      const queries = new QueryService({ traces: held, logs, metrics, scores, runningSpans, sampling });
      const texts = async (answer: Promise<Uint8Array>) => {
        const detail = JSON.parse(new TextDecoder().decode(await answer)) as { spans: Array<{ spanId: string; attributes: { text: string } }> };
        return detail.spans.map((d) => [d.spanId, d.attributes.text.slice(0, 8), d.attributes.text.length]);
      };
      const expected = (t: number, ...s: number[]) => s.map((n) => [sid(n), `${t}/${n} `.repeat(2).slice(0, 8), `${t}/${n} `.length * 300_000]);
      const together = await Promise.all([texts(queries.getTrace('default', tid(4))), texts(queries.getTrace('default', tid(5)))]);
      expect(together).toEqual([expected(4, 1, 2), expected(5, 1, 2)]);
      expect(await texts(queries.getTrace('default', tid(6)))).toEqual(expected(6, 1));
      expect(await texts(queries.getTrace('default', tid(4)))).toEqual(expected(4, 1, 2));
    });
  });
}
