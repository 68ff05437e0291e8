import { describe, expect, it } from 'vitest';
import { answerFrom, answerFromAnthropic, answerFromOpenAi, answerSchema, type JudgeOutput } from './judge-answer.js';
import { BUILTIN_JUDGE_SPECS, BUILTIN_JUDGES } from './judge-builtins.js';
import { renderTemplate, templateProblem, templateValuesOf, templateVariables } from './judge-template.js';
import { llmJudgeProblem } from './judge.js';

const NUMBER: JudgeOutput = { type: 'number', min: 0, max: 1 };
const LABELS: JudgeOutput = { type: 'label', labels: ['pass', 'fail'] };
const OWN = { provider: 'openai', model: 'gpt-4o-mini', prompt: 'Is {{output}} an answer to {{input}}?', output: NUMBER };

describe('llmJudgeProblem', () => {
  it.each<[string, Record<string, unknown>, readonly string[], string | null]>([
    ['a spec of its own', OWN, ['openai'], null],
    ['a built-in', { provider: 'anthropic', model: 'claude-haiku-4-5', builtin: 'faithfulness' }, ['openai', 'anthropic'], null],
    ['a label output', { ...OWN, output: LABELS }, ['openai'], null],
    ['spaces inside the braces', { ...OWN, prompt: 'Judge {{ output }}' }, ['openai'], null],
    [
      'an unknown variable',
      { ...OWN, prompt: 'Is {{output}} an answer to {{inptu}}?' },
      ['openai'],
      'prompt: unknown variable {{inptu}} (known: {{input}}, {{output}}, {{context}}, {{expected}})',
    ],
    [
      'no variable at all',
      { ...OWN, prompt: 'Is it good?' },
      ['openai'],
      'prompt: names none of {{input}}, {{output}}, {{context}}, {{expected}}, so it would judge every target alike',
    ],
    ['an empty prompt', { ...OWN, prompt: ' ' }, ['openai'], 'prompt: must be a non-empty template'],
    [
      'neither prompt nor builtin',
      { provider: 'openai', model: 'm', output: NUMBER },
      ['openai'],
      'prompt: an llm-judge needs a prompt template, or a builtin (faithfulness, answer-relevance, toxicity, pii-leak)',
    ],
    [
      'no output',
      { ...OWN, output: undefined },
      ['openai'],
      'output: an llm-judge needs an output, { "type": "number", "min": 0, "max": 1 } or { "type": "label", "labels": [...] }',
    ],
    ['an output of another type', { ...OWN, output: { type: 'stars' } }, ['openai'], "output.type: must be 'number' or 'label', not \"stars\""],
    [
      'an output that is text',
      { ...OWN, output: 'number' },
      ['openai'],
      'output: must be { "type": "number", "min": 0, "max": 1 } or { "type": "label", "labels": ["pass", "fail"] }',
    ],
    ['a number output without max', { ...OWN, output: { type: 'number', min: 0 } }, ['openai'], 'output.max: a number output needs a finite max'],
    ['a range upside down', { ...OWN, output: { type: 'number', min: 5, max: 1 } }, ['openai'], 'output.max: must be greater than min (5)'],
    [
      'a number output with labels',
      { ...OWN, output: { type: 'number', min: 0, max: 1, labels: ['a'] } },
      ['openai'],
      'output.labels: not a field of a number output (type, min, max)',
    ],
    ['one label', { ...OWN, output: { type: 'label', labels: ['pass'] } }, ['openai'], 'output.labels: a label output needs at least two labels'],
    ['a label twice', { ...OWN, output: { type: 'label', labels: ['pass', 'fail', 'pass'] } }, ['openai'], "output.labels: 'pass' is given twice"],
    ['an empty label', { ...OWN, output: { type: 'label', labels: ['pass', ''] } }, ['openai'], 'output.labels[1]: must be a non-empty string'],
    [
      'no provider configured',
      OWN,
      [],
      'provider: this Spoor has no provider to judge with: start it with --provider openai=env:OPENAI_API_KEY (and ,base=URL for a gateway)',
    ],
    [
      'another provider configured',
      OWN,
      ['anthropic'],
      'provider: this Spoor has no openai provider (it has anthropic): add --provider openai=env:VARIABLE, or name one of those',
    ],
    ['no provider named', { ...OWN, provider: undefined }, ['openai'], 'provider: an llm-judge needs a provider (configured: openai)'],
    ['no model', { ...OWN, model: '' }, ['openai'], 'model: an llm-judge needs a model, e.g. "gpt-4o-mini"'],
    ['a temperature out of range', { ...OWN, temperature: 3 }, ['openai'], 'temperature: must be a number from 0 to 2'],
    [
      'an unknown built-in',
      { provider: 'openai', model: 'm', builtin: 'honesty' },
      ['openai'],
      'builtin: "honesty" is not a built-in judge (faithfulness, answer-relevance, toxicity, pii-leak)',
    ],
    [
      'a built-in with a prompt',
      { ...OWN, builtin: 'toxicity', output: undefined },
      ['openai'],
      'prompt: the built-in judge toxicity brings its own prompt; leave out prompt, or builtin to write your own',
    ],
  ])('%s', (_, spec, providers, problem) => {
    expect(llmJudgeProblem(spec, providers)).toBe(problem);
  });

  it('accepts every built-in, whose prompts pass the template check', () => {
    for (const builtin of BUILTIN_JUDGES) {
      expect(llmJudgeProblem({ provider: 'openai', model: 'm', builtin }, ['openai'])).toBeNull();
      expect(templateProblem(BUILTIN_JUDGE_SPECS[builtin].prompt)).toBeNull();
    }
    expect(templateVariables(BUILTIN_JUDGE_SPECS.faithfulness.prompt)).toEqual(['context', 'output']);
    expect(templateVariables(BUILTIN_JUDGE_SPECS['answer-relevance'].prompt)).toEqual(['input', 'output']);
  });
});

describe('renderTemplate', () => {
  const values = templateValuesOf({ input: 'What is 2+2?', output: 'It is {{input}}: 4', context: ['Arithmetic.', 'Two and two make four.'], expected: null });

  it('fills each variable, the retrieved documents numbered, and leaves a value that looks like a variable alone', () => {
    expect(renderTemplate('Q: {{input}}\nA: {{ output }}\nDocs:\n{{context}}', values)).toBe(
      'Q: What is 2+2?\nA: It is {{input}}: 4\nDocs:\n[1] Arithmetic.\n\n[2] Two and two make four.',
    );
  });

  it('refuses a variable the target has no value for, saying why', () => {
    expect(() => renderTemplate('Compare {{output}} with {{expected}}', values)).toThrow(
      'the target has no expected for {{expected}} (an expected output exists only when an experiment runs the evaluator)',
    );
    const noContext = templateValuesOf({ input: 'q', output: 'a', context: [], expected: null });
    expect(() => renderTemplate('{{context}}', noContext)).toThrow(
      'the target has no context for {{context}} (no retriever span of the trace returned documents)',
    );
  });
});

describe('reading the answer', () => {
  it.each<[string, unknown, JudgeOutput, { value: number | null; label: string | null; comment: string | null } | string]>([
    ['a score in range', { explanation: ' Fine. ', score: 0.75 }, NUMBER, { value: 0.75, label: null, comment: 'Fine.' }],
    ['the range bounds', { explanation: 'x', score: 1 }, NUMBER, { value: 1, label: null, comment: 'x' }],
    ['a score without explanation', { score: 0 }, NUMBER, { value: 0, label: null, comment: null }],
    ['a declared label', { explanation: 'ok', label: 'fail' }, LABELS, { value: null, label: 'fail', comment: 'ok' }],
    ['a score out of range', { explanation: 'x', score: 7 }, NUMBER, "the judge's score 7 is outside the declared range 0..1"],
    ['a score as text', { explanation: 'x', score: '0.5' }, NUMBER, 'the judge\'s answer has no numeric score: {"explanation":"x","score":"0.5"}'],
    ['a label not declared', { explanation: 'x', label: 'maybe' }, LABELS, "the judge's label 'maybe' is not one of the declared labels (pass, fail)"],
    ['no label', { explanation: 'x' }, LABELS, 'the judge\'s answer has no label: {"explanation":"x"}'],
    ['an array', [1], NUMBER, "the judge's answer is not an object: [1]"],
  ])('%s', (_, answer, output, expected) => {
    if (typeof expected === 'string') expect(() => answerFrom(answer, output)).toThrow(expected);
    else expect(answerFrom(answer, output)).toEqual(expected);
  });

  it('reads a chat completion, and says when its content is not JSON, was cut off or was refused', () => {
    const completion = (content: string | null, extra: Record<string, unknown> = {}) => ({
      choices: [{ message: { content, ...extra }, finish_reason: 'stop' }],
    });
    expect(answerFromOpenAi(completion('{"explanation":"e","score":0.5}'), NUMBER)).toEqual({ value: 0.5, label: null, comment: 'e' });
    expect(() => answerFromOpenAi(completion('Looks good!'), NUMBER)).toThrow("the judge's answer is not JSON: Looks good!");
    expect(() => answerFromOpenAi({ choices: [{ message: { content: '{"expl' }, finish_reason: 'length' }] }, NUMBER)).toThrow(
      'the judge\'s answer is not JSON (it was cut off at the token limit): {"expl',
    );
    expect(() => answerFromOpenAi(completion(null, { refusal: 'I cannot help with that.' }), NUMBER)).toThrow(
      'the judge refused to answer: I cannot help with that.',
    );
  });

  it("reads an Anthropic message's forced tool call, and says when there is none", () => {
    const message = { content: [{ type: 'tool_use', name: 'record_judgement', input: { explanation: 'e', label: 'pass' } }], stop_reason: 'tool_use' };
    expect(answerFromAnthropic(message, LABELS)).toEqual({ value: null, label: 'pass', comment: 'e' });
    expect(() => answerFromAnthropic({ content: [{ type: 'text', text: 'pass' }], stop_reason: 'end_turn' }, LABELS)).toThrow(
      'the judge did not call record_judgement; it said: pass',
    );
  });

  it('asks for the explanation before the verdict, and the verdict as declared', () => {
    expect(answerSchema(NUMBER)).toEqual({
      type: 'object',
      properties: {
        explanation: { type: 'string', description: 'why, in a few sentences' },
        score: { type: 'number', minimum: 0, maximum: 1, description: 'the score, from 0 to 1' },
      },
      required: ['explanation', 'score'],
      additionalProperties: false,
    });
    expect(Object.keys((answerSchema(LABELS) as { properties: object }).properties)).toEqual(['explanation', 'label']);
  });
});
