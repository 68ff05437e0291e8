import { type SpanLabel, type TraceTimings, timingColumns } from '../trace-timings.js';
import { ChParams, type ChClient } from './client.js';
import { spansOfTrace } from './trace-bounds.js';
import { readAllRows, rowsShape } from './trace-rows.js';

/** A span id's halves as numbers, from its 16 hex digits (`trace-timings.ts`); no parent is 0:0. */
const half = (column: string, from: number) => `ifNull(reinterpretAsUInt32(reverse(unhex(substring(${column}, ${from}, 8)))), 0)`;

const TIMING_ROWS = rowsShape([
  half('span_id', 1), half('span_id', 9), half('parent_span_id', 1), half('parent_span_id', 9),
  'start_us', 'end_us', 'category', 'name', 'service_name',
]);

type TimingRow = [number, number, number, number, number, number, number, string, string];

/**
 * What a critical path needs of a trace's spans, or `null` when it has none (or the project has
 * no such trace). Ids arrive as
 * numbers (their hex parsed in SQL); each distinct name and service becomes one label shared by
 * its spans.
 */
export async function getTraceTimings(ch: ChClient, projectId: string, traceId: string): Promise<TraceTimings | null> {
  const p = new ChParams();
  const rows = (await readAllRows(ch, "read a trace's span times", TIMING_ROWS, spansOfTrace(ch, p, projectId, traceId), p)) as TimingRow[];
  const n = rows.length;
  if (n === 0) return null;
  const t = timingColumns(n);
  const labels = new Array<SpanLabel>(n);
  const byKey = new Map<string, SpanLabel>();
  for (let i = 0; i < n; i++) {
    const [idHigh, idLow, parentHigh, parentLow, startUs, endUs, category, name, serviceName] = rows[i]!;
    t.idHigh[i] = idHigh;
    t.idLow[i] = idLow;
    t.parentHigh[i] = parentHigh;
    t.parentLow[i] = parentLow;
    t.startUs[i] = startUs;
    t.endUs[i] = endUs;
    t.category[i] = category;
    const key = `${name}\u0000${serviceName}`;
    let label = byKey.get(key);
    if (label === undefined) {
      label = { name, serviceName };
      byKey.set(key, label);
    }
    labels[i] = label;
  }
  return { ...t, labelOf: (i) => labels[i]!, labelCount: byKey.size };
}
