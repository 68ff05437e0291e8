import type { Experiment } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { type RunForm, experimentNameText, newExperimentOf, previousRun, progressText, runFormProblem } from './run-form';

describe("an experiment's name, checked before it is sent", () => {
  it.each([
    ['gpt-4o-mini shorter prompt', null],
    ['v2: temp 0.2 / main', null],
    ['gpt-4o-mini, shorter prompt', 'the name may not hold “,”'],
    ['a, b; c,', 'the name may not hold “,” “;”'],
    ['tab\there', 'the name may not hold "\\t"'],
    ['', 'name the experiment'],
    ['  ', 'name the experiment'],
    ['-first', 'the name must start with a letter or digit'],
    ['x'.repeat(201), 'the name is 201 characters long: at most 200'],
  ])('%j: %s', (name, want) => {
    expect(experimentNameText(name)).toBe(want);
  });
});

const form: RunForm = { name: 'shorter prompt', provider: 'openai', model: 'gpt-4o-mini', system: '', temperature: '', evaluators: ['exact'] };

describe('the Run experiment form', () => {
  it.each([
    [form, ['openai'], null],
    [form, [], 'this Spoor has no provider to run calls on: start it with --provider openai=env:OPENAI_API_KEY'],
    [{ ...form, provider: '' }, ['openai'], 'pick a provider'],
    [{ ...form, model: ' ' }, ['openai'], 'name the model each call asks for'],
    [{ ...form, temperature: '2.5' }, ['openai'], 'temperature: a number from 0 to 2, or empty for the recorded one'],
    [{ ...form, temperature: 'warm' }, ['openai'], 'temperature: a number from 0 to 2, or empty for the recorded one'],
    [{ ...form, temperature: '0' }, ['openai'], null],
    [{ ...form, name: 'a,b' }, [], 'the name may not hold “,”'],
  ])('%j with providers %j: %s', (f, providers, want) => {
    expect(runFormProblem(f, providers)).toBe(want);
  });

  it('sends the changes given and leaves the rest as recorded', () => {
    expect(newExperimentOf(form, 'qa')).toEqual({
      dataset: 'qa',
      name: 'shorter prompt',
      target: { kind: 'llm-call', provider: 'openai', model: 'gpt-4o-mini' },
      evaluators: ['exact'],
    });
    expect(newExperimentOf({ ...form, system: 'Be brief.', temperature: '0.2', evaluators: [] }, 'qa').target).toEqual({
      kind: 'llm-call',
      provider: 'openai',
      model: 'gpt-4o-mini',
      system: 'Be brief.',
      temperature: 0.2,
    });
  });
});

const run = (id: string, createdAt: string, over: Partial<Experiment> = {}) => ({ id, createdAt, ...over }) as Experiment;

describe('a run as it goes, and the one it is compared with', () => {
  it('compares a run with the newest run made before it', () => {
    const runs = [run('a', '2026-11-27T10:00:00Z'), run('b', '2026-11-27T11:00:00Z'), run('c', '2026-11-27T12:00:00Z')];
    expect(previousRun(runs, runs[2]!)?.id).toBe('b');
    expect(previousRun(runs, runs[1]!)?.id).toBe('a');
    expect(previousRun(runs, runs[0]!)).toBeNull();
    expect(previousRun([], runs[0]!)).toBeNull();
  });

  it.each([
    [{ state: 'running', itemsDone: 2, itemCount: 5, itemsErrored: 0, error: null }, 'running: 2 of 5 items'],
    [{ state: 'running', itemsDone: 1, itemCount: 1, itemsErrored: 1, error: null }, 'running: 1 of 1 item, 1 errored'],
    [{ state: 'done', itemsDone: 5, itemCount: 5, itemsErrored: 0, error: null }, 'done: 5 items'],
    [{ state: 'failed', itemsDone: 1, itemCount: 3, itemsErrored: 0, error: 'provider unreachable' }, 'failed after 1 of 3 items: provider unreachable'],
  ] as const)('%j: %s', (r, want) => {
    expect(progressText(r)).toBe(want);
  });
});
