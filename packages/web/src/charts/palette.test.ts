import { describe, expect, it } from 'vitest';
import { seriesStyle } from './palette';

describe('seriesStyle', () => {
  it.each([
    { index: 0, count: 1, style: { colour: 0, dash: undefined } },
    { index: 3, count: 4, style: { colour: 3, dash: undefined } },
    { index: 0, count: 5, style: { colour: 0, dash: undefined } },
    { index: 1, count: 5, style: { colour: 1, dash: '6 3' } },
    { index: 4, count: 5, style: { colour: 4, dash: '12 4' } },
    { index: 9, count: 10, style: { colour: 1, dash: '9 3 2 3' } },
  ])('gives series $index of $count $style', ({ index, count, style }) => {
    expect(seriesStyle(index, count)).toEqual(style);
  });

  it('never repeats colour and dash together within 24 series', () => {
    const seen = new Set(Array.from({ length: 24 }, (_, i) => JSON.stringify(seriesStyle(i, 24))));
    expect(seen.size).toBe(24);
  });
});
