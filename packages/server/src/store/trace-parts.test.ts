import { describe, expect, it } from 'vitest';
import { T0, emptyLlm, sid, span, tid } from '../../test/support/record-fixtures.js';
import { SourceIds } from './sources.js';
import { spanColumns, spanTextBytes } from './tables.js';
import { tracePartsOf } from './trace-parts.js';

describe('tracePartsOf', () => {
  it("folds a batch's spans into one part per trace: counts, bounds, root, tokens and cost", () => {
    const parts = tracePartsOf([
      span({
        traceId: tid(1),
        spanId: sid(2),
        parentSpanId: sid(1),
        name: 'call',
        startTimeUs: T0 + 5,
        endTimeUs: T0 + 50,
        status: { code: 'error', message: 'x' },
        llm: { ...emptyLlm(), inputTokens: 10, outputTokens: 3, costUsd: 0.5 },
      }),
      span({ traceId: tid(2), spanId: sid(1), name: 'other', startTimeUs: T0, endTimeUs: T0 + 1 }),
      span({ traceId: tid(1), spanId: sid(1), name: 'run', startTimeUs: T0, endTimeUs: T0 + 100 }),
      span({
        traceId: tid(1),
        spanId: sid(3),
        parentSpanId: sid(1),
        name: 'tool',
        startTimeUs: T0 + 60,
        endTimeUs: T0 + 70,
        llm: { ...emptyLlm(), inputTokens: null, costUsd: null },
      }),
    ]);
    expect(parts).toEqual([
      expect.objectContaining({
        traceId: tid(1),
        spanCount: 3,
        errorCount: 1,
        startUs: T0,
        endUs: T0 + 100,
        rootName: 'run',
        rootFailed: false,
        firstName: 'run',
        inputTokens: 10,
        outputTokens: 3,
        costUsd: 0.5,
      }),
      expect.objectContaining({ traceId: tid(2), spanCount: 1, errorCount: 0, rootName: 'other', inputTokens: null, costUsd: null }),
    ]);
  });

  it("keeps each category's longest span, 0 for a category the part has none of", () => {
    const parts = tracePartsOf([
      span({ traceId: tid(1), spanId: sid(1), category: 'workflow', startTimeUs: T0, endTimeUs: T0 + 100 }),
      span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), category: 'llm', startTimeUs: T0 + 10, endTimeUs: T0 + 40 }),
      span({ traceId: tid(1), spanId: sid(3), parentSpanId: sid(1), category: 'llm', startTimeUs: T0 + 50, endTimeUs: T0 + 95 }),
      span({ traceId: tid(1), spanId: sid(4), parentSpanId: sid(1), category: 'tool', startTimeUs: T0 + 60, endTimeUs: T0 + 61 }),
      span({ traceId: tid(2), spanId: sid(5), category: 'llm', startTimeUs: T0, endTimeUs: T0 + 7 }),
    ]);
    // workflow, agent, step, llm, tool, retriever, embedding, other
    expect(parts.map((p) => p.longestUs)).toEqual([
      [100, 0, 0, 45, 1, 0, 0, 0],
      [0, 0, 0, 7, 0, 0, 0, 0],
    ]);
  });

  it("counts its spans' stored attributes, events and links in UTF-8 bytes, from the records or the batch's columns alike", () => {
    const spans = [
      span({ traceId: tid(1), spanId: sid(1), attributes: { città: '中文 😀', n: 1 } }),
      span({
        traceId: tid(1),
        spanId: sid(2),
        parentSpanId: sid(1),
        events: [{ timeUs: T0, name: 'é', attributes: { k: '😀' }, droppedAttributesCount: 0 }],
        links: [{ traceId: tid(9), spanId: sid(9), traceState: '', attributes: {}, droppedAttributesCount: 0, flags: 0 }],
      }),
      span({ traceId: tid(2), spanId: sid(3) }),
    ];
    const utf8 = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    const bytesOf = (traceId: string) =>
      spans.filter((s) => s.traceId === traceId).reduce((n, s) => n + utf8(s.attributes) + utf8(s.events) + utf8(s.links), 0);
    const expected = [bytesOf(tid(1)), bytesOf(tid(2))];
    // Events and links none of are stored as `[]`: two bytes each.
    expect(expected[1]).toBe(utf8(spans[2]!.attributes) + 4);
    expect(tracePartsOf(spans).map((p) => p.textBytes)).toEqual(expected);
    expect(tracePartsOf(spans, spanTextBytes(spanColumns(spans, new SourceIds()))).map((p) => p.textBytes)).toEqual(expected);
  });

  it('leaves the root unknown in a part without it, so the summary takes it from another part', () => {
    const [part] = tracePartsOf([span({ spanId: sid(2), parentSpanId: sid(1) })]);
    expect(part).toMatchObject({ rootName: null, rootService: null, rootFailed: null, firstName: 'op' });
  });
});
