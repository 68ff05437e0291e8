import { describe, expect, it } from 'vitest';
import { batchOf } from '../tables.js';
import { span, T0, tid, sid } from '../../../test/support/record-fixtures.js';
import { SLICE_US, SpanChanges } from './span-changes.js';

const tablesOf = (spans: Parameters<typeof span>[0][]) => batchOf({ spans: spans.map((s) => span(s)), logs: [], metricPoints: [] }).tables;

describe('SpanChanges', () => {
  it('keeps per project the earliest span end appended after a transaction', () => {
    const changes = new SpanChanges();
    const note = (seq: number, spans: Parameters<typeof span>[0][]) => {
      for (const table of tablesOf(spans)) changes.note(seq, table);
    };
    note(1, [{ traceId: tid(1), spanId: sid(1), endTimeUs: T0 + 50 }]);
    // One batch of two projects, their rows interleaved.
    note(2, [
      { projectId: 'a', traceId: tid(2), spanId: sid(2), parentSpanId: sid(9), endTimeUs: T0 + 30 },
      { projectId: 'b', traceId: tid(3), spanId: sid(3), endTimeUs: T0 + 20 },
      { projectId: 'a', traceId: tid(2), spanId: sid(4), parentSpanId: sid(9), endTimeUs: T0 + 40 },
    ]);
    note(3, [{ projectId: 'a', traceId: tid(5), spanId: sid(5), endTimeUs: T0 + 60 }]);
    expect(changes.since(0, 'default')).toBe(T0 + 50);
    expect(changes.since(1, 'default')).toBeNull();
    expect(changes.since(1, 'a')).toBe(T0 + 30);
    expect(changes.since(2, 'a')).toBe(T0 + 60);
    expect(changes.since(1, 'b')).toBe(T0 + 20);
    expect(changes.since(3, 'a')).toBeNull();
  });

  it('forgets old transactions, and says so for a number before them', () => {
    const changes = new SpanChanges();
    for (let seq = 1; seq <= 2_100; seq++) for (const table of tablesOf([{ spanId: sid(seq), endTimeUs: T0 + seq }])) changes.note(seq, table);
    expect(changes.since(50, 'default')).toBeUndefined();
    expect(changes.since(2_000, 'default')).toBe(T0 + 2_001);
  });

  it('counts per project the spans appended that end in each slice a window touches, a day of slices back', () => {
    const changes = new SpanChanges();
    const base = Math.ceil(T0 / SLICE_US) * SLICE_US;
    const at = (k: number, offset = 0) => base + k * SLICE_US + offset;
    let n = 0;
    const note = (seq: number, ends: Array<[string, number]>) => {
      for (const table of tablesOf(ends.map(([projectId, endTimeUs]) => ({ projectId, traceId: tid(++n), spanId: sid(n), endTimeUs }))))
        changes.note(seq, table);
    };
    // Runs of one slice, a slice met again after another, two projects interleaved.
    note(1, [
      ['a', at(0)],
      ['a', at(0, 5)],
      ['a', at(1)],
      ['a', at(0, SLICE_US - 1)],
      ['b', at(0, 7)],
      ['a', at(2)],
    ]);
    note(2, [['a', at(1, 9)]]);
    expect(changes.spansWithin('a', at(0), at(3))).toBe(6);
    expect(changes.spansWithin('a', at(0, 1), at(1))).toBe(3);
    expect(changes.spansWithin('a', at(1), at(2))).toBe(2);
    // A window touching a slice counts all of it: a window cut through slices 1 and 2.
    expect(changes.spansWithin('a', at(1, 20), at(2, 1))).toBe(3);
    expect(changes.spansWithin('b', at(0), at(3))).toBe(1);
    expect(changes.spansWithin('c', at(0), at(3))).toBe(0);
    // A day of slices is kept: after one span in each of 6,000 slices more, the first are forgotten.
    for (let k = 3; k < 6_003; k++) note(k, [['a', at(k)]]);
    expect(changes.spansWithin('a', at(0), at(3))).toBe(0);
    expect(changes.spansWithin('a', at(5_000), at(6_003))).toBe(1_003);
    expect(changes.spansWithin('a', at(-10_000), at(6_003))).toBe(5_761);
  });
});
