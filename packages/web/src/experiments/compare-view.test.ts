import type { ComparedItem, Experiment } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import {
  changeTone,
  comparePair,
  labelChangeText,
  comparePath,
  defaultDir,
  nextSort,
  pValueText,
  sortDirOf,
  sortKeyOf,
  sortKeyText,
  sortedItems,
  togglePick,
} from './compare-view';

function item(itemId: string, deltas: { exact?: number | null; cost?: number | null; latency?: number | null }): ComparedItem {
  return {
    itemId,
    input: itemId,
    expectedOutput: null,
    a: null,
    b: null,
    outputDiff: [],
    scores: deltas.exact === undefined ? [] : [{ name: 'exact', a: 0.5, b: deltas.exact === null ? null : 0.5 + deltas.exact, delta: deltas.exact }],
    deltas: { inputTokens: null, outputTokens: null, costUsd: deltas.cost ?? null, latencyMs: deltas.latency ?? null },
    verdict: 'same',
    traceDiff: null,
  };
}

const ids = (items: ComparedItem[]) => items.map((i) => i.itemId);

describe('the sort kept in the URL', () => {
  it.each([
    ['score:exact', { by: 'score', name: 'exact' }],
    ['score:a:b', { by: 'score', name: 'a:b' }],
    ['cost', { by: 'cost' }],
    ['latency', { by: 'latency' }],
    ['score:', { by: 'item' }],
    ['tokens', { by: 'item' }],
    [null, { by: 'item' }],
  ])('reads %j', (text, want) => {
    expect(sortKeyOf(text)).toEqual(want);
    if (want.by !== 'item') expect(sortKeyText(sortKeyOf(text))).toBe(text);
  });

  it('starts each column worst first: a score’s drop, a cost’s or latency’s rise', () => {
    expect(defaultDir({ by: 'score', name: 'exact' })).toBe('asc');
    expect(defaultDir({ by: 'cost' })).toBe('desc');
    expect(defaultDir({ by: 'latency' })).toBe('desc');
    expect(sortDirOf(null, { by: 'cost' })).toBe('desc');
    expect(sortDirOf('asc', { by: 'cost' })).toBe('asc');
    expect(sortDirOf('sideways', { by: 'item' })).toBe('asc');
  });

  it('turns a column around when it is clicked again, and starts another worst first', () => {
    const exact = { by: 'score', name: 'exact' } as const;
    expect(nextSort(exact, 'asc', exact)).toEqual({ key: exact, dir: 'desc' });
    expect(nextSort(exact, 'desc', exact)).toEqual({ key: exact, dir: 'asc' });
    expect(nextSort(exact, 'asc', { by: 'latency' })).toEqual({ key: { by: 'latency' }, dir: 'desc' });
    expect(nextSort({ by: 'score', name: 'tone' }, 'desc', exact)).toEqual({ key: exact, dir: 'asc' });
  });
});

describe('sortedItems', () => {
  const items = [
    item('05', { exact: 0.25, cost: 0.002, latency: 10 }),
    item('01', { exact: -0.5, cost: -0.001, latency: null }),
    item('03', { exact: null, cost: null, latency: 300 }),
    item('02', { exact: 0, cost: 0.004, latency: -20 }),
    item('04', { exact: -0.5, cost: 0.002, latency: 10 }),
    item('06', {}),
  ];

  it.each([
    [{ by: 'score', name: 'exact' }, 'asc', ['01', '04', '02', '05', '03', '06']],
    [{ by: 'score', name: 'exact' }, 'desc', ['05', '02', '01', '04', '03', '06']],
    [{ by: 'cost' }, 'desc', ['02', '04', '05', '01', '03', '06']],
    [{ by: 'cost' }, 'asc', ['01', '04', '05', '02', '03', '06']],
    [{ by: 'latency' }, 'desc', ['03', '04', '05', '02', '01', '06']],
    [{ by: 'item' }, 'asc', ['01', '02', '03', '04', '05', '06']],
    [{ by: 'item' }, 'desc', ['06', '05', '04', '03', '02', '01']],
    [{ by: 'score', name: 'unknown' }, 'asc', ['01', '02', '03', '04', '05', '06']],
  ] as const)('by %j %s: items without a value last, ties in item order', (key, dir, want) => {
    expect(ids(sortedItems(items, key, dir))).toEqual(want);
  });

  it('leaves the items it was given as they were', () => {
    const before = ids(items);
    sortedItems(items, { by: 'cost' }, 'asc');
    expect(ids(items)).toEqual(before);
  });
});

describe('pValueText', () => {
  it.each([
    [null, '–'],
    [{ pValue: 0.0312 }, '0.031'],
    [{ pValue: 0.0004 }, '< 0.001'],
    [{ pValue: 1 }, '1.000'],
    [{ pValue: Number.NaN }, '–'],
  ])('writes %j as %s', (wilcoxon, want) => {
    expect(pValueText(wilcoxon)).toBe(want);
  });
});

describe('labelChangeText', () => {
  it('counts each label in A and B, a label missing on one side as 0', () => {
    expect(labelChangeText({ pass: 3, fail: 2 }, { pass: 5 })).toBe('fail 2 → 0, pass 3 → 5');
    expect(labelChangeText({}, {})).toBe('');
  });
});

describe('changeTone', () => {
  it.each([
    [0.1, true, 'better'],
    [-0.1, true, 'worse'],
    [0.1, false, 'worse'],
    [-0.1, false, 'better'],
    [0, true, null],
    [null, false, null],
  ] as const)('%s with higher %s better is %s', (delta, higherIsBetter, want) => {
    expect(changeTone(delta, higherIsBetter)).toBe(want);
  });
});

describe('picking two runs to compare', () => {
  const run = (id: string, createdAt: string) => ({ id, createdAt }) as Experiment;
  const runs = [run('new', '2026-01-03T00:00:00Z'), run('mid', '2026-01-02T00:00:00Z'), run('old', '2026-01-01T00:00:00Z')];

  it('keeps at most two picked, dropping the earlier pick for a third', () => {
    expect(togglePick([], 'old')).toEqual(['old']);
    expect(togglePick(['old'], 'new')).toEqual(['old', 'new']);
    expect(togglePick(['old', 'new'], 'mid')).toEqual(['new', 'mid']);
    expect(togglePick(['old', 'new'], 'old')).toEqual(['new']);
  });

  it('compares the older as the baseline, whichever was picked first', () => {
    expect(comparePair(['new', 'old'], runs)?.map((r) => r.id)).toEqual(['old', 'new']);
    expect(comparePair(['mid', 'new'], runs)?.map((r) => r.id)).toEqual(['mid', 'new']);
    expect(comparePair(['new'], runs)).toBeNull();
    expect(comparePair(['new', 'gone'], runs)).toBeNull();
  });

  it('opens the comparison page of the two', () => {
    expect(comparePath('a'.repeat(32), 'b'.repeat(32))).toBe(`/experiments/${'a'.repeat(32)}/compare/${'b'.repeat(32)}`);
  });
});
