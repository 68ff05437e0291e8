import { describe, expect, it } from 'vitest';
import { EMPTY_EVALUATOR_FORM, type EvaluatorForm, formFromSpec, problemField, specFromForm } from './evaluator-form';

const form = (change: Partial<EvaluatorForm>): EvaluatorForm => ({ ...EMPTY_EVALUATOR_FORM, name: 'no-apology', ...change });

describe('specFromForm', () => {
  it('makes a regex spec from its inputs, leaving blank optional fields to the server', () => {
    expect(specFromForm(form({ fields: { pattern: '\\bsorry\\b', on: 'output' } }))).toEqual({
      ok: true,
      spec: { name: 'no-apology', kind: 'regex', target: 'llm', sampleRate: 1, pattern: '\\bsorry\\b', on: 'output' },
    });
  });

  it('reads numbers, booleans, JSON fields and the other fields as JSON', () => {
    const result = specFromForm(
      form({
        kind: 'contains',
        target: 'trace',
        filter: ' service=api ',
        sampleRate: '0.25',
        dailyBudgetUsd: '2',
        fields: { text: ' refund ', caseSensitive: 'true' },
        extra: '{"note": "x"}',
      }),
    );
    expect(result).toEqual({
      ok: true,
      spec: {
        name: 'no-apology',
        kind: 'contains',
        target: 'trace',
        filter: 'service=api',
        sampleRate: 0.25,
        dailyBudgetUsd: 2,
        text: 'refund',
        caseSensitive: true,
        note: 'x',
      },
    });
    expect(specFromForm(form({ kind: 'json-schema', fields: { schema: '{"type": "object"}' } }))).toMatchObject({
      ok: true,
      spec: { schema: { type: 'object' } },
    });
    expect(specFromForm(form({ kind: 'length', sampleRate: '', fields: { min: '1', max: '' } }))).toEqual({
      ok: true,
      spec: { name: 'no-apology', kind: 'length', target: 'llm', min: 1 },
    });
  });

  it.each([
    [form({ sampleRate: 'half' }), 'sampleRate', 'must be a number'],
    [form({ kind: 'latency', fields: { maxMs: '2s' } }), 'maxMs', 'must be a number'],
    [form({ kind: 'json-schema', fields: { schema: '{type: object}' } }), 'schema', 'not valid JSON'],
    [form({ extra: '{' }), 'extra', 'not valid JSON'],
    [form({ extra: '[1]' }), 'extra', 'must be a JSON object'],
    [form({ extra: '{"sampleRate": 1}' }), 'extra', "set 'sampleRate' in its own field"],
    [form({ extra: '{"pattern": "x"}' }), 'extra', "set 'pattern' in its own field"],
  ])('names the field the form itself can tell is wrong (%#)', (input, field, error) => {
    const result = specFromForm(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.field).toBe(field);
      expect(result.error).toContain(error);
    }
  });
});

describe('formFromSpec', () => {
  it('puts a saved spec back in the form, and what has no input in the JSON, so saving it again loses nothing', () => {
    const spec = {
      name: 'judge',
      kind: 'llm-judge',
      target: 'llm',
      sampleRate: 0.1,
      provider: 'openai',
      model: 'gpt-4o-mini',
      output: { type: 'number', min: 0, max: 1 },
      prompt: 'Rate {{output}}',
      seed: 7,
    };
    const filled = formFromSpec(spec);
    expect(filled.fields).toEqual({ provider: 'openai', model: 'gpt-4o-mini', output: JSON.stringify(spec.output, null, 2), prompt: 'Rate {{output}}' });
    expect(JSON.parse(filled.extra)).toEqual({ seed: 7 });
    expect(specFromForm(filled)).toEqual({ ok: true, spec });
  });

  it('keeps a boolean and the defaults of an unset spec', () => {
    const filled = formFromSpec({ name: 'c', kind: 'contains', target: 'span', text: 'x', caseSensitive: true });
    expect(filled).toMatchObject({ sampleRate: '1', dailyBudgetUsd: '', filter: '', fields: { text: 'x', caseSensitive: 'true' }, extra: '' });
  });
});

describe('problemField', () => {
  it.each([
    ['invalid evaluator: sampleRate: must be a number from 0 to 1', 'regex', 'sampleRate'],
    ["invalid evaluator: kind: 'nope' is not a kind; expected one of regex, contains", 'regex', 'kind'],
    ["invalid evaluator: filter: 'colour' is not a filter (service, model)", 'regex', 'filter'],
    ['invalid evaluator: pattern: must be a non-empty string', 'regex', 'pattern'],
    ['invalid evaluator: model: an llm-judge needs a model, e.g. "gpt-4o-mini"', 'llm-judge', 'model'],
    ['\'sampleRate\' must be a number, not "x"', 'regex', 'sampleRate'],
    ["'spec.target' must be text, not 3", 'regex', 'target'],
    ["'name' is required: unique in the project", 'regex', 'name'],
    ['invalid evaluator: output.labels: must be a non-empty list', 'llm-judge', 'output'],
    ['invalid evaluator: pattern: must be a non-empty string', 'latency', null],
    ['evaluators do not run on this server', 'regex', null],
  ])('finds the field of %j', (message, kind, field) => expect(problemField(message, kind)).toBe(field));
});
