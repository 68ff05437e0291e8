import type { ComparedItem, ComparedScore, Experiment, ExperimentComparison } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { ExperimentError, RegressionError } from './errors.js';
import { scoreOf } from './evaluators.js';
import { regressionOf } from './regression.js';

const experiment = (id: string, name: string) => ({ id: id.repeat(32), name }) as Experiment;

function score(name: string, meanA: number, meanB: number): ComparedScore {
  return { name, meanA, meanB, delta: meanB - meanA, pairs: 10, better: 0, worse: 0, wilcoxon: null, labelsA: {}, labelsB: {} };
}

function item(itemId: string, verdict: ComparedItem['verdict'], deltas: Record<string, [number, number]>, error: string | null = null): ComparedItem {
  return {
    itemId,
    verdict,
    scores: Object.entries(deltas).map(([name, [a, b]]) => ({ name, a, b, delta: b - a })),
    b: error === null ? null : { error },
  } as unknown as ComparedItem;
}

function comparison(scores: ComparedScore[], items: ComparedItem[] = [], errored = 0): ExperimentComparison {
  return {
    a: experiment('a', 'main'),
    b: experiment('b', 'pr-7'),
    scores,
    items,
    verdicts: { better: 0, worse: 0, same: 0, errored, fixed: 0, missing: 0 },
    deltas: { inputTokens: null, outputTokens: null, costUsd: null, latencyMsMean: null },
  };
}

describe('regressionOf', () => {
  it('finds none when every mean held or rose', () => {
    expect(regressionOf(comparison([score('exact', 0.5, 0.5), score('short', 0.5, 0.9)]), undefined, 0)).toBeNull();
  });

  it('finds a mean that dropped, listing the score and the worse items, most worse first', () => {
    const found = regressionOf(
      comparison(
        [score('exact', 0.8, 0.6), score('short', 1, 1)],
        [item('i1', 'worse', { exact: [1, 0.5] }), item('i2', 'worse', { exact: [1, 0] }), item('i3', 'better', { exact: [0, 1] })],
      ),
      undefined,
      0,
    );
    expect(found).toBeInstanceOf(RegressionError);
    expect(found!.scores).toEqual([{ name: 'exact', before: 0.8, after: 0.6, delta: expect.closeTo(-0.2, 9) as number }]);
    expect(found!.items.map((i) => i.itemId)).toEqual(['i2', 'i1']);
    expect(found!.message).toContain('exact: mean 0.8 → 0.6 (-0.2)');
    expect(found!.message).toContain('i2 worse: exact 1 → 0');
  });

  it('lets a drop within the tolerance pass, and judges only the metric when one is named', () => {
    expect(regressionOf(comparison([score('exact', 0.8, 0.75)]), undefined, 0.1)).toBeNull();
    expect(regressionOf(comparison([score('exact', 0.8, 0.5), score('short', 0.5, 0.9)]), 'short', 0)).toBeNull();
    expect(regressionOf(comparison([score('exact', 0.8, 0.5), score('short', 0.5, 0.9)]), 'exact', 0)?.scores.map((s) => s.name)).toEqual(['exact']);
  });

  it('finds items that errored in the new run and not in the baseline, with their errors first', () => {
    const found = regressionOf(comparison([score('exact', 0.5, 0.5)], [item('i1', 'errored', {}, 'the task threw: boom')], 1), undefined, 0);
    expect(found).toMatchObject({ newlyErrored: 1, scores: [], items: [{ itemId: 'i1', verdict: 'errored', detail: 'the task threw: boom' }] });
    expect(found!.message).toContain('1 item(s) errored that did not in the baseline');
  });

  it('lists at most 10 worse items', () => {
    const items = Array.from({ length: 14 }, (_, i) => item(`i${i}`, 'worse', { exact: [1, 0] }));
    const found = regressionOf(comparison([score('exact', 1, 0)], items), undefined, 0)!;
    expect(found.items).toHaveLength(14);
    expect(found.message.split('\n').filter((line) => line.includes(' worse: '))).toHaveLength(10);
    expect(found.message).toContain('worse items (10 of 14)');
  });

  it('refuses a metric neither run has, naming the ones they have', () => {
    expect(() => regressionOf(comparison([score('exact', 1, 1)]), 'helpful', 0)).toThrow(ExperimentError);
    expect(() => regressionOf(comparison([score('exact', 1, 1)]), 'helpful', 0)).toThrow(
      /no.*'helpful'.*they have exact|neither experiment has a score named 'helpful'; they have exact/,
    );
  });
});

describe('scoreOf', () => {
  it.each([
    [true, { name: 's', value: 1, label: 'pass' }],
    [false, { name: 's', value: 0, label: 'fail' }],
    [0.25, { name: 's', value: 0.25 }],
    [{ label: 'polite' }, { name: 's', value: null, label: 'polite' }],
    [
      { value: 2, comment: 'why' },
      { name: 's', value: 2, label: null, comment: 'why' },
    ],
  ])('scores %j as %j', (answer, expected) => {
    expect(scoreOf('s', answer)).toEqual(expected);
  });

  it.each([[Number.NaN], ['yes'], [{}], [{ label: '' }], [null], [[1]]])('turns %j into an error label saying what to answer', (answer) => {
    expect(scoreOf('s', answer)).toMatchObject({
      name: 's',
      value: null,
      label: 'error',
      comment: expect.stringContaining('answer a finite number, true/false') as string,
    });
  });
});
