import { describe, expect, it } from 'vitest';
import { formatTickNumber } from './axis-format';
import { chartSummary, isEmptyChart, lineChartModel, type ChartInput } from './line-chart-model';

const t0 = Date.parse('2026-11-22T10:00:00Z');
const MIN = 60_000;

function input(overrides: Partial<ChartInput>): ChartInput {
  return {
    times: [t0, t0 + MIN, t0 + 2 * MIN],
    series: [{ name: 'Total', values: [0, 5, 10] }],
    hidden: new Set(),
    width: 400,
    height: 200,
    stepMs: MIN,
    formatTick: formatTickNumber,
    zeroBased: true,
    offset: () => 0,
    ...overrides,
  };
}

describe('lineChartModel', () => {
  it('puts the first time at the left of the plot, the last at the right, zero at the bottom', () => {
    const model = lineChartModel(input({}));
    const { plot } = model;
    expect(model.xs[0]).toBe(plot.left);
    expect(model.xs[2]).toBe(plot.left + plot.width);
    expect(model.yTicks[0]).toEqual({ y: plot.top + plot.height, label: '0' });
    expect(model.yTicks.at(-1)!.y).toBe(plot.top);
    expect(model.lines).toHaveLength(1);
    expect(model.lines[0]!.d.startsWith(`M${plot.left},${plot.top + plot.height}`)).toBe(true);
  });

  it('leaves room on the left for the widest y label', () => {
    const narrow = lineChartModel(input({ series: [{ name: 'a', values: [1, 2, 3] }] }));
    const wide = lineChartModel(input({ series: [{ name: 'a', values: [1_000_000, 2_500_000, 3_000_000] }] }));
    expect(wide.plot.left).toBeGreaterThan(narrow.plot.left);
  });

  it('scales to the shown series only', () => {
    const series = [
      { name: 'small', values: [1, 2, 3] },
      { name: 'big', values: [100, 200, 300] },
    ];
    const all = lineChartModel(input({ series }));
    const small = lineChartModel(input({ series, hidden: new Set([1]) }));
    expect(all.yTicks.at(-1)!.label).toBe('300');
    expect(small.yTicks.at(-1)!.label).toBe('3');
    expect(small.lines.map((l) => l.name)).toEqual(['small']);
  });

  it('centres a single point and draws it as a dot', () => {
    const model = lineChartModel(input({ times: [t0], series: [{ name: 'Total', values: [4] }] }));
    expect(model.lines[0]!.d).toBe('');
    expect(model.lines[0]!.dots).toHaveLength(1);
    expect(model.xs[0]).toBeCloseTo(model.plot.left + model.plot.width / 2);
  });

  it('keeps a negative minimum when values go below zero', () => {
    const model = lineChartModel(input({ series: [{ name: 'delta', values: [-5, 0, 5] }] }));
    expect(model.yTicks[0]!.label).toBe('-5');
  });

  it('maps a pixel back to a time', () => {
    const model = lineChartModel(input({}));
    expect(model.timeAt(model.xs[1]!)).toBeCloseTo(t0 + MIN);
  });

  it('dashes lines past the fourth', () => {
    const series = Array.from({ length: 5 }, (_, i) => ({ name: `s${i}`, values: [i, i, i] }));
    expect(lineChartModel(input({ series })).lines.map((l) => l.dash)).toEqual([undefined, '6 3', '2 3', '9 3 2 3', '12 4']);
  });
});

describe('isEmptyChart', () => {
  it.each([
    { series: [], empty: true },
    { series: [{ name: 'a', values: [null, null] }], empty: true },
    { series: [{ name: 'a', values: [null, 0] }], empty: false },
  ])('is $empty for $series', ({ series, empty }) => {
    expect(isEmptyChart(series)).toBe(empty);
  });
});

describe('chartSummary', () => {
  const iso = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  it.each([
    {
      series: [{ name: 'Total', values: [1, 7, null] }],
      summary: 'Cost, 10:00 to 10:02: Total latest 7, peak 7',
    },
    {
      series: [
        { name: 'a', values: [1, 2, 3] },
        { name: 'b', values: [null, null, null] },
        { name: 'c', values: [3, 2, 1] },
        { name: 'd', values: [0, 0, 0] },
      ],
      summary: 'Cost, 10:00 to 10:02: a latest 3, peak 3; b no data; c latest 1, peak 3; and 1 more',
    },
    { series: [], summary: 'Cost: no data' },
  ])('says $summary', ({ series, summary }) => {
    expect(chartSummary('Cost', [t0, t0 + MIN, t0 + 2 * MIN], series, String, iso)).toBe(summary);
  });
});
