import { SpanStatusCode } from '@opentelemetry/api';
import type { HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { byName, initInMemory, pointValue, shutdown } from '../../test/support/memory.js';
import { stage, step, workflow } from './workflow.js';
import { withSpan } from './with-span.js';

afterEach(() => shutdown());

/** Stands in for an instrumented LLM call: a span carrying GenAI usage attributes. */
function fakeLlmCall(input: number, output: number, cost?: number): Promise<void> {
  return withSpan('chat gpt-4o', { kind: 'client' }, async (span) => {
    await Promise.resolve();
    span.setAttributes({ 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output });
    if (cost !== undefined) span.setAttribute('gen_ai.usage.cost', cost);
  });
}

describe('workflow(), step() and stage()', () => {
  it('shape an agent run: attributes on each span and steps nested under the workflow', async () => {
    const sdk = initInMemory();
    const answer = await workflow('answer', { runId: 'run-7', mode: 'sequential', agent: 'researcher', model: 'gpt-4o', sessionId: 'chat-1' }, async () => {
      const plan = await step('plan', { stepId: 'p1', agent: 'planner', number: 1 }, async () => 'plan');
      return stage('retrieval', 'Retrieve documents', () => step('write', { number: 2 }, () => `${plan}+write`));
    });
    expect(answer).toBe('plan+write');
    const spans = await sdk.spans();
    const run = byName(spans, 'answer');
    expect(run.attributes).toMatchObject({
      'spoor.kind': 'workflow',
      'workflow.name': 'answer',
      'workflow.run_id': 'run-7',
      'workflow.mode': 'sequential',
      'workflow.agent': 'researcher',
      'workflow.model': 'gpt-4o',
      'session.id': 'chat-1',
    });
    expect(byName(spans, 'plan').attributes).toMatchObject({
      'step.name': 'plan',
      'step.id': 'p1',
      'step.agent': 'planner',
      'step.number': 1,
      'workflow.name': 'answer',
    });
    const retrieval = byName(spans, 'retrieval');
    expect(retrieval.attributes).toMatchObject({ 'spoor.kind': 'stage', 'stage.id': 'retrieval', 'stage.name': 'Retrieve documents' });
    expect(retrieval.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
    expect(byName(spans, 'write').parentSpanContext?.spanId).toBe(retrieval.spanContext().spanId);
  });

  it('gives every run its own id when none is passed', async () => {
    const sdk = initInMemory();
    await workflow('a', async () => undefined);
    await workflow('a', async () => undefined);
    const ids = (await sdk.spans()).map((span) => span.attributes['workflow.run_id']);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('records workflow.count by status, workflow.duration, step.duration and error.count by error type', async () => {
    const sdk = initInMemory();
    await workflow('ingest', () => step('parse', () => 1));
    expect(() =>
      workflow('ingest', () =>
        step('parse', () => {
          throw new TypeError('bad row');
        }),
      ),
    ).toThrow('bad row');
    const metrics = await sdk.metrics();
    expect(pointValue(metrics.get('workflow.count'), { 'workflow.name': 'ingest', status: 'ok' })).toBe(1);
    expect(pointValue(metrics.get('workflow.count'), { 'workflow.name': 'ingest', status: 'error' })).toBe(1);
    const duration = metrics.get('workflow.duration') as HistogramMetricData;
    expect(duration.descriptor.unit).toBe('s');
    expect(duration.dataPoints.reduce((sum, point) => sum + point.value.count, 0)).toBe(2);
    const steps = pointValue(metrics.get('step.duration'), { 'step.name': 'parse', status: 'error', 'workflow.name': 'ingest' }) as { count: number };
    expect(steps.count).toBe(1);
    // One exception unwinding through the step and the workflow is one error.
    expect(pointValue(metrics.get('error.count'), { 'error.type': 'TypeError', 'workflow.name': 'ingest' })).toBe(1);
    const parses = (await sdk.spans()).filter((span) => span.name === 'parse');
    expect(parses.map((span) => span.status.code)).toEqual([SpanStatusCode.UNSET, SpanStatusCode.ERROR]);
  });

  it('sums tokens and cost of the LLM calls inside, into nested workflows too', async () => {
    const sdk = initInMemory();
    await workflow('outer', async () => {
      await fakeLlmCall(100, 20, 0.01);
      await workflow('inner', () => Promise.all([fakeLlmCall(50, 5), fakeLlmCall(7, 3, 0.002)]));
    });
    const spans = await sdk.spans();
    expect(byName(spans, 'outer').attributes).toMatchObject({ 'workflow.llm_calls': 3, 'workflow.input_tokens': 157, 'workflow.output_tokens': 28 });
    expect(byName(spans, 'outer').attributes['workflow.cost_usd']).toBeCloseTo(0.012, 10);
    expect(byName(spans, 'inner').attributes).toMatchObject({ 'workflow.llm_calls': 2, 'workflow.input_tokens': 57, 'workflow.output_tokens': 8 });
    const metrics = await sdk.metrics();
    expect(pointValue(metrics.get('workflow.tokens'), { 'workflow.name': 'outer', 'token.type': 'input' })).toBe(157);
    expect(pointValue(metrics.get('workflow.tokens'), { 'workflow.name': 'inner', 'token.type': 'output' })).toBe(8);
    expect(pointValue(metrics.get('workflow.cost'), { 'workflow.name': 'inner' })).toBeCloseTo(0.002, 10);
  });

  it("prices a call that reports no cost by Spoor's table, cached tokens at their own rate", async () => {
    const sdk = initInMemory();
    await workflow('priced', () =>
      withSpan('chat gpt-4o', { kind: 'client' }, async (span) => {
        span.setAttributes({
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 1_000,
          'gen_ai.usage.cache_read.input_tokens': 800,
          'gen_ai.usage.output_tokens': 100,
        });
      }),
    );
    // gpt-4o: 200 fresh input x $2.50 + 800 cached x $1.25 + 100 output x $10, per million tokens.
    const expected = (200 * 2.5 + 800 * 1.25 + 100 * 10) / 1e6;
    expect(byName(await sdk.spans(), 'priced').attributes['workflow.cost_usd']).toBeCloseTo(expected, 12);
    expect(pointValue((await sdk.metrics()).get('workflow.cost'), { 'workflow.name': 'priced' })).toBeCloseTo(expected, 12);
  });

  it('counts LLM usage in unsampled workflows too, while exporting none of their spans', async () => {
    const sdk = initInMemory({ sampleRate: 0 });
    await workflow('quiet', () => fakeLlmCall(10, 2));
    expect(await sdk.spans()).toEqual([]);
    const metrics = await sdk.metrics();
    expect(pointValue(metrics.get('workflow.tokens'), { 'workflow.name': 'quiet', 'token.type': 'input' })).toBe(10);
    expect(pointValue(metrics.get('workflow.count'), { 'workflow.name': 'quiet', status: 'ok' })).toBe(1);
  });
});

describe('workflow totals', () => {
  it('go to the workflow an LLM span started in, even when a batching client ends it elsewhere', async () => {
    const sdk = initInMemory();
    const pending: (() => void)[] = [];
    // A client that queues calls and completes them all from one timer, outside either workflow.
    const batchedCall = (input: number) =>
      withSpan(
        'chat',
        (span) =>
          new Promise<void>((resolve) =>
            pending.push(() => {
              span.setAttributes({ 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': 1 });
              resolve();
            }),
          ),
      );
    setTimeout(() => pending.splice(0).forEach((complete) => complete()), 5);
    await Promise.all([workflow('a', () => batchedCall(100)), workflow('b', () => batchedCall(7))]);
    const spans = await sdk.spans();
    expect(byName(spans, 'a').attributes['workflow.input_tokens']).toBe(100);
    expect(byName(spans, 'b').attributes['workflow.input_tokens']).toBe(7);
  });
});
