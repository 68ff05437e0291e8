import type { ScoreConfig } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { correctedOutputOf, keyHelp, keyValues, scoresOf, valueForKey } from './rubric';

const correct: ScoreConfig = { name: 'correct', description: '', type: 'boolean' };
const tone: ScoreConfig = { name: 'tone', description: '', type: 'categorical', labels: ['polite', 'curt', 'rude'] };
const stars: ScoreConfig = { name: 'stars', description: '', type: 'numeric', min: 1, max: 5 };
const share: ScoreConfig = { name: 'share', description: '', type: 'numeric', min: 0, max: 1 };

describe('the keys of a rubric entry', () => {
  it.each([
    [correct, [true, false]],
    [tone, ['polite', 'curt', 'rude']],
    [stars, [1, 2, 3, 4, 5]],
    [share, [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1]],
    [{ name: 'big', description: '', type: 'numeric', min: 0, max: 100 } as ScoreConfig, [0, 12.5, 25, 37.5, 50, 62.5, 75, 87.5, 100]],
  ])('pick %o as %o', (config, values) => {
    expect(keyValues(config)).toEqual(values);
  });

  it('picks nothing with a key past the last value', () => {
    expect(valueForKey(tone, 3)).toBe('rude');
    expect(valueForKey(tone, 4)).toBeUndefined();
    expect(valueForKey(correct, 1)).toBe(true);
  });

  it('says which key picks what', () => {
    expect(keyHelp(correct)).toBe('1 yes · 2 no');
    expect(keyHelp(tone)).toBe('1 polite · 2 curt · 3 rude');
  });
});

describe('the scores sent', () => {
  it('sends labels as labels and the rest as values, in rubric order, leaving out entries not picked', () => {
    expect(scoresOf([correct, tone, stars], { tone: 'curt', correct: false })).toEqual([
      { name: 'correct', value: false },
      { name: 'tone', label: 'curt' },
    ]);
  });

  it('reads a corrected output as JSON when it is JSON, else as text', () => {
    expect(correctedOutputOf('  ')).toBeUndefined();
    expect(correctedOutputOf('{"answer": 42}')).toEqual({ answer: 42 });
    expect(correctedOutputOf('thirty days')).toBe('thirty days');
  });
});
