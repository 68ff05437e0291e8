import { describe, expect, it } from 'vitest';
import { DETERMINISTIC_KINDS } from './deterministic.js';
import { type EvaluationTarget, NothingToJudge } from './kind.js';

const target = (overrides: Partial<EvaluationTarget> = {}): EvaluationTarget => ({
  projectId: 'default',
  traceId: 'a'.repeat(32),
  spanId: null,
  input: 'What is the capital of France?',
  output: 'Paris, please.',
  context: [],
  expected: null,
  durationMs: 1200,
  costUsd: 0.002,
  toolNames: ['search'],
  ...overrides,
});

const kind = (name: string) => DETERMINISTIC_KINDS.find((k) => k.kind === name)!;
const signal = new AbortController().signal;

describe('deterministic evaluator kinds', () => {
  const judgements: Array<[string, Record<string, unknown>, Partial<EvaluationTarget>, number]> = [
    ['regex', { pattern: '^Paris' }, {}, 1],
    ['regex', { pattern: '^paris' }, {}, 0],
    ['regex', { pattern: 'capital', on: 'input' }, {}, 1],
    ['regex', { pattern: 'capital' }, {}, 0],
    ['contains', { text: 'PLEASE' }, {}, 1],
    ['contains', { text: 'PLEASE', caseSensitive: true }, {}, 0],
    ['contains', { text: 'France', on: 'input' }, {}, 1],
    ['equals', { expected: 'Paris, please.' }, { output: '  Paris, please.\n' }, 1],
    ['equals', { expected: 'Paris' }, {}, 0],
    ['equals', {}, { expected: 'Paris, please.' }, 1],
    ['json-schema', { schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }, { output: '{"city":"Paris"}' }, 1],
    ['json-schema', { schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }, { output: '{"town":"Paris"}' }, 0],
    ['json-schema', { schema: { type: 'object' } }, { output: 'Paris' }, 0],
    ['json-schema', { schema: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 2 } }, { output: '["a","b"]' }, 1],
    ['json-schema', { schema: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 2 } }, { output: '["a","c"]' }, 0],
    ['length', { min: 5, max: 14 }, {}, 1],
    ['length', { max: 5 }, {}, 0],
    // Code points, not UTF-16 units: four emoji are four characters.
    ['length', { max: 4 }, { output: '😀😀😀😀' }, 1],
    ['latency', { maxMs: 1200 }, {}, 1],
    ['latency', { maxMs: 1000 }, {}, 0],
    ['cost', { maxUsd: 0.01 }, {}, 1],
    ['cost', { maxUsd: 0.001 }, {}, 0],
    ['tool-called', { tool: 'search' }, {}, 1],
    ['tool-called', { tool: 'calculator' }, {}, 0],
  ];
  it.each(judgements)('%s %j on %j judges %d', async (name, spec, overrides, value) => {
    const judgement = await kind(name).judge(spec, target(overrides), { signal });
    expect(judgement).toMatchObject({ value, label: value === 1 ? 'pass' : 'fail', costUsd: 0 });
    expect(judgement.comment).toEqual(expect.any(String));
  });

  const nothing: Array<[string, Record<string, unknown>, Partial<EvaluationTarget>, RegExp]> = [
    ['equals', {}, {}, /no expected output/],
    ['cost', { maxUsd: 1 }, { costUsd: null }, /no known cost/],
    ['contains', { text: 'x' }, { output: null }, /no output/],
  ];
  it.each(nothing)('%s %j on %j finds nothing to judge', async (name, spec, overrides, message) => {
    const error = await kind(name)
      .judge(spec, target(overrides), { signal })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(NothingToJudge);
    expect((error as Error).message).toMatch(message);
  });

  const problems: Array<[string, Record<string, unknown>, string | null]> = [
    ['regex', { pattern: 'a+' }, null],
    ['regex', {}, 'pattern: must be a non-empty string'],
    ['regex', { pattern: '(a' }, 'pattern: missing closing ): `(a`'],
    ['regex', { pattern: '(?=a)' }, 'pattern: lookarounds and back-references are not supported (patterns are matched with RE2)'],
    ['regex', { pattern: 'a', on: 'both' }, "on: must be 'input' or 'output'"],
    ['contains', { text: '' }, 'text: must be a non-empty string'],
    ['contains', { text: 'a', caseSensitive: 'yes' }, 'caseSensitive: must be true or false'],
    ['equals', { expected: 3 }, 'expected: must be a string'],
    ['json-schema', {}, 'schema: a JSON schema is needed'],
    ['json-schema', { schema: { type: 'text' } }, 'schema.type: must be one of object, array, string, number, integer, boolean, null'],
    ['json-schema', { schema: { type: 'string', pattern: '^a' } }, expect.stringMatching(/^schema\.pattern: not supported/) as unknown as string],
    ['length', {}, 'min: give min, max or both (characters)'],
    ['length', { min: 5, max: 2 }, 'min: must not be more than max'],
    ['length', { min: -1 }, 'min: must be a number, 0 or more'],
    ['latency', {}, 'maxMs: must be a number, 0 or more'],
    ['cost', { maxUsd: 'cheap' }, 'maxUsd: must be a number, 0 or more'],
    ['tool-called', {}, 'tool: must be a non-empty string'],
  ];
  it.each(problems)('%s %j has the problem %j', (name, spec, problem) => {
    expect(kind(name).problem(spec)).toEqual(problem);
  });
});
