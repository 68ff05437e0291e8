import { SPAN_CATEGORIES, type SpanRecord } from '@spoor/model';
import { FlowSpansBuilder } from '../../src/store/flow-spans.js';
import type { FlowSpanQuery, FlowSpans } from '../../src/store/store.js';
import { FLOW_MARGIN_US } from '../../src/store/sql/flows.js';
import { type FakeAnalyticsData, durationUs, isError, matchesFilter, sideKey } from './fake-analytics.js';

/**
 * The flow map's spans over the committed spans, as the SQL of `store/sql/flows.ts` reads them:
 * runs by their first matching span, newest first (then by trace id), numbered from 0. Ids become
 * keys by a table of them.
 */
export function flowSpans(data: FakeAnalyticsData, query: FlowSpanQuery): FlowSpans {
  const runs = new Map<string, { firstUs: number; b: boolean }>();
  for (const s of data.spans) {
    if (!matchesFilter(s, query.filter)) continue;
    let b = false;
    if (query.sides !== null) {
      const side = sideKey(s, query.sides.by);
      if (side !== query.sides.a && side !== query.sides.b) continue;
      b = side === query.sides.b;
    }
    const run = runs.get(s.traceId);
    if (run === undefined) runs.set(s.traceId, { firstUs: s.startTimeUs, b });
    else {
      run.firstUs = Math.min(run.firstUs, s.startTimeUs);
      run.b ||= b;
    }
  }
  const order = [...runs].sort(([x, rx], [y, ry]) => ry.firstUs - rx.firstUs || (x < y ? -1 : x > y ? 1 : 0)).slice(0, query.maxRuns + 1);
  const { fromUs, toUs } = query.filter.range;
  const near = (s: SpanRecord) => (fromUs === null || s.startTimeUs >= fromUs - FLOW_MARGIN_US) && (toUs === null || s.startTimeUs < toUs + FLOW_MARGIN_US);
  const keys = new Map<string, number>();
  const key = (text: string) => keys.get(text) ?? (keys.set(text, keys.size).get(text) as number);
  const builder = new FlowSpansBuilder(query.maxRuns);
  order.forEach(([traceId, run], index) => {
    builder.setRun(index, traceId, run.b);
    const spans = data.spans.filter((s) => s.projectId === query.filter.projectId && s.traceId === traceId && near(s));
    for (const s of spans) {
      const columns = [
        index,
        key(`s${s.spanId}`),
        s.parentSpanId === null ? -1 : key(`s${s.parentSpanId}`),
        key(`l${s.category}:${s.name}`),
        SPAN_CATEGORIES.indexOf(s.category),
        s.startTimeUs,
        durationUs(s),
        isError(s) ? 1 : 0,
        s.llm?.costUsd ?? Number.NaN,
        run.b ? 1 : 0,
      ].map((value) => Float64Array.of(value));
      builder.addColumns(1, columns, { name: () => s.name });
    }
  });
  return builder.done();
}
