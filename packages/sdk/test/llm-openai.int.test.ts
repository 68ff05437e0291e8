import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { instrumentOpenAI, withSpan, workflow, type LlmInstrumentationOptions } from '../src/index.js';
import { DURATION_BUCKETS, FIRST_CHUNK_BUCKETS, TOKEN_BUCKETS } from '../src/llm/semconv.js';
import { fakeVector, startFakeLlm, type FakeLlm, type FakeReply } from './support/fake-llm.js';
import { byName, initInMemory, pointValue, shutdown, type MemorySdk } from './support/memory.js';

/**
 * `instrumentOpenAI()` on the real `openai` client against the loopback fake: what the spans and
 * GenAI metrics say, and that the app sees exactly what it would see without the instrumentation.
 */

let llm: FakeLlm;
let sdk: MemorySdk;

beforeEach(async () => {
  // The default is off unless this variable says otherwise; keep the machine's value out of it.
  vi.stubEnv('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', '');
  llm = await startFakeLlm();
  sdk = initInMemory();
});

afterEach(async () => {
  await shutdown();
  await llm.close();
  vi.unstubAllEnvs();
});

const MODEL = 'gpt-4o-mini';
const RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';
/** 1200 input tokens of which 1000 from the cache; 300 output of which 120 reasoning. */
const USAGE = { inputTokens: 1200, outputTokens: 300, cachedTokens: 1000, reasoningTokens: 120 };
const WEATHER_ARGS = { city: 'Paris', unit: 'celsius', days: [1, 2, 3] };
const HI = [{ role: 'user' as const, content: 'hi' }];

const rawClient = (baseUrl: string) => new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'test', maxRetries: 0 });
const client = (options?: LlmInstrumentationOptions) => instrumentOpenAI(rawClient(llm.baseUrl), options);

/**
 * Runs `run` with an uninstrumented client against a fresh fake scripted with `replies`. A fresh
 * fake numbers its generated ids as the test's own fake does for its first requests, so the two
 * runs can be compared value for value.
 */
async function uninstrumented<T>(replies: FakeReply[], run: (openai: OpenAI) => Promise<T>): Promise<T> {
  const twin = await startFakeLlm();
  try {
    twin.script(...replies);
    return await run(rawClient(twin.baseUrl));
  } finally {
    await twin.close();
  }
}

/** Without the fields that carry the wall-clock second. */
function stable<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, item: unknown) => (key === 'created' || key === 'created_at' || key === 'completed_at' ? undefined : item))) as T;
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** The GenAI spans exported so far. */
async function llmSpans(): Promise<ReadableSpan[]> {
  return (await sdk.spans()).filter((span) => span.attributes['gen_ai.operation.name'] !== undefined);
}

async function onlyLlmSpan(): Promise<ReadableSpan> {
  const spans = await llmSpans();
  expect(spans.map((span) => span.name)).toHaveLength(1);
  return spans[0]!;
}

interface HistogramValue {
  count: number;
  sum: number;
  buckets: { boundaries: number[]; counts: number[] };
}

async function histogramPoint(name: string, labels: Record<string, unknown>): Promise<HistogramValue | undefined> {
  return pointValue((await sdk.metrics()).get(name), labels) as HistogramValue | undefined;
}

function json(span: ReadableSpan, key: string): unknown {
  const value = span.attributes[key];
  expect(typeof value, `${key} is a JSON string`).toBe('string');
  return JSON.parse(value as string);
}

describe('chat.completions.create', () => {
  it('plain: one CLIENT span with the request, response, usage and the token and duration metrics', async () => {
    const reply: FakeReply = { text: 'Bonjour.', usage: USAGE, model: RESPONSE_MODEL, id: 'chatcmpl-plain' };
    llm.script(reply);
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
    expect(llm.requests[0]?.body).toEqual(params);

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
      'server.port': Number(new URL(llm.baseUrl).port),
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
    const metrics = await sdk.metrics();
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
    await shutdown();
    sdk = initInMemory({ redact: false });
    await client().chat.completions.create({ model: MODEL, messages: HI });
    const span = await onlyLlmSpan();
    expect(span.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': Number(new URL(llm.baseUrl).port) });
  });

  it('tool calls: their names in order and finish reason tool_calls', async () => {
    llm.script({
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
    llm.script({ text: 'With response.', usage: USAGE, id: 'chatcmpl-wr' });
    const { data, response, request_id } = await client().chat.completions.create({ model: MODEL, messages: HI }).withResponse();
    expect(data.choices[0]?.message.content).toBe('With response.');
    expect((data as { _request_id?: string | null })._request_id).toBe(request_id);
    expect(response.status).toBe(200);
    expect(request_id).toMatch(/^req_fake_/);
    const span = await onlyLlmSpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.response.id': 'chatcmpl-wr', 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300 });
  });

  it('.asResponse() hands the app an unread body it can parse itself, and the call still ends its span', async () => {
    llm.script({ text: 'Raw body.', usage: USAGE, id: 'chatcmpl-raw' });
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
    llm.script({ usage: USAGE }, { chunks: ['a', 'b'], usage: { inputTokens: 30, outputTokens: 4 } });
    const openai = client();
    await workflow('agent', () =>
      withSpan('plan', async () => {
        await openai.chat.completions.create({ model: MODEL, messages: HI });
        await collect(await openai.chat.completions.create({ model: MODEL, messages: HI, stream: true }));
      }),
    );
    const spans = await sdk.spans();
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
    expect(llm.requests[1]?.body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('another client of the same class is left alone', async () => {
    client();
    await rawClient(llm.baseUrl).chat.completions.create({ model: MODEL, messages: HI });
    expect(await llmSpans()).toEqual([]);
  });
});

describe('chat.completions.create with stream: true', () => {
  const STREAMED: FakeReply = { chunks: ['Hel', 'lo', ' world'], usage: USAGE, id: 'chatcmpl-stream', model: RESPONSE_MODEL, delayMs: 150 };

  it('the app sees exactly the chunks it would without instrumentation, no usage chunk; the span has the usage', async () => {
    llm.script(STREAMED);
    const params = { model: MODEL, messages: HI, stream: true as const };
    const chunks = await collect(await client().chat.completions.create(params));
    const expected = await uninstrumented([STREAMED], async (openai) => collect(await openai.chat.completions.create(params)));

    expect(chunks.length).toBe(expected.length);
    expect(stable(chunks)).toEqual(stable(expected));
    expect(chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello world');
    // Usage was asked for on the wire, and the app's own params were not changed.
    expect(llm.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
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
    expect(ttft).toBeLessThan(5);

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
    llm.script(STREAMED);
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
    llm.script(STREAMED);
    const chunks = await collect(await client({ streamUsage: false }).chat.completions.create({ model: MODEL, messages: HI, stream: true }));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello world');
    expect(llm.requests[0]?.body).not.toHaveProperty('stream_options');
    const span = await onlyLlmSpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
  });

  it('the span ends only after the last chunk was read', async () => {
    llm.script({ chunks: ['one', ' two', ' three'], usage: USAGE, chunkDelayMs: 10 });
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

  it('an early break ends the span as abandoned, without an error', async () => {
    llm.script({ chunks: ['a', 'b', 'c', 'd', 'e'], chunkDelayMs: 20 });
    const stream = await client().chat.completions.create({ model: MODEL, messages: HI, stream: true });
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (text === 'a') break;
    }
    const span = await onlyLlmSpan();
    expect(span.attributes['spoor.gen_ai.stream.abandoned']).toBe(true);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.attributes['gen_ai.client.operation.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('stream.controller.abort() mid-stream: the loop just stops, and the span ends as abandoned', async () => {
    llm.script({ chunks: ['a', 'b', 'c', 'd', 'e'], chunkDelayMs: 20 });
    const stream = await client().chat.completions.create({ model: MODEL, messages: HI, stream: true });
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (text === 'ab') stream.controller.abort();
    }
    expect(text).toBe('ab');
    const span = await onlyLlmSpan();
    expect(span.attributes['spoor.gen_ai.stream.abandoned']).toBe(true);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a mid-stream disconnect ends the span with ERROR, an error.type and the exception', async () => {
    llm.script({ chunks: ['a', 'b', 'c', 'd'], disconnectAfter: 3 });
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
    expect(await histogramPoint('gen_ai.client.operation.duration', { 'gen_ai.operation.name': 'chat', 'error.type': 'connection' })).toMatchObject({ count: 1 });
  });

  it('stream.tee(): both halves get every chunk, the span ends once with the usage', async () => {
    llm.script(STREAMED);
    const stream = await client().chat.completions.create({ model: MODEL, messages: HI, stream: true });
    const [left, right] = stream.tee();
    const [a, b] = await Promise.all([collect(left), collect(right)]);
    const expected = await uninstrumented([STREAMED], async (openai) => collect(await openai.chat.completions.create({ model: MODEL, messages: HI, stream: true })));
    expect(stable(a)).toEqual(stable(expected));
    expect(stable(b)).toEqual(stable(expected));
    const span = await onlyLlmSpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 1200, 'gen_ai.response.finish_reasons': ['stop'] });
  });

  it('stream.toReadableStream(): the same chunks as JSON lines, then the span ends', async () => {
    llm.script(STREAMED);
    const stream = await client().chat.completions.create({ model: MODEL, messages: HI, stream: true });
    const reader = stream.toReadableStream().getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value as Uint8Array, { stream: true });
    }
    const chunks = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as OpenAI.Chat.Completions.ChatCompletionChunk);
    const expected = await uninstrumented([STREAMED], async (openai) => collect(await openai.chat.completions.create({ model: MODEL, messages: HI, stream: true })));
    expect(stable(chunks)).toEqual(stable(expected));
    const span = await onlyLlmSpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.output_tokens': 300 });
    expect(span.attributes['spoor.gen_ai.stream.abandoned']).toBeUndefined();
  });

  it('streamed tool calls: names on the span, arguments assembled in the output messages', async () => {
    llm.script({
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
    llm.script(reply);
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

describe('responses', () => {
  it('plain: usage with cache and reasoning, finish reason stop, request attributes', async () => {
    const reply: FakeReply = { text: 'Salut.', usage: USAGE, id: 'resp_plain' };
    llm.script(reply);
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
    llm.script({ toolCalls: [{ name: 'get_weather', arguments: WEATHER_ARGS }] }, { finishReason: 'max_output_tokens' });
    const openai = client();
    await openai.responses.create({ model: 'gpt-4.1', input: 'weather?' });
    await openai.responses.create({ model: 'gpt-4.1', input: 'long' });
    const [called, cut] = await llmSpans();
    expect(called?.attributes).toMatchObject({ 'spoor.gen_ai.tool_calls': ['get_weather'], 'gen_ai.response.finish_reasons': ['tool_calls'] });
    expect(cut?.attributes['gen_ai.response.finish_reasons']).toEqual(['length']);
  });

  it('stream: true: the same events as uninstrumented; usage and time to first chunk on the span', async () => {
    const reply: FakeReply = { chunks: ['One', ' two'], usage: USAGE, id: 'resp_stream', delayMs: 120 };
    llm.script(reply);
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
    llm.script(reply);
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
    expect(llm.requests[0]?.body).toMatchObject({ encoding_format: 'base64' });
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
    llm.script({ usage: { inputTokens: 7 } });
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
    llm.script({ error: { status: 429 } });
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
    expect(await histogramPoint('gen_ai.client.operation.duration', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': MODEL, 'error.type': 'rate_limit' })).toMatchObject({ count: 1 });
    const tokens = (await sdk.metrics()).get('gen_ai.client.token.usage');
    expect(tokens?.dataPoints ?? []).toEqual([]);
  });

  it('a 500 on a stream request, and a 400: 5xx and 4xx', async () => {
    llm.script({ error: { status: 500 } }, { error: { status: 400 } });
    const openai = client();
    await expect(openai.chat.completions.create({ model: MODEL, messages: HI, stream: true })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(openai.responses.create({ model: 'gpt-4.1', input: 'hi' })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const [server, bad] = await llmSpans();
    expect(server?.attributes).toMatchObject({ 'error.type': '5xx', 'http.response.status_code': 500, 'gen_ai.request.stream': true });
    expect(bad?.attributes).toMatchObject({ 'error.type': '4xx', 'http.response.status_code': 400 });
    expect([server?.status.code, bad?.status.code]).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR]);
  });

  it('no server, a timeout and an abort: connection, timeout and abort', async () => {
    const gone = await startFakeLlm();
    await gone.close();
    const unreachable = instrumentOpenAI(rawClient(gone.baseUrl));
    await expect(unreachable.chat.completions.create({ model: MODEL, messages: HI })).rejects.toBeInstanceOf(OpenAI.APIConnectionError);

    llm.script({ delayMs: 2_000 }, { delayMs: 2_000 });
    const impatient = instrumentOpenAI(new OpenAI({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'test', maxRetries: 0, timeout: 100 }));
    await expect(impatient.chat.completions.create({ model: MODEL, messages: HI })).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);

    const controller = new AbortController();
    const pending = client().chat.completions.create({ model: MODEL, messages: HI }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);

    const types = (await llmSpans()).map((span) => span.attributes['error.type']);
    expect(types).toEqual(['connection', 'timeout', 'abort']);
  });
});

describe('content capture', () => {
  it('is off by default: no messages on the span', async () => {
    await client().chat.completions.create({ model: MODEL, messages: [{ role: 'system', content: 'be brief' }, ...HI] });
    const span = await onlyLlmSpan();
    for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions']) expect(span.attributes[key]).toBeUndefined();
  });

  it('on: input and output messages in the GenAI parts format, an email masked in the export', async () => {
    llm.script({ text: 'I will write to jane.doe@example.com today.', usage: USAGE });
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Please email jane.doe@example.com the report.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"report"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'report ready' },
    ];
    const res = await client({ captureContent: true }).chat.completions.create({ model: MODEL, messages });
    // The app and the API see the real text; only the telemetry is masked.
    expect(res.choices[0]?.message.content).toBe('I will write to jane.doe@example.com today.');
    expect(JSON.stringify(llm.requests[0]?.body)).toContain('jane.doe@example.com');

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
