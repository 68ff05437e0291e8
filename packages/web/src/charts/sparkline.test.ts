import { describe, expect, it } from 'vitest';
import { sparkBars, sparkLine, sparkSummary } from './sparkline';

describe('sparkBars', () => {
  it.each([
    {
      name: 'scales the largest value to the full height',
      values: [0, 5, 10],
      width: 30,
      height: 20,
      bars: [
        { x: 0, y: 20, width: 9, height: 0 },
        { x: 10, y: 10, width: 9, height: 10 },
        { x: 20, y: 0, width: 9, height: 20 },
      ],
    },
    {
      name: 'gives a small value next to a spike one pixel',
      values: [1, 1000],
      width: 20,
      height: 10,
      bars: [
        { x: 0, y: 9, width: 9, height: 1 },
        { x: 10, y: 0, width: 9, height: 10 },
      ],
    },
    {
      name: 'draws flat zero for all zeros',
      values: [0, 0],
      width: 4,
      height: 10,
      bars: [
        { x: 0, y: 10, width: 2, height: 0 },
        { x: 2, y: 10, width: 2, height: 0 },
      ],
    },
    { name: 'draws nothing of nothing', values: [], width: 10, height: 10, bars: [] },
  ])('$name', ({ values, width, height, bars }) => {
    expect(sparkBars(values, width, height)).toEqual(bars);
  });
});

describe('sparkLine', () => {
  it('runs from left to right, zero at the bottom and the peak at the top', () => {
    expect(sparkLine([0, 4, 2], 22, 10)).toBe('M1,9L11,1L21,5');
  });

  it('leaves a gap for a missing value', () => {
    expect(sparkLine([1, 1, null, 1, 1], 9, 4)).toBe('M1,1L2.8,1M6.3,1L8,1');
  });
});

describe('sparkSummary', () => {
  it.each([
    { values: [0, 3, 9, 1], summary: 'Errors per hour: total 13, peak 9, latest 1' },
    { values: [0, 0], summary: 'Errors per hour: none' },
    { values: [], summary: 'Errors per hour: none' },
    { values: [2, null], summary: 'Errors per hour: total 2, peak 2, latest no value' },
  ])('says $summary', ({ values, summary }) => {
    expect(sparkSummary('Errors per hour', values)).toBe(summary);
  });

  it('formats the numbers with the given function', () => {
    expect(sparkSummary('Cost', [0.5, 1.5], (n) => `$${n.toFixed(2)}`)).toBe('Cost: total $2.00, peak $1.50, latest $1.50');
  });
});
