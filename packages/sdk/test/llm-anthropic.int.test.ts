import Anthropic from '@anthropic-ai/sdk';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { instrumentAnthropic, workflow } from '../src/index.js';
import { FIRST_CHUNK_BUCKETS, TOKEN_BUCKETS } from '../src/llm/semconv.js';
import { type FakeReply } from './support/fake-llm.js';
import { collect, HI, json, setupLlmInstrumentation, WEATHER_ARGS } from './support/llm-instrumentation.js';
import { byName } from './support/memory.js';

/**
 * `instrumentAnthropic()` on the real `@anthropic-ai/sdk` client against the loopback fake: one
 * span per call (the client's own spans off), usage with the cache counted in, and the app's view
 * unchanged.
 */

const MODEL = 'claude-sonnet-4-6';
const RESPONSE_MODEL = 'claude-sonnet-4-6-20260101';
/**
 * 1500 input tokens in all: 1000 read from the cache and 300 written to it, so the API's own
 * `input_tokens` is 200. 80 output tokens.
 */
const USAGE = { inputTokens: 1500, outputTokens: 80, cachedTokens: 1000, cacheCreationTokens: 300 };
const WEATHER_TOOL = { name: 'get_weather', input_schema: { type: 'object' as const } };

/** A client as the app makes it; `openTelemetry: false` for a baseline that adds no spans of its own. */
const rawClient = (baseUrl: string, openTelemetry?: false) => new Anthropic({ baseURL: baseUrl, apiKey: 'test', maxRetries: 0, openTelemetry });

const env = setupLlmInstrumentation({
  raw: (baseUrl) => rawClient(baseUrl),
  instrument: instrumentAnthropic,
  baseline: (baseUrl) => rawClient(baseUrl, false),
});
const { client, uninstrumented, histogramPoint } = env;

/** Every span exported so far must be one of ours: the client's own `anthropic.*` spans are off. */
const onlySpan = () => env.onlySpan(`chat ${MODEL}`);

const CACHED_USAGE_ATTRIBUTES = {
  'gen_ai.usage.input_tokens': 1500,
  'gen_ai.usage.output_tokens': 80,
  'gen_ai.usage.cache_read.input_tokens': 1000,
  'gen_ai.usage.cache_creation.input_tokens': 300,
};

describe('messages.create', () => {
  it('plain: one CLIENT span, input tokens = uncached + cache read + cache creation, and the metrics', async () => {
    const reply: FakeReply = { text: 'Hi there.', usage: USAGE, id: 'msg_plain', model: RESPONSE_MODEL };
    env.llm.script(reply);
    const params = { model: MODEL, max_tokens: 256, temperature: 0.5, top_p: 0.9, top_k: 40, stop_sequences: ['END'], messages: HI };
    const msg = await client().messages.create(params);
    const expected = await uninstrumented([reply], (anthropic) => anthropic.messages.create(params));

    expect(msg).toEqual(expected);
    expect(msg.usage).toMatchObject({ input_tokens: 200, cache_read_input_tokens: 1000, cache_creation_input_tokens: 300 });
    expect(msg._request_id).toMatch(/^req_fake_/);

    const span = await onlySpan();
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': MODEL,
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.stop_sequences': ['END'],
      // An IP address is masked at export like any other value.
      'server.address': '[REDACTED:ip]',
      'server.port': Number(new URL(env.llm.baseUrl).port),
      'gen_ai.response.id': 'msg_plain',
      'gen_ai.response.model': RESPONSE_MODEL,
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...CACHED_USAGE_ATTRIBUTES,
      'anthropic.response.service_tier': 'standard',
    });

    const labels = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': MODEL,
      'gen_ai.response.model': RESPONSE_MODEL,
    };
    expect(await histogramPoint('gen_ai.client.token.usage', { ...labels, 'gen_ai.token.type': 'input' })).toMatchObject({
      count: 1,
      sum: 1500,
      buckets: { boundaries: TOKEN_BUCKETS },
    });
    expect(await histogramPoint('gen_ai.client.token.usage', { ...labels, 'gen_ai.token.type': 'output' })).toMatchObject({ count: 1, sum: 80 });
    expect(await histogramPoint('gen_ai.client.operation.duration', labels)).toMatchObject({ count: 1 });
  });

  it('the client on its own emits its anthropic.messages.create span; instrumented, that span is gone', async () => {
    await rawClient(env.llm.baseUrl).messages.create({ model: MODEL, max_tokens: 16, messages: HI });
    expect((await env.sdk.spans()).map((span) => span.name)).toEqual(['anthropic.messages.create']);

    const anthropic = client();
    await anthropic.messages.create({ model: MODEL, max_tokens: 16, messages: HI });
    await collect(await anthropic.messages.create({ model: MODEL, max_tokens: 16, messages: HI, stream: true }));
    await anthropic.messages.stream({ model: MODEL, max_tokens: 16, messages: HI }).finalMessage();
    const names = (await env.sdk.spans()).map((span) => span.name);
    expect(names).toEqual(['anthropic.messages.create', `chat ${MODEL}`, `chat ${MODEL}`, `chat ${MODEL}`]);
  });

  it('.withResponse() still gives the data and the raw response', async () => {
    env.llm.script({ text: 'With response.', usage: USAGE, id: 'msg_wr' });
    const { data, response, request_id } = await client().messages.create({ model: MODEL, max_tokens: 16, messages: HI }).withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'With response.' }]);
    expect(response.status).toBe(200);
    expect(request_id).toMatch(/^req_fake_/);
    expect((await onlySpan()).attributes).toMatchObject({ 'gen_ai.response.id': 'msg_wr', ...CACHED_USAGE_ATTRIBUTES });
  });

  it('tool_use: the tool names and finish reason tool_use', async () => {
    env.llm.script({
      text: 'Let me check.',
      toolCalls: [
        { name: 'get_weather', arguments: WEATHER_ARGS, id: 'toolu_1' },
        { name: 'get_time', arguments: { tz: 'UTC' } },
      ],
    });
    const msg = await client({ captureContent: true }).messages.create({ model: MODEL, max_tokens: 64, messages: HI, tools: [WEATHER_TOOL] });
    expect(msg.stop_reason).toBe('tool_use');
    const span = await onlySpan();
    expect(span.attributes).toMatchObject({ 'spoor.gen_ai.tool_calls': ['get_weather', 'get_time'], 'gen_ai.response.finish_reasons': ['tool_use'] });
    const [output] = json(span, 'gen_ai.output.messages') as { parts: unknown[] }[];
    expect(output?.parts.slice(0, 2)).toEqual([
      { type: 'text', content: 'Let me check.' },
      { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: WEATHER_ARGS },
    ]);
  });

  it('a call inside workflow() adds its inclusive input tokens to the workflow', async () => {
    env.llm.script({ usage: USAGE }, { chunks: ['a', 'b'], usage: { inputTokens: 40, outputTokens: 5 } });
    const anthropic = client();
    await workflow('agent', async () => {
      await anthropic.messages.create({ model: MODEL, max_tokens: 16, messages: HI });
      await anthropic.messages.stream({ model: MODEL, max_tokens: 16, messages: HI }).finalMessage();
    });
    const spans = await env.sdk.spans();
    const run = byName(spans, 'agent');
    expect(run.attributes).toMatchObject({ 'workflow.llm_calls': 2, 'workflow.input_tokens': 1540, 'workflow.output_tokens': 85 });
    for (const call of spans.filter((span) => span.name === `chat ${MODEL}`)) expect(call.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
  });

  it('instrumenting twice does not wrap twice: one span per call', async () => {
    const anthropic = client();
    const create = anthropic.messages.create;
    expect(instrumentAnthropic(anthropic)).toBe(anthropic);
    expect(anthropic.messages.create).toBe(create);
    await anthropic.messages.create({ model: MODEL, max_tokens: 16, messages: HI });
    await onlySpan();
  });
});

describe('streams', () => {
  const STREAMED: FakeReply = { chunks: ['Hel', 'lo', ' there'], usage: USAGE, id: 'msg_stream', model: RESPONSE_MODEL, delayMs: 150 };

  it('stream: true: the same events as uninstrumented; usage from message_start and message_delta; TTFT', async () => {
    env.llm.script(STREAMED);
    const params = { model: MODEL, max_tokens: 64, messages: HI, stream: true as const };
    const events = await collect(await client().messages.create(params));
    const expected = await uninstrumented([STREAMED], async (anthropic) => collect(await anthropic.messages.create(params)));
    expect(events).toEqual(expected);
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);

    const span = await onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'msg_stream',
      'gen_ai.response.model': RESPONSE_MODEL,
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...CACHED_USAGE_ATTRIBUTES,
    });
    const ttft = span.attributes['gen_ai.client.operation.time_to_first_chunk'] as number;
    expect(ttft).toBeGreaterThan(0.14);
    // In seconds, like the span's own duration, which it cannot outlast.
    expect(ttft).toBeLessThanOrEqual(span.duration[0] + span.duration[1] / 1e9);
    const first = await histogramPoint('gen_ai.client.operation.time_to_first_chunk', { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic' });
    expect(first).toMatchObject({ count: 1, buckets: { boundaries: FIRST_CHUNK_BUCKETS } });
    expect(await histogramPoint('gen_ai.client.token.usage', { 'gen_ai.token.type': 'output', 'gen_ai.provider.name': 'anthropic' })).toMatchObject({
      sum: 80,
    });
  });

  it('the span ends only after message_stop was read', async () => {
    env.llm.script({ chunks: ['a', 'b'], usage: USAGE, chunkDelayMs: 5 });
    const stream = await client().messages.create({ model: MODEL, max_tokens: 64, messages: HI, stream: true });
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      expect(await env.sdk.spans(), `after ${event.type}`).toEqual([]);
    }
    expect(types.at(-1)).toBe('message_stop');
    expect((await onlySpan()).attributes['gen_ai.usage.output_tokens']).toBe(80);
  });

  it('messages.stream(): text events and finalMessage() as uninstrumented; one span with content captured', async () => {
    const reply: FakeReply = { text: 'Streaming works.', usage: USAGE, id: 'msg_helper' };
    env.llm.script(reply);
    const params = { model: MODEL, max_tokens: 64, system: 'Be brief.', messages: HI };
    const helper = client({ captureContent: true }).messages.stream(params);
    let text = '';
    helper.on('text', (delta) => (text += delta));
    const final = await helper.finalMessage();
    const expected = await uninstrumented([reply], (anthropic) => anthropic.messages.stream(params).finalMessage());
    expect(text).toBe('Streaming works.');
    expect(final).toEqual(expected);

    const span = await onlySpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.response.id': 'msg_helper', ...CACHED_USAGE_ATTRIBUTES });
    expect(json(span, 'gen_ai.system_instructions')).toEqual([{ type: 'text', content: 'Be brief.' }]);
    expect(json(span, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
    expect(json(span, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Streaming works.' }], finish_reason: 'end_turn' },
    ]);
  });

  it('streamed tool_use: input_json_delta assembled into the tool call arguments', async () => {
    env.llm.script({ text: 'Let me check.', toolCalls: [{ name: 'get_weather', arguments: WEATHER_ARGS, id: 'toolu_s' }], usage: USAGE });
    const final = await client({ captureContent: true })
      .messages.stream({ model: MODEL, max_tokens: 64, messages: HI, tools: [WEATHER_TOOL] })
      .finalMessage();
    expect(final.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: WEATHER_ARGS });
    const span = await onlySpan();
    expect(span.attributes).toMatchObject({ 'spoor.gen_ai.tool_calls': ['get_weather'], 'gen_ai.response.finish_reasons': ['tool_use'] });
    expect(json(span, 'gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Let me check.' },
          { type: 'tool_call', id: 'toolu_s', name: 'get_weather', arguments: WEATHER_ARGS },
        ],
        finish_reason: 'tool_use',
      },
    ]);
  });

  it('an early break ends the span as abandoned', async () => {
    env.llm.script({ chunks: ['a', 'b', 'c', 'd'], usage: USAGE, chunkDelayMs: 20 });
    const stream = await client().messages.create({ model: MODEL, max_tokens: 64, messages: HI, stream: true });
    for await (const event of stream) {
      if (event.type === 'content_block_delta') break;
    }
    const span = await onlySpan();
    expect(span.attributes['spoor.gen_ai.stream.abandoned']).toBe(true);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    // message_start had come: the input side is known.
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(1500);
  });

  it('messages.stream().abort(): the app gets APIUserAbortError, the span ends as abandoned', async () => {
    env.llm.script({ chunks: ['a', 'b', 'c', 'd'], chunkDelayMs: 30 });
    const helper = client().messages.stream({ model: MODEL, max_tokens: 64, messages: HI });
    helper.on('text', () => helper.abort());
    await expect(helper.finalMessage()).rejects.toBeInstanceOf(Anthropic.APIUserAbortError);
    const span = await onlySpan();
    expect(span.attributes['spoor.gen_ai.stream.abandoned']).toBe(true);
  });

  it('a mid-stream disconnect ends the span with ERROR connection; the input tokens already known stay', async () => {
    env.llm.script({ chunks: ['a', 'b', 'c'], usage: USAGE, disconnectAfter: 4 });
    const stream = await client().messages.create({ model: MODEL, max_tokens: 64, messages: HI, stream: true });
    const types: string[] = [];
    const error = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/terminated/);
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ 'error.type': 'connection', 'gen_ai.usage.input_tokens': 1500 });
    expect(span.events.map((event) => event.name)).toContain('exception');
    expect(await histogramPoint('gen_ai.client.operation.duration', { 'gen_ai.provider.name': 'anthropic', 'error.type': 'connection' })).toMatchObject({
      count: 1,
    });
  });
});

describe('errors', () => {
  it('429: the app gets RateLimitError; one span, ERROR rate_limit with status 429 and the exception', async () => {
    env.llm.script({ error: { status: 429 } }, { error: { status: 529 } });
    const anthropic = client();
    const error = await anthropic.messages.create({ model: MODEL, max_tokens: 16, messages: HI }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const span = await onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ 'error.type': 'rate_limit', 'http.response.status_code': 429 });
    expect(span.events.find((event) => event.name === 'exception')?.attributes?.['exception.message']).toMatch(/rate limit/);
    expect(await histogramPoint('gen_ai.client.operation.duration', { 'gen_ai.provider.name': 'anthropic', 'error.type': 'rate_limit' })).toMatchObject({
      count: 1,
    });

    // Overloaded (529) on messages.stream(): the helper's error, and 5xx.
    await expect(anthropic.messages.stream({ model: MODEL, max_tokens: 16, messages: HI }).finalMessage()).rejects.toBeInstanceOf(
      Anthropic.InternalServerError,
    );
    const spans = await env.sdk.spans();
    expect(spans).toHaveLength(2);
    expect(spans[1]?.attributes).toMatchObject({ 'error.type': '5xx', 'http.response.status_code': 529 });
  });
});

describe('content capture', () => {
  it('off by default', async () => {
    await client().messages.create({ model: MODEL, max_tokens: 16, system: 'Be brief.', messages: HI });
    const span = await onlySpan();
    for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions']) expect(span.attributes[key]).toBeUndefined();
  });

  it('on: system, input and output in the GenAI parts format, an email masked in the export', async () => {
    env.llm.script({ text: 'Sent to jane.doe@example.com.' });
    const messages: Anthropic.Messages.MessageParam[] = [
      { role: 'user', content: [{ type: 'text', text: 'Mail jane.doe@example.com the report.' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'report' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'report ready' }] },
    ];
    const msg = await client({ captureContent: true }).messages.create({
      model: MODEL,
      max_tokens: 64,
      system: [{ type: 'text', text: 'You are terse.' }],
      messages,
    });
    expect(msg.content).toEqual([{ type: 'text', text: 'Sent to jane.doe@example.com.' }]);
    expect(JSON.stringify(env.llm.requests[0]?.body)).toContain('jane.doe@example.com');

    const span = await onlySpan();
    expect(JSON.stringify(span.attributes)).not.toContain('jane.doe@example.com');
    expect(json(span, 'gen_ai.system_instructions')).toEqual([{ type: 'text', content: 'You are terse.' }]);
    expect(json(span, 'gen_ai.input.messages')).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Mail [REDACTED:email] the report.' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'toolu_1', name: 'lookup', arguments: { q: 'report' } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 'toolu_1', response: 'report ready' }] },
    ]);
    expect(json(span, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Sent to [REDACTED:email].' }], finish_reason: 'end_turn' },
    ]);
  });
});
