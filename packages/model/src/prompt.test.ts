import { describe, expect, it } from 'vitest';
import { PromptVariableError, chooseVersion, compilePrompt, placeOf, promptVariables, sharesOf, splitProblem, weightsProblem } from './prompt.js';

describe('promptVariables', () => {
  it.each([
    ['Hello {{name}}', ['name']],
    ['{{ a }} and {{b}} and {{a}}', ['a', 'b']],
    ['{{user.first-name}}', ['user.first-name']],
    ['no variables, {single} braces, {{two words}}', []],
  ])('reads %j as %j', (text, names) => {
    expect(promptVariables(text)).toEqual(names);
  });

  it('reads the variables of every chat message', () => {
    expect(
      promptVariables([
        { role: 'system', content: 'You answer in {{language}}.' },
        { role: 'user', content: '{{question}} ({{language}})' },
      ]),
    ).toEqual(['language', 'question']);
  });
});

describe('compilePrompt', () => {
  it('fills a text prompt, a value with $ signs inserted as it is', () => {
    expect(compilePrompt('Hi {{ name }}, {{n}} new', { name: '$& $1', n: 3 })).toBe('Hi $& $1, 3 new');
  });

  it('fills chat messages and keeps their roles', () => {
    const compiled = compilePrompt([{ role: 'user', content: 'Translate {{text}}' }], { text: 'bonjour' });
    expect(compiled).toEqual([{ role: 'user', content: 'Translate bonjour' }]);
  });

  it('names a variable the prompt does not have, and one it has that was not given', () => {
    let error: unknown;
    try {
      compilePrompt('Hello {{name}} from {{city}}', { name: 'a', nmae: 'b' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PromptVariableError);
    expect((error as PromptVariableError).unknown).toEqual(['nmae']);
    expect((error as PromptVariableError).missing).toEqual(['city']);
    expect((error as Error).message).toBe("the prompt has no variable 'nmae'; no value given for 'city'");
  });
});

describe('splitProblem', () => {
  it.each([
    [
      [
        { version: 3, share: 0.9 },
        { version: 4, share: 0.1 },
      ],
      null,
    ],
    [[{ version: 3, share: 1 }], null],
    [[], 'a split names at least one version'],
    [
      [
        { version: 3, share: 0.5 },
        { version: 3, share: 0.5 },
      ],
      'a split names each version once',
    ],
    [
      [
        { version: 3, share: 0 },
        { version: 4, share: 1 },
      ],
      'each share is above 0 and at most 1',
    ],
    [
      [
        { version: 3, share: 0.5 },
        { version: 4, share: 0.4 },
      ],
      'the shares sum to 0.9, not 1',
    ],
  ])('judges %j: %s', (split, problem) => {
    expect(splitProblem(split)).toBe(problem);
  });
});

describe('chooseVersion', () => {
  const split = [
    { version: 3, share: 0.9 },
    { version: 4, share: 0.1 },
  ];

  it('gives one key the same version every time', () => {
    for (let i = 0; i < 100; i++) {
      const key = `user-${i}`;
      expect(chooseVersion(split, key)).toBe(chooseVersion(split, key));
    }
  });

  it('gives 10,000 users each version at its share, within four binomial standard deviations', () => {
    const n = 10_000;
    let v4 = 0;
    for (let i = 0; i < n; i++) if (chooseVersion(split, `user-${i}`) === 4) v4++;
    const sd = Math.sqrt(n * 0.1 * 0.9);
    expect(Math.abs(v4 - n * 0.1)).toBeLessThan(4 * sd);
  });

  it('places keys in [0, 1)', () => {
    for (const key of ['', 'a', 'b', 'user-1', 'x'.repeat(1000)]) {
      expect(placeOf(key)).toBeGreaterThanOrEqual(0);
      expect(placeOf(key)).toBeLessThan(1);
    }
  });
});

describe('weightsProblem', () => {
  it.each([
    [
      [
        { version: 3, weight: 90 },
        { version: 4, weight: 10 },
      ],
      null,
    ],
    [[{ version: 1, weight: 100 }], null],
    [
      [
        { version: 3, weight: 90 },
        { version: 4, weight: 5 },
      ],
      'the weights sum to 95, not 100',
    ],
    [
      [
        { version: 3, weight: 50 },
        { version: 3, weight: 50 },
      ],
      'a split names each version once',
    ],
    [
      [
        { version: 3, weight: 110 },
        { version: 4, weight: -10 },
      ],
      'each share is above 0 and at most 1',
    ],
    [[{ version: 0, weight: 100 }], 'each version is a whole number from 1'],
    [[], 'a split names at least one version'],
  ])('judges %j: %s', (split, problem) => {
    expect(weightsProblem(split)).toBe(problem);
  });

  it('gives chooseVersion the weights as shares', () => {
    expect(
      sharesOf([
        { version: 3, weight: 90 },
        { version: 4, weight: 10 },
      ]),
    ).toEqual([
      { version: 3, share: 0.9 },
      { version: 4, share: 0.1 },
    ]);
  });
});
