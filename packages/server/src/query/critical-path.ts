import { isoFromMicros, resolveSpanParents, SPAN_CATEGORIES, type CriticalPath } from '@spoor/model';
import type { JsonUtf8 } from '../json.js';
import { type SpanLabel, spanIdHex, type TraceTimings } from '../store/trace-timings.js';
import { JsonWriter } from './json-bytes.js';

/**
 * A trace's critical path, as the JSON text of `CriticalPath`: the chain of spans that determined
 * its end-to-end time, and how much of that time each of them accounts for.
 *
 * - Spans are linked to their parents by `@spoor/model`'s span-tree resolver, as every tree of the
 *   trace is: a span whose parent is missing is a root, a parent loop is cut above its earliest
 *   span, and of spans sharing an id only the copy that ended last counts.
 * - The window explained is [first root start, last root end]. Roots hang under a virtual root
 *   spanning the window; its own time, where no root ran, becomes segments with `spanId: null`.
 *   With one root the window is simply that root's [start, end].
 * - The walk goes backwards from the end of a span's window [lo, cursor]: among children starting
 *   before the cursor, the one whose end clipped to the cursor is latest is on the path. It
 *   explains [max(start, lo), min(end, cursor)] and is walked the same way; the cursor then moves
 *   to that clipped start. Time not explained by a chosen child is the span's own time on the path.
 * - Children are clipped to their parent's window: a child outliving its parent counts only up to
 *   the parent's end (nobody waited for the rest), a child starting before it (clock skew) only
 *   from its start. A child left with no length is never on the path; nor is a zero-length trace.
 * - Ties on the clipped end go to the child that really ended last, then the earliest start, then
 *   the smallest span id, so the answer does not depend on the order spans arrive in. An end
 *   before the start counts as the start.
 * - `segments` are in time order and tile the window exactly; adjacent stretches of one span are
 *   merged. Times are offsets from the window's start. `spans` lists each span on the path once,
 *   in the order a forward walk enters it (a parent before the child that starts its stretch), with
 *   its own time as `onPathMs`; a span whose whole stretch is explained by its children is listed
 *   with `onPathMs` 0.
 *
 * O(n): the resolver finds parents through an open-addressing table of the 64-bit span ids,
 * children are ordered by end with an LSD radix sort and grouped by parent with a counting sort;
 * the walk then looks at each child once, because a child skipped for starting after the cursor
 * can never qualify again (the cursor only moves back). Iterative, so a 50,000-deep chain cannot
 * overflow the stack. An empty span list gives an empty path of 0 ms.
 */
export function criticalPathJson(traceId: string, t: TraceTimings): JsonUtf8<CriticalPath> {
  const walk = walkCriticalPath(t);
  const { lo, entered, segSpan, segStart, segEnd } = walk;
  const n = t.count;
  const ms = millisText;
  const out = new JsonWriter<CriticalPath>(entered.length * SPAN_BYTES + segSpan.length * SEGMENT_BYTES);
  out.write(`{"traceId":${JSON.stringify(traceId)},"startTime":"${isoFromMicros(lo)}","durationMs":${ms(walk.hi - lo)},"spans":[`);
  // Written straight from the walk's columns: a million-span trace's path held 150,000 spans and
  // 300,000 segments, whose objects and the string of their 51 MB of JSON took the server past 1 GiB.
  const labels = new Map<SpanLabel, string>();
  // Hex ids are made once per span on the path: segments name the same spans again.
  const idOf = new Array<string>(n);
  for (let k = 0; k < entered.length; k++) {
    const i = entered[k]!;
    const label = t.labelOf(i);
    let named = labels.get(label);
    if (named === undefined) labels.set(label, (named = `"name":${JSON.stringify(label.name)},"serviceName":${JSON.stringify(label.serviceName)}`));
    const parent = t.parentHigh[i] !== 0 || t.parentLow[i] !== 0 ? `"${spanIdHex(t.parentHigh[i]!, t.parentLow[i]!)}"` : 'null';
    out.write(
      `${k === 0 ? '' : ','}{"spanId":"${(idOf[i] = spanIdHex(t.idHigh[i]!, t.idLow[i]!))}","parentSpanId":${parent},${named},"category":"${SPAN_CATEGORIES[t.category[i]!] ?? 'other'}",` +
        `"startMs":${ms(t.startUs[i]! - lo)},"durationMs":${ms(Math.max(0, t.endUs[i]! - t.startUs[i]!))},"onPathMs":${ms(walk.onPathUs[i]!)}}`,
    );
  }
  out.write('],"segments":[');
  for (let s = 0; s < segSpan.length; s++) {
    const x = segSpan[s]!;
    const spanId = x === n ? 'null' : `"${idOf[x]!}"`;
    out.write(`${s === 0 ? '' : ','}{"spanId":${spanId},"startMs":${ms(segStart[s]! - lo)},"durationMs":${ms(segEnd[s]! - segStart[s]!)}}`);
  }
  out.write(']}');
  return out.finish();
}

/**
 * Whole microseconds as milliseconds, the text `String(us / 1000)` gives, by integer arithmetic:
 * formatting the double took a sixth of a million-span path's time (1,050,000 numbers). Below
 * 2^43 µs (100 days) the double's shortest text is the decimal itself, at most three places after
 * the point, since doubles there lie far closer together than 0.001; past that, or for a fraction
 * of a µs, the double is formatted.
 */
export function millisText(us: number): string {
  if (!Number.isInteger(us) || us >= MILLIS_EXACT || us <= -MILLIS_EXACT) return String(us / 1000);
  const whole = Math.trunc(us / 1000);
  // -0.5 ms has a whole part of 0, which has no sign of its own.
  return `${whole === 0 && us < 0 ? '-' : ''}${whole}${FRACTIONS[Math.abs(us - whole * 1000)]!}`;
}

const MILLIS_EXACT = 2 ** 43;
/** By the thousandths: `''` for none, `.001` to `.999` with trailing zeros cut. */
const FRACTIONS = Array.from({ length: 1000 }, (_, f) => (f === 0 ? '' : `.${String(f).padStart(3, '0').replace(/0+$/, '')}`));

/** About what a span and a segment of the path take as JSON: the writer's first size. */
const SPAN_BYTES = 220;
const SEGMENT_BYTES = 70;

/** The path by span index: what `criticalPath` describes. */
function walkCriticalPath(t: TraceTimings): PathWalk {
  const n = t.count;
  const parent = linkParents(t);
  const start = t.startUs;
  const end = new Float64Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    end[i] = Math.max(start[i]!, t.endUs[i]!);
    if (parent[i] === n) {
      lo = Math.min(lo, start[i]!);
      hi = Math.max(hi, end[i]!);
    }
  }
  if (n === 0) lo = hi = 0;
  const { kids, first } = groupByParent(parent, sortByEndDescending(parent, end));
  return walkBackwards(t, start, end, kids, first, lo, hi);
}

/**
 * Each span's parent index by `@spoor/model`'s span-tree resolver (the links every tree of the trace
 * shares): `n`, the virtual root, for a root of any kind (orphans and cut parent loops among them),
 * -1 for a copy of a span stored more than once.
 */
function linkParents(t: TraceTimings): Int32Array {
  const n = t.count;
  const links = resolveSpanParents(t);
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = links.kept[i] !== i ? -1 : links.parent[i] === -1 ? n : links.parent[i]!;
  return parent;
}

const DIGIT_BITS = 11;
const DIGIT_MASK = (1 << DIGIT_BITS) - 1;
const LOW_WORD = 2 ** 32;

/**
 * Indices of the kept spans, latest end first: an LSD radix sort on 11-bit digits of the key
 * (latest end - end, whole microseconds), so O(n) with one pass per digit the widest key needs
 * (3 up to 8.6 billion µs, 2.4 hours; 5 for any safe integer).
 */
function sortByEndDescending(parent: Int32Array, end: Float64Array): Int32Array {
  let order = new Int32Array(parent.length);
  let m = 0;
  let maxEnd = -Infinity;
  let minEnd = Infinity;
  for (let i = 0; i < parent.length; i++) {
    if (parent[i] === -1) continue;
    order[m++] = i;
    const e = end[i]!;
    if (e > maxEnd) maxEnd = e;
    if (e < minEnd) minEnd = e;
  }
  order = order.subarray(0, m);
  // The key split in two 32-bit words, read by span index.
  const low = new Uint32Array(parent.length);
  const high = new Uint32Array(parent.length);
  for (let k = 0; k < m; k++) {
    const i = order[k]!;
    const key = Math.round(maxEnd - end[i]!);
    low[i] = key % LOW_WORD;
    high[i] = Math.floor(key / LOW_WORD);
  }
  let other = new Int32Array(m);
  const counts = new Int32Array(1 << DIGIT_BITS);
  for (let shift = 0; shift < 64 && 2 ** shift <= maxEnd - minEnd; shift += DIGIT_BITS) {
    const digit = (i: number): number => {
      if (shift + DIGIT_BITS <= 32) return (low[i]! >>> shift) & DIGIT_MASK;
      if (shift >= 32) return (high[i]! >>> (shift - 32)) & DIGIT_MASK;
      return ((low[i]! >>> shift) | (high[i]! << (32 - shift))) & DIGIT_MASK;
    };
    counts.fill(0);
    for (let k = 0; k < m; k++) counts[digit(order[k]!)]!++;
    for (let d = 0, sum = 0; d < counts.length; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let k = 0; k < m; k++) {
      const i = order[k]!;
      other[counts[digit(i)]!++] = i;
    }
    [order, other] = [other, order];
  }
  return order;
}

/** Children of span `p` are `kids[first[p]] .. kids[first[p + 1] - 1]`, in the given order (stable counting sort). */
function groupByParent(parent: Int32Array, order: Int32Array): { kids: Int32Array; first: Int32Array } {
  const n = parent.length;
  const first = new Int32Array(n + 2);
  for (const i of order) first[parent[i]! + 1]!++;
  for (let p = 0; p <= n; p++) first[p + 1]! += first[p]!;
  const next = first.slice(0, n + 1);
  const kids = new Int32Array(order.length);
  for (const i of order) kids[next[parent[i]!]!++] = i;
  return { kids, first };
}

/** A walked path, by span index; index `count` is the virtual root (a gap between roots). */
interface PathWalk {
  /** The window explained, in µs. */
  lo: number;
  hi: number;
  /** Spans on the path, in forward pre-order. */
  entered: Int32Array;
  /** Each span's own time on the path, by span index. */
  onPathUs: Float64Array;
  /** Segments in time order: span index, start and end in µs. */
  segSpan: Int32Array;
  segStart: Float64Array;
  segEnd: Float64Array;
}

function walkBackwards(t: TraceTimings, start: Float64Array, end: Float64Array, kids: Int32Array, first: Int32Array, lo: number, hi: number): PathWalk {
  const n = t.count;
  const idLess = (a: number, b: number): boolean => t.idHigh[a]! < t.idHigh[b]! || (t.idHigh[a] === t.idHigh[b] && t.idLow[a]! < t.idLow[b]!);
  // One frame per span being walked: its index, window start, cursor and next child to look at.
  const frameSpan = new Int32Array(n + 1);
  const frameLo = new Float64Array(n + 1);
  const frameCursor = new Float64Array(n + 1);
  const frameKid = new Int32Array(n + 1);
  // Segments come out last first; a frame emits at most one more than the children it picks.
  const segSpan = new Int32Array(2 * n + 2);
  const segStart = new Float64Array(2 * n + 2);
  const segEnd = new Float64Array(2 * n + 2);
  const onPathUs = new Float64Array(n + 1);
  // Spans in the order the backward walk leaves them: reversed, the order a forward walk enters them.
  const left = new Int32Array(n);
  let leftCount = 0;
  let segs = 0;
  const emit = (x: number, from: number, to: number): void => {
    if (to <= from) return;
    onPathUs[x]! += to - from;
    if (segs > 0 && segSpan[segs - 1] === x && segStart[segs - 1] === to) {
      segStart[segs - 1] = from;
      return;
    }
    segSpan[segs] = x;
    segStart[segs] = from;
    segEnd[segs++] = to;
  };
  let depth = 0;
  frameSpan[0] = n;
  frameLo[0] = lo;
  frameCursor[0] = hi;
  frameKid[0] = first[n]!;
  while (depth >= 0) {
    const x = frameSpan[depth]!;
    const wlo = frameLo[depth]!;
    const cursor = frameCursor[depth]!;
    const last = first[x + 1]!;
    let k = frameKid[depth]!;
    let best = -1;
    if (cursor > wlo) {
      // Skipped children start at or after the cursor, or have no length: they never qualify later.
      while (k < last) {
        const c = kids[k]!;
        if (end[c]! <= wlo) k = last;
        else if (start[c]! >= cursor || start[c] === end[c]) k++;
        else break;
      }
      if (k < last) {
        best = kids[k]!;
        const e = end[best]!;
        // Among children ending together, the earliest start wins; the rest start at or after the new cursor.
        for (k++; k < last && end[kids[k]!] === e; k++) {
          const c = kids[k]!;
          if (start[c]! < cursor && start[c]! < e && (start[c]! < start[best]! || (start[c] === start[best] && idLess(c, best)))) best = c;
        }
      }
    }
    if (best === -1) {
      emit(x, wlo, cursor);
      if (x !== n) left[leftCount++] = x;
      depth--;
      continue;
    }
    const childLo = Math.max(start[best]!, wlo);
    const childHi = Math.min(end[best]!, cursor);
    emit(x, childHi, cursor);
    frameCursor[depth] = childLo;
    frameKid[depth] = k;
    depth++;
    frameSpan[depth] = best;
    frameLo[depth] = childLo;
    frameCursor[depth] = childHi;
    frameKid[depth] = first[best]!;
  }
  // Emitted last first: reversed into time order.
  const entered = left.slice(0, leftCount).reverse();
  return {
    lo,
    hi,
    entered,
    onPathUs,
    segSpan: segSpan.slice(0, segs).reverse(),
    segStart: segStart.slice(0, segs).reverse(),
    segEnd: segEnd.slice(0, segs).reverse(),
  };
}
