import { describe, expect, it } from 'vitest';
import { SeriesTable, seriesText } from './series-table.js';

const counter = (): { n: number } => ({ n: 0 });

describe('SeriesTable', () => {
  it('returns the same series for the same label values, and a new one for new values', () => {
    const table = new SeriesTable(['a', 'b'], 10, 1, counter);
    table.get('x', 'y').n += 1;
    table.get('x', 'y').n += 1;
    table.get('x', 'z').n += 1;
    expect(table.entries.map((e) => [e.labels, e.series.n])).toEqual([
      ['a="x",b="y"', 2],
      ['a="x",b="z"', 1],
    ]);
  });

  it('keeps label sets that differ only in how the values split apart', () => {
    const table = new SeriesTable(['a', 'b', 'c'], 10, 1, counter);
    table.get('x', 'y', 'z').n += 1;
    table.get('x', 'yz', '').n += 1;
    table.get('xy', 'z', '').n += 1;
    expect(table.size).toBe(3);
  });

  it('folds every new label set beyond the budget into one series of other labels, and counts the lookups', () => {
    // 3 series of 1: two label sets and the folded one.
    const table = new SeriesTable(['a'], 3, 1, counter);
    for (const value of ['p', 'q', 'r', 's', 'p', 'r']) table.get(value).n += 1;
    expect(table.size).toBe(2);
    expect(table.overflow).toEqual({ n: 3 });
    expect(table.overflowed).toBe(3);
    expect(seriesText(table, (labels, s) => `${labels}=${s.n};`, 'kind="k"')).toBe(
      'a="p",kind="k"=2;a="q",kind="k"=1;a="other",otel_metric_overflow="true",kind="k"=3;',
    );
  });

  it('keeps as many label sets as a budget counted in series allows, buckets included', () => {
    // 19 series a label set (a histogram of 16 bounds): 2,000 hold 104 and the folded one.
    const table = new SeriesTable(['a', 'b'], 2000, 19, counter);
    for (let i = 0; i < 300; i++) table.get(`v${i}`, 'x');
    expect(table.size).toBe(104);
    expect((table.size + 1) * 19).toBeLessThanOrEqual(2000);
    expect(table.overflowed).toBe(196);
    expect(table.foldedLabels).toBe('a="other",b="other",otel_metric_overflow="true"');
  });

  it('refuses a budget with no room for a label set beside the folded one, and invalid label names', () => {
    expect(() => new SeriesTable(['a'], 0, 1, counter)).toThrow(/no label set/);
    expect(() => new SeriesTable(['a'], 37, 19, counter)).toThrow(/no label set/);
    expect(() => new SeriesTable(['le'], 5, 1, counter)).toThrow(/label name/);
    expect(() => new SeriesTable([], 5, 1, counter)).toThrow(/one to three/);
  });
});
