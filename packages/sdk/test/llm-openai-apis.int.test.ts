import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { instrumentOpenAI } from '../src/index.js';
import { fakeVector, startFakeLlm, type FakeReply } from './support/fake-llm.js';
import {
  collect,
  HI,
  json,
  OPENAI_MODEL as MODEL,
  OPENAI_USAGE as USAGE,
  openaiClient,
  setupOpenAI,
  stable,
  WEATHER_ARGS,
} from './support/llm-instrumentation.js';

/**
 * `instrumentOpenAI()` on the real `openai` client against the loopback fake, beyond chat
 * completions: the Responses API, embeddings, errors and content capture. Chat completions plain
 * and streamed are in llm-openai-chat.int.test.ts.
 */

const env = setupOpenAI();
const { client, uninstrumented, llmSpans, onlyLlmSpan, histogramPoint } = env;

describe('responses', () => {
  it('plain: usage with cache and reasoning, finish reason stop, request attributes', async () => {
    const reply: FakeReply = { text: 'Salut.', usage: USAGE, id: 'resp_plain' };
    env.llm.script(reply);
    const params = { model: 'gpt-4.1', input: 'hi', instructions: 'be brief', max_output_tokens: 64, temperature: 0.3, reasoning: { effort: 'low' as const } };
    const res = await client().responses.create(params);
    const expected = await uninstrumented([reply], (openai) => openai.responses.create(params));
    expect(stable(res)).toEqual(stable(expected));
    expect(res.output_text).toBe('Salut.');
    expect(res._request_id).toMatch(/^req_fake_/);
    const span = await onlyLlmSpan();
    expect(span.name).toBe('chat gpt-4.1');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4.1',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.3,
      'openai.request.reasoning_effort': 'low',
      'gen_ai.response.id': 'resp_plain',
      'gen_ai.response.model': 'gpt-4.1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.reasoning.output_tokens': 120,
    });
    expect(span.attributes['gen_ai.system_instructions']).toBeUndefined();
  });

  it('plain function call: tool names and finish reason tool_calls; max_output_tokens is length', async () => {
    env.llm.script({ toolCalls: [{ name: 'get_weather', arguments: WEATHER_ARGS }] }, { finishReason: 'max_output_tokens' });
    const openai = client();
    await openai.responses.create({ model: 'gpt-4.1', input: 'weather?' });
    await openai.responses.create({ model: 'gpt-4.1', input: 'long' });
    const [called, cut] = await llmSpans();
    expect(called?.attributes).toMatchObject({ 'spoor.gen_ai.tool_calls': ['get_weather'], 'gen_ai.response.finish_reasons': ['tool_calls'] });
    expect(cut?.attributes['gen_ai.response.finish_reasons']).toEqual(['length']);
  });

  it('stream: true: the same events as uninstrumented; usage and time to first chunk on the span', async () => {
    const reply: FakeReply = { chunks: ['One', ' two'], usage: USAGE, id: 'resp_stream', delayMs: 120 };
    env.llm.script(reply);
    const params = { model: 'gpt-4.1', input: 'count', stream: true as const };
    const events = await collect(await client().responses.create(params));
    const expected = await uninstrumented([reply], async (openai) => collect(await openai.responses.create(params)));
    expect(stable(events)).toEqual(stable(expected));
    const span = await onlyLlmSpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'resp_stream',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.reasoning.output_tokens': 120,
    });
    expect(span.attributes['gen_ai.client.operation.time_to_first_chunk']).toBeGreaterThan(0.11);
  });

  it('responses.stream() and finalResponse(): text and tool call captured, one span', async () => {
    const reply: FakeReply = { text: 'Checking.', toolCalls: [{ name: 'get_weather', arguments: WEATHER_ARGS, id: 'call_r' }], usage: USAGE };
    env.llm.script(reply);
    const params = { model: 'gpt-4.1', input: 'weather?', instructions: 'be brief' };
    const helper = client({ captureContent: true }).responses.stream(params);
    let text = '';
    helper.on('response.output_text.delta', (event) => (text += event.delta));
    const final = await helper.finalResponse();
    const expected = await uninstrumented([reply], (openai) => openai.responses.stream(params).finalResponse());
    expect(stable(final)).toEqual(stable(expected));
    expect(text).toBe('Checking.');
    const span = await onlyLlmSpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 1200,
      'spoor.gen_ai.tool_calls': ['get_weather'],
      'gen_ai.response.finish_reasons': ['tool_calls'],
    });
    expect(json(span, 'gen_ai.system_instructions')).toEqual([{ type: 'text', content: 'be brief' }]);
    expect(json(span, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'weather?' }] }]);
    expect(json(span, 'gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Checking.' },
          { type: 'tool_call', id: 'call_r', name: 'get_weather', arguments: WEATHER_ARGS },
        ],
        finish_reason: 'tool_calls',
      },
    ]);
  });
});

describe('embeddings', () => {
  it('default base64 still decodes to the vectors; span and metric have the input tokens and model', async () => {
    const res = await client().embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(env.llm.requests[0]?.body).toMatchObject({ encoding_format: 'base64' });
    expect(res.data.map((d) => d.embedding)).toEqual([fakeVector('"a"'), fakeVector('"b"')]);
    expect(res._request_id).toMatch(/^req_fake_/);
    const span = await onlyLlmSpan();
    expect(span.name).toBe('embeddings text-embedding-3-small');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'text-embedding-3-small',
      'gen_ai.response.model': 'text-embedding-3-small',
      'gen_ai.usage.input_tokens': 2,
    });
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    const labels = { 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'text-embedding-3-small' };
    expect(await histogramPoint('gen_ai.client.token.usage', { ...labels, 'gen_ai.token.type': 'input' })).toMatchObject({ count: 1, sum: 2 });
    expect(await histogramPoint('gen_ai.client.token.usage', { ...labels, 'gen_ai.token.type': 'output' })).toBeUndefined();
    expect(await histogramPoint('gen_ai.client.operation.duration', labels)).toMatchObject({ count: 1 });
  });

  it('float with dimensions: the encoding format and dimension count are recorded', async () => {
    env.llm.script({ usage: { inputTokens: 7 } });
    const res = await client().embeddings.create({ model: 'text-embedding-3-small', input: 'hello', encoding_format: 'float', dimensions: 4 });
    expect(res.data[0]?.embedding).toEqual(fakeVector('"hello"', 4));
    const span = await onlyLlmSpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.encoding_formats': ['float'],
      'gen_ai.embeddings.dimension.count': 4,
      'gen_ai.usage.input_tokens': 7,
    });
  });
});

describe('errors', () => {
  it('429: the app gets RateLimitError; the span is ERROR rate_limit with status 429 and the exception', async () => {
    env.llm.script({ error: { status: 429 } });
    const error = await client()
      .chat.completions.create({ model: MODEL, messages: HI })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).status).toBe(429);
    const span = await onlyLlmSpan();
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toMatch(/Rate limit/);
    expect(span.attributes).toMatchObject({ 'error.type': 'rate_limit', 'http.response.status_code': 429 });
    const exception = span.events.find((event) => event.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toMatch(/Rate limit/);
    expect(
      await histogramPoint('gen_ai.client.operation.duration', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': MODEL, 'error.type': 'rate_limit' }),
    ).toMatchObject({ count: 1 });
    const tokens = (await env.sdk.metrics()).get('gen_ai.client.token.usage');
    expect(tokens?.dataPoints ?? []).toEqual([]);
  });

  interface ErrorCase {
    what: string;
    replies: FakeReply[];
    call: () => Promise<unknown>;
    error: new (...args: never[]) => Error;
    attributes: Record<string, unknown>;
  }

  it.each<ErrorCase>([
    {
      what: 'a 500 on a stream request',
      replies: [{ error: { status: 500 } }],
      call: () => client().chat.completions.create({ model: MODEL, messages: HI, stream: true }),
      error: OpenAI.InternalServerError,
      attributes: { 'error.type': '5xx', 'http.response.status_code': 500, 'gen_ai.request.stream': true },
    },
    {
      what: 'a 400 on responses',
      replies: [{ error: { status: 400 } }],
      call: () => client().responses.create({ model: 'gpt-4.1', input: 'hi' }),
      error: OpenAI.BadRequestError,
      attributes: { 'error.type': '4xx', 'http.response.status_code': 400 },
    },
    {
      what: 'no server',
      replies: [],
      async call() {
        const gone = await startFakeLlm();
        await gone.close();
        return instrumentOpenAI(openaiClient(gone.baseUrl)).chat.completions.create({ model: MODEL, messages: HI });
      },
      error: OpenAI.APIConnectionError,
      attributes: { 'error.type': 'connection' },
    },
    {
      what: 'a timeout',
      replies: [{ delayMs: 2_000 }],
      call: () => instrumentOpenAI(openaiClient(env.llm.baseUrl, { timeout: 100 })).chat.completions.create({ model: MODEL, messages: HI }),
      error: OpenAI.APIConnectionTimeoutError,
      attributes: { 'error.type': 'timeout' },
    },
    {
      what: 'an abort',
      replies: [{ delayMs: 2_000 }],
      call() {
        const controller = new AbortController();
        const pending = client().chat.completions.create({ model: MODEL, messages: HI }, { signal: controller.signal });
        setTimeout(() => controller.abort(), 50);
        return pending;
      },
      error: OpenAI.APIUserAbortError,
      attributes: { 'error.type': 'abort' },
    },
  ])('$what: the app gets $error.name; the span is ERROR with its error.type', async ({ replies, call, error, attributes }) => {
    env.llm.script(...replies);
    await expect(call()).rejects.toBeInstanceOf(error);
    const span = await onlyLlmSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject(attributes);
  });
});

describe('content capture', () => {
  it('is off by default: no messages on the span', async () => {
    await client().chat.completions.create({ model: MODEL, messages: [{ role: 'system', content: 'be brief' }, ...HI] });
    const span = await onlyLlmSpan();
    for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions']) expect(span.attributes[key]).toBeUndefined();
  });

  it('on: input and output messages in the GenAI parts format, an email masked in the export', async () => {
    env.llm.script({ text: 'I will write to jane.doe@example.com today.', usage: USAGE });
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Please email jane.doe@example.com the report.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"report"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'report ready' },
    ];
    const res = await client({ captureContent: true }).chat.completions.create({ model: MODEL, messages });
    // The app and the API see the real text; only the telemetry is masked.
    expect(res.choices[0]?.message.content).toBe('I will write to jane.doe@example.com today.');
    expect(JSON.stringify(env.llm.requests[0]?.body)).toContain('jane.doe@example.com');

    const span = await onlyLlmSpan();
    expect(JSON.stringify(span.attributes)).not.toContain('jane.doe@example.com');
    expect(json(span, 'gen_ai.input.messages')).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Please email [REDACTED:email] the report.' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup', arguments: { q: 'report' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'report ready' }] },
    ]);
    expect(json(span, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'I will write to [REDACTED:email] today.' }], finish_reason: 'stop' },
    ]);
  });

  it('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true turns it on when the option is not given', async () => {
    vi.stubEnv('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', 'true');
    await client().chat.completions.create({ model: MODEL, messages: HI });
    const span = await onlyLlmSpan();
    expect(json(span, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
  });
});
