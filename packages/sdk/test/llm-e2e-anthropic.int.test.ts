import { describe, expect, it } from 'vitest';
import { instrumentAnthropic, step, workflow } from '../src/index.js';
import { type FakeReply } from './support/fake-llm.js';
import { COST_DIGITS, HI, anthropicClient, callIn, drain, expectLlm, spanNamed, useOneTraceScenario, useSpoorServer } from './support/llm-e2e.js';

/**
 * Anthropic calls end to end, two ways: through `instrumentAnthropic` (create, `stream: true` and
 * `messages.stream()`, one span per call), and with a plain client whose own OpenTelemetry spans
 * the server maps. The setup and the cost arithmetic are in ./support/llm-e2e.ts.
 */

const server = useSpoorServer();

// --- 2. instrumentAnthropic -------------------------------------------------------------------------

describe('2. instrumentAnthropic: create, stream: true and messages.stream(), one span per call', () => {
  const SERVICE = 'llm-e2e-anthropic';
  const STREAM_DELAY_MS = 80;

  // 5000 input in all: 3000 read from the cache, 1500 written to it, so the API's input_tokens is 500.
  const PLAIN: FakeReply = { text: 'Cached.', usage: { inputTokens: 5000, cachedTokens: 3000, cacheCreationTokens: 1500, outputTokens: 400 } };
  // claude-sonnet-4-6: 500 uncached × $3 + 3000 cache reads × $0.30 + 1500 cache writes × $3.75 + 400 output × $15
  const PLAIN_COST = (500 * 3 + 3000 * 0.3 + 1500 * 3.75 + 400 * 15) / 1e6; // = 0.014025
  const STREAMED: FakeReply = {
    chunks: ['Str', 'eamed.'],
    delayMs: STREAM_DELAY_MS,
    usage: { inputTokens: 1000, cachedTokens: 600, cacheCreationTokens: 0, outputTokens: 50 },
  };
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

  const scenario = useOneTraceScenario(server, SERVICE, async (llm) => {
    const anthropic = instrumentAnthropic(anthropicClient(llm));
    llm.script(PLAIN, STREAMED, LONG);
    await workflow('anthropic-calls', async () => {
      await step('create', () => anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 512, messages: HI }));
      await step('create-stream', async () =>
        drain(await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 512, messages: HI, stream: true })),
      );
      await step('messages-stream', () => anthropic.messages.stream({ model: 'claude-haiku-5-5', max_tokens: 4096, messages: HI }).finalMessage());
    });
  });

  it("exported without errors; the client's own spans are off, so each call is one span", () => {
    expect(scenario.exportErrors).toEqual([]);
    expect(scenario.llm.pending()).toBe(0);
    expect(scenario.trace.spans.filter((span) => span.category === 'llm').map((span) => span.name)).toEqual([
      'chat claude-sonnet-4-6',
      'chat claude-sonnet-4-6',
      'chat claude-haiku-5-5',
    ]);
    expect(scenario.trace.spans.filter((span) => span.scope.name === 'com.anthropic.sdk.typescript')).toEqual([]);
  });

  it('create: input = uncached + cache reads + cache writes, each kind priced at its own rate', () => {
    const span = callIn(scenario.trace, 'create');
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
    const span = callIn(scenario.trace, 'create-stream');
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
    const span = callIn(scenario.trace, 'messages-stream');
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
    expect(scenario.summary).toMatchObject({ rootName: 'anthropic-calls', errorCount: 0 });
    expect(scenario.summary.inputTokens).toBe(5000 + 1000 + 150_000);
    expect(scenario.summary.outputTokens).toBe(400 + 50 + 2000);
    // 0.014025 + 0.00213 + 0.0375 = 0.053655
    expect(scenario.summary.costUsd).toBeCloseTo(PLAIN_COST + STREAMED_COST + LONG_COST, COST_DIGITS);
    expect(scenario.summary.costUsd).toBeCloseTo(0.053655, COST_DIGITS);
    // The SDK's own roll-up on the workflow span agrees.
    expect(spanNamed(scenario.trace, 'anthropic-calls').attributes).toMatchObject({
      'workflow.llm_calls': 3,
      'workflow.input_tokens': 156_000,
      'workflow.output_tokens': 2450,
    });
  });
});

// --- 3. the Anthropic SDK's own spans ---------------------------------------------------------------

describe("3. the Anthropic SDK's own spans (no instrumentAnthropic), mapped by the server", () => {
  const SERVICE = 'llm-e2e-anthropic-native';
  const STREAM_DELAY_MS = 100;

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

  const scenario = useOneTraceScenario(server, SERVICE, async (llm) => {
    // A plain client, made after init(): its tracer comes from the global provider init() registered.
    const anthropic = anthropicClient(llm);
    llm.script(PLAIN, STREAMED);
    await workflow('anthropic-native', async () => {
      await step('create', () => anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 512, messages: HI }));
      await step('create-stream', async () =>
        drain(await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: HI, stream: true })),
      );
    });
  });

  it("exported without errors: one anthropic.messages.create span per call, in the SDK's scope", () => {
    expect(scenario.exportErrors).toEqual([]);
    expect(scenario.llm.pending()).toBe(0);
    for (const stepName of ['create', 'create-stream']) {
      const span = callIn(scenario.trace, stepName);
      expect(span.name).toBe('anthropic.messages.create');
      expect(span.kind).toBe('client');
      expect(span.scope.name).toBe('com.anthropic.sdk.typescript');
      expect(span.category).toBe('llm');
    }
  });

  it('create: the inclusive gen_ai.usage.input_tokens, cache_write as cache creation, stop_reason as the finish reason', () => {
    const span = callIn(scenario.trace, 'create');
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
    const span = callIn(scenario.trace, 'create-stream');
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
    expect(scenario.summary.inputTokens).toBe(2400 + 700);
    expect(scenario.summary.outputTokens).toBe(90 + 64);
    // 0.00645 + 0.002595 = 0.009045
    expect(scenario.summary.costUsd).toBeCloseTo(PLAIN_COST + STREAMED_COST, COST_DIGITS);
    expect(scenario.summary.costUsd).toBeCloseTo(0.009045, COST_DIGITS);
    // The SDK's workflow roll-up counts the client's own spans too (its span processor sees every tracer's spans).
    expect(spanNamed(scenario.trace, 'anthropic-native').attributes).toMatchObject({
      'workflow.llm_calls': 2,
      'workflow.input_tokens': 3100,
      'workflow.output_tokens': 154,
    });
  });
});
