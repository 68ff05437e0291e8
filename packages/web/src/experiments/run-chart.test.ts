import type { Experiment, ExperimentScoreSummary } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { runChartModel, runsInOrder, scoreSeries } from './run-chart';

const score = (name: string, mean: number | null): ExperimentScoreSummary => ({ name, mean, count: mean === null ? 0 : 3, labels: {} });

function run(id: string, createdAt: string, scores: ExperimentScoreSummary[]): Experiment {
  return {
    id,
    name: `run ${id}`,
    dataset: 'qa',
    datasetVersion: 1,
    target: { kind: 'sdk', replay: 'none' },
    evaluators: [],
    metadata: {},
    state: 'done',
    error: null,
    itemCount: 3,
    itemsDone: 3,
    itemsErrored: 0,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    unpricedCalls: 0,
    latencyMsMean: null,
    scores,
    createdAt,
    finishedAt: null,
  };
}

const tick = (v: number, step: number) => v.toFixed(step < 1 ? 1 : 0);

describe('runsInOrder', () => {
  it('puts runs in the order they were made, the newest-first list of the API turned round, ties by id', () => {
    const runs = [run('c', '2026-01-03T00:00:00Z', []), run('b', '2026-01-01T00:00:00Z', []), run('a', '2026-01-01T00:00:00Z', [])];
    expect(runsInOrder(runs).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('scoreSeries', () => {
  it('makes a line per score name with a mean, a gap where a run has none, label-only names left out', () => {
    const runs = [
      run('a', '2026-01-01T00:00:00Z', [score('exact', 0.5), score('tone', null)]),
      run('b', '2026-01-02T00:00:00Z', [score('relevance', 0.9)]),
      run('c', '2026-01-03T00:00:00Z', [score('exact', 0.75), score('relevance', 0.7)]),
    ];
    expect(scoreSeries(runs)).toEqual([
      { name: 'exact', values: [0.5, null, 0.75] },
      { name: 'relevance', values: [null, 0.9, 0.7] },
    ]);
  });
});

describe('runChartModel', () => {
  const base = { hidden: new Set<number>(), width: 400, height: 200, formatTick: tick };

  it('spaces runs evenly in equal bands, whatever time passed between them', () => {
    const model = runChartModel({ ...base, series: [{ name: 'exact', values: [0.2, 0.4, 0.6, 0.8] }], labels: ['#1', '#2', '#3', '#4'] });
    const { left, width } = model.plot;
    expect(model.xs).toEqual([left + width / 8, left + (3 * width) / 8, left + (5 * width) / 8, left + (7 * width) / 8]);
    expect(model.xTicks.map((t) => t.label)).toEqual(['#1', '#2', '#3', '#4']);
  });

  it('puts a single run in the middle', () => {
    const model = runChartModel({ ...base, series: [{ name: 'exact', values: [0.5] }], labels: ['#1'] });
    expect(model.xs).toEqual([model.plot.left + model.plot.width / 2]);
    expect(model.lines[0]!.points).toHaveLength(1);
  });

  it('keeps zero on the y axis for positive means, and places each mean on it', () => {
    const model = runChartModel({ ...base, series: [{ name: 'exact', values: [0.8, 0.82] }], labels: ['#1', '#2'] });
    expect(model.yTicks[0]!.label).toBe('0.0');
    expect(model.yOf(0)).toBe(model.plot.top + model.plot.height);
    const [p1, p2] = model.lines[0]!.points;
    expect(p1).toMatchObject({ run: 0, value: 0.8, y: model.yOf(0.8) });
    expect(p2).toMatchObject({ run: 1, value: 0.82, y: model.yOf(0.82) });
    expect(p1!.y - p2!.y, 'a small change is drawn small').toBeLessThan(model.plot.height * 0.05);
  });

  it('breaks a line where a run has no mean and gives each shown series its style', () => {
    const model = runChartModel({
      ...base,
      series: [
        { name: 'exact', values: [0.1, null, 0.3] },
        { name: 'relevance', values: [0.5, 0.6, 0.7] },
      ],
      labels: ['#1', '#2', '#3'],
      hidden: new Set([1]),
    });
    expect(model.lines.map((l) => [l.index, l.name, l.colour])).toEqual([[0, 'exact', 0]]);
    expect(model.lines[0]!.points.map((p) => p.run)).toEqual([0, 2]);
    expect(model.lines[0]!.d, 'two lone points draw no segment').toBe('');
  });

  it('thins the run labels to fit, keeping the newest run’s', () => {
    const labels = Array.from({ length: 60 }, (_, i) => `#${i + 1}`);
    const model = runChartModel({ ...base, series: [{ name: 'exact', values: labels.map((_, i) => i / 60) }], labels });
    const shown = model.xTicks.map((t) => t.label);
    expect(shown.at(-1)).toBe('#60');
    expect(shown.length).toBeLessThan(20);
    for (let i = 1; i < model.xTicks.length; i++) expect(model.xTicks[i]!.x - model.xTicks[i - 1]!.x).toBeGreaterThanOrEqual(3 * 6.6);
  });

  it('draws an empty axis from 0 to 1 when no series has a value', () => {
    const model = runChartModel({ ...base, series: [{ name: 'exact', values: [null, null] }], labels: ['#1', '#2'] });
    expect(model.yTicks.map((t) => t.label)).toEqual(['0.0', '0.5', '1.0']);
    expect(model.lines[0]!.points).toEqual([]);
  });
});
