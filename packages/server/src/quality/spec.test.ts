import { describe, expect, it } from 'vitest';
import { DEFAULT_JUDGE_BUDGET_USD, createLlmJudgeKind } from './judge.js';
import { anyKind, kindsOf, parseFilter, resolveSpec } from './spec.js';

const kinds = kindsOf();
const base = { name: 'polite', kind: 'contains', target: 'llm', text: 'please' };

describe('evaluator specs', () => {
  it('resolves a spec: its kind, filter as the trace list reads it, rate and budget', () => {
    const resolved = resolveSpec(
      {
        ...base,
        filter: 'service=api&model=gpt-4o&attr=env=prod&attr=tier=1&minDurationMs=5&score=thumbs=down&score=faithfulness<0.7',
        sampleRate: 0.25,
        dailyBudgetUsd: 2,
      },
      kinds,
    );
    expect(resolved.kind.kind).toBe('contains');
    expect(resolved.filter).toEqual({
      service: 'api',
      spanName: null,
      text: null,
      status: null,
      minDurationMs: 5,
      maxDurationMs: null,
      attributes: [
        { key: 'env', value: 'prod' },
        { key: 'tier', value: '1' },
      ],
      sessionId: null,
      model: 'gpt-4o',
      scores: [
        { name: 'thumbs', op: '=', label: 'down' },
        { name: 'faithfulness', op: '<', value: 0.7 },
      ],
    });
    expect([resolved.sampleRate, resolved.dailyBudgetUsd]).toEqual([0.25, 2]);
    expect(resolveSpec(base, kinds)).toMatchObject({ sampleRate: 1, dailyBudgetUsd: null, filter: parseFilter('') });
  });

  it('gives an LLM judge a daily budget when its spec names none; a deterministic kind has none', () => {
    const judge = createLlmJudgeKind({
      providers: [{ name: 'openai', apiKey: 'sk-unused', baseUrl: null, timeoutMs: 1000 }],
      ingest: async () => undefined,
      priceBookFor: () => {
        throw new Error('nothing is judged here');
      },
    });
    const withJudge = kindsOf([anyKind(judge)]);
    const spec = { name: 'j', kind: 'llm-judge', target: 'llm', builtin: 'toxicity', provider: 'openai', model: 'gpt-4o-mini' };
    expect(resolveSpec(spec, withJudge).dailyBudgetUsd).toBe(DEFAULT_JUDGE_BUDGET_USD);
    expect(resolveSpec({ ...spec, dailyBudgetUsd: 50 }, withJudge).dailyBudgetUsd).toBe(50);
    expect(resolveSpec(base, withJudge).dailyBudgetUsd).toBeNull();
  });

  const refused: Array<[string, Record<string, unknown>, string]> = [
    ['an unknown kind', { ...base, kind: 'vibes' }, "kind: 'vibes' is not a kind"],
    ['a rate above 1', { ...base, sampleRate: 1.5 }, 'sampleRate: must be a number from 0 to 1'],
    ['a negative rate', { ...base, sampleRate: -0.1 }, 'sampleRate: must be a number from 0 to 1'],
    ['an unknown target', { ...base, target: 'session' }, 'target: must be one of llm, span, trace'],
    ['a bad name', { ...base, name: 'a b' }, 'name: 1 to 100 letters'],
    ['an unknown filter', { ...base, filter: 'colour=red' }, "filter: 'colour' is not a filter"],
    ['a score filter without an operator', { ...base, filter: 'score=thumbs' }, "filter: 'score"],
    ['a bad filter value', { ...base, filter: 'status=maybe' }, "filter: 'status'"],
    ['crossed durations', { ...base, filter: 'minDurationMs=5&maxDurationMs=1' }, "filter: 'minDurationMs' must not be more than 'maxDurationMs'"],
    ['a bad regex', { name: 'x', kind: 'regex', target: 'llm', pattern: '(a' }, 'pattern: missing closing )'],
    [
      'a regex whose cost a character is extreme',
      { name: 'x', kind: 'regex', target: 'llm', pattern: '(.*a){20}' },
      'pattern: /(.*a){20}/ costs more than 64 steps a character (--regex-max-cost)',
    ],
    ['a kind field problem', { ...base, text: '' }, 'text: must be a non-empty string'],
    ['a negative budget', { ...base, dailyBudgetUsd: -1 }, 'dailyBudgetUsd: must be a number of USD'],
    ['a field no kind has', { ...base, foo: 1 }, "foo: 'foo' is not a field of a contains evaluator (its fields: text, caseSensitive, on;"],
    ["a judge's field on a deterministic kind", { ...base, provider: 'openai' }, "provider: 'provider' is not a field of a contains evaluator"],
    [
      'a webhook',
      { name: 'slow', kind: 'latency', target: 'trace', maxMs: 1, webhook: 'https://example.com/hook' },
      "webhook: 'webhook' is not a field of a latency evaluator (its fields: maxMs;",
    ],
  ];
  it('takes the fields of every kind it knows, and reads a stored spec with an unknown field as it was made', () => {
    for (const [spec, fields] of [
      [{ kind: 'regex', pattern: 'a', on: 'input' }, 'pattern, on'],
      [{ kind: 'contains', text: 'a', caseSensitive: true, on: 'output' }, 'text, caseSensitive, on'],
      [{ kind: 'equals', expected: 'a' }, 'expected'],
      [{ kind: 'json-schema', schema: { type: 'object' } }, 'schema'],
      [{ kind: 'length', min: 1, max: 2, on: 'output' }, 'min, max, on'],
      [{ kind: 'cost', maxUsd: 1 }, 'maxUsd'],
      [{ kind: 'tool-called', tool: 'search' }, 'tool'],
    ] as const) {
      expect(
        resolveSpec({ name: 'x', target: 'trace', sampleRate: 1, dailyBudgetUsd: 1, filter: '', ...spec }, kinds, {
          unknownFields: 'refuse',
        }).kind.fields?.join(', '),
      ).toBe(fields);
    }
    // Specs stored before unknown fields were refused keep running: the runner reads them leniently.
    expect(resolveSpec({ ...base, foo: 1 }, kinds).kind.kind).toBe('contains');
    expect(() => resolveSpec({ ...base, foo: 1 }, kinds, { unknownFields: 'refuse' })).toThrow("foo: 'foo' is not a field");
  });

  it.each(refused)('refuses %s with a 400 naming the field', (_what, spec, message) => {
    let error: unknown = null;
    try {
      resolveSpec(spec, kinds, { unknownFields: 'refuse' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ERR_BAD_REQUEST', status: 400 });
    expect((error as Error).message).toContain(message);
  });
});
