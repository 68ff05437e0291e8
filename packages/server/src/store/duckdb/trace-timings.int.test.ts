import type { SpanRecord } from '@spoor/model';
import { afterAll, describe, expect, it } from 'vitest';
import { duckDbStores } from '../../../test/support/duckdb.js';
import { T0, sid, span, tid } from '../../../test/support/record-fixtures.js';
import { batchOf } from '../tables.js';
import { rowsOf, traceTimingsOf } from '../trace-timings.js';

const stores = duckDbStores('timings');
afterAll(() => stores.cleanup());

/** 5,000 spans (three of DuckDB's 2,048-row chunks) under one root, whose category, parent and service are the same throughout. */
function wideTrace(): SpanRecord[] {
  const spans = [span({ spanId: sid(1), name: 'root', startTimeUs: T0, endTimeUs: T0 + 60_000_000 })];
  for (let i = 2; i <= 5_000; i++) {
    spans.push(span({ spanId: sid(i), parentSpanId: sid(1), name: `step ${i % 37}`, startTimeUs: T0 + i * 10, endTimeUs: T0 + i * 10 + (i % 97) * 1_000 }));
  }
  return spans;
}

const bySpan = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);

describe("the DuckDB store's span times of a trace", () => {
  it('reads every span of a trace over several chunks, from stored columns that hold one value throughout', async () => {
    const spans = wideTrace();
    const written = await stores.open();
    await written.writer.write(batchOf({ spans: [...spans, span({ traceId: tid(2), spanId: sid(1) })], logs: [], metricPoints: [] }), null);
    // Closed, the rows are checkpointed into compressed column segments: a column of one value is stored as a constant.
    const store = await stores.reopen(written);
    try {
      const timings = (await store.traces.getTraceTimings('default', tid(1)))!;
      expect(timings.count).toBe(5_000);
      expect(timings.labelCount).toBe(38);
      expect(rowsOf(timings).sort(bySpan)).toEqual(rowsOf(traceTimingsOf(spans)).sort(bySpan));
      expect(await store.traces.getTraceTimings('default', tid(3))).toBeNull();
      expect(await store.traces.getTraceTimings('p2', tid(1))).toBeNull();
    } finally {
      await store.close();
    }
  });
});
