import { describe, expect, it } from 'vitest';
import { OVERFLOW_LABELS, SeriesTable, seriesText } from './series-table.js';

const counter = (): { n: number } => ({ n: 0 });

describe('SeriesTable', () => {
  it('returns the same series for the same label values, and a new one for new values', () => {
    const table = new SeriesTable(['a', 'b'], 10, counter);
    table.get('x', 'y').n += 1;
    table.get('x', 'y').n += 1;
    table.get('x', 'z').n += 1;
    expect(table.entries.map((e) => [e.labels, e.series.n])).toEqual([
      ['a="x",b="y"', 2],
      ['a="x",b="z"', 1],
    ]);
  });

  it('keeps label sets that differ only in how the values split apart', () => {
    const table = new SeriesTable(['a', 'b', 'c'], 10, counter);
    table.get('x', 'y', 'z').n += 1;
    table.get('x', 'yz', '').n += 1;
    table.get('xy', 'z', '').n += 1;
    expect(table.size).toBe(3);
  });

  it('sends every new label set beyond the cap to one overflow series, and counts the lookups', () => {
    const table = new SeriesTable(['a'], 2, counter);
    for (const value of ['p', 'q', 'r', 's', 'p', 'r']) table.get(value).n += 1;
    expect(table.size).toBe(2);
    expect(table.overflow).toEqual({ n: 3 });
    expect(table.overflowed).toBe(3);
    expect(seriesText(table, (labels, s) => `${labels}=${s.n};`, 'kind="k"')).toBe(
      `a="p",kind="k"=2;a="q",kind="k"=1;${OVERFLOW_LABELS},kind="k"=3;`,
    );
  });

  it('refuses a cap below one and invalid label names', () => {
    expect(() => new SeriesTable(['a'], 0, counter)).toThrow(/positive integer/);
    expect(() => new SeriesTable(['le'], 5, counter)).toThrow(/label name/);
    expect(() => new SeriesTable([], 5, counter)).toThrow(/one to three/);
  });
});
