import { microsFromIso, type CriticalPath } from '@spoor/model';
import { originUsOf, rowOfSpan, type SpanTree } from './span-tree';

/**
 * The critical path drawn on the waterfall: which rows lie on it, and for each the stretches of
 * its bar during which it alone held up the trace's end. The server computes the path; this maps
 * its offsets onto rows and trace time.
 */
export interface CriticalPathDisplay {
  /** 1 for rows on the path. */
  onPath: Uint8Array;
  /** Row -> flat list of [startMs, endMs] pairs in trace time (ms after the trace started). */
  segments: ReadonlyMap<number, readonly number[]>;
  /** Rows on the path in the order the path enters them. */
  rows: readonly number[];
}

export function criticalPathDisplay(tree: SpanTree, path: CriticalPath): CriticalPathDisplay {
  const onPath = new Uint8Array(tree.count);
  const rows: number[] = [];
  for (const span of path.spans) {
    const row = rowOfSpan(tree, span.spanId);
    if (row === -1 || onPath[row] === 1) continue;
    onPath[row] = 1;
    rows.push(row);
  }
  const originUs = originUsOf(tree);
  const pathStartUs = microsFromIso(path.startTime) ?? originUs;
  const offsetMs = (pathStartUs - originUs) / 1000;
  const segments = new Map<number, number[]>();
  for (const segment of path.segments) {
    if (segment.spanId === null) continue;
    const row = rowOfSpan(tree, segment.spanId);
    if (row === -1) continue;
    const start = offsetMs + segment.startMs;
    const end = start + segment.durationMs;
    const list = segments.get(row);
    // Consecutive segments of one span (split only by the path's bookkeeping) merge into one.
    if (list !== undefined && Math.abs(list[list.length - 1]! - start) < 1e-6) list[list.length - 1] = end;
    else if (list !== undefined) list.push(start, end);
    else segments.set(row, [start, end]);
  }
  return { onPath, segments, rows };
}
