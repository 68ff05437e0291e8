import { type TraceListResponse, type UnpricedModelListResponse } from '@spoor/model';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { instrumentOpenAI, step, workflow } from '../src/index.js';
import { type FakeReply } from './support/fake-llm.js';
import { COST_DIGITS, HI, UNPRICED_MODEL, callIn, drain, expectLlm, openaiClient, spanNamed, useOneTraceScenario, useSpoorServer } from './support/llm-e2e.js';

/**
 * `instrumentOpenAI` end to end: every kind of call (chat plain, streamed and with a tool call,
 * Responses, embeddings, a 429 and a mid-stream disconnect) in one workflow, exported to a real
 * Spoor server and read back; then calls to a model no price table knows, on the same server, so
 * that GET /api/prices/unpriced must leave out the priced calls and the failed ones (no tokens, no
 * cost). The setup and the cost arithmetic are in ./support/llm-e2e.ts.
 */
const server = useSpoorServer();

// --- 1. instrumentOpenAI ----------------------------------------------------------------------------

describe('1. instrumentOpenAI: every kind of call in one workflow, read back from the server', () => {
  const SERVICE = 'llm-e2e-openai';
  const STREAM_DELAY_MS = 120;
  let rateLimitError: unknown;
  let disconnectError: unknown;

  // o3, via the alias of its dated snapshot: 2000 input (1500 from the cache), 700 output (500 reasoning).
  const PLAIN: FakeReply = {
    text: 'Thought about it.',
    model: 'o3-2025-04-16',
    usage: { inputTokens: 2000, cachedTokens: 1500, outputTokens: 700, reasoningTokens: 500 },
  };
  // (2000 - 1500) uncached × $2 + 1500 cache reads × $0.50 + 700 output (reasoning included) × $8
  const PLAIN_COST = (500 * 2 + 1500 * 0.5 + 700 * 8) / 1e6; // = 0.00735
  const STREAMED: FakeReply = {
    chunks: ['Stream', 'ed ', 'reply.'],
    delayMs: STREAM_DELAY_MS,
    usage: { inputTokens: 1200, cachedTokens: 1024, outputTokens: 300 },
  };
  // gpt-4o: 176 uncached × $2.50 + 1024 cache reads × $1.25 + 300 output × $10
  const STREAMED_COST = (176 * 2.5 + 1024 * 1.25 + 300 * 10) / 1e6; // = 0.00472
  const TOOL: FakeReply = { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }], usage: { inputTokens: 400, outputTokens: 25 } };
  // gpt-4o-mini: 400 uncached × $0.15 + 25 output × $0.60
  const TOOL_COST = (400 * 0.15 + 25 * 0.6) / 1e6; // = 0.000075
  const RESPONSE: FakeReply = { text: 'Responded.', usage: { inputTokens: 800, cachedTokens: 512, outputTokens: 120 } };
  // gpt-4o: 288 uncached × $2.50 + 512 cache reads × $1.25 + 120 output × $10
  const RESPONSE_COST = (288 * 2.5 + 512 * 1.25 + 120 * 10) / 1e6; // = 0.00256
  const EMBEDDING: FakeReply = { usage: { inputTokens: 64 } };
  // text-embedding-3-small: 64 input × $0.02, no output
  const EMBEDDING_COST = (64 * 0.02) / 1e6; // = 0.00000128
  const RATE_LIMITED: FakeReply = { error: { status: 429 } };
  const DISCONNECTED: FakeReply = { chunks: ['a', 'b', 'c', 'd'], disconnectAfter: 3 };

  const scenario = useOneTraceScenario(server, SERVICE, async (llm) => {
    const openai = instrumentOpenAI(openaiClient(llm));
    llm.script(PLAIN, STREAMED, TOOL, RESPONSE, EMBEDDING, RATE_LIMITED, DISCONNECTED);
    await workflow('openai-calls', { sessionId: 's-1' }, async () => {
      await step('chat-plain', () => openai.chat.completions.create({ model: 'o3', messages: HI }));
      await step('chat-stream', async () => drain(await openai.chat.completions.create({ model: 'gpt-4o', messages: HI, stream: true })));
      await step('chat-tool', () =>
        openai.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'Weather in Paris?' }],
          tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
        }),
      );
      await step('responses', () => openai.responses.create({ model: 'gpt-4o', input: 'hi' }));
      await step('embeddings', () => openai.embeddings.create({ model: 'text-embedding-3-small', input: 'some text to embed' }));
      await step('rate-limited', async () => {
        rateLimitError = await openai.chat.completions.create({ model: 'gpt-4o', messages: HI }).catch((error: unknown) => error);
      });
      await step('disconnected', async () => {
        disconnectError = await drain(await openai.chat.completions.create({ model: 'gpt-4o', messages: HI, stream: true })).catch((error: unknown) => error);
      });
    });
  });

  it('exported without errors, every scripted reply used', () => {
    expect(scenario.exportErrors).toEqual([]);
    expect(scenario.llm.pending()).toBe(0);
    expect(scenario.llm.requests.map((r) => r.endpoint)).toEqual(['chat', 'chat', 'chat', 'responses', 'embeddings', 'chat', 'chat']);
  });

  it('chat, plain: inclusive input with the cache reads, output with the reasoning, priced by the alias', () => {
    const span = callIn(scenario.trace, 'chat-plain');
    expect(span.category).toBe('llm');
    expect(span.status.code).not.toBe('error');
    expectLlm(span, {
      provider: 'openai',
      operation: 'chat',
      requestModel: 'o3',
      responseModel: 'o3-2025-04-16',
      inputTokens: 2000,
      outputTokens: 700,
      totalTokens: 2700,
      cacheReadInputTokens: 1500,
      cacheCreationInputTokens: null,
      reasoningTokens: 500,
      costUsd: PLAIN_COST,
      costSource: 'price_table',
      finishReasons: ['stop'],
    });
    expect(span.llm?.timeToFirstTokenMs).toBeNull();
  });

  it('chat, streamed: usage from the stream, and a time to first token of at least the scripted delay', () => {
    const span = callIn(scenario.trace, 'chat-stream');
    expect(span.category).toBe('llm');
    expect(span.attributes['gen_ai.request.stream']).toBe(true);
    expectLlm(span, {
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o',
      inputTokens: 1200,
      outputTokens: 300,
      totalTokens: 1500,
      cacheReadInputTokens: 1024,
      cacheCreationInputTokens: null,
      reasoningTokens: 0,
      costUsd: STREAMED_COST,
      costSource: 'price_table',
      finishReasons: ['stop'],
    });
    const ttft = span.llm!.timeToFirstTokenMs;
    expect(ttft).toBeGreaterThanOrEqual(STREAM_DELAY_MS);
    expect(ttft).toBeLessThanOrEqual(span.durationMs);
  });

  it('chat with a tool call: finish reason tool_calls and the tool named', () => {
    const span = callIn(scenario.trace, 'chat-tool');
    expectLlm(span, {
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini',
      inputTokens: 400,
      outputTokens: 25,
      totalTokens: 425,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: null,
      reasoningTokens: 0,
      costUsd: TOOL_COST,
      costSource: 'price_table',
      finishReasons: ['tool_calls'],
    });
    expect(span.attributes['spoor.gen_ai.tool_calls']).toEqual(['get_weather']);
    expect(span.llm?.timeToFirstTokenMs).toBeNull();
  });

  it('responses API: input_tokens (cached included) and output_tokens, finish reason stop', () => {
    const span = callIn(scenario.trace, 'responses');
    expect(span.category).toBe('llm');
    expectLlm(span, {
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o',
      inputTokens: 800,
      outputTokens: 120,
      totalTokens: 920,
      cacheReadInputTokens: 512,
      cacheCreationInputTokens: null,
      reasoningTokens: 0,
      costUsd: RESPONSE_COST,
      costSource: 'price_table',
      finishReasons: ['stop'],
    });
    expect(span.llm?.timeToFirstTokenMs).toBeNull();
  });

  it('embeddings: category embedding, input tokens only, priced at the input rate', () => {
    const span = callIn(scenario.trace, 'embeddings');
    expect(span.category).toBe('embedding');
    expectLlm(span, {
      provider: 'openai',
      operation: 'embeddings',
      requestModel: 'text-embedding-3-small',
      responseModel: 'text-embedding-3-small',
      inputTokens: 64,
      outputTokens: null,
      totalTokens: 64,
      cacheReadInputTokens: null,
      cacheCreationInputTokens: null,
      reasoningTokens: null,
      costUsd: EMBEDDING_COST,
      costSource: 'price_table',
      finishReasons: null,
    });
    expect(span.llm?.timeToFirstTokenMs).toBeNull();
  });

  it('a 429: the app got RateLimitError; the span is an error with error.type rate_limit, no tokens, no cost', () => {
    expect(rateLimitError).toBeInstanceOf(OpenAI.RateLimitError);
    const span = callIn(scenario.trace, 'rate-limited');
    expect(span.status.code).toBe('error');
    expect(span.attributes).toMatchObject({ 'error.type': 'rate_limit', 'http.response.status_code': 429 });
    expect(span.events.map((event) => event.name)).toContain('exception');
    expect(span.category).toBe('llm');
    expectLlm(span, {
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o',
      responseModel: null,
      inputTokens: null,
      outputTokens: null,
      totalTokens: null,
      cacheReadInputTokens: null,
      cacheCreationInputTokens: null,
      reasoningTokens: null,
      costUsd: null,
      costSource: null,
      finishReasons: null,
    });
  });

  it('a mid-stream disconnect: the app got the error; the span is an error with error.type connection, no usage', () => {
    expect(disconnectError).toBeInstanceOf(Error);
    const span = callIn(scenario.trace, 'disconnected');
    expect(span.status.code).toBe('error');
    expect(span.attributes['error.type']).toBe('connection');
    expect(span.events.map((event) => event.name)).toContain('exception');
    expect(span.llm).toMatchObject({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', inputTokens: null, outputTokens: null, costUsd: null });
  });

  it('the workflow span carries the session, is no LLM call, and the trace is found by its session', async () => {
    const root = spanNamed(scenario.trace, 'openai-calls');
    expect(root.parentSpanId).toBeNull();
    expect(root.sessionId).toBe('s-1');
    expect(root.category).toBe('workflow');
    expect(root.llm).toBeNull();
    for (const name of ['chat-plain', 'chat-stream', 'chat-tool', 'responses', 'embeddings', 'rate-limited', 'disconnected']) {
      expect(spanNamed(scenario.trace, name)).toMatchObject({ category: 'step', llm: null, parentSpanId: root.spanId });
    }
    const bySession = await server.getJson<TraceListResponse>('/api/traces?sessionId=s-1');
    expect(bySession.body.traces.map((t) => t.traceId)).toEqual([scenario.trace.traceId]);
  });

  it('the trace summary sums the calls: tokens and cost (errors add nothing)', () => {
    expect(scenario.summary).toMatchObject({ rootName: 'openai-calls', spanCount: 15, errorCount: 2 });
    // chat 2000 + stream 1200 + tool 400 + responses 800 + embeddings 64
    expect(scenario.summary.inputTokens).toBe(2000 + 1200 + 400 + 800 + 64);
    // chat 700 + stream 300 + tool 25 + responses 120 (embeddings have none)
    expect(scenario.summary.outputTokens).toBe(700 + 300 + 25 + 120);
    // 0.00735 + 0.00472 + 0.000075 + 0.00256 + 0.00000128 = 0.01470628
    expect(scenario.summary.costUsd).toBeCloseTo(PLAIN_COST + STREAMED_COST + TOOL_COST + RESPONSE_COST + EMBEDDING_COST, COST_DIGITS);
    expect(scenario.summary.costUsd).toBeCloseTo(0.01470628, COST_DIGITS);
    // The SDK's own roll-up on the workflow span agrees.
    expect(spanNamed(scenario.trace, 'openai-calls').attributes).toMatchObject({
      'workflow.llm_calls': 5,
      'workflow.input_tokens': 4464,
      'workflow.output_tokens': 1145,
    });
  });
});

// --- 5. an unpriced model ---------------------------------------------------------------------------

describe('5. an unpriced model: costUsd null, never 0, and listed by GET /api/prices/unpriced', () => {
  const SERVICE = 'llm-e2e-unpriced';

  const scenario = useOneTraceScenario(server, SERVICE, async (llm) => {
    const openai = instrumentOpenAI(openaiClient(llm));
    llm.script({ usage: { inputTokens: 321, outputTokens: 45 } }, { usage: { inputTokens: 179, outputTokens: 55 } });
    await workflow('unpriced-calls', async () => {
      await step('plain', () => openai.chat.completions.create({ model: UNPRICED_MODEL, messages: HI }));
      await step('stream', async () => drain(await openai.chat.completions.create({ model: UNPRICED_MODEL, messages: HI, stream: true })));
    });
  });

  it('each span has its tokens and costUsd null, costSource null', () => {
    expect(scenario.exportErrors).toEqual([]);
    for (const [stepName, input, output] of [
      ['plain', 321, 45],
      ['stream', 179, 55],
    ] as const) {
      const span = callIn(scenario.trace, stepName);
      expect(span.category).toBe('llm');
      expect(span.llm).toMatchObject({
        provider: 'openai',
        requestModel: UNPRICED_MODEL,
        responseModel: UNPRICED_MODEL,
        inputTokens: input,
        outputTokens: output,
      });
      expect(span.llm!.costUsd).toBeNull();
      expect(span.llm!.costSource).toBeNull();
    }
  });

  it('the trace summary has the tokens and costUsd null', () => {
    expect(scenario.summary.inputTokens).toBe(321 + 179);
    expect(scenario.summary.outputTokens).toBe(45 + 55);
    expect(scenario.summary.costUsd).toBeNull();
  });

  it('GET /api/prices/unpriced lists it, alone (every other model here was priced), with its span count and tokens', async () => {
    const { status, body } = await server.getJson<UnpricedModelListResponse>('/api/prices/unpriced');
    expect(status).toBe(200);
    expect(body.models).toEqual([
      { model: UNPRICED_MODEL, provider: 'openai', spanCount: 2, inputTokens: 321 + 179, outputTokens: 45 + 55, lastSeen: expect.any(String) },
    ]);
    // The start of its newest span.
    expect(body.models[0]!.lastSeen).toBe(callIn(scenario.trace, 'stream').startTime);
  });
});
