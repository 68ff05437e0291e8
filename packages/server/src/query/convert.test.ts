import { describe, expect, it } from 'vitest';
import type { ScoreTally } from '../store/store.js';
import { scoreSummariesOf } from './convert.js';

const tally = (count: number, valueCount: number, valueSum: number, labels: Record<string, number> = {}): ScoreTally => ({
  count,
  valueCount,
  valueSum,
  labels: new Map(Object.entries(labels)),
});

describe('scoreSummariesOf', () => {
  it.each([
    ['no tallies', [], {}],
    ['one trace', [new Map([['faithfulness', tally(2, 2, 0.5)]])], { faithfulness: { mean: 0.25, count: 2, labels: {} } }],
    ['labels only: no mean', [new Map([['thumbs', tally(3, 0, 0, { up: 2, down: 1 })]])], { thumbs: { mean: null, count: 3, labels: { up: 2, down: 1 } } }],
    [
      "a session's runs, pooled: the mean of every value, not of the runs' means",
      [
        new Map([['faithfulness', tally(3, 3, 0.3)]]),
        undefined,
        new Map([
          ['faithfulness', tally(1, 1, 0.9)],
          ['thumbs', tally(1, 0, 0, { up: 1 })],
        ]),
      ],
      { faithfulness: { mean: 0.3, count: 4, labels: {} }, thumbs: { mean: null, count: 1, labels: { up: 1 } } },
    ],
  ])('summarizes %s', (_, tallies, summaries) => {
    expect(scoreSummariesOf(...tallies)).toEqual(summaries);
  });

  it('keeps a name or label such as __proto__ as a key like any other', () => {
    const labels = new Map([
      ['__proto__', 1],
      ['constructor', 2],
    ]);
    const summaries = scoreSummariesOf(new Map([['__proto__', { count: 1, valueCount: 0, valueSum: 0, labels }]]));
    expect(Object.keys(summaries)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(summaries)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(summaries))).toEqual(JSON.parse('{"__proto__":{"mean":null,"count":1,"labels":{"__proto__":1,"constructor":2}}}'));
  });
});
