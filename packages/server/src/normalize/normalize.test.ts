import type { SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { span as recordSpan } from '../../test/support/record-fixtures.js';
import { isRunning, normalizeSpans } from './normalize.js';

const span = (overrides: Partial<SpanRecord>): SpanRecord => recordSpan({ startTimeUs: 1_000, endTimeUs: 2_000, ...overrides });

describe('normalizeSpans', () => {
  it.each([
    ['an end before the start', 500, 1_000],
    ['a proper end', 3_000, 3_000],
    ['no end time (a running snapshot, left without an end)', 0, 0],
  ])('takes a span with %s to end no earlier than it starts', (_label, endTimeUs, expected) => {
    const s = span({ endTimeUs });
    normalizeSpans([s]);
    expect(s.endTimeUs).toBe(expected);
    expect(isRunning(s)).toBe(endTimeUs === 0);
  });

  it('takes the session id from session.id, then gen_ai.conversation.id', () => {
    const a = span({ attributes: { 'session.id': 's-1', 'gen_ai.conversation.id': 'c-1' } });
    const b = span({ attributes: { 'gen_ai.conversation.id': 'c-2' } });
    const c = span({ attributes: {} });
    normalizeSpans([a, b, c]);
    expect([a.sessionId, b.sessionId, c.sessionId]).toEqual(['s-1', 'c-2', null]);
  });

  it("reads Mastra's bare sessionId/userId and memory threadId/resourceId only from Mastra's spans", () => {
    const attributes = { sessionId: 's-1', userId: 'u-1' };
    const mastra = span({ attributes, scope: { name: '@mastra/otel', version: '1.0.0', attributes: {}, droppedAttributesCount: 0 } });
    const memory = span({
      attributes: { threadId: 't-1', resourceId: 'r-1' },
      scope: { name: '@mastra/otel', version: '1.0.0', attributes: {}, droppedAttributesCount: 0 },
    });
    const other = span({ attributes, scope: { name: 'my-app', version: '', attributes: {}, droppedAttributesCount: 0 } });
    normalizeSpans([mastra, memory, other]);
    expect([mastra.sessionId, mastra.userId, memory.sessionId, memory.userId, other.sessionId, other.userId]).toEqual(['s-1', 'u-1', 't-1', 'r-1', null, null]);
  });

  it('takes a span with a framework operation and no tokens for no LLM call', () => {
    const workflow = span({ attributes: { 'gen_ai.operation.name': 'workflow', 'gen_ai.provider.name': 'langchain' } });
    const counted = span({ attributes: { 'gen_ai.operation.name': 'tool_selection', 'gen_ai.usage.input_tokens': 10 } });
    normalizeSpans([workflow, counted]);
    expect([workflow.llm, workflow.category]).toEqual([null, 'workflow']);
    expect(counted.llm).toMatchObject({ operation: 'tool_selection', inputTokens: 10 });
  });
});
