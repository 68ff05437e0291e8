import { describe, expect, it } from 'vitest';
import { batchOf } from '../tables.js';
import { span, T0, tid, sid } from '../../../test/support/record-fixtures.js';
import { SpanChanges } from './span-changes.js';

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
});
