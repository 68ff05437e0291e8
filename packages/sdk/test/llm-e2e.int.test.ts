import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import Anthropic from '@anthropic-ai/sdk';
import {
  type LlmFields,
  type PriceListResponse,
  type Span,
  type TraceDetail,
  type TraceListResponse,
  type TraceSummary,
  type UnpricedModelListResponse,
} from '@spoor/model';
import { generateText, streamText, type LanguageModel } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestServer, type TestServer } from '../../server/test/support/server.js';
import { init, instrumentAnthropic, instrumentOpenAI, shutdown, step, workflow } from '../src/index.js';
import { startFakeLlm, type FakeLlm, type FakeReply } from './support/fake-llm.js';

/**
 * LLM calls made with the real `openai`, `@anthropic-ai/sdk` and Vercel `ai` clients against the
 * loopback fake LLM, exported over OTLP by `init()` to a real Spoor server, and read back through
 * the REST API: the canonical `llm` fields, the category, the session and user, and the cost,
 * which every test works out by hand from the price table.
 *
 * Canonical counts: input includes cache reads and writes, output includes reasoning. Cost per
 * million tokens: uncached input × input + cache reads × cacheRead + cache writes × cacheWrite +
 * output × output (reasoning at the output price: none of these models has a reasoning price).
 */

/**
 * The prices (USD per million tokens) of the models used here, copied from
 * packages/model/src/default-prices.ts. The first test checks that the server prices with these.
 */
const PRICES = {
  'gpt-4o': { provider: 'openai', input: 2.5, output: 10, cacheRead: 1.25 },
  'gpt-4o-mini': { provider: 'openai', input: 0.15, output: 0.6, cacheRead: 0.075 },
  'gpt-4.1': { provider: 'openai', input: 2, output: 8, cacheRead: 0.5 },
  o3: { provider: 'openai', input: 2, output: 8, cacheRead: 0.5 },
  'text-embedding-3-small': { provider: 'openai', input: 0.02, output: 0 },
  'claude-sonnet-4-6': { provider: 'anthropic', input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-haiku-5-5': {
    provider: 'anthropic',
    input: 0.1,
    output: 0.5,
    cacheRead: 0.01,
    cacheWrite: 0.125,
    longContext: { aboveInputTokens: 100_000, input: 0.5, output: 2.5, cacheRead: 0.05, cacheWrite: 0.625 },
  },
  'claude-haiku-4-5': { provider: 'anthropic', input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
} as const;

/** A model no price table knows. */
const UNPRICED_MODEL = 'spoor-e2e-unpriced-model';

/** Costs are sums of products of decimals: equal to 1e-12 USD. */
const COST_DIGITS = 12;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await shutdown();
  await server?.stop();
});

// --- helpers ------------------------------------------------------------------------------------

/** Starts the SDK exporting to the test server; export failures are collected, not printed. */
function initSdk(serviceName: string, exportErrors: string[]): void {
  init({
    serviceName,
    endpoint: server.url,
    // One metric export, at shutdown.
    metricsIntervalMs: 60_000,
    logDestination: { write: () => undefined },
    onExportError: (error, signal) => void exportErrors.push(`${signal}: ${error.message}`),
  });
}

async function tracesOf(service: string): Promise<TraceSummary[]> {
  const list = await getJson<TraceListResponse>(server.url, `/api/traces?service=${service}`);
  if (list.status !== 200) throw new Error(`GET /api/traces?service=${service}: ${list.status}`);
  return list.body.traces;
}

async function detailOf(traceId: string): Promise<TraceDetail> {
  const detail = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
  if (detail.status !== 200) throw new Error(`GET /api/traces/${traceId}: ${detail.status}`);
  return detail.body;
}

/** The one trace of `service`, its summary and its spans. */
async function onlyTraceOf(service: string): Promise<{ summary: TraceSummary; trace: TraceDetail }> {
  const traces = await tracesOf(service);
  if (traces.length !== 1) throw new Error(`expected one trace of ${service}, got ${traces.length}`);
  return { summary: traces[0]!, trace: await detailOf(traces[0]!.traceId) };
}

function spanNamed(trace: TraceDetail, name: string): Span {
  const found = trace.spans.filter((span) => span.name === name);
  expect(found, `spans named '${name}' among ${trace.spans.map((s) => s.name).join(', ')}`).toHaveLength(1);
  return found[0]!;
}

/** The one child span of the step named `stepName`: the LLM call made inside it. */
function callIn(trace: TraceDetail, stepName: string): Span {
  const parent = spanNamed(trace, stepName);
  const children = trace.spans.filter((span) => span.parentSpanId === parent.spanId);
  expect(children.map((span) => span.name), `children of step '${stepName}'`).toHaveLength(1);
  return children[0]!;
}

/** Every field of `llm` but `timeToFirstTokenMs` (each test checks that itself); `costUsd` to 1e-12 USD. */
function expectLlm(span: Span, expected: Omit<LlmFields, 'costUsd' | 'timeToFirstTokenMs'> & { costUsd: number | null }): void {
  expect(span.llm, `llm fields of '${span.name}'`).not.toBeNull();
  const { costUsd, timeToFirstTokenMs: _ttft, ...rest } = span.llm!;
  const { costUsd: expectedCost, ...expectedRest } = expected;
  expect(rest, `llm fields of '${span.name}'`).toEqual(expectedRest);
  if (expectedCost === null) expect(costUsd, `costUsd of '${span.name}'`).toBeNull();
  else expect(costUsd, `costUsd of '${span.name}'`).toBeCloseTo(expectedCost, COST_DIGITS);
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _item of stream) {
    // Read to the end.
  }
}

// --- the price table ------------------------------------------------------------------------------

describe('the price table the expected costs are worked out from', () => {
  it('GET /api/prices has the prices this file computes with, and none of them has a reasoning price', async () => {
    const { status, body } = await getJson<PriceListResponse>(server.url, '/api/prices');
    expect(status).toBe(200);
    for (const [model, price] of Object.entries(PRICES)) {
      const entry = body.models.find((m) => m.model === model);
      expect(entry, `price of ${model}`).toMatchObject({ ...price, model, origin: 'default' });
      expect(entry?.reasoning, `reasoning price of ${model}`).toBeUndefined();
    }
    expect(body.models.find((m) => m.model === UNPRICED_MODEL)).toBeUndefined();
  });
});

// --- 1. instrumentOpenAI ----------------------------------------------------------------------------

describe('1. instrumentOpenAI: every kind of call in one workflow, read back from the server', () => {
  const SERVICE = 'llm-e2e-openai';
  const STREAM_DELAY_MS = 120;
  const exportErrors: string[] = [];
  let llm: FakeLlm;
  let summary: TraceSummary;
  let trace: TraceDetail;
  let rateLimitError: unknown;
  let disconnectError: unknown;

  // o3, via the alias of its dated snapshot: 2000 input (1500 from the cache), 700 output (500 reasoning).
  const PLAIN: FakeReply = { text: 'Thought about it.', model: 'o3-2025-04-16', usage: { inputTokens: 2000, cachedTokens: 1500, outputTokens: 700, reasoningTokens: 500 } };
  // (2000 - 1500) uncached × $2 + 1500 cache reads × $0.50 + 700 output (reasoning included) × $8
  const PLAIN_COST = (500 * 2 + 1500 * 0.5 + 700 * 8) / 1e6; // = 0.00735
  const STREAMED: FakeReply = { chunks: ['Stream', 'ed ', 'reply.'], delayMs: STREAM_DELAY_MS, usage: { inputTokens: 1200, cachedTokens: 1024, outputTokens: 300 } };
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

  beforeAll(async () => {
    llm = await startFakeLlm();
    initSdk(SERVICE, exportErrors);
    const openai = instrumentOpenAI(new OpenAI({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-test', maxRetries: 0 }));
    const hi = [{ role: 'user' as const, content: 'hi' }];
    llm.script(PLAIN, STREAMED, TOOL, RESPONSE, EMBEDDING, RATE_LIMITED, DISCONNECTED);
    await workflow('openai-calls', { sessionId: 's-1' }, async () => {
      await step('chat-plain', () => openai.chat.completions.create({ model: 'o3', messages: hi }));
      await step('chat-stream', async () => drain(await openai.chat.completions.create({ model: 'gpt-4o', messages: hi, stream: true })));
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
        rateLimitError = await openai.chat.completions.create({ model: 'gpt-4o', messages: hi }).catch((error: unknown) => error);
      });
      await step('disconnected', async () => {
        disconnectError = await drain(await openai.chat.completions.create({ model: 'gpt-4o', messages: hi, stream: true })).catch((error: unknown) => error);
      });
    });
    await shutdown();
    ({ summary, trace } = await onlyTraceOf(SERVICE));
  });

  afterAll(async () => {
    await shutdown();
    await llm?.close();
  });

  it('exported without errors, every scripted reply used', () => {
    expect(exportErrors).toEqual([]);
    expect(llm.pending()).toBe(0);
    expect(llm.requests.map((r) => r.endpoint)).toEqual(['chat', 'chat', 'chat', 'responses', 'embeddings', 'chat', 'chat']);
  });

  it('chat, plain: inclusive input with the cache reads, output with the reasoning, priced by the alias', () => {
    const span = callIn(trace, 'chat-plain');
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
    const span = callIn(trace, 'chat-stream');
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
    const span = callIn(trace, 'chat-tool');
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
    const span = callIn(trace, 'responses');
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
    const span = callIn(trace, 'embeddings');
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
    const span = callIn(trace, 'rate-limited');
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
    const span = callIn(trace, 'disconnected');
    expect(span.status.code).toBe('error');
    expect(span.attributes['error.type']).toBe('connection');
    expect(span.events.map((event) => event.name)).toContain('exception');
    expect(span.llm).toMatchObject({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', inputTokens: null, outputTokens: null, costUsd: null });
  });

  it('the workflow span carries the session, is no LLM call, and the trace is found by its session', async () => {
    const root = spanNamed(trace, 'openai-calls');
    expect(root.parentSpanId).toBeNull();
    expect(root.sessionId).toBe('s-1');
    expect(root.category).toBe('workflow');
    expect(root.llm).toBeNull();
    for (const name of ['chat-plain', 'chat-stream', 'chat-tool', 'responses', 'embeddings', 'rate-limited', 'disconnected']) {
      expect(spanNamed(trace, name)).toMatchObject({ category: 'step', llm: null, parentSpanId: root.spanId });
    }
    const bySession = await getJson<TraceListResponse>(server.url, '/api/traces?sessionId=s-1');
    expect(bySession.body.traces.map((t) => t.traceId)).toEqual([trace.traceId]);
  });

  it('the trace summary sums the calls: tokens and cost (errors add nothing)', () => {
    expect(summary).toMatchObject({ rootName: 'openai-calls', spanCount: 15, errorCount: 2 });
    // chat 2000 + stream 1200 + tool 400 + responses 800 + embeddings 64
    expect(summary.inputTokens).toBe(2000 + 1200 + 400 + 800 + 64);
    // chat 700 + stream 300 + tool 25 + responses 120 (embeddings have none)
    expect(summary.outputTokens).toBe(700 + 300 + 25 + 120);
    // 0.00735 + 0.00472 + 0.000075 + 0.00256 + 0.00000128 = 0.01470628
    expect(summary.costUsd).toBeCloseTo(PLAIN_COST + STREAMED_COST + TOOL_COST + RESPONSE_COST + EMBEDDING_COST, COST_DIGITS);
    expect(summary.costUsd).toBeCloseTo(0.01470628, COST_DIGITS);
    // The SDK's own roll-up on the workflow span agrees.
    expect(spanNamed(trace, 'openai-calls').attributes).toMatchObject({ 'workflow.llm_calls': 5, 'workflow.input_tokens': 4464, 'workflow.output_tokens': 1145 });
  });
});

// --- 2. instrumentAnthropic -------------------------------------------------------------------------

describe('2. instrumentAnthropic: create, stream: true and messages.stream(), one span per call', () => {
  const SERVICE = 'llm-e2e-anthropic';
  const STREAM_DELAY_MS = 80;
  const exportErrors: string[] = [];
  let llm: FakeLlm;
  let summary: TraceSummary;
  let trace: TraceDetail;

  // 5000 input in all: 3000 read from the cache, 1500 written to it, so the API's input_tokens is 500.
  const PLAIN: FakeReply = { text: 'Cached.', usage: { inputTokens: 5000, cachedTokens: 3000, cacheCreationTokens: 1500, outputTokens: 400 } };
  // claude-sonnet-4-6: 500 uncached × $3 + 3000 cache reads × $0.30 + 1500 cache writes × $3.75 + 400 output × $15
  const PLAIN_COST = (500 * 3 + 3000 * 0.3 + 1500 * 3.75 + 400 * 15) / 1e6; // = 0.014025
  const STREAMED: FakeReply = { chunks: ['Str', 'eamed.'], delayMs: STREAM_DELAY_MS, usage: { inputTokens: 1000, cachedTokens: 600, cacheCreationTokens: 0, outputTokens: 50 } };
  // claude-sonnet-4-6: 400 uncached × $3 + 600 cache reads × $0.30 + 50 output × $15
  const STREAMED_COST = (400 * 3 + 600 * 0.3 + 50 * 15) / 1e6; // = 0.00213
  // Above Haiku 5.5's 100K threshold (input, cache reads and cache writes counted together): the
  // whole request bills at the long-context rates. The response names a dated snapshot.
  const LONG: FakeReply = {
    text: 'Long.',
    model: 'claude-haiku-5-5-20261001',
    usage: { inputTokens: 150_000, cachedTokens: 100_000, cacheCreationTokens: 20_000, outputTokens: 2000 },
  };
  // claude-haiku-5-5 long context: 30000 uncached × $0.50 + 100000 cache reads × $0.05 + 20000 cache writes × $0.625 + 2000 output × $2.50
  const LONG_COST = (30_000 * 0.5 + 100_000 * 0.05 + 20_000 * 0.625 + 2000 * 2.5) / 1e6; // = 0.0375

  beforeAll(async () => {
    llm = await startFakeLlm();
    initSdk(SERVICE, exportErrors);
    const anthropic = instrumentAnthropic(new Anthropic({ baseURL: llm.baseUrl, apiKey: 'sk-ant-test', maxRetries: 0 }));
    const hi = [{ role: 'user' as const, content: 'hi' }];
    llm.script(PLAIN, STREAMED, LONG);
    await workflow('anthropic-calls', async () => {
      await step('create', () => anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 512, messages: hi }));
      await step('create-stream', async () => drain(await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 512, messages: hi, stream: true })));
      await step('messages-stream', () => anthropic.messages.stream({ model: 'claude-haiku-5-5', max_tokens: 4096, messages: hi }).finalMessage());
    });
    await shutdown();
    ({ summary, trace } = await onlyTraceOf(SERVICE));
  });

  afterAll(async () => {
    await shutdown();
    await llm?.close();
  });

  it('exported without errors; the client\'s own spans are off, so each call is one span', () => {
    expect(exportErrors).toEqual([]);
    expect(llm.pending()).toBe(0);
    expect(trace.spans.filter((span) => span.category === 'llm').map((span) => span.name)).toEqual([
      'chat claude-sonnet-4-6',
      'chat claude-sonnet-4-6',
      'chat claude-haiku-5-5',
    ]);
    expect(trace.spans.filter((span) => span.scope.name === 'com.anthropic.sdk.typescript')).toEqual([]);
  });

  it('create: input = uncached + cache reads + cache writes, each kind priced at its own rate', () => {
    const span = callIn(trace, 'create');
    expect(span.category).toBe('llm');
    expectLlm(span, {
      provider: 'anthropic',
      operation: 'chat',
      requestModel: 'claude-sonnet-4-6',
      responseModel: 'claude-sonnet-4-6',
      inputTokens: 500 + 3000 + 1500,
      outputTokens: 400,
      totalTokens: 5400,
      cacheReadInputTokens: 3000,
      cacheCreationInputTokens: 1500,
      reasoningTokens: null,
      costUsd: PLAIN_COST,
      costSource: 'price_table',
      finishReasons: ['end_turn'],
    });
    expect(span.llm?.timeToFirstTokenMs).toBeNull();
  });

  it('stream: true: the final output count from message_delta, and a time to first token', () => {
    const span = callIn(trace, 'create-stream');
    expectLlm(span, {
      provider: 'anthropic',
      operation: 'chat',
      requestModel: 'claude-sonnet-4-6',
      responseModel: 'claude-sonnet-4-6',
      inputTokens: 1000,
      outputTokens: 50,
      totalTokens: 1050,
      cacheReadInputTokens: 600,
      cacheCreationInputTokens: 0,
      reasoningTokens: null,
      costUsd: STREAMED_COST,
      costSource: 'price_table',
      finishReasons: ['end_turn'],
    });
    expect(span.llm!.timeToFirstTokenMs).toBeGreaterThanOrEqual(STREAM_DELAY_MS);
  });

  it('messages.stream(): one span; above 100K input the long-context rates apply to the whole request', () => {
    const span = callIn(trace, 'messages-stream');
    expectLlm(span, {
      provider: 'anthropic',
      operation: 'chat',
      requestModel: 'claude-haiku-5-5',
      responseModel: 'claude-haiku-5-5-20261001',
      inputTokens: 150_000,
      outputTokens: 2000,
      totalTokens: 152_000,
      cacheReadInputTokens: 100_000,
      cacheCreationInputTokens: 20_000,
      reasoningTokens: null,
      costUsd: LONG_COST,
      costSource: 'price_table',
      finishReasons: ['end_turn'],
    });
    expect(span.llm!.timeToFirstTokenMs).not.toBeNull();
  });

  it('the trace summary sums the three calls', () => {
    expect(summary).toMatchObject({ rootName: 'anthropic-calls', errorCount: 0 });
    expect(summary.inputTokens).toBe(5000 + 1000 + 150_000);
    expect(summary.outputTokens).toBe(400 + 50 + 2000);
    // 0.014025 + 0.00213 + 0.0375 = 0.053655
    expect(summary.costUsd).toBeCloseTo(PLAIN_COST + STREAMED_COST + LONG_COST, COST_DIGITS);
    expect(summary.costUsd).toBeCloseTo(0.053655, COST_DIGITS);
    // The SDK's own roll-up on the workflow span agrees.
    expect(spanNamed(trace, 'anthropic-calls').attributes).toMatchObject({ 'workflow.llm_calls': 3, 'workflow.input_tokens': 156_000, 'workflow.output_tokens': 2450 });
  });
});

// --- 3. the Anthropic SDK's own spans ---------------------------------------------------------------

describe("3. the Anthropic SDK's own spans (no instrumentAnthropic), mapped by the server", () => {
  const SERVICE = 'llm-e2e-anthropic-native';
  const STREAM_DELAY_MS = 100;
  const exportErrors: string[] = [];
  let llm: FakeLlm;
  let summary: TraceSummary;
  let trace: TraceDetail;

  // 2400 input in all: 1000 cache reads, 800 cache writes, so input_tokens on the wire is 600.
  const PLAIN: FakeReply = { text: 'Native.', usage: { inputTokens: 2400, cachedTokens: 1000, cacheCreationTokens: 800, outputTokens: 90 } };
  // claude-sonnet-4-6: 600 uncached × $3 + 1000 cache reads × $0.30 + 800 cache writes × $3.75 + 90 output × $15
  const PLAIN_COST = (600 * 3 + 1000 * 0.3 + 800 * 3.75 + 90 * 15) / 1e6; // = 0.00645
  const STREAMED: FakeReply = {
    chunks: ['Cut ', 'short'],
    finishReason: 'max_tokens',
    delayMs: STREAM_DELAY_MS,
    usage: { inputTokens: 700, cachedTokens: 200, cacheCreationTokens: 100, outputTokens: 64 },
  };
  // claude-sonnet-4-6: 400 uncached × $3 + 200 cache reads × $0.30 + 100 cache writes × $3.75 + 64 output × $15
  const STREAMED_COST = (400 * 3 + 200 * 0.3 + 100 * 3.75 + 64 * 15) / 1e6; // = 0.002595

  beforeAll(async () => {
    llm = await startFakeLlm();
    initSdk(SERVICE, exportErrors);
    // A plain client, made after init(): its tracer comes from the global provider init() registered.
    const anthropic = new Anthropic({ baseURL: llm.baseUrl, apiKey: 'sk-ant-test', maxRetries: 0 });
    const hi = [{ role: 'user' as const, content: 'hi' }];
    llm.script(PLAIN, STREAMED);
    await workflow('anthropic-native', async () => {
      await step('create', () => anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 512, messages: hi }));
      await step('create-stream', async () => drain(await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: hi, stream: true })));
    });
    await shutdown();
    ({ summary, trace } = await onlyTraceOf(SERVICE));
  });

  afterAll(async () => {
    await shutdown();
    await llm?.close();
  });

  it('exported without errors: one anthropic.messages.create span per call, in the SDK\'s scope', () => {
    expect(exportErrors).toEqual([]);
    expect(llm.pending()).toBe(0);
    for (const stepName of ['create', 'create-stream']) {
      const span = callIn(trace, stepName);
      expect(span.name).toBe('anthropic.messages.create');
      expect(span.kind).toBe('client');
      expect(span.scope.name).toBe('com.anthropic.sdk.typescript');
      expect(span.category).toBe('llm');
    }
  });

  it('create: the inclusive gen_ai.usage.input_tokens, cache_write as cache creation, stop_reason as the finish reason', () => {
    const span = callIn(trace, 'create');
    // What the client sent.
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 2400,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.cache_write.input_tokens': 800,
      'gen_ai.usage.output_tokens': 90,
      'anthropic.message.stop_reason': 'end_turn',
    });
    expectLlm(span, {
      provider: 'anthropic',
      operation: 'chat',
      requestModel: 'claude-sonnet-4-6',
      responseModel: 'claude-sonnet-4-6',
      inputTokens: 2400,
      outputTokens: 90,
      totalTokens: 2490,
      cacheReadInputTokens: 1000,
      cacheCreationInputTokens: 800,
      reasoningTokens: null,
      costUsd: PLAIN_COST,
      costSource: 'price_table',
      finishReasons: ['end_turn'],
    });
    expect(span.llm?.timeToFirstTokenMs).toBeNull();
  });

  it('stream: true: time_to_first_chunk (seconds) as timeToFirstTokenMs, and the usage and stop reason of the stream', () => {
    const span = callIn(trace, 'create-stream');
    const seconds = span.attributes['gen_ai.response.time_to_first_chunk'];
    expect(typeof seconds).toBe('number');
    expect(span.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.input_tokens': 700, 'anthropic.message.stop_reason': 'max_tokens' });
    expectLlm(span, {
      provider: 'anthropic',
      operation: 'chat',
      requestModel: 'claude-sonnet-4-6',
      responseModel: 'claude-sonnet-4-6',
      inputTokens: 700,
      outputTokens: 64,
      totalTokens: 764,
      cacheReadInputTokens: 200,
      cacheCreationInputTokens: 100,
      reasoningTokens: null,
      costUsd: STREAMED_COST,
      costSource: 'price_table',
      finishReasons: ['max_tokens'],
    });
    expect(span.llm!.timeToFirstTokenMs).toBeCloseTo((seconds as number) * 1000, 6);
    expect(span.llm!.timeToFirstTokenMs).toBeGreaterThanOrEqual(STREAM_DELAY_MS);
  });

  it('the trace summary sums the two calls', () => {
    expect(summary.inputTokens).toBe(2400 + 700);
    expect(summary.outputTokens).toBe(90 + 64);
    // 0.00645 + 0.002595 = 0.009045
    expect(summary.costUsd).toBeCloseTo(PLAIN_COST + STREAMED_COST, COST_DIGITS);
    expect(summary.costUsd).toBeCloseTo(0.009045, COST_DIGITS);
    // The SDK's workflow roll-up counts the client's own spans too (its span processor sees every tracer's spans).
    expect(spanNamed(trace, 'anthropic-native').attributes).toMatchObject({ 'workflow.llm_calls': 2, 'workflow.input_tokens': 3100, 'workflow.output_tokens': 154 });
  });
});

// --- 4. Vercel AI SDK ------------------------------------------------------------------------------

describe('4. Vercel AI SDK generateText / streamText with experimental_telemetry', () => {
  const SERVICE = 'llm-e2e-vercel';
  const STREAM_DELAY_MS = 70;
  const exportErrors: string[] = [];
  let llm: FakeLlm;
  /** Each call's trace (each generateText / streamText is a root of its own), by request model. */
  const traces = new Map<string, { summary: TraceSummary; trace: TraceDetail }>();

  interface VercelCase {
    title: string;
    kind: 'generate' | 'stream';
    provider: 'openai' | 'anthropic';
    api: 'chat' | 'responses' | 'messages';
    model: string;
    reply: FakeReply;
    expected: { inputTokens: number; outputTokens: number; cacheRead: number | null; cacheWrite: number | null; reasoning: number | null; costUsd: number };
  }

  const CASES: VercelCase[] = [
    {
      title: 'openai .chat(o3), generateText',
      kind: 'generate',
      provider: 'openai',
      api: 'chat',
      model: 'o3',
      reply: { text: 'Reasoned.', usage: { inputTokens: 900, cachedTokens: 600, outputTokens: 200, reasoningTokens: 150 } },
      // o3: 300 uncached × $2 + 600 cache reads × $0.50 + 200 output (150 reasoning) × $8
      expected: { inputTokens: 900, outputTokens: 200, cacheRead: 600, cacheWrite: null, reasoning: 150, costUsd: (300 * 2 + 600 * 0.5 + 200 * 8) / 1e6 }, // = 0.0025
    },
    {
      title: 'openai .chat(gpt-4o-mini), streamText',
      kind: 'stream',
      provider: 'openai',
      api: 'chat',
      model: 'gpt-4o-mini',
      reply: { chunks: ['Chat ', 'stream.'], delayMs: STREAM_DELAY_MS, usage: { inputTokens: 1000, cachedTokens: 400, outputTokens: 120 } },
      // gpt-4o-mini: 600 uncached × $0.15 + 400 cache reads × $0.075 + 120 output × $0.60
      expected: { inputTokens: 1000, outputTokens: 120, cacheRead: 400, cacheWrite: null, reasoning: 0, costUsd: (600 * 0.15 + 400 * 0.075 + 120 * 0.6) / 1e6 }, // = 0.000192
    },
    {
      title: 'openai Responses (default model, gpt-4o), generateText',
      kind: 'generate',
      provider: 'openai',
      api: 'responses',
      model: 'gpt-4o',
      reply: { text: 'Responded.', usage: { inputTokens: 1300, cachedTokens: 1000, outputTokens: 90 } },
      // gpt-4o: 300 uncached × $2.50 + 1000 cache reads × $1.25 + 90 output × $10
      expected: { inputTokens: 1300, outputTokens: 90, cacheRead: 1000, cacheWrite: null, reasoning: 0, costUsd: (300 * 2.5 + 1000 * 1.25 + 90 * 10) / 1e6 }, // = 0.0029
    },
    {
      title: 'openai Responses (default model, gpt-4.1), streamText',
      kind: 'stream',
      provider: 'openai',
      api: 'responses',
      model: 'gpt-4.1',
      reply: { chunks: ['Responses ', 'stream.'], delayMs: STREAM_DELAY_MS, usage: { inputTokens: 2048, cachedTokens: 1024, outputTokens: 256, reasoningTokens: 64 } },
      // gpt-4.1: 1024 uncached × $2 + 1024 cache reads × $0.50 + 256 output (64 reasoning) × $8
      expected: { inputTokens: 2048, outputTokens: 256, cacheRead: 1024, cacheWrite: null, reasoning: 64, costUsd: (1024 * 2 + 1024 * 0.5 + 256 * 8) / 1e6 }, // = 0.004608
    },
    {
      title: 'anthropic (claude-sonnet-4-6), generateText',
      kind: 'generate',
      provider: 'anthropic',
      api: 'messages',
      model: 'claude-sonnet-4-6',
      reply: { text: 'Cached.', usage: { inputTokens: 3000, cachedTokens: 2000, cacheCreationTokens: 500, outputTokens: 150 } },
      // claude-sonnet-4-6: 500 uncached × $3 + 2000 cache reads × $0.30 + 500 cache writes × $3.75 + 150 output × $15
      expected: { inputTokens: 3000, outputTokens: 150, cacheRead: 2000, cacheWrite: 500, reasoning: null, costUsd: (500 * 3 + 2000 * 0.3 + 500 * 3.75 + 150 * 15) / 1e6 }, // = 0.006225
    },
    {
      title: 'anthropic (claude-haiku-4-5), streamText',
      kind: 'stream',
      provider: 'anthropic',
      api: 'messages',
      model: 'claude-haiku-4-5',
      reply: { chunks: ['Haiku ', 'stream.'], delayMs: STREAM_DELAY_MS, usage: { inputTokens: 1200, cachedTokens: 800, cacheCreationTokens: 300, outputTokens: 60 } },
      // claude-haiku-4-5: 100 uncached × $1 + 800 cache reads × $0.10 + 300 cache writes × $1.25 + 60 output × $5
      expected: { inputTokens: 1200, outputTokens: 60, cacheRead: 800, cacheWrite: 300, reasoning: null, costUsd: (100 * 1 + 800 * 0.1 + 300 * 1.25 + 60 * 5) / 1e6 }, // = 0.000855
    },
  ];

  const TELEMETRY = { isEnabled: true, functionId: 'answer', metadata: { sessionId: 's-ai', userId: 'u-ai' } };

  beforeAll(async () => {
    llm = await startFakeLlm();
    initSdk(SERVICE, exportErrors);
    const openai = createOpenAI({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-test' });
    const anthropic = createAnthropic({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-ant-test' });
    for (const c of CASES) {
      const model: LanguageModel = c.provider === 'anthropic' ? anthropic(c.model) : c.api === 'chat' ? openai.chat(c.model) : openai(c.model);
      llm.script(c.reply);
      if (c.kind === 'generate') {
        await generateText({ model, prompt: 'hi', maxRetries: 0, experimental_telemetry: TELEMETRY });
      } else {
        const result = streamText({ model, prompt: 'hi', maxRetries: 0, experimental_telemetry: TELEMETRY });
        await result.consumeStream();
        await result.usage;
      }
    }
    await shutdown();
    for (const summary of await tracesOf(SERVICE)) {
      const trace = await detailOf(summary.traceId);
      const inner = trace.spans.find((span) => /^ai\.(generateText\.doGenerate|streamText\.doStream)$/.test(span.name));
      const model = inner?.attributes['gen_ai.request.model'];
      if (typeof model === 'string') traces.set(model, { summary, trace });
    }
  });

  afterAll(async () => {
    await shutdown();
    await llm?.close();
  });

  it('exported without errors: one trace per call, each request to the endpoint of its API', () => {
    expect(exportErrors).toEqual([]);
    expect(llm.pending()).toBe(0);
    expect(llm.requests.map((r) => r.endpoint)).toEqual(CASES.map((c) => c.api));
    expect([...traces.keys()].sort()).toEqual(CASES.map((c) => c.model).sort());
  });

  for (const c of CASES) {
    describe(c.title, () => {
      const outerName = c.kind === 'generate' ? 'ai.generateText' : 'ai.streamText';
      const innerName = c.kind === 'generate' ? 'ai.generateText.doGenerate' : 'ai.streamText.doStream';

      it(`the outer ${outerName} span is a step with llm: null (its summed usage is not counted again), with the session and user`, () => {
        const { trace } = traces.get(c.model)!;
        const outer = spanNamed(trace, outerName);
        expect(outer.parentSpanId).toBeNull();
        expect(outer.llm).toBeNull();
        expect(outer.category).toBe('step');
        expect(outer.sessionId).toBe('s-ai');
        expect(outer.userId).toBe('u-ai');
        // It does carry the usage, which is why it must not count.
        expect(outer.attributes['ai.usage.inputTokens']).toBe(c.expected.inputTokens);
        expect(outer.attributes['ai.telemetry.functionId']).toBe('answer');
      });

      it(`the inner ${innerName} span has the llm fields, the session and the user`, () => {
        const { trace } = traces.get(c.model)!;
        const outer = spanNamed(trace, outerName);
        const inner = spanNamed(trace, innerName);
        expect(inner.parentSpanId).toBe(outer.spanId);
        expect(inner.category).toBe('llm');
        expect(inner.sessionId).toBe('s-ai');
        expect(inner.userId).toBe('u-ai');
        const e = c.expected;
        expectLlm(inner, {
          provider: c.provider,
          operation: 'chat',
          requestModel: c.model,
          responseModel: c.model,
          inputTokens: e.inputTokens,
          outputTokens: e.outputTokens,
          totalTokens: e.inputTokens + e.outputTokens,
          cacheReadInputTokens: e.cacheRead,
          cacheCreationInputTokens: e.cacheWrite,
          reasoningTokens: e.reasoning,
          costUsd: e.costUsd,
          costSource: 'price_table',
          finishReasons: ['stop'],
        });
        if (c.kind === 'stream') {
          expect(inner.llm!.timeToFirstTokenMs).toBeGreaterThanOrEqual(STREAM_DELAY_MS);
          expect(inner.llm!.timeToFirstTokenMs).toBe(inner.attributes['ai.response.msToFirstChunk']);
        } else {
          expect(inner.llm!.timeToFirstTokenMs).toBeNull();
        }
      });

      it('the trace summary counts the call once: its tokens and cost equal the inner span\'s', () => {
        const { summary, trace } = traces.get(c.model)!;
        expect(trace.spans.filter((span) => span.llm !== null).map((span) => span.name)).toEqual([innerName]);
        expect(summary.rootName).toBe(outerName);
        expect(summary.inputTokens).toBe(c.expected.inputTokens);
        expect(summary.outputTokens).toBe(c.expected.outputTokens);
        expect(summary.costUsd).toBeCloseTo(c.expected.costUsd, COST_DIGITS);
      });
    });
  }
});

// --- 5. an unpriced model ---------------------------------------------------------------------------

describe('5. an unpriced model: costUsd null, never 0, and listed by GET /api/prices/unpriced', () => {
  const SERVICE = 'llm-e2e-unpriced';
  const exportErrors: string[] = [];
  let llm: FakeLlm;
  let summary: TraceSummary;
  let trace: TraceDetail;

  beforeAll(async () => {
    llm = await startFakeLlm();
    initSdk(SERVICE, exportErrors);
    const openai = instrumentOpenAI(new OpenAI({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-test', maxRetries: 0 }));
    const hi = [{ role: 'user' as const, content: 'hi' }];
    llm.script({ usage: { inputTokens: 321, outputTokens: 45 } }, { usage: { inputTokens: 179, outputTokens: 55 } });
    await workflow('unpriced-calls', async () => {
      await step('plain', () => openai.chat.completions.create({ model: UNPRICED_MODEL, messages: hi }));
      await step('stream', async () => drain(await openai.chat.completions.create({ model: UNPRICED_MODEL, messages: hi, stream: true })));
    });
    await shutdown();
    ({ summary, trace } = await onlyTraceOf(SERVICE));
  });

  afterAll(async () => {
    await shutdown();
    await llm?.close();
  });

  it('each span has its tokens and costUsd null, costSource null', () => {
    expect(exportErrors).toEqual([]);
    for (const [stepName, input, output] of [['plain', 321, 45], ['stream', 179, 55]] as const) {
      const span = callIn(trace, stepName);
      expect(span.category).toBe('llm');
      expect(span.llm).toMatchObject({ provider: 'openai', requestModel: UNPRICED_MODEL, responseModel: UNPRICED_MODEL, inputTokens: input, outputTokens: output });
      expect(span.llm!.costUsd).toBeNull();
      expect(span.llm!.costSource).toBeNull();
    }
  });

  it('the trace summary has the tokens and costUsd null', () => {
    expect(summary.inputTokens).toBe(321 + 179);
    expect(summary.outputTokens).toBe(45 + 55);
    expect(summary.costUsd).toBeNull();
  });

  it('GET /api/prices/unpriced lists it, alone (every other model here was priced), with its span count and tokens', async () => {
    const { status, body } = await getJson<UnpricedModelListResponse>(server.url, '/api/prices/unpriced');
    expect(status).toBe(200);
    expect(body.models).toEqual([
      { model: UNPRICED_MODEL, provider: 'openai', spanCount: 2, inputTokens: 321 + 179, outputTokens: 45 + 55, lastSeen: expect.any(String) },
    ]);
    // The start of its newest span.
    expect(body.models[0]!.lastSeen).toBe(callIn(trace, 'stream').startTime);
  });
});
