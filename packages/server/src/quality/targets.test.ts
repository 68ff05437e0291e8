import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '@spoor/model';
import { T0, emptyLlm, sid, span } from '../../test/support/record-fixtures.js';
import { sampledIn } from './sampled-in.js';
import { EVALUATION_OF, targetsOfTrace } from './targets.js';

const messages = (role: string, text: string) => JSON.stringify([{ role, parts: [{ type: 'text', content: text }] }]);

function trace(): SpanRecord[] {
  return [
    span({
      spanId: sid(1),
      name: 'answer',
      startTimeUs: T0,
      endTimeUs: T0 + 2_000_000,
      attributes: { 'input.value': 'capital of France?', 'output.value': 'Paris' },
    }),
    span({
      spanId: sid(2),
      parentSpanId: sid(1),
      name: 'search',
      category: 'retriever',
      startTimeUs: T0 + 1,
      endTimeUs: T0 + 100_000,
      attributes: { 'retrieval.documents.0.document.content': 'Paris is the capital', 'retrieval.documents.1.document.content': 'of France' },
    }),
    span({
      spanId: sid(3),
      parentSpanId: sid(1),
      name: 'chat',
      category: 'llm',
      startTimeUs: T0 + 200_000,
      endTimeUs: T0 + 1_200_000,
      llm: { ...emptyLlm(), costUsd: 0.25 },
      attributes: { 'gen_ai.input.messages': messages('user', 'What is the capital?'), 'gen_ai.output.messages': messages('assistant', 'Paris.') },
    }),
    span({ spanId: sid(4), parentSpanId: sid(3), name: 'execute_tool', category: 'tool', attributes: { 'gen_ai.tool.name': 'lookup' } }),
  ];
}

describe('evaluation targets of a trace', () => {
  it('judges each LLM call by its messages, with the trace retrievers as context', () => {
    expect(targetsOfTrace('default', trace(), 'llm')).toEqual([
      {
        projectId: 'default',
        traceId: trace()[0]!.traceId,
        spanId: sid(3),
        input: 'What is the capital?',
        output: 'Paris.',
        context: ['Paris is the capital', 'of France'],
        expected: null,
        durationMs: 1000,
        costUsd: 0.25,
        toolNames: [],
      },
    ]);
  });

  it("does not judge a judge's own call (it would judge each judgement again, without end)", () => {
    const judged = trace();
    judged[0] = { ...judged[0]!, attributes: { ...judged[0]!.attributes, [EVALUATION_OF]: 'a'.repeat(32) } };
    for (const target of ['llm', 'span', 'trace'] as const) expect(targetsOfTrace('default', judged, target)).toEqual([]);
  });

  it("judges the trace by its root's input and output, its whole duration, cost and tools", () => {
    const [t] = targetsOfTrace('default', trace(), 'trace');
    expect(t).toMatchObject({ spanId: null, input: 'capital of France?', output: 'Paris', durationMs: 2000, costUsd: 0.25, toolNames: ['lookup'] });
  });

  it("falls back to the first LLM call's input and the last one's output when the root carries none", () => {
    const spans = trace();
    spans[0] = { ...spans[0]!, attributes: {} };
    expect(targetsOfTrace('default', spans, 'trace')[0]).toMatchObject({ input: 'What is the capital?', output: 'Paris.' });
  });

  it('judges every span, each with the cost and tools of its subtree', () => {
    const targets = targetsOfTrace('default', trace(), 'span');
    expect(targets.map((t) => [t.spanId, t.costUsd, t.toolNames])).toEqual([
      [sid(1), 0.25, ['lookup']],
      [sid(2), null, []],
      [sid(3), 0.25, ['lookup']],
      [sid(4), null, ['lookup']],
    ]);
  });
});

describe('sampling by trace id', () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => i.toString(16).padStart(32, '0'));
  it.each([0, 0.1, 0.5, 1])('takes about %d of traces, always the same ones', (rate) => {
    const taken = ids.filter((id) => sampledIn(id, rate));
    expect(Math.abs(taken.length / ids.length - rate)).toBeLessThan(0.02);
    expect(ids.filter((id) => sampledIn(id, rate))).toEqual(taken);
  });
  it('keeps at a higher rate every trace a lower rate kept', () => {
    expect(ids.filter((id) => sampledIn(id, 0.1)).every((id) => sampledIn(id, 0.3))).toBe(true);
  });
});
