import { describe, expect, it } from 'vitest';
import {
  resolveSpanParents,
  resolveSpanTree,
  SPAN_PLACES,
  spanTreeInputFrom,
  type ResolvedSpanTree,
  type SpanTreeInput,
  type SpanTreeWordsInput,
} from './span-tree.js';
import { prng } from '../test/support/prng.js';

/** A test span: id, parent id, start and end (µs). */
type S = [id: string, parent: string | null, start: number, end: number];

const textInput = (spans: readonly S[]): SpanTreeInput =>
  spanTreeInputFrom(spans.map(([spanId, parentSpanId, startTimeUs, endTimeUs]) => ({ spanId, parentSpanId, startTimeUs, endTimeUs })));

/**
 * A test id as a real 64-bit one: its ASCII bytes, zero-padded on the right, which keeps the order
 * of ids of up to 8 characters.
 */
const wordsOf = (id: string): [number, number] => {
  const hex = Buffer.from(id).toString('hex').padEnd(16, '0');
  return [parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8), 16)];
};

const wordsInput = (spans: readonly S[]): SpanTreeWordsInput => {
  const n = spans.length;
  const w: SpanTreeWordsInput = {
    count: n,
    idHigh: new Uint32Array(n),
    idLow: new Uint32Array(n),
    parentHigh: new Uint32Array(n),
    parentLow: new Uint32Array(n),
    startUs: spans.map((s) => s[2]),
    endUs: spans.map((s) => s[3]),
  };
  spans.forEach(([id, parent], i) => {
    [(w.idHigh as Uint32Array)[i], (w.idLow as Uint32Array)[i]] = wordsOf(id);
    if (parent !== null) [(w.parentHigh as Uint32Array)[i], (w.parentLow as Uint32Array)[i]] = wordsOf(parent);
  });
  return w;
};

/** A tree as text: a line per row, indented by depth, with its place when not plain and its copies with the kept one's times. */
function render(tree: ResolvedSpanTree, spans: readonly S[]): string[] {
  return Array.from(tree.order, (i, r) => {
    const [id, , start, end] = spans[i]!;
    const place = SPAN_PLACES[tree.place[r]!]!;
    const marks = [place === 'child' || place === 'root' ? '' : ` (${place})`, tree.copies[r]! > 1 ? ` ×${tree.copies[r]} ${start}-${end}` : ''];
    return `${'  '.repeat(tree.depth[r]!)}${id}${marks.join('')}`;
  });
}

/** The tree of `spans` by every way in: ids as text, as 64-bit words, times as durations, and the spans given the other way round. */
function treesOf(spans: readonly S[]): string[][] {
  const reversed = [...spans].reverse();
  const { spanIds, parentSpanIds, startUs } = textInput(spans);
  const durationUs = spans.map((s) => s[3] - s[2]);
  return [
    render(resolveSpanTree(textInput(spans)), spans),
    render(resolveSpanTree(wordsInput(spans)), spans),
    render(resolveSpanTree({ spanIds, parentSpanIds, startUs, durationUs }), spans),
    render(resolveSpanTree(textInput(reversed)), reversed),
  ];
}

describe('resolveSpanTree: the rules, case by case', () => {
  it.each<[string, S[], string[]]>([
    ['an empty trace has no rows', [], []],
    [
      'puts children under their parent by start time, whatever order they come in',
      [
        ['b1', 'b', 60, 70],
        ['a2', 'a', 30, 40],
        ['root', null, 0, 100],
        ['b', 'root', 50, 90],
        ['a', 'root', 10, 40],
        ['a1', 'a', 15, 20],
      ],
      ['root', '  a', '    a1', '    a2', '  b', '    b1'],
    ],
    [
      'finds a parent given after its child',
      [
        ['c', 'p', 5, 6],
        ['p', null, 0, 10],
      ],
      ['p', '  c'],
    ],
    [
      'orders siblings that start together by end time, then by span id',
      [
        ['r', null, 0, 100],
        ['c', 'r', 10, 30],
        ['a', 'r', 10, 50],
        ['b', 'r', 10, 30],
      ],
      ['r', '  b', '  c', '  a'],
    ],
    [
      'counts an end before the start as the start',
      [
        ['r', null, 0, 100],
        ['y', 'r', 10, 5],
        ['x', 'r', 10, 10],
      ],
      ['r', '  x', '  y'],
    ],
    [
      'shows a span whose parent never arrived as a root, marked, in start order among the roots, with its children',
      [
        ['late', 'gone', 5, 9],
        ['root', null, 0, 10],
        ['c', 'root', 1, 2],
        ['d', 'late', 6, 7],
      ],
      ['root', '  c', 'late (orphan)', '  d'],
    ],
    [
      'makes a span that is its own parent a root, marked',
      [
        ['self', 'self', 2, 3],
        ['r', null, 0, 10],
      ],
      ['r', 'self (cycle)'],
    ],
    [
      'cuts a loop of two above its earliest span',
      [
        ['a', 'b', 0, 100],
        ['b', 'a', 10, 50],
      ],
      ['a (cycle)', '  b'],
    ],
    [
      'cuts a loop of three above its earliest span, keeping what hangs off the loop under it',
      [
        ['x', 'z', 20, 30],
        ['y', 'x', 25, 28],
        ['z', 'y', 5, 40],
        ['leaf', 'y', 26, 27],
        ['r', null, 0, 100],
      ],
      ['r', 'z (cycle)', '  x', '    y', '      leaf'],
    ],
    [
      'cuts a loop whose spans start together above the one that ends first',
      [
        ['p', 'q', 0, 50],
        ['q', 'p', 0, 40],
      ],
      ['q (cycle)', '  p'],
    ],
    [
      'cuts a loop whose spans start and end together above the smallest span id',
      [
        ['n', 'm', 0, 40],
        ['m', 'n', 0, 40],
      ],
      ['m (cycle)', '  n'],
    ],
    [
      'keeps one span per id, the copy that ended last, with every child under it',
      [
        ['r', null, 0, 100],
        ['a', 'r', 10, 20],
        ['c', 'a', 30, 40],
        ['a', 'r', 10, 90],
      ],
      ['r', '  a ×2 10-90', '    c'],
    ],
    [
      'keeps, of copies that ended together, the one that started first',
      [
        ['r', null, 0, 100],
        ['a', 'r', 20, 90],
        ['a', 'r', 10, 90],
      ],
      ['r', '  a ×2 10-90'],
    ],
    [
      'keeps, of copies alike in time, the one naming no parent, else the smallest parent id',
      [
        ['r', null, 0, 100],
        ['q', null, 0, 100],
        ['a', 'r', 10, 90],
        ['a', 'q', 10, 90],
        ['b', 'r', 20, 30],
        ['b', null, 20, 30],
      ],
      ['q', '  a ×2 10-90', 'r', 'b ×2 20-30'],
    ],
    [
      "places a span given twice under its kept copy's parent",
      [
        ['r1', null, 0, 100],
        ['r2', null, 1, 200],
        ['a', 'r1', 10, 20],
        ['a', 'r2', 10, 90],
        ['a', 'gone', 0, 5],
      ],
      ['r1', 'r2', '  a ×3 10-90'],
    ],
    [
      'keeps the finished copy of a span that also names itself as parent',
      [
        ['a', 'a', 0, 5],
        ['a', null, 0, 10],
      ],
      ['a ×2 0-10'],
    ],
  ])('%s', (_label, spans, expected) => {
    for (const tree of treesOf(spans)) expect(tree).toEqual(expected);
  });

  it('keeps the first given of copies identical in time', () => {
    const tree = resolveSpanTree(
      textInput([
        ['r', null, 0, 9],
        ['a', 'r', 1, 2],
        ['a', 'r', 1, 2],
      ]),
    );
    expect(Array.from(tree.rowOf)).toEqual([0, 1, -1]);
  });

  it('records parent rows, depths, subtree ends, child counts and positions among siblings', () => {
    const tree = resolveSpanTree(
      textInput([
        ['b1', 'b', 60, 70],
        ['a2', 'a', 30, 40],
        ['root', null, 0, 100],
        ['b', 'root', 50, 90],
        ['a', 'root', 10, 40],
        ['a1', 'a', 15, 20],
        ['o', 'gone', 5, 6],
      ]),
    );
    // root, a, a1, a2, b, b1, o
    expect(Array.from(tree.order)).toEqual([2, 4, 5, 1, 3, 0, 6]);
    expect(Array.from(tree.rowOf)).toEqual([5, 3, 0, 4, 1, 2, 6]);
    expect(Array.from(tree.parent)).toEqual([-1, 0, 1, 1, 0, 4, -1]);
    expect(Array.from(tree.depth)).toEqual([0, 1, 2, 2, 1, 2, 0]);
    expect(Array.from(tree.subtreeEnd)).toEqual([6, 4, 3, 4, 6, 6, 7]);
    expect(Array.from(tree.childCount)).toEqual([2, 2, 0, 0, 1, 0, 0]);
    expect(Array.from(tree.posInSet)).toEqual([1, 1, 1, 2, 2, 1, 2]);
    expect([tree.count, tree.rootCount, tree.maxDepth]).toEqual([7, 2, 2]);
  });
});

describe('resolveSpanParents', () => {
  it('links each span to its parent by index, with its place, its kept copy and how many copies came', () => {
    const links = resolveSpanParents(
      textInput([
        ['r', null, 0, 9],
        ['a', 'r', 1, 2],
        ['o', 'gone', 1, 2],
        ['a', 'r', 1, 5],
        ['s', 's', 0, 1],
      ]),
    );
    expect(Array.from(links.parent)).toEqual([-1, -1, -1, 0, -1]);
    expect(Array.from(links.place, (p) => SPAN_PLACES[p])).toEqual(['root', 'duplicate', 'orphan', 'child', 'cycle']);
    expect(Array.from(links.kept)).toEqual([0, 3, 2, 3, 4]);
    expect(Array.from(links.copies)).toEqual([1, 2, 1, 2, 1]);
  });
});

describe('resolveSpanTree at scale', () => {
  const N = 50_000;
  const id = (i: number): string => `s${i}`;

  it('walks a chain 50,000 deep, given child first, without overflowing the stack', () => {
    const chain: S[] = Array.from({ length: N }, (_, k) => {
      const i = N - 1 - k;
      return [id(i), i === 0 ? null : id(i - 1), i, 2 * N - i];
    });
    for (const input of [textInput(chain), wordsInput(chain.map(([a, p, s, e]): S => [a, p, s, e]))]) {
      const tree = resolveSpanTree(input);
      expect(tree.depth[N - 1]).toBe(N - 1);
      expect(tree.subtreeEnd[0]).toBe(N);
      expect(tree.maxDepth).toBe(N - 1);
      expect(tree.order[0]).toBe(N - 1);
    }
  });

  it('cuts a loop of 50,000 spans once, above its earliest span', () => {
    const ring: S[] = Array.from({ length: N }, (_, i) => [id(i), id((i + N - 1) % N), i, i + 1]);
    const tree = resolveSpanTree(textInput(ring));
    expect(tree.rootCount).toBe(1);
    expect(SPAN_PLACES[tree.place[0]!]).toBe('cycle');
    expect(tree.order[0]).toBe(0);
    expect(tree.depth[N - 1]).toBe(N - 1);
  });
});

/** A random trace on a coarse grid (so times tie), with copies, orphans, self parents and loops. */
function randomTrace(random: () => number): S[] {
  const pick = (k: number): number => Math.floor(random() * k);
  const n = 1 + pick(30);
  const ids = Array.from({ length: Math.max(1, n - pick(4)) }, (_, i) => `s${i}`);
  return Array.from({ length: n }, (): S => {
    const roll = random();
    const parent = roll < 0.15 ? null : roll < 0.22 ? 'gone' : ids[pick(ids.length)]!;
    const start = pick(5) * 10;
    return [ids[pick(ids.length)]!, parent, start, start + (pick(5) - 1) * 10];
  });
}

/** The rules read literally, quadratic and recursive: for checking the resolver against. */
function reference(spans: readonly S[]): string[] {
  const end = (i: number): number => Math.max(spans[i]![2], spans[i]![3]);
  const before = (a: number, b: number): number =>
    spans[a]![2] - spans[b]![2] || end(a) - end(b) || (spans[a]![0] < spans[b]![0] ? -1 : spans[a]![0] > spans[b]![0] ? 1 : 0);
  const keptOf = new Map<string, number>();
  const copies = new Map<string, number>();
  spans.forEach(([id], i) => {
    copies.set(id, (copies.get(id) ?? 0) + 1);
    const k = keptOf.get(id);
    const parentBefore = (a: string | null, b: string | null): boolean => b !== null && (a === null || a < b);
    const [, parent, start, stop] = spans[i]!;
    const better =
      k === undefined ||
      stop > spans[k]![3] ||
      (stop === spans[k]![3] && (start < spans[k]![2] || (start === spans[k]![2] && parentBefore(parent, spans[k]![1]))));
    if (better) keptOf.set(id, i);
  });
  const kept = [...keptOf.values()];
  const parent = new Map<number, number | null>();
  const place = new Map<number, string>();
  for (const i of kept) {
    const p = spans[i]![1];
    const pi = p === null ? undefined : keptOf.get(p);
    parent.set(i, pi === undefined || pi === i ? null : pi);
    place.set(i, p === null ? 'root' : pi === undefined ? 'orphan' : pi === i ? 'cycle' : 'child');
  }
  for (;;) {
    // A span whose climb revisits a span is on, or under, a loop; cut the loop above its first span.
    const looped = kept.find((i) => {
      const seen = new Set<number>();
      for (let j: number | null = i; j !== null; j = parent.get(j)!) {
        if (seen.has(j)) return true;
        seen.add(j);
      }
      return false;
    });
    if (looped === undefined) break;
    const chain: number[] = [];
    let j = looped;
    while (!chain.includes(j)) {
      chain.push(j);
      j = parent.get(j)!;
    }
    const cut = chain.slice(chain.indexOf(j)).sort(before)[0]!;
    parent.set(cut, null);
    place.set(cut, 'cycle');
  }
  const out: string[] = [];
  const visit = (p: number | null, depth: number): void => {
    for (const i of kept.filter((k) => parent.get(k) === p).sort(before)) {
      const [id, , start, stop] = spans[i]!;
      const c = copies.get(id)!;
      const mark = place.get(i) === 'child' || place.get(i) === 'root' ? '' : ` (${place.get(i)})`;
      out.push(`${'  '.repeat(depth)}${id}${mark}${c > 1 ? ` ×${c} ${start}-${stop}` : ''}`);
      visit(i, depth + 1);
    }
  };
  visit(null, 0);
  return out;
}

describe('resolveSpanTree on 300 random traces', () => {
  const random = prng(20_261_130);
  const traces = Array.from({ length: 300 }, () => randomTrace(random));

  it('agrees with the rules read literally, whichever way the spans come in', () => {
    for (const spans of traces) for (const tree of treesOf(spans)) expect(tree).toEqual(reference(spans));
  });

  it('orders the same when starts are not whole microseconds or lie too far apart to pack', () => {
    for (const spans of traces) {
      const expected = reference(spans);
      const fractional = spans.map(([id, p, s, e]): S => [id, p, s + 0.5, e + 0.5]);
      // One root far in the future leaves the others where they were, and makes the starts too far apart to pack.
      const far: S[] = [...spans, ['zz', null, 2 ** 52, 2 ** 52 + 1]];
      expect(render(resolveSpanTree(textInput(fractional)), spans)).toEqual(expected);
      expect(render(resolveSpanTree(textInput(far)), far)).toEqual([...expected, 'zz']);
    }
  });
});
