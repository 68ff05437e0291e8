import type { SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { timeGrowth } from '../../../model/test/support/growth.js';
import { emptyLlm, sid, span } from '../../test/support/record-fixtures.js';
import type { StoredSpan } from '../store/stored-trace.js';
import { diffTraces } from './trace-diff.js';

const stored = (s: SpanRecord): StoredSpan => {
  const { attributes, resource, scope, events, links, ...fields } = s;
  return {
    ...fields,
    attributesJson: JSON.stringify(attributes),
    resourceJson: JSON.stringify(resource),
    scopeJson: JSON.stringify(scope),
    eventsJson: JSON.stringify(events),
    linksJson: JSON.stringify(links),
  };
};

/** An agent run: a root, a plan LLM call, a tool, an answer LLM call. */
function run(options: { prompt2?: string; model?: string; tokens?: number; tool?: string; extraStep?: boolean; failTool?: boolean } = {}): StoredSpan[] {
  const llm = (n: number, prompt: string, model: string, tokens: number, t: number): SpanRecord =>
    span({
      spanId: sid(n),
      parentSpanId: sid(1),
      name: `chat ${model}`,
      category: 'llm',
      startTimeUs: t,
      endTimeUs: t + 100,
      attributes: {
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: prompt }] }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `answer to ${prompt}` }] }]),
      },
      llm: { ...emptyLlm(), requestModel: model, responseModel: model, inputTokens: tokens, outputTokens: 10, costUsd: tokens / 1000 },
    });
  const spans = [
    span({ spanId: sid(1), name: 'agent', startTimeUs: 0, endTimeUs: 1000 }),
    llm(2, 'plan the trip', 'gpt-4o', 50, 10),
    span({
      spanId: sid(3),
      parentSpanId: sid(1),
      name: options.tool ?? 'search',
      startTimeUs: 200,
      endTimeUs: 300,
      status: options.failTool === true ? { code: 'error', message: 'timeout' } : { code: 'unset', message: '' },
    }),
    llm(4, options.prompt2 ?? 'write the answer', options.model ?? 'gpt-4o', options.tokens ?? 80, 400),
  ];
  if (options.extraStep === true) spans.push(span({ spanId: sid(5), parentSpanId: sid(1), name: 'verify', startTimeUs: 600, endTimeUs: 700 }));
  return spans.map(stored);
}

describe('trace diff', () => {
  it('is empty for a trace and itself', () => {
    const diff = diffTraces('a', run(), 'a', run());
    expect([diff.added, diff.removed, diff.changed]).toEqual([[], [], []]);
    expect(diff.rows.map((r) => [r.path, r.kind])).toEqual([
      ['agent#0', 'same'],
      ['agent#0/llm#0', 'same'],
      ['agent#0/search#0', 'same'],
      ['agent#0/llm#1', 'same'],
    ]);
    expect(diff.deltas).toEqual({ durationMs: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, spanCount: 0, errorCount: 0 });
  });

  it('lines up an LLM call by its position, and shows the model, tokens, cost and prompt that changed', () => {
    const diff = diffTraces('a', run(), 'b', run({ prompt2: 'write a short answer', model: 'gpt-4o-mini', tokens: 60 }));
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.changed).toHaveLength(1);
    const [change] = diff.changed;
    expect(change).toMatchObject({
      path: 'agent#0/llm#1',
      name: { a: 'chat gpt-4o', b: 'chat gpt-4o-mini' },
      fields: { model: { a: 'gpt-4o', b: 'gpt-4o-mini' }, inputTokens: { a: 80, b: 60 }, costUsd: { a: 0.08, b: 0.06 } },
      deltas: { inputTokens: -20, outputTokens: 0, costUsd: -0.02, durationMs: 0 },
    });
    expect(change!.prompt).toEqual([
      { op: '-', text: 'user: write the answer' },
      { op: '+', text: 'user: write a short answer' },
    ]);
    expect(change!.completion).toEqual([
      { op: '-', text: 'assistant: answer to write the answer' },
      { op: '+', text: 'assistant: answer to write a short answer' },
    ]);
    expect(diff.deltas).toMatchObject({ inputTokens: -20, costUsd: -0.02 });
  });

  it('reports spans one run has and the other lacks, in tree order, and a status that changed', () => {
    const diff = diffTraces('a', run(), 'b', run({ tool: 'lookup', extraStep: true, failTool: false }));
    expect(diff.removed.map((s) => s.path)).toEqual(['agent#0/search#0']);
    expect(diff.added.map((s) => s.path)).toEqual(['agent#0/lookup#0', 'agent#0/verify#0']);
    expect(diff.rows.map((r) => [r.path, r.kind])).toEqual([
      ['agent#0', 'same'],
      ['agent#0/llm#0', 'same'],
      ['agent#0/search#0', 'removed'],
      ['agent#0/lookup#0', 'added'],
      ['agent#0/llm#1', 'same'],
      ['agent#0/verify#0', 'added'],
    ]);
    const failed = diffTraces('a', run(), 'b', run({ failTool: true }));
    expect(failed.changed.map((c) => [c.path, c.fields])).toEqual([
      ['agent#0/search#0', { status: { a: 'unset', b: 'error' }, statusMessage: { a: '', b: 'timeout' } }],
    ]);
    expect(failed.deltas.errorCount).toBe(1);
  });
});

describe('trace diff of runs named apart', () => {
  it("lines up two runs whose roots have different names (an experiment's runs), root to root and call to call", () => {
    const named = (name: string, model: string) => run({ model }).map((s) => (s.parentSpanId === null ? { ...s, name } : s));
    const diff = diffTraces('a', named('experiment shorter-prompt', 'gpt-4o'), 'b', named('experiment baseline', 'gpt-4o-mini'));
    expect([diff.added, diff.removed]).toEqual([[], []]);
    expect(diff.changed.map((c) => [c.path, c.name])).toEqual([
      ['experiment baseline#0', { a: 'experiment shorter-prompt', b: 'experiment baseline' }],
      ['experiment baseline#0/llm#1', { a: 'chat gpt-4o', b: 'chat gpt-4o-mini' }],
    ]);
    expect(diff.rows.map((r) => r.kind)).toEqual(['changed', 'same', 'same', 'changed']);
  });
});

describe('trace diff over awkward trees', () => {
  it('counts a span stored twice once, with its children once', () => {
    const spans = run();
    const again = [...spans, { ...spans[2]! }, stored(span({ spanId: sid(6), parentSpanId: sid(3), name: 'fetch', startTimeUs: 210, endTimeUs: 250 }))];
    const diff = diffTraces('a', [...spans, again[5]!], 'b', again);
    expect([diff.added, diff.removed, diff.changed]).toEqual([[], [], []]);
    expect(diff.rows.map((r) => r.path)).toEqual(['agent#0', 'agent#0/llm#0', 'agent#0/search#0', 'agent#0/search#0/fetch#0', 'agent#0/llm#1']);
    expect(diff.deltas.spanCount).toBe(0);
    expect(diff.b.spanCount).toBe(5);
  });

  it('places the spans of a parent loop and a span that is its own parent, as roots, rather than leaving them out', () => {
    const odd = [
      span({ spanId: sid(7), parentSpanId: sid(8), name: 'x', startTimeUs: 0, endTimeUs: 50 }),
      span({ spanId: sid(8), parentSpanId: sid(7), name: 'y', startTimeUs: 10, endTimeUs: 20 }),
      span({ spanId: sid(9), parentSpanId: sid(9), name: 'self', startTimeUs: 30, endTimeUs: 40 }),
    ].map(stored);
    const diff = diffTraces('a', run(), 'b', [...run(), ...odd]);
    expect(diff.added.map((s) => s.path)).toEqual(['x#0', 'x#0/y#0', 'self#0']);
    expect(diff.rows.filter((r) => r.kind === 'added').map((r) => [r.path, r.depth])).toEqual([
      ['x#0', 0],
      ['x#0/y#0', 1],
      ['self#0', 0],
    ]);
  });

  it('aligns two chains 8,000 spans deep without overflowing the stack', () => {
    const chain = Array.from({ length: 8_000 }, (_, i) =>
      stored(span({ spanId: sid(i + 1), parentSpanId: i === 0 ? null : sid(i), name: 's', startTimeUs: i, endTimeUs: 20_000 - i })),
    );
    const diff = diffTraces('a', chain, 'b', chain);
    expect(diff.rows).toHaveLength(8_000);
    expect(diff.rows.at(-1)!.depth).toBe(7_999);
    expect([diff.added, diff.removed, diff.changed]).toEqual([[], [], []]);
  });

  it('aligns two traces with nothing in common but the root in time linear in their spans', () => {
    const flat = (n: number, name: string) =>
      Array.from({ length: n }, (_, i) =>
        stored(span({ spanId: sid(i + 1), parentSpanId: i === 0 ? null : sid(1), name: i === 0 ? 'agent' : `${name}${i}`, startTimeUs: i, endTimeUs: n })),
      );
    const pairs = new Map([1_000, 16_000].map((n) => [n, [flat(n, 'a'), flat(n, 'b')] as const]));
    const diff = (n: number) => diffTraces('a', pairs.get(n)![0], 'b', pairs.get(n)![1]);
    expect(diff(1_000).rows).toHaveLength(1_999);
    // Linear is about 16; splicing each span only one side has into place, about 256. The limit is
    // their geometric mean: at 8x the sizes, linear (8) measured 24.5 once beside a second test
    // worker, past a limit of 20 that quadratic (64) left little room under.
    expect(timeGrowth(diff, 1_000, 16_000)).toBeLessThan(64);
  });
});
