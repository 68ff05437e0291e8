import { type SpanLabel, type TraceTimings, timingColumns } from '../trace-timings.js';
import { ChParams, type ChClient } from './client.js';
import { RowBinaryReader } from './row-binary.js';
import { spansOfTrace } from './trace-bounds.js';

/**
 * What a critical path needs of a trace's spans, or `null` when it has none (or the project has
 * no such trace). One row per name and service, each holding its spans' ids, times and categories
 * as arrays, in `RowBinary`: the ids travel as their 8 bytes (`unhex`), the times as 8-byte
 * integers, and each label once. For a 50,000-span trace that is ~1.7 MB parsed by reading bytes
 * where rows of JSON were 5.6 MB that ClickHouse printed and Node parsed (BENCHMARKS.md).
 */
export async function getTraceTimings(ch: ChClient, projectId: string, traceId: string): Promise<TraceTimings | null> {
  const p = new ChParams();
  // A span without a parent gets the 8 zero bytes of an empty FixedString: the id 0:0.
  const bytes = await ch.rawBytes(
    "read a trace's span times",
    `SELECT name, service_name,
       groupArray(CAST(unhex(span_id) AS FixedString(8))),
       groupArray(CAST(ifNull(unhex(parent_span_id), '') AS FixedString(8))),
       groupArray(start_us), groupArray(end_us), groupArray(category)
     ${spansOfTrace(ch, p, projectId, traceId)}
     GROUP BY name, service_name`,
    p,
  );
  // Once to count the spans, so the columns are allocated once; then to fill them.
  let n = 0;
  let labelCount = 0;
  for (const skim = new RowBinaryReader(bytes); skim.more; labelCount++) {
    skim.string();
    skim.string();
    n += skim.skipArray(8);
    for (const width of [8, 8, 8, 1]) skim.skipArray(width);
  }
  if (n === 0) return null;
  const t = timingColumns(n);
  const labels = new Array<SpanLabel>(n);
  const read = new RowBinaryReader(bytes);
  for (let from = 0; read.more; ) {
    const label: SpanLabel = { name: read.string(), serviceName: read.string() };
    const k = read.idHalves(t.idHigh, t.idLow, from);
    read.idHalves(t.parentHigh, t.parentLow, from);
    read.int64s(t.startUs, from);
    read.int64s(t.endUs, from);
    read.uint8s(t.category, from);
    labels.fill(label, from, from + k);
    from += k;
  }
  return { ...t, labelOf: (i) => labels[i]!, labelCount };
}
