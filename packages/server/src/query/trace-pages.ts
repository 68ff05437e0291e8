import { resolveSpanTree, type Score } from '@spoor/model';
import type { StoredSpanFields } from '../store/stored-trace.js';
import { spanIdHex, type TraceTimings } from '../store/trace-timings.js';

/**
 * Pages of a trace's spans in tree order (`GET /api/traces/:id?spans=OFFSET,LIMIT`). The order is
 * the span-tree resolver's over the trace's compact columns (ids, parents, times: `TraceTimings`,
 * some 40 bytes a span), so a page reads only its own rows: a 1,000,000-span trace is ordered in
 * a few dozen megabytes, never held whole.
 */

/** Rows `offset .. offset + limit - 1` of a trace in tree order. */
export interface SpanPage {
  offset: number;
  limit: number;
}

/** The most spans a page holds. */
export const MAX_PAGE_SPANS = 10_000;

/** What a page is: its spans' ids in tree order, their depths, and where the next page starts. */
export interface PagePlan {
  /** The trace's rows in tree order (copies of a span counted once). */
  count: number;
  ids: string[];
  depths: Int32Array;
  /** `spans=` of the next page, `null` on the last. */
  next: string | null;
}

/** The page's rows of the resolved tree of `timings`. */
export function pagePlan(timings: TraceTimings, page: SpanPage): PagePlan {
  const tree = resolveSpanTree(timings);
  const from = Math.min(page.offset, tree.count);
  const to = Math.min(tree.count, page.offset + page.limit);
  const ids = new Array<string>(to - from);
  for (let r = from; r < to; r++) {
    const i = tree.order[r]!;
    ids[r - from] = spanIdHex(timings.idHigh[i]!, timings.idLow[i]!);
  }
  return { count: tree.count, ids, depths: tree.depth.slice(from, to), next: to < tree.count ? `${to},${page.limit}` : null };
}

/**
 * Of the copies of each span id read for a page, the one the resolver keeps (`span-tree.ts`), by
 * its index in `spans`: the one that ended last, then started first, then names no parent or the
 * smallest parent id, then the first read. So a page shows the copy the unpaged answer shows.
 */
export function keptCopies(spans: readonly StoredSpanFields[]): Map<string, number> {
  const kept = new Map<string, number>();
  spans.forEach((s, i) => {
    const k = kept.get(s.spanId);
    if (k === undefined || keepsOver(s, spans[k]!)) kept.set(s.spanId, i);
  });
  return kept;
}

function keepsOver(a: StoredSpanFields, b: StoredSpanFields): boolean {
  if (a.endTimeUs !== b.endTimeUs) return a.endTimeUs > b.endTimeUs;
  if (a.startTimeUs !== b.startTimeUs) return a.startTimeUs < b.startTimeUs;
  if (b.parentSpanId === null) return false;
  return a.parentSpanId === null || a.parentSpanId < b.parentSpanId;
}

/**
 * The scores a page carries: those of its spans, and on the first page those of the trace alone
 * (no span, or a span the trace does not have), so the pages' scores together are the trace's.
 */
export function pageScores(scores: readonly Score[], timings: TraceTimings, ids: readonly string[], first: boolean): Score[] {
  const onPage = new Set(ids);
  const elsewhere = first
    ? spansIn(
        timings,
        scores.flatMap((s) => (s.spanId === null || onPage.has(s.spanId) ? [] : [s.spanId])),
      )
    : null;
  return scores.filter((s) => (s.spanId === null ? first : onPage.has(s.spanId) || (elsewhere !== null && !elsewhere.has(s.spanId))));
}

/** Which of `spanIds` the trace has: one pass over its id columns, no string per span. */
function spansIn(timings: TraceTimings, spanIds: readonly string[]): Set<string> {
  const found = new Set<string>();
  if (spanIds.length === 0) return found;
  const wanted = new Map<number, Array<{ high: number; id: string }>>();
  for (const id of spanIds) {
    if (!/^[0-9a-f]{16}$/.test(id)) continue;
    const low = parseInt(id.slice(8), 16);
    const list = wanted.get(low);
    const entry = { high: parseInt(id.slice(0, 8), 16), id };
    if (list === undefined) wanted.set(low, [entry]);
    else list.push(entry);
  }
  for (let i = 0; i < timings.count; i++) {
    const list = wanted.get(timings.idLow[i]!);
    if (list !== undefined) for (const e of list) if (e.high === timings.idHigh[i]) found.add(e.id);
  }
  return found;
}
