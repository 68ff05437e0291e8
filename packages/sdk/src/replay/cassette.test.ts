import type { Span, TraceDetail } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { storedSpan as span } from '../../test/support/stored-span.js';
import { cassetteFromTrace, type LlmEntry, type ToolEntry } from './cassette.js';

const llm = (hash: string, output: unknown = [{ role: 'assistant', parts: [{ type: 'text', content: 'ok' }] }]) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]),
  'gen_ai.output.messages': typeof output === 'string' ? output : JSON.stringify(output),
  'gen_ai.usage.input_tokens': 10,
  'spoor.request.hash': hash,
});

function trace(spans: Span[]): TraceDetail {
  return { traceId: 't'.repeat(32), spans, logs: [], scores: [] };
}

describe('cassetteFromTrace', () => {
  it('places each call by the span names above it and its order there', () => {
    const cassette = cassetteFromTrace(
      trace([
        span('a', 'agent', null),
        span('b', 'plan', 'a'),
        span('c', 'chat gpt-4o', 'b', llm('h1')),
        span('d', 'act', 'a'),
        span('e', 'chat gpt-4o', 'd', llm('h2')),
        span('f', 'get_weather', 'd', {
          'spoor.request.hash': 'h3',
          'input.value': '[{"city":"Paris"}]',
          'spoor.tool.result': '{"sky":"rain"}',
          'spoor.tool.async': true,
        }),
        span('g', 'chat gpt-4o', 'a', llm('h4')),
      ]),
    );
    expect([...cassette.entries.keys()]).toEqual(['agent > plan#0', 'agent > act#0', 'agent > act#1', 'agent#0']);
    expect(cassette.entries.get('agent > act#1')).toMatchObject({
      kind: 'tool',
      hash: 'h3',
      result: { value: { sky: 'rain' } },
      async: true,
      request: { arguments: [{ city: 'Paris' }] },
    });
    expect(cassette.entries.get('agent > plan#0')).toMatchObject({
      kind: 'llm',
      spanId: 'c',
      request: { model: 'gpt-4o', messages: [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }] },
      output: { messages: [{ role: 'assistant', parts: [{ type: 'text', content: 'ok' }] }], usage: { inputTokens: 10 } },
    });
  });

  it('orders calls under the same path by start time, whatever order the spans came in', () => {
    const first = span('x1', 'chat gpt-4o', 'r', llm('first'));
    const second = span('x2', 'chat gpt-4o', 'r', llm('second'));
    const cassette = cassetteFromTrace(trace([second, span('r', 'loop', null), first]));
    expect([...cassette.entries.values()].map((entry) => [entry.path, entry.index, entry.hash])).toEqual([
      ['loop', 0, 'first'],
      ['loop', 1, 'second'],
    ]);
  });

  it('orders calls started within the same microsecond by their call number', () => {
    const early = span('y1', 'lookup', 'r', { 'spoor.request.hash': 'early', 'spoor.call.seq': 7 });
    const late = { ...span('y2', 'fetch', 'r', { 'spoor.request.hash': 'late', 'spoor.call.seq': 8 }), startTime: early.startTime };
    const cassette = cassetteFromTrace(trace([span('r', 'tools', null), late, early]));
    expect([...cassette.entries.values()].map((entry) => entry.hash)).toEqual(['early', 'late']);
  });

  it("starts the path at the first span of the call's own service, so an upstream caller does not shift it", () => {
    const cassette = cassetteFromTrace(
      trace([span('u', 'GET /ask', null, {}, { serviceName: 'gateway' }), span('w', 'agent', 'u'), span('c', 'chat gpt-4o', 'w', llm('h'))]),
    );
    expect([...cassette.entries.keys()]).toEqual(['agent#0']);
  });

  it('keeps a call whose completion was cut at the capture limit, without an output', () => {
    const cassette = cassetteFromTrace(trace([span('c', 'chat gpt-4o', null, llm('h', '[{"role":"assistant"…[truncated 9 chars]'))]));
    expect((cassette.entries.get('#0') as LlmEntry).output).toBeUndefined();
  });

  it('keeps a recorded failure, to fail the replay the same way', () => {
    const failed = span(
      'c',
      'get_weather',
      null,
      { 'spoor.request.hash': 'h', 'error.type': 'TimeoutError' },
      { status: { code: 'error', message: 'timed out' } },
    );
    expect((cassetteFromTrace(trace([failed])).entries.get('#0') as ToolEntry).failure).toEqual({ type: 'TimeoutError', message: 'timed out' });
  });

  it('counts the LLM calls recorded without content capture, which cannot be replayed', () => {
    const uncaptured = span('c', 'chat gpt-4o', null, { 'gen_ai.operation.name': 'chat' });
    expect(cassetteFromTrace(trace([uncaptured]))).toMatchObject({ uncaptured: 1, entries: new Map() });
  });

  it('places a call under a loop of parents by the one span-tree resolver, not by recursing for ever', () => {
    // a and b name each other as parent: the first to start is cut to a root, b hangs under it.
    const cassette = cassetteFromTrace(trace([span('a', 'plan', 'b'), span('b', 'act', 'a'), span('c', 'chat gpt-4o', 'b', llm('h'))]));
    expect([...cassette.entries.keys()]).toEqual(['plan > act#0']);
  });

  it('reads a 20,000-deep chain of spans without overflowing the stack', () => {
    const chain = [span('s0', 'step', null)];
    for (let i = 1; i < 20_000; i++) chain.push(span(`s${i}`, 'step', `s${i - 1}`));
    chain.push(span('call', 'chat gpt-4o', 's19999', llm('deep')));
    const cassette = cassetteFromTrace(trace(chain));
    const [entry] = cassette.entries.values();
    expect(entry).toMatchObject({ hash: 'deep', index: 0 });
    expect(entry!.path.split(' > ')).toHaveLength(20_000);
  });

  it('keeps one entry for a call span sent twice', () => {
    const call = span('c', 'chat gpt-4o', 'r', llm('h'));
    const cassette = cassetteFromTrace(trace([span('r', 'agent', null), call, { ...call }]));
    expect([...cassette.entries.keys()]).toEqual(['agent#0']);
  });
});
