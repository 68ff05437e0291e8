import { type Experiment, type ExperimentResult, regressed, regressionsOf } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { compareExperiments } from './experiment-compare.js';

const experiment = (id: string, fields: Partial<Experiment> = {}): Experiment => ({
  id,
  name: id,
  dataset: 'd',
  datasetVersion: 1,
  target: { kind: 'sdk', replay: 'none' },
  evaluators: [],
  metadata: {},
  state: 'done',
  error: null,
  itemCount: 0,
  itemsDone: 0,
  itemsErrored: 0,
  inputTokens: null,
  outputTokens: null,
  costUsd: null,
  unpricedCalls: 0,
  latencyMsMean: null,
  scores: [],
  createdAt: '2026-11-24T00:00:00.000000Z',
  finishedAt: null,
  ...fields,
});

const result = (itemId: string, fields: Partial<ExperimentResult> = {}): ExperimentResult => ({
  itemId,
  traceId: `${itemId}`.padEnd(32, '0'),
  spanId: null,
  input: `question ${itemId}`,
  expectedOutput: null,
  output: 'answer',
  error: null,
  latencyMs: 10,
  inputTokens: 5,
  outputTokens: 5,
  costUsd: 0.001,
  unpricedCalls: 0,
  scores: {},
  time: '2026-11-24T00:00:00.000000Z',
  ...fields,
});

const scored = (value: number) => ({ quality: { value, label: null } });

describe('compareExperiments', () => {
  it('gives each item a verdict by its score deltas, errors and presence, worst first', () => {
    const a = [
      result('1', { scores: scored(0.5) }),
      result('2', { scores: scored(0.9) }),
      result('3', { scores: scored(0.7) }),
      result('4', { scores: scored(0.4) }),
      result('5', { error: 'boom', output: null }),
      result('6', { scores: scored(1) }),
    ];
    const b = [
      result('1', { scores: scored(0.8) }),
      result('2', { scores: scored(0.2) }),
      result('3', { scores: scored(0.7) }),
      result('4', { error: 'timeout', output: null }),
      result('5', { scores: scored(1) }),
      result('7', { scores: scored(1) }),
    ];
    const c = compareExperiments(experiment('a'), experiment('b'), a, b);
    expect(c.items.map((i) => [i.itemId, i.verdict])).toEqual([
      ['4', 'errored'],
      ['2', 'worse'],
      ['6', 'missing'],
      ['7', 'missing'],
      ['3', 'same'],
      ['5', 'fixed'],
      ['1', 'better'],
    ]);
    expect(c.verdicts).toEqual({ better: 1, worse: 1, same: 1, errored: 1, fixed: 1, missing: 2 });
    const quality = c.scores[0]!;
    // Over the three items scored on both sides: 0.5, 0.9, 0.7 against 0.8, 0.2, 0.7.
    expect(quality).toMatchObject({ name: 'quality', pairs: 3, better: 1, worse: 1, wilcoxon: null });
    expect(quality.meanA).toBeCloseTo(0.7, 12);
    expect(quality.meanB).toBeCloseTo(0.5667, 3);
    expect(c.items.find((i) => i.itemId === '1')!.scores).toEqual([{ name: 'quality', a: 0.5, b: 0.8, delta: 0.3 }]);
  });

  it('diffs the outputs line by line, JSON indented, an error as its message', () => {
    const c = compareExperiments(
      experiment('a'),
      experiment('b'),
      [result('1', { output: { city: 'Paris', days: 2 } }), result('2', { output: 'x', error: null })],
      [result('1', { output: { city: 'Rome', days: 2 } }), result('2', { output: null, error: 'the provider failed' })],
    );
    const one = c.items.find((i) => i.itemId === '1')!;
    expect(one.outputDiff).toEqual([
      { op: '=', text: '{' },
      { op: '-', text: '  "city": "Paris",' },
      { op: '+', text: '  "city": "Rome",' },
      { op: '=', text: '  "days": 2' },
      { op: '=', text: '}' },
    ]);
    expect(c.items.find((i) => i.itemId === '2')!.outputDiff).toEqual([
      { op: '-', text: 'x' },
      { op: '+', text: '(error) the provider failed' },
    ]);
  });

  it('tests a shift over enough pairs with Wilcoxon signed-rank, and the regression check reads it', () => {
    const a = Array.from({ length: 12 }, (_, i) => result(String(i + 10), { scores: scored(0.8 + i * 0.01) }));
    const b = a.map((r, i) => ({ ...r, scores: scored(0.5 + i * 0.005) }));
    const c = compareExperiments(experiment('a', { costUsd: 1 }), experiment('b', { costUsd: 0.25 }), a, b);
    const quality = c.scores[0]!;
    expect(quality.worse).toBe(12);
    expect(quality.wilcoxon!.pValue).toBeLessThan(0.001);
    expect(c.deltas.costUsd).toBe(-0.75);
    expect(regressed(regressionsOf(c, null, 0))).toBe(true);
    // The mean fell by about 0.33: within a tolerance of 0.4 it is no regression; a metric neither has is one.
    expect(regressed(regressionsOf(c, 'quality', 0.4))).toBe(false);
    expect(regressionsOf(c, 'other', 0.4)).toMatchObject({ unknownMetric: true });
    // The other way round it is an improvement.
    expect(regressed(regressionsOf(compareExperiments(experiment('b'), experiment('a'), b, a), null, 0))).toBe(false);
  });
});
