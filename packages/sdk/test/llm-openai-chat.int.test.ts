import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type OpenAI from 'openai';
import type { Stream } from 'openai/core/streaming';
import { describe, expect, it } from 'vitest';
import { instrumentOpenAI, withSpan, workflow } from '../src/index.js';
import { DURATION_BUCKETS, FIRST_CHUNK_BUCKETS, TOKEN_BUCKETS } from '../src/llm/semconv.js';
import { type FakeReply } from './support/fake-llm.js';
import {
  collect,
  HI,
  json,
  OPENAI_MODEL as MODEL,
  OPENAI_RESPONSE_MODEL as RESPONSE_MODEL,
  OPENAI_USAGE as USAGE,
  openaiClient,
  setupOpenAI,
  stable,
  WEATHER_ARGS,
} from './support/llm-instrumentation.js';
import { byName } from './support/memory.js';

/**
 * `instrumentOpenAI()` on the real `openai` client against the loopback fake, chat completions
 * plain and streamed: what the spans and GenAI metrics say, and that the app sees exactly what it
 * would see without the instrumentation. Responses, embeddings, errors and content capture are in
 * llm-openai-apis.int.test.ts.
 */

const env = setupOpenAI();
const { client, uninstrumented, llmSpans, onlyLlmSpan, histogramPoint } = env;

describe('chat.completions.create', () => {
  it('plain: one CLIENT span with the request, response, usage and the token and duration metrics', async () => {
    const reply: FakeReply = { text: 'Bonjour.', usage: USAGE, model: RESPONSE_MODEL, id: 'chatcmpl-plain' };
    env.llm.script(reply);
    const params = {
      model: MODEL,
      messages: HI,
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 50,
      seed: 7,
      stop: ['END'],
      frequency_penalty: 0.5,
      presence_penalty: 0.25,
    };
    const res = await client().chat.completions.create(params);
    const expected = await uninstrumented([reply], (openai) => openai.chat.completions.create(params));

    // The app's result is untouched.
    expect(stable(res)).toEqual(stable(expected));
    expect(res._request_id).toMatch(/^req_fake_/);
    expect(res.choices[0]?.message.content).toBe('Bonjour.');
    expect(env.llm.requests[0]?.body).toEqual(params);

    const span = await onlyLlmSpan();
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': MODEL,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.seed': 7,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.frequency_penalty': 0.5,
      'gen_ai.request.presence_penalty': 0.25,
      // An IP address is masked at export like any other (see the next test).
      'server.address': '[REDACTED:ip]',
      'server.port': Number(new URL(env.llm.baseUrl).port),
      'gen_ai.response.id': 'chatcmpl-plain',
      'gen_ai.response.model': RESPONSE_MODEL,
      'gen_ai.response.finish_reasons': ['stop'],
      // prompt_tokens already include the cached ones, completion_tokens the reasoning ones.
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.reasoning.output_tokens': 120,
      'openai.response.system_fingerprint': 'fp_fake',
      'openai.response.service_tier': 'default',
    });

    const labels = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': MODEL,
      'gen_ai.response.model': RESPONSE_MODEL,
      'server.address': '127.0.0.1',
    };
    const metrics = await env.sdk.metrics();
    expect(metrics.get('gen_ai.client.token.usage')?.descriptor.unit).toBe('{token}');
    expect(metrics.get('gen_ai.client.operation.duration')?.descriptor.unit).toBe('s');
    const input = await histogramPoint('gen_ai.client.token.usage', { ...labels, 'gen_ai.token.type': 'input' });
    expect(input).toMatchObject({ count: 1, sum: 1200, buckets: { boundaries: TOKEN_BUCKETS } });
    const output = await histogramPoint('gen_ai.client.token.usage', { ...labels, 'gen_ai.token.type': 'output' });
    expect(output).toMatchObject({ count: 1, sum: 300 });
    const duration = await histogramPoint('gen_ai.client.operation.duration', labels);
    expect(duration).toMatchObject({ count: 1, buckets: { boundaries: DURATION_BUCKETS } });
    expect(duration!.sum).toBeGreaterThan(0);
    const durationPoints = metrics.get('gen_ai.client.operation.duration')?.dataPoints ?? [];
    expect(durationPoints.every((point) => point.attributes['error.type'] === undefined)).toBe(true);
    // No stream, no time to first chunk.
    expect(metrics.get('gen_ai.client.operation.time_to_first_chunk')?.dataPoints ?? []).toEqual([]);
  });

  it('server.address and server.port come from the client baseURL (seen with masking off)', async () => {
    await env.reinitSdk({ redact: false });
    await client().chat.completions.create({ model: MODEL, messages: HI });
    const span = await onlyLlmSpan();
    expect(span.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': Number(new URL(env.llm.baseUrl).port) });
  });

  it('tool calls: their names in order and finish reason tool_calls', async () => {
    env.llm.script({
      toolCalls: [
        { name: 'get_weather', arguments: WEATHER_ARGS },
        { name: 'get_time', arguments: { tz: 'Europe/Paris' } },
      ],
    });
    const res = await client().chat.completions.create({ model: MODEL, messages: HI });
    expect(res.choices[0]?.message.tool_calls?.map((call) => (call.type === 'function' ? call.function.name : call.type))).toEqual(['get_weather', 'get_time']);
    const span = await onlyLlmSpan();
    expect(span.attributes['spoor.gen_ai.tool_calls']).toEqual(['get_weather', 'get_time']);
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
  });

  it('.withResponse() gives the data, the raw response and the request id; the span has the usage', async () => {
    env.llm.script({ text: 'With response.', usage: USAGE, id: 'chatcmpl-wr' });
    const { data, response, request_id } = await client().chat.completions.create({ model: MODEL, messages: HI }).withResponse();
    expect(data.choices[0]?.message.content).toBe('With response.');
    expect((data as { _request_id?: string | null })._request_id).toBe(request_id);
    expect(response.status).toBe(200);
    expect(request_id).toMatch(/^req_fake_/);
    const span = await onlyLlmSpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.response.id': 'chatcmpl-wr', 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300 });
  });

  it('.asResponse() hands the app an unread body it can parse itself, and the call still ends its span', async () => {
    env.llm.script({ text: 'Raw body.', usage: USAGE, id: 'chatcmpl-raw' });
    const response = await client().chat.completions.create({ model: MODEL, messages: HI }).asResponse();
    expect(response.status).toBe(200);
    expect(response.bodyUsed).toBe(false);
    const body = (await response.json()) as OpenAI.Chat.Completions.ChatCompletion;
    expect(body.choices[0]?.message.content).toBe('Raw body.');
    expect(body.usage?.prompt_tokens).toBe(1200);
    const span = await onlyLlmSpan();
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['http.response.status_code']).toBeUndefined();
  });

  it('a call inside a span is its child; inside workflow() its tokens add to the workflow', async () => {
    env.llm.script({ usage: USAGE }, { chunks: ['a', 'b'], usage: { inputTokens: 30, outputTokens: 4 } });
    const openai = client();
    await workflow('agent', () =>
      withSpan('plan', async () => {
        await openai.chat.completions.create({ model: MODEL, messages: HI });
        await collect(await openai.chat.completions.create({ model: MODEL, messages: HI, stream: true }));
      }),
    );
    const spans = await env.sdk.spans();
    const run = byName(spans, 'agent');
    expect(run.attributes).toMatchObject({ 'workflow.llm_calls': 2, 'workflow.input_tokens': 1230, 'workflow.output_tokens': 304 });
    const plan = byName(spans, 'plan');
    const calls = spans.filter((span) => span.name === 'chat gpt-4o-mini');
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.parentSpanContext?.spanId).toBe(plan.spanContext().spanId);
      expect(call.spanContext().traceId).toBe(run.spanContext().traceId);
    }
  });

  it('instrumenting the same client twice does not wrap twice: one span per call', async () => {
    const openai = client();
    const create = openai.chat.completions.create;
    expect(instrumentOpenAI(openai)).toBe(openai);
    expect(openai.chat.completions.create).toBe(create);
    await openai.chat.completions.create({ model: MODEL, messages: HI });
    await collect(await openai.chat.completions.create({ model: MODEL, messages: HI, stream: true }));
    const spans = await llmSpans();
    expect(spans).toHaveLength(2);
    // Usage asked once and hidden once: a second wrapper would have seen the body already changed.
    expect(env.llm.requests[1]?.body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('another client of the same class is left alone', async () => {
    client();
    await openaiClient(env.llm.baseUrl).chat.completions.create({ model: MODEL, messages: HI });
    expect(await llmSpans()).toEqual([]);
  });
});

describe('chat.completions.create with stream: true', () => {
  const STREAMED: FakeReply = { chunks: ['Hel', 'lo', ' world'], usage: USAGE, id: 'chatcmpl-stream', model: RESPONSE_MODEL, delayMs: 150 };

  it('the app sees exactly the chunks it would without instrumentation, no usage chunk; the span has the usage', async () => {
    env.llm.script(STREAMED);
    const params = { model: MODEL, messages: HI, stream: true as const };
    const chunks = await collect(await client().chat.completions.create(params));
    const expected = await uninstrumented([STREAMED], async (openai) => collect(await openai.chat.completions.create(params)));

    expect(chunks.length).toBe(expected.length);
    expect(stable(chunks)).toEqual(stable(expected));
    expect(chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello world');
    // Usage was asked for on the wire, and the app's own params were not changed.
    expect(env.llm.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(params).toEqual({ model: MODEL, messages: HI, stream: true });

    const span = await onlyLlmSpan();
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'chatcmpl-stream',
      'gen_ai.response.model': RESPONSE_MODEL,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.reasoning.output_tokens': 120,
    });
    expect(span.attributes['spoor.gen_ai.stream.abandoned']).toBeUndefined();
    const ttft = span.attributes['gen_ai.client.operation.time_to_first_chunk'] as number;
    expect(ttft).toBeGreaterThan(0.14);
    // In seconds, like the span's own duration, which it cannot outlast.
    expect(ttft).toBeLessThanOrEqual(span.duration[0] + span.duration[1] / 1e9);

    const labels = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': MODEL, 'gen_ai.response.model': RESPONSE_MODEL };
    expect(await histogramPoint('gen_ai.client.token.usage', { ...labels, 'gen_ai.token.type': 'input' })).toMatchObject({ count: 1, sum: 1200 });
    expect(await histogramPoint('gen_ai.client.token.usage', { ...labels, 'gen_ai.token.type': 'output' })).toMatchObject({ count: 1, sum: 300 });
    const first = await histogramPoint('gen_ai.client.operation.time_to_first_chunk', labels);
    expect(first).toMatchObject({ count: 1, buckets: { boundaries: FIRST_CHUNK_BUCKETS } });
    expect(first!.sum).toBeCloseTo(ttft, 6);
    const duration = await histogramPoint('gen_ai.client.operation.duration', labels);
    expect(duration!.count).toBe(1);
    expect(duration!.sum).toBeGreaterThanOrEqual(ttft);
  });

  it('when the app asks for include_usage itself it still gets its usage chunk', async () => {
    env.llm.script(STREAMED);
    const params = { model: MODEL, messages: HI, stream: true as const, stream_options: { include_usage: true } };
    const chunks = await collect(await client().chat.completions.create(params));
    const expected = await uninstrumented([STREAMED], async (openai) => collect(await openai.chat.completions.create(params)));
    expect(stable(chunks)).toEqual(stable(expected));
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 1200, completion_tokens: 300 });
    const span = await onlyLlmSpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300 });
  });

  it('streamUsage: false leaves the request alone; the span then has no usage', async () => {
    env.llm.script(STREAMED);
    const chunks = await collect(await client({ streamUsage: false }).chat.completions.create({ model: MODEL, messages: HI, stream: true }));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello world');
    expect(env.llm.requests[0]?.body).not.toHaveProperty('stream_options');
    const span = await onlyLlmSpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
  });

  it('the span ends only after the last chunk was read', async () => {
    env.llm.script({ chunks: ['one', ' two', ' three'], usage: USAGE, chunkDelayMs: 10 });
    const stream = await client().chat.completions.create({ model: MODEL, messages: HI, stream: true });
    let seen = 0;
    for await (const chunk of stream) {
      seen++;
      if (chunk.choices[0]?.finish_reason !== 'stop') expect(await llmSpans(), `after chunk ${seen}`).toEqual([]);
    }
    expect(seen).toBe(5);
    const span = await onlyLlmSpan();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(300);
  });

  it.each([
    { how: 'an early break', interrupt: 'break', stopAt: 'a' },
    { how: 'stream.controller.abort() mid-stream', interrupt: 'abort', stopAt: 'ab' },
  ] as const)('$how: the loop just stops, and the span ends as abandoned, without an error', async ({ interrupt, stopAt }) => {
    env.llm.script({ chunks: ['a', 'b', 'c', 'd', 'e'], chunkDelayMs: 20 });
    const stream = await client().chat.completions.create({ model: MODEL, messages: HI, stream: true });
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (text !== stopAt) continue;
      if (interrupt === 'break') break;
      stream.controller.abort();
    }
    expect(text).toBe(stopAt);
    const span = await onlyLlmSpan();
    expect(span.attributes['spoor.gen_ai.stream.abandoned']).toBe(true);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.attributes['gen_ai.client.operation.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('a mid-stream disconnect ends the span with ERROR, an error.type and the exception', async () => {
    env.llm.script({ chunks: ['a', 'b', 'c', 'd'], disconnectAfter: 3 });
    const stream = await client().chat.completions.create({ model: MODEL, messages: HI, stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/terminated/);
    expect(seen.join('')).toBe('ab');
    const span = await onlyLlmSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('connection');
    expect(span.events.map((event) => event.name)).toContain('exception');
    expect(await histogramPoint('gen_ai.client.operation.duration', { 'gen_ai.operation.name': 'chat', 'error.type': 'connection' })).toMatchObject({
      count: 1,
    });
  });

  /** Reads a stream the way an app might: one list of chunks per copy it reads. */
  type Reader = (stream: Stream<OpenAI.Chat.Completions.ChatCompletionChunk>) => Promise<OpenAI.Chat.Completions.ChatCompletionChunk[][]>;
  const readers: { how: string; copies: number; read: Reader }[] = [
    {
      how: 'stream.tee()',
      copies: 2,
      // Both halves get every chunk.
      read: (stream) => Promise.all(stream.tee().map(collect)),
    },
    {
      how: 'stream.toReadableStream()',
      copies: 1,
      // The same chunks as JSON lines.
      async read(stream) {
        const reader = stream.toReadableStream().getReader();
        const decoder = new TextDecoder();
        let text = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value as Uint8Array, { stream: true });
        }
        const lines = text.split('\n').filter((line) => line !== '');
        return [lines.map((line) => JSON.parse(line) as OpenAI.Chat.Completions.ChatCompletionChunk)];
      },
    },
  ];

  it.each(readers)('$how: every reader gets the chunks as uninstrumented, then the span ends once with the usage', async ({ copies: count, read }) => {
    env.llm.script(STREAMED);
    const copies = await read(await client().chat.completions.create({ model: MODEL, messages: HI, stream: true }));
    const expected = await uninstrumented([STREAMED], async (openai) =>
      collect(await openai.chat.completions.create({ model: MODEL, messages: HI, stream: true })),
    );
    expect(copies).toHaveLength(count);
    for (const chunks of copies) expect(stable(chunks)).toEqual(stable(expected));
    const span = await onlyLlmSpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300, 'gen_ai.response.finish_reasons': ['stop'] });
    expect(span.attributes['spoor.gen_ai.stream.abandoned']).toBeUndefined();
  });

  it('streamed tool calls: names on the span, arguments assembled in the output messages', async () => {
    env.llm.script({
      text: 'Checking.',
      toolCalls: [
        { name: 'get_weather', arguments: WEATHER_ARGS, id: 'call_w' },
        { name: 'get_time', arguments: { tz: 'Europe/Paris' }, id: 'call_t' },
      ],
      usage: USAGE,
    });
    const chunks = await collect(await client({ captureContent: true }).chat.completions.create({ model: MODEL, messages: HI, stream: true }));
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.tool_calls !== undefined).length).toBeGreaterThan(4);
    const span = await onlyLlmSpan();
    expect(span.attributes['spoor.gen_ai.tool_calls']).toEqual(['get_weather', 'get_time']);
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
    expect(json(span, 'gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Checking.' },
          { type: 'tool_call', id: 'call_w', name: 'get_weather', arguments: WEATHER_ARGS },
          { type: 'tool_call', id: 'call_t', name: 'get_time', arguments: { tz: 'Europe/Paris' } },
        ],
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('chat.completions.stream() and finalChatCompletion(): the same result as uninstrumented, one span', async () => {
    const reply: FakeReply = { chunks: ['Str', 'eam', 'ed.'], usage: USAGE, id: 'chatcmpl-helper', model: RESPONSE_MODEL };
    env.llm.script(reply);
    const params = { model: MODEL, messages: HI };
    const helper = client().chat.completions.stream(params);
    let content = '';
    helper.on('content', (delta) => (content += delta));
    const final = await helper.finalChatCompletion();
    const expected = await uninstrumented([reply], (openai) => openai.chat.completions.stream(params).finalChatCompletion());
    expect(content).toBe('Streamed.');
    expect(stable(final)).toEqual(stable(expected));
    expect(final.choices[0]?.message.content).toBe('Streamed.');
    const span = await onlyLlmSpan();
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'chatcmpl-helper',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.response.finish_reasons': ['stop'],
    });
  });
});
