import { microsFromIso, type CriticalPath, type SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { traceTimingsOf } from '../store/trace-timings.js';
import { criticalPathJson, millisText } from './critical-path.js';
import { prng } from '../../../model/test/support/prng.js';

const T0_US = 1_700_000_000_000_000;

/**
 * A test span id as a real one: its ASCII bytes, zero-padded on the right, which keeps the order
 * of ids (so ties break the same way) for names of up to 8 characters; `nameOf` reads it back.
 */
const hexOf = (name: string): string => Buffer.from(name).toString('hex').padEnd(16, '0');
const nameOf = (id: string): string => Buffer.from(id.replace(/(00)+$/, ''), 'hex').toString();

/** A span of the test trace; times in milliseconds after T0. */
function span(spanId: string, parentSpanId: string | null, startMs: number, endMs: number): SpanRecord {
  return {
    projectId: 'default',
    traceId: 't'.repeat(32),
    spanId: hexOf(spanId),
    parentSpanId: parentSpanId === null ? null : hexOf(parentSpanId),
    traceState: '',
    flags: 0,
    name: `op ${spanId}`,
    kind: 'internal',
    serviceName: 'svc',
    startTimeUs: T0_US + startMs * 1000,
    endTimeUs: T0_US + endMs * 1000,
    status: { code: 'unset', message: '' },
    attributes: {},
    resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: '', version: '', attributes: {}, droppedAttributesCount: 0 },
    events: [],
    links: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    llm: null,
    sessionId: null,
    userId: null,
    category: 'other',
  };
}

/** The path's answer as a client reads it: the bytes written, parsed. */
const criticalPath = (traceId: string, spans: SpanRecord[]): CriticalPath =>
  JSON.parse(Buffer.from(criticalPathJson(traceId, traceTimingsOf(spans))).toString('utf8')) as CriticalPath;

/** Milliseconds after T0 of an ISO time. */
const msOf = (iso: string): number => (microsFromIso(iso)! - T0_US) / 1000;

type Seg = [spanId: string | null, fromMs: number, toMs: number];

/** Segments by test span name, in milliseconds after T0. */
const segmentsOf = (p: CriticalPath): Seg[] => {
  const at = msOf(p.startTime);
  return p.segments.map((s) => [s.spanId === null ? null : nameOf(s.spanId), at + s.startMs, at + s.startMs + s.durationMs]);
};
const onPathOf = (p: CriticalPath): Array<[string, number]> => p.spans.map((s) => [nameOf(s.spanId), s.onPathMs]);

describe('criticalPath, worked out by hand', () => {
  it.each<[string, SpanRecord[], Seg[], Array<[string, number]>]>([
    [
      'walks sequential children with the parent filling the gaps between them',
      [span('r', null, 0, 100), span('a', 'r', 10, 40), span('b', 'r', 50, 90)],
      [
        ['r', 0, 10],
        ['a', 10, 40],
        ['r', 40, 50],
        ['b', 50, 90],
        ['r', 90, 100],
      ],
      [
        ['r', 30],
        ['a', 30],
        ['b', 40],
      ],
    ],
    [
      'takes only the longest of parallel children',
      [span('r', null, 0, 100), span('a', 'r', 10, 50), span('b', 'r', 10, 90), span('c', 'r', 10, 30)],
      [
        ['r', 0, 10],
        ['b', 10, 90],
        ['r', 90, 100],
      ],
      [
        ['r', 20],
        ['b', 80],
      ],
    ],
    [
      'takes the later of overlapping children, then the earlier one up to where the later began',
      [span('r', null, 0, 100), span('a', 'r', 0, 60), span('b', 'r', 50, 100)],
      [
        ['a', 0, 50],
        ['b', 50, 100],
      ],
      [
        ['r', 0],
        ['a', 50],
        ['b', 50],
      ],
    ],
    [
      'clips a child that outlives its parent at the parent end',
      [span('r', null, 0, 100), span('a', 'r', 50, 150)],
      [
        ['r', 0, 50],
        ['a', 50, 100],
      ],
      [
        ['r', 50],
        ['a', 50],
      ],
    ],
    [
      'clips a child that starts before its parent at the parent start',
      [span('r', null, 0, 100), span('a', 'r', -20, 30)],
      [
        ['a', 0, 30],
        ['r', 30, 100],
      ],
      [
        ['r', 70],
        ['a', 30],
      ],
    ],
    ['ignores a child that ended before its parent started', [span('r', null, 0, 100), span('a', 'r', -50, -10)], [['r', 0, 100]], [['r', 100]]],
    [
      'descends through nested spans and back out',
      [span('c', 'b', 30, 70), span('a', 'r', 10, 90), span('r', null, 0, 100), span('b', 'a', 20, 80)],
      [
        ['r', 0, 10],
        ['a', 10, 20],
        ['b', 20, 30],
        ['c', 30, 70],
        ['b', 70, 80],
        ['a', 80, 90],
        ['r', 90, 100],
      ],
      [
        ['r', 20],
        ['a', 20],
        ['b', 20],
        ['c', 40],
      ],
    ],
    [
      'lists a span whose stretch its children explain entirely, with no time of its own',
      [span('r', null, 0, 100), span('a', 'r', 0, 100), span('b', 'a', 0, 100)],
      [['b', 0, 100]],
      [
        ['r', 0],
        ['a', 0],
        ['b', 100],
      ],
    ],
    [
      'fills the time between several roots with a segment of no span',
      [span('r1', null, 0, 10), span('r2', null, 20, 30)],
      [
        ['r1', 0, 10],
        [null, 10, 20],
        ['r2', 20, 30],
      ],
      [
        ['r1', 10],
        ['r2', 10],
      ],
    ],
    [
      'treats a span whose parent is missing as a root',
      [span('r', null, 0, 50), span('o', 'gone', 40, 80), span('a', 'r', 10, 20)],
      [
        ['r', 0, 10],
        ['a', 10, 20],
        ['r', 20, 40],
        ['o', 40, 80],
      ],
      [
        ['r', 30],
        ['a', 10],
        ['o', 40],
      ],
    ],
    [
      'never puts a zero-length child on the path',
      [span('r', null, 0, 100), span('z', 'r', 50, 50), span('a', 'r', 10, 20), span('w', 'r', 100, 100)],
      [
        ['r', 0, 10],
        ['a', 10, 20],
        ['r', 20, 100],
      ],
      [
        ['r', 90],
        ['a', 10],
      ],
    ],
    [
      'breaks a tie on end time by the earliest start',
      [span('r', null, 0, 100), span('x', 'r', 30, 90), span('y', 'r', 10, 90)],
      [
        ['r', 0, 10],
        ['y', 10, 90],
        ['r', 90, 100],
      ],
      [
        ['r', 20],
        ['y', 80],
      ],
    ],
    [
      'breaks a tie on end and start time by the smallest span id',
      [span('r', null, 0, 100), span('b', 'r', 10, 90), span('a', 'r', 10, 90), span('c', 'r', 10, 90)],
      [
        ['r', 0, 10],
        ['a', 10, 90],
        ['r', 90, 100],
      ],
      [
        ['r', 20],
        ['a', 80],
      ],
    ],
    [
      'breaks a tie on the clipped end by the child that really ended last',
      [span('r', null, 0, 100), span('b', 'r', 50, 100), span('a', 'r', 0, 60), span('c', 'r', 10, 70)],
      [
        ['a', 0, 10],
        ['c', 10, 50],
        ['b', 50, 100],
      ],
      [
        ['r', 0],
        ['a', 10],
        ['c', 40],
        ['b', 50],
      ],
    ],
    [
      'keeps, of spans sharing an id, the copy that ended last',
      [span('r', null, 0, 100), span('a', 'r', 10, 20), span('a', 'r', 10, 90)],
      [
        ['r', 0, 10],
        ['a', 10, 90],
        ['r', 90, 100],
      ],
      [
        ['r', 20],
        ['a', 80],
      ],
    ],
    [
      'makes a span of a parent cycle a root rather than losing the cycle',
      [span('a', 'b', 0, 100), span('b', 'a', 10, 50)],
      [
        ['a', 0, 10],
        ['b', 10, 50],
        ['a', 50, 100],
      ],
      [
        ['a', 60],
        ['b', 40],
      ],
    ],
    [
      'cuts a parent cycle above its earliest span, whichever span comes first',
      [span('b', 'a', 10, 50), span('a', 'b', 0, 100)],
      [
        ['a', 0, 10],
        ['b', 10, 50],
        ['a', 50, 100],
      ],
      [
        ['a', 60],
        ['b', 40],
      ],
    ],
  ])('%s', (_label, spans, segments, onPath) => {
    const p = criticalPath('t1', spans);
    expect(segmentsOf(p)).toEqual(segments);
    expect(onPathOf(p)).toEqual(onPath);
    expect(p.durationMs).toBe(segments.at(-1)![2] - segments[0]![1]);
    expect(msOf(p.startTime)).toBe(segments[0]![1]);
  });

  it('describes each span on the path with its full duration, in milliseconds after the path starts', () => {
    const p = criticalPath('t1', [span('r', null, 10, 100), span('a', 'r', 50, 150)]);
    expect(p).toMatchObject({ traceId: 't1', startTime: '2023-11-14T22:13:20.010000Z', durationMs: 90 });
    expect(p.spans[1]).toEqual({
      spanId: hexOf('a'),
      parentSpanId: hexOf('r'),
      name: 'op a',
      serviceName: 'svc',
      category: 'other',
      startMs: 40,
      durationMs: 100,
      onPathMs: 50,
    });
    expect(p.segments).toEqual([
      { spanId: hexOf('r'), startMs: 0, durationMs: 40 },
      { spanId: hexOf('a'), startMs: 40, durationMs: 50 },
    ]);
  });

  it('returns an empty path of 0 ms for no spans', () => {
    expect(criticalPath('t1', [])).toMatchObject({ traceId: 't1', durationMs: 0, spans: [], segments: [] });
  });

  it('returns an empty path of 0 ms for a trace of one zero-length span', () => {
    expect(criticalPath('t1', [span('r', null, 5, 5)])).toMatchObject({ durationMs: 0, spans: [], segments: [] });
  });

  it('counts an end before the start as the start', () => {
    const p = criticalPath('t1', [span('r', null, 0, 100), span('a', 'r', 40, 10)]);
    expect(segmentsOf(p)).toEqual([['r', 0, 100]]);
  });
});

describe('criticalPath at scale', () => {
  const N = 50_000;

  it('walks a chain 50,000 spans deep without overflowing the stack', () => {
    const spans = Array.from({ length: N }, (_, i) => span(`c${i}`, i === 0 ? null : `c${i - 1}`, i, 2 * N - i));
    const p = criticalPath('t1', spans.reverse());
    expect(p.segments).toHaveLength(2 * N - 1);
    expect(p.spans.map((s) => nameOf(s.spanId))).toEqual(Array.from({ length: N }, (_, i) => `c${i}`));
    expect(p.spans.every((s) => s.onPathMs === 2)).toBe(true);
  });

  it('walks 50,000 overlapping siblings, each up to where the next began', () => {
    const kids = Array.from({ length: N }, (_, i) => span(`k${String(i).padStart(5, '0')}`, 'r', i, i + 2));
    for (let i = kids.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [kids[i], kids[j]] = [kids[j]!, kids[i]!];
    }
    const p = criticalPath('t1', [...kids, span('r', null, 0, N + 1)]);
    expect(p.durationMs).toBe(N + 1);
    expect(p.segments).toHaveLength(N);
    expect(p.spans).toHaveLength(N + 1);
    expect(segmentsOf(p).at(-1)).toEqual([`k${N - 1}`, N - 1, N + 1]);
  });
});

/** A random trace on a 10 ms grid (so ends tie), with orphans, skew, overflow and zero-length spans. */
function randomTrace(random: () => number): SpanRecord[] {
  const pick = (k: number): number => Math.floor(random() * k);
  const spans: SpanRecord[] = [];
  const count = 1 + pick(40);
  for (let i = 0; i < count; i++) {
    const roll = random();
    const p = i === 0 || roll < 0.08 ? null : roll < 0.12 ? 'gone' : spans[pick(i)]!;
    const startMs = p === null || p === 'gone' ? pick(6) * 10 : (p.startTimeUs - T0_US) / 1000 + (pick(11) - 2) * 10;
    spans.push(span(`s${i}`, p === null ? null : p === 'gone' ? 'gone' : nameOf(p.spanId), startMs, startMs + pick(7) * 10));
  }
  return spans;
}

/** The semantics read literally, quadratic: for checking the linear walk against. */
function referenceSegments(spans: SpanRecord[]): Seg[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const isRoot = (s: SpanRecord): boolean => s.parentSpanId === null || !ids.has(s.parentSpanId);
  const roots = spans.filter(isRoot);
  const endOf = (s: SpanRecord): number => Math.max(s.startTimeUs, s.endTimeUs);
  const out: Seg[] = [];
  const explain = (owner: string | null, kids: SpanRecord[], lo: number, hi: number): void => {
    const used = new Set<SpanRecord>();
    for (let cursor = hi; cursor > lo; ) {
      let best: { c: SpanRecord; a: number; b: number } | null = null;
      for (const c of kids) {
        const a = Math.max(c.startTimeUs, lo);
        const b = Math.min(endOf(c), cursor);
        if (used.has(c) || c.startTimeUs >= cursor || b <= a) continue;
        const wins =
          best === null ||
          b > best.b ||
          (b === best.b &&
            (endOf(c) > endOf(best.c) ||
              (endOf(c) === endOf(best.c) && (c.startTimeUs < best.c.startTimeUs || (c.startTimeUs === best.c.startTimeUs && c.spanId < best.c.spanId)))));
        if (wins) best = { c, a, b };
      }
      if (best === null) {
        out.push([owner, lo, cursor]);
        break;
      }
      if (best.b < cursor) out.push([owner, best.b, cursor]);
      used.add(best.c);
      explain(
        best.c.spanId,
        spans.filter((s) => s.parentSpanId === best.c.spanId),
        best.a,
        best.b,
      );
      cursor = best.a;
    }
  };
  explain(null, roots, Math.min(...roots.map((s) => s.startTimeUs)), Math.max(...roots.map(endOf)));
  const merged: Seg[] = [];
  for (const [id, from, to] of out.reverse()) {
    const last = merged.at(-1);
    if (last !== undefined && last[0] === id && last[2] === from) last[2] = to;
    else merged.push([id, from, to]);
  }
  return merged.map(([id, from, to]) => [id === null ? null : nameOf(id), (from - T0_US) / 1000, (to - T0_US) / 1000]);
}

describe('criticalPath on 200 random traces', () => {
  const random = prng(20_261_121);
  const traces = Array.from({ length: 200 }, () => randomTrace(random));

  it('agrees with the semantics read literally', () => {
    for (const spans of traces) expect(segmentsOf(criticalPath('t1', spans))).toEqual(referenceSegments(spans));
  });

  it('tiles the window with segments that each lie inside their span', () => {
    for (const spans of traces) {
      const p = criticalPath('t1', spans);
      const byId = new Map(spans.map((s) => [nameOf(s.spanId), s]));
      const segs = segmentsOf(p);
      let at = msOf(p.startTime);
      for (const [id, from, to] of segs) {
        expect(from).toBe(at);
        expect(to).toBeGreaterThan(from);
        if (id !== null) {
          expect(from).toBeGreaterThanOrEqual((byId.get(id)!.startTimeUs - T0_US) / 1000);
          expect(to).toBeLessThanOrEqual((byId.get(id)!.endTimeUs - T0_US) / 1000);
        }
        at = to;
      }
      expect(at - msOf(p.startTime)).toBe(p.durationMs);
      expect(segs.every((s, i) => i === 0 || s[0] !== segs[i - 1]![0])).toBe(true);
    }
  });

  it('lists each span on the path once, after its parent, with its segments summed', () => {
    for (const spans of traces) {
      const p = criticalPath('t1', spans);
      const listed = p.spans.map((s) => s.spanId);
      expect(new Set(listed).size).toBe(listed.length);
      const ids = new Set(spans.map((s) => s.spanId));
      for (const [i, s] of p.spans.entries()) {
        if (s.parentSpanId !== null && ids.has(s.parentSpanId)) expect(listed.slice(0, i)).toContain(s.parentSpanId);
        const own = p.segments.filter((g) => g.spanId === s.spanId).reduce((sum, g) => sum + g.durationMs, 0);
        expect(s.onPathMs).toBe(own);
      }
      const nullMs = p.segments.filter((g) => g.spanId === null).reduce((sum, g) => sum + g.durationMs, 0);
      expect(p.spans.reduce((sum, s) => sum + s.onPathMs, nullMs)).toBe(p.durationMs);
    }
  });

  it('gives the same path whatever order the spans arrive in', () => {
    for (const spans of traces) expect(criticalPath('t1', [...spans].reverse())).toEqual(criticalPath('t1', spans));
  });
});

describe('millisText', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [1, '0.001'],
    [10, '0.01'],
    [100, '0.1'],
    [999, '0.999'],
    [1000, '1'],
    [1500, '1.5'],
    [1_234_560, '1234.56'],
    [-1, '-0.001'],
    [-500, '-0.5'],
    [-1000, '-1'],
    [-1500, '-1.5'],
    [2 ** 43 - 1, '8796093022.207'],
    [2 ** 43, '8796093022.208'],
    [0.5, '0.0005'],
    [NaN, 'NaN'],
  ])('writes %d µs as %s', (us, text) => {
    expect(millisText(us)).toBe(text);
  });

  it('writes every whole µs as String(us / 1000) does, near the bounds and at random', () => {
    const random = prng(20_261_125);
    const values: number[] = [];
    for (let i = 0; i < 2_000; i++) values.push(i - 1_000, 2 ** 43 - 1 - i, -(2 ** 43) + 1 + i, 2 ** 43 + i, 3_600_000_000 * 24 + i);
    for (let i = 0; i < 200_000; i++) {
      const magnitude = 10 ** Math.floor(random() * 16);
      values.push(Math.round((random() - 0.2) * magnitude));
    }
    const wrong = values.filter((us) => millisText(us) !== String(us / 1000));
    expect(wrong).toEqual([]);
  });
});
