import { microsFromIso, type CriticalPath } from '@spoor/model';
import { wordsOfId } from './span-columns';
import type { TimeView } from './layout';
import { originUsOf, type SpanTree } from './span-tree';

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

/**
 * A critical path as the waterfall keeps it: ids as 32-bit words and times in typed arrays. The
 * API's answer for a million-span agent trace is tens of megabytes of objects (10 MB of JSON for
 * 200,000 spans): held as they are, every later garbage collection walks them. With a million-span
 * trace's path the page's heap was 87 MB held as objects, 33 MB as these arrays (5 MB before the
 * path came).
 */
export interface CompactCriticalPath {
  /** Epoch µs the segments' offsets count from. */
  startUs: number | null;
  /** The path's spans, in the order it enters them. */
  spanHigh: Uint32Array;
  spanLow: Uint32Array;
  /** Segments in time order; a segment of no span is 0:0. */
  segmentHigh: Uint32Array;
  segmentLow: Uint32Array;
  segmentStartMs: Float64Array;
  segmentDurationMs: Float64Array;
}

export function compactCriticalPath(path: CriticalPath): CompactCriticalPath {
  const n = path.spans.length;
  const spanHigh = new Uint32Array(n);
  const spanLow = new Uint32Array(n);
  path.spans.forEach((span, k) => ([spanHigh[k], spanLow[k]] = wordsOfId(span.spanId)));
  const m = path.segments.length;
  const segmentHigh = new Uint32Array(m);
  const segmentLow = new Uint32Array(m);
  const segmentStartMs = new Float64Array(m);
  const segmentDurationMs = new Float64Array(m);
  path.segments.forEach((segment, k) => {
    [segmentHigh[k], segmentLow[k]] = wordsOfId(segment.spanId);
    segmentStartMs[k] = segment.startMs;
    segmentDurationMs[k] = segment.durationMs;
  });
  return { startUs: microsFromIso(path.startTime), spanHigh, spanLow, segmentHigh, segmentLow, segmentStartMs, segmentDurationMs };
}

/** The row of the span an id's words name; -1 for none, or a span the tree has no row for. */
function rowOfWords(tree: SpanTree, high: number, low: number): number {
  if (high === 0 && low === 0) return -1;
  const i = tree.spans.indexOfWords(high, low);
  return i === -1 || i >= tree.rowOf.length ? -1 : tree.rowOf[i]!;
}

export function criticalPathDisplay(tree: SpanTree, path: CompactCriticalPath): CriticalPathDisplay {
  const onPath = new Uint8Array(tree.count);
  const rows: number[] = [];
  for (let k = 0; k < path.spanHigh.length; k++) {
    const row = rowOfWords(tree, path.spanHigh[k]!, path.spanLow[k]!);
    if (row === -1 || onPath[row] === 1) continue;
    onPath[row] = 1;
    rows.push(row);
  }
  const originUs = originUsOf(tree);
  const offsetMs = ((path.startUs ?? originUs) - originUs) / 1000;
  const segments = new Map<number, number[]>();
  for (let k = 0; k < path.segmentHigh.length; k++) {
    const row = rowOfWords(tree, path.segmentHigh[k]!, path.segmentLow[k]!);
    if (row === -1) continue;
    const start = offsetMs + path.segmentStartMs[k]!;
    const end = start + path.segmentDurationMs[k]!;
    const list = segments.get(row);
    // Consecutive segments of one span (split only by the path's bookkeeping) merge into one.
    if (list !== undefined && Math.abs(list[list.length - 1]! - start) < 1e-6) list[list.length - 1] = end;
    else if (list !== undefined) list.push(start, end);
    else segments.set(row, [start, end]);
  }
  return { onPath, segments, rows };
}

/** A thousandth of the time in view: about a pixel of the timeline, which is narrower. */
const DRAWN_RESOLUTION = 1 / 1000;

/**
 * A row's critical path segments as drawn in `view`: segments closer than about a pixel join
 * into one. The root of a million-span agent trace holds the path between its children's turns in
 * some 10,000 slivers; drawn one element each, scrolling its row into view spent 200-700 ms
 * making and dropping them, for marks narrower than a pixel.
 */
export function drawnSegments(segments: readonly number[], view: TimeView): readonly number[] {
  const gapMs = (view.endMs - view.startMs) * DRAWN_RESOLUTION;
  let out: number[] | null = null;
  for (let i = 2; i < segments.length; i += 2) {
    const end = out === null ? segments[i - 1]! : out[out.length - 1]!;
    if (segments[i]! - end < gapMs) {
      out ??= segments.slice(0, i);
      out[out.length - 1] = Math.max(end, segments[i + 1]!);
    } else if (out !== null) out.push(segments[i]!, segments[i + 1]!);
  }
  return out ?? segments;
}
