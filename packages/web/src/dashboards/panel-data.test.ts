import { describe, expect, it } from 'vitest';
import { barRows, chartFromMatrices, labelColumns, relativeChange, seriesName, statRows, tableRows } from './panel-data';

describe("a panel's data", () => {
  it.each([
    [{ model: 'gpt-4o' }, '{{model}}', 'gpt-4o'],
    [{ model: 'gpt-4o', service: 'a' }, '{{ service }}/{{model}}', 'a/gpt-4o'],
    [{ model: 'gpt-4o' }, undefined, 'gpt-4o'],
    [{}, '{{model}}', '(none)'],
    [{ model: 'gpt-4o', service: 'a' }, '', 'model=gpt-4o, service=a'],
    [{}, undefined, 'count(spans)[5m]'],
  ])('names %o with legend %s as %s', (metric, legend, name) => expect(seriesName(metric, legend, 'count(spans)[5m]')).toBe(name));

  it("lays two queries' lines on the union of their times", () => {
    const chart = chartFromMatrices([
      {
        expr: 'a',
        legend: '{{model}}',
        result: [
          {
            metric: { model: 'x' },
            values: [
              [100, '1'],
              [160, '2'],
            ],
          },
        ],
      },
      {
        expr: 'b',
        result: [
          {
            metric: {},
            values: [
              [160, '0.5'],
              [220, '7'],
            ],
          },
        ],
      },
    ]);
    expect(chart.times).toEqual([100_000, 160_000, 220_000]);
    expect(chart.series).toEqual([
      { name: 'x', values: [1, 2, null] },
      { name: 'b', values: [null, 0.5, 7] },
    ]);
  });

  it('spans the range read, at every step, where the answer left points out', () => {
    const chart = chartFromMatrices([{ expr: 'a', result: [{ metric: {}, values: [[160, '2']] }] }], { startS: 100, endS: 280, stepS: 60 });
    expect(chart.times).toEqual([100_000, 160_000, 220_000, 280_000]);
    expect(chart.series[0]!.values).toEqual([null, 2, null, null]);
  });

  it("lays several queries' rows in one table, a value column per query", () => {
    const count = statRows(
      [
        { metric: { name: 'a' }, value: [1, '9'] },
        { metric: { name: 'b' }, value: [1, '3'] },
      ],
      [],
      undefined,
      'count',
    );
    const avg = statRows([{ metric: { name: 'a' }, value: [1, '0.5'] }], [], undefined, 'avg');
    expect(tableRows([count, avg], ['count', 'avg'])).toEqual({
      labels: ['name'],
      valueHeaders: ['count', 'avg'],
      rows: [
        { labels: { name: 'a' }, values: [9, 0.5] },
        { labels: { name: 'b' }, values: [3, null] },
      ],
    });
  });

  it('pairs each value with the same series over the previous range', () => {
    const rows = statRows(
      [
        { metric: { model: 'x' }, value: [1, '3'] },
        { metric: { model: 'y' }, value: [1, '1'] },
      ],
      [{ metric: { model: 'x' }, value: [0, '2'] }],
      '{{model}}',
      'e',
    );
    expect(rows.map((r) => [r.name, r.value, r.previous])).toEqual([
      ['x', 3, 2],
      ['y', 1, null],
    ]);
    expect(labelColumns(rows)).toEqual(['model']);
    expect(relativeChange(3, 2)).toBe(0.5);
    expect(relativeChange(3, 0)).toBeNull();
    expect(relativeChange(1, null)).toBeNull();
  });

  it('draws bars largest first, lengths relative to the largest', () => {
    const rows = statRows(
      [
        { metric: { m: 'a' }, value: [1, '1'] },
        { metric: { m: 'b' }, value: [1, '4'] },
        { metric: { m: 'c' }, value: [1, 'NaN'] },
      ],
      [],
      undefined,
      'e',
    );
    expect(barRows(rows).map((r) => [r.name, r.fraction])).toEqual([
      ['b', 1],
      ['a', 0.25],
    ]);
  });
});
