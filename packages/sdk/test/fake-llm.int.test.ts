import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import Anthropic from '@anthropic-ai/sdk';
import { generateText, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_TEXT, DEFAULT_USAGE, fakeVector, startFakeLlm, type FakeLlm } from './support/fake-llm.js';

/** The fake LLM server against the real provider clients: each accepts every form it serves (its errors, disconnects and delays: fake-llm-failures.int.test.ts). */

let llm: FakeLlm;
beforeEach(async () => {
  llm = await startFakeLlm();
});
afterEach(async () => {
  await llm.close();
});

const openai = () => new OpenAI({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-test', maxRetries: 0 });
const anthropic = () => new Anthropic({ baseURL: llm.baseUrl, apiKey: 'sk-ant-test', maxRetries: 0 });
const WEATHER_ARGS = { city: 'Paris', unit: 'celsius', days: [1, 2, 3] };
const USAGE = { inputTokens: 100, outputTokens: 40, cachedTokens: 30, cacheCreationTokens: 20, reasoningTokens: 15 };

it('binds to 127.0.0.1 on an ephemeral port', () => {
  expect(llm.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(llm.baseUrl.endsWith(':0')).toBe(false);
});

describe('openai chat completions', () => {
  it('plain: content, ids and usage (prompt_tokens include cached, completion_tokens include reasoning)', async () => {
    llm.script({ text: 'Bonjour.', usage: USAGE, model: 'gpt-4o-mini-2024-07-18', id: 'chatcmpl-abc' });
    const res = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.id).toBe('chatcmpl-abc');
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('gpt-4o-mini-2024-07-18');
    expect(res.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Bonjour.' });
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toMatchObject({
      prompt_tokens: 100,
      completion_tokens: 40,
      total_tokens: 140,
      prompt_tokens_details: { cached_tokens: 30 },
      completion_tokens_details: { reasoning_tokens: 15 },
    });
    expect(res._request_id).toMatch(/^req_fake_/);
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      endpoint: 'chat',
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(llm.requests[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('defaults: the request model echoed, the default text and usage', async () => {
    const res = await openai().chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.model).toBe('gpt-4.1');
    expect(res.choices[0]?.message.content).toBe(DEFAULT_TEXT);
    expect(res.usage?.prompt_tokens).toBe(DEFAULT_USAGE.inputTokens);
    expect(res.usage?.completion_tokens).toBe(DEFAULT_USAGE.outputTokens);
  });

  it('stream with include_usage: content deltas, a finish chunk, then a usage chunk with empty choices', async () => {
    llm.script({ chunks: ['Hel', 'lo', ' world'], usage: USAGE });
    const stream = await openai().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'gpt-4o')).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello world');
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({
      prompt_tokens: 100,
      completion_tokens: 40,
      total_tokens: 140,
      prompt_tokens_details: { cached_tokens: 30 },
      completion_tokens_details: { reasoning_tokens: 15 },
    });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(llm.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('stream without include_usage sends no usage chunk', async () => {
    const stream = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(DEFAULT_TEXT);
    expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
  });

  it('tool-call stream: arguments split across chunks accumulate to the JSON; the SDK helper agrees', async () => {
    const calls = [
      { name: 'get_weather', arguments: WEATHER_ARGS, id: 'call_1' },
      { name: 'get_time', arguments: { tz: 'Europe/Paris' } },
    ];
    llm.script({ toolCalls: calls }, { toolCalls: calls });
    const params = {
      model: 'gpt-4o',
      messages: [{ role: 'user' as const, content: 'weather?' }],
      tools: [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object' } } }],
    };
    const stream = await openai().chat.completions.create({ ...params, stream: true });
    const acc: { id?: string; name?: string; args: string }[] = [];
    let argChunks = 0;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      finish = choice?.finish_reason ?? finish;
      for (const d of choice?.delta.tool_calls ?? []) {
        const slot = (acc[d.index] ??= { args: '' });
        if (d.id) slot.id = d.id;
        if (d.function?.name) slot.name = d.function.name;
        if (d.function?.arguments) {
          slot.args += d.function.arguments;
          argChunks++;
        }
      }
    }
    expect(finish).toBe('tool_calls');
    expect(argChunks).toBeGreaterThan(2);
    expect(acc).toHaveLength(2);
    expect(acc[0]).toMatchObject({ id: 'call_1', name: 'get_weather' });
    expect(JSON.parse(acc[0]!.args)).toEqual(WEATHER_ARGS);
    expect(acc[1]?.id).toMatch(/^call_/);
    expect(JSON.parse(acc[1]!.args)).toEqual({ tz: 'Europe/Paris' });

    const final = await openai().chat.completions.stream(params).finalChatCompletion();
    const toolCalls = final.choices[0]?.message.tool_calls ?? [];
    expect(toolCalls.map((c) => (c.type === 'function' ? [c.function.name, JSON.parse(c.function.arguments)] : null))).toEqual([
      ['get_weather', WEATHER_ARGS],
      ['get_time', { tz: 'Europe/Paris' }],
    ]);
  });

  it('plain tool call: content null, tool_calls with JSON arguments', async () => {
    llm.script({ toolCalls: [{ name: 'get_weather', arguments: WEATHER_ARGS }] });
    const res = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather?' }] });
    const message = res.choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    const call = message?.tool_calls?.[0];
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(WEATHER_ARGS);
  });
});

describe('openai responses', () => {
  it('plain: a message with output_text, usage, status', async () => {
    llm.script({ text: 'Salut.', usage: USAGE, id: 'resp_1' });
    const res = await openai().responses.create({ model: 'gpt-4.1', input: 'hi', instructions: 'be brief' });
    expect(res).toMatchObject({ id: 'resp_1', object: 'response', status: 'completed', model: 'gpt-4.1', instructions: 'be brief' });
    expect(res.output_text).toBe('Salut.');
    expect(res.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Salut.' }] });
    expect(res.usage).toEqual({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 30 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 15 },
      total_tokens: 140,
    });
    expect(llm.requests[0]).toMatchObject({ path: '/v1/responses', endpoint: 'responses', body: { model: 'gpt-4.1', input: 'hi' } });
  });

  it('plain function call items', async () => {
    llm.script({ toolCalls: [{ name: 'get_weather', arguments: WEATHER_ARGS, id: 'call_9' }] });
    const res = await openai().responses.create({ model: 'gpt-4.1', input: 'weather?' });
    expect(res.output).toHaveLength(1);
    const item = res.output[0];
    expect(item).toMatchObject({ type: 'function_call', call_id: 'call_9', name: 'get_weather', status: 'completed' });
    expect(item?.type === 'function_call' && JSON.parse(item.arguments)).toEqual(WEATHER_ARGS);
  });

  it('stream: the real event sequence with increasing sequence numbers; completed carries usage', async () => {
    llm.script({ chunks: ['One', ' two'], usage: USAGE });
    const stream = await openai().responses.create({ model: 'gpt-4.1', input: 'count', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const completed = events.at(-1);
    expect(completed?.type === 'response.completed' && completed.response.usage).toMatchObject({ input_tokens: 100, output_tokens: 40, total_tokens: 140 });
    expect(completed?.type === 'response.completed' && completed.response.status).toBe('completed');
  });

  it('stream helper: deltas, then finalResponse() with text, function call and usage', async () => {
    llm.script({ text: 'Checking.', toolCalls: [{ name: 'get_weather', arguments: WEATHER_ARGS }], usage: USAGE });
    const stream = openai().responses.stream({ model: 'gpt-4.1', input: 'weather?' });
    let text = '';
    let args = '';
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.function_call_arguments.delta') args += event.delta;
    }
    expect(text).toBe('Checking.');
    expect(JSON.parse(args)).toEqual(WEATHER_ARGS);
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Checking.');
    expect(final.output.map((o) => o.type)).toEqual(['message', 'function_call']);
    const call = final.output[1];
    expect(call?.type === 'function_call' && JSON.parse(call.arguments)).toEqual(WEATHER_ARGS);
    expect(final.usage?.input_tokens_details.cached_tokens).toBe(30);
    expect(llm.requests[0]?.body).toMatchObject({ stream: true });
  });

  it('incomplete: max_output_tokens ends with response.incomplete', async () => {
    llm.script({ finishReason: 'max_output_tokens' });
    const final = await openai().responses.stream({ model: 'gpt-4.1', input: 'long' }).finalResponse();
    expect(final.status).toBe('incomplete');
    expect(final.incomplete_details?.reason).toBe('max_output_tokens');
  });
});

describe('openai embeddings', () => {
  it('the client asks for base64 by default and decodes the same floats as encoding_format float', async () => {
    const client = openai();
    const byDefault = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(llm.requests[0]?.body).toMatchObject({ encoding_format: 'base64' });
    expect(byDefault.data).toHaveLength(2);
    expect(byDefault.data[0]?.embedding).toEqual(fakeVector('"a"'));
    expect(byDefault.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });

    const asFloat = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float', dimensions: 4 });
    expect(asFloat.data.map((d) => d.embedding)).toEqual([fakeVector('"a"', 4), fakeVector('"b"', 4)]);
    expect(byDefault.data[1]?.embedding.slice(0, 4)).not.toEqual(asFloat.data[0]?.embedding);

    llm.script({ embeddings: [[0.5, -0.25, 1]], usage: { inputTokens: 7 } });
    const scripted = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(scripted.data[0]?.embedding).toEqual([0.5, -0.25, 1]);
    expect(scripted.usage.prompt_tokens).toBe(7);
  });
});

describe('anthropic messages', () => {
  it('plain: text block, stop_reason, usage with input tokens excluding cache', async () => {
    llm.script({ text: 'Hi there.', usage: USAGE, id: 'msg_1', model: 'claude-sonnet-4-6-20260101' });
    const msg = await anthropic().messages.create({ model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user', content: 'hi' }] });
    expect(msg).toMatchObject({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6-20260101',
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'Hi there.' }],
    });
    expect(msg.usage).toMatchObject({ input_tokens: 50, cache_read_input_tokens: 30, cache_creation_input_tokens: 20, output_tokens: 40 });
    expect(msg._request_id).toMatch(/^req_fake_/);
    expect(llm.requests[0]).toMatchObject({ path: '/v1/messages', endpoint: 'messages', body: { model: 'claude-sonnet-4-6', max_tokens: 256 } });
    // @anthropic-ai/sdk v1 sends the API key as a bearer token; @ai-sdk/anthropic sends x-api-key.
    expect(llm.requests[0]?.headers.authorization).toBe('Bearer sk-ant-test');
    expect(llm.requests[0]?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('stream: true yields the real event sequence', async () => {
    llm.script({ chunks: ['Hel', 'lo'], usage: USAGE });
    const stream = await anthropic().messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const events: Anthropic.Messages.RawMessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start = events[0];
    expect(start?.type === 'message_start' && start.message.usage).toMatchObject({
      input_tokens: 50,
      cache_read_input_tokens: 30,
      cache_creation_input_tokens: 20,
    });
    const delta = events[5];
    expect(delta?.type === 'message_delta' && [delta.delta.stop_reason, delta.usage.output_tokens]).toEqual(['end_turn', 40]);
    const text = events.map((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? e.delta.text : '')).join('');
    expect(text).toBe('Hello');
  });

  it('messages.stream(): text events and finalMessage() with usage', async () => {
    llm.script({ text: 'Streaming works.', usage: USAGE });
    const stream = anthropic().messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(text).toBe('Streaming works.');
    expect(final.content).toEqual([{ type: 'text', text: 'Streaming works.' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 50, output_tokens: 40, cache_read_input_tokens: 30, cache_creation_input_tokens: 20 });
    expect(llm.requests[0]?.body).toMatchObject({ stream: true });
  });

  it('tool_use: plain, and streamed input_json_delta assembled by finalMessage()', async () => {
    const calls = [{ name: 'get_weather', arguments: WEATHER_ARGS, id: 'toolu_1' }];
    llm.script({ toolCalls: calls }, { text: 'Let me check.', toolCalls: calls });
    const params = {
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      messages: [{ role: 'user' as const, content: 'weather?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object' as const } }],
    };
    const plain = await anthropic().messages.create(params);
    expect(plain.stop_reason).toBe('tool_use');
    expect(plain.content).toEqual([{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: WEATHER_ARGS }]);

    const final = await anthropic().messages.stream(params).finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[0]).toEqual({ type: 'text', text: 'Let me check.' });
    expect(final.content[1]).toMatchObject({ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: WEATHER_ARGS });
  });
});

describe('Vercel ai', () => {
  const weather = tool({ description: 'Weather for a city', inputSchema: z.object({ city: z.string() }) });

  it('openai .chat(): generateText and streamText hit /v1/chat/completions', async () => {
    const provider = createOpenAI({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-test' });
    llm.script(
      { text: 'Chat text.', usage: USAGE },
      { chunks: ['Chat', ' stream.'], usage: USAGE },
      { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }] },
    );

    const generated = await generateText({ model: provider.chat('gpt-4o'), prompt: 'hi', maxRetries: 0 });
    expect(generated.text).toBe('Chat text.');
    expect(generated.usage).toMatchObject({
      inputTokens: 100,
      outputTokens: 40,
      inputTokenDetails: { cacheReadTokens: 30 },
      outputTokenDetails: { reasoningTokens: 15 },
    });

    const streamed = streamText({ model: provider.chat('gpt-4o'), prompt: 'hi', maxRetries: 0 });
    expect(await streamed.text).toBe('Chat stream.');
    expect(await streamed.usage).toMatchObject({ inputTokens: 100, outputTokens: 40 });
    expect(llm.requests[1]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    const withTool = await generateText({ model: provider.chat('gpt-4o'), prompt: 'weather?', tools: { weather }, maxRetries: 0 });
    expect(withTool.toolCalls.map((c) => [c.toolName, c.input])).toEqual([['weather', { city: 'Oslo' }]]);
    expect(withTool.finishReason).toBe('tool-calls');
    expect(llm.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions']);
  });

  it('openai default model (Responses API): generateText and streamText hit /v1/responses', async () => {
    const provider = createOpenAI({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-test' });
    llm.script(
      { text: 'Resp text.', usage: USAGE },
      { chunks: ['Resp', ' stream.'], usage: USAGE },
      { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }] },
    );

    const generated = await generateText({ model: provider('gpt-4.1'), prompt: 'hi', maxRetries: 0 });
    expect(generated.text).toBe('Resp text.');
    expect(generated.usage).toMatchObject({
      inputTokens: 100,
      outputTokens: 40,
      inputTokenDetails: { cacheReadTokens: 30 },
      outputTokenDetails: { reasoningTokens: 15 },
    });

    const streamed = streamText({ model: provider('gpt-4.1'), prompt: 'hi', maxRetries: 0 });
    expect(await streamed.text).toBe('Resp stream.');
    expect(await streamed.usage).toMatchObject({ inputTokens: 100, outputTokens: 40 });

    const withTool = streamText({ model: provider('gpt-4.1'), prompt: 'weather?', tools: { weather }, maxRetries: 0 });
    expect((await withTool.toolCalls).map((c) => [c.toolName, c.input])).toEqual([['weather', { city: 'Oslo' }]]);
    expect(llm.requests.map((r) => r.path)).toEqual(['/v1/responses', '/v1/responses', '/v1/responses']);
  });

  it('anthropic: generateText and streamText hit /v1/messages', async () => {
    const provider = createAnthropic({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-ant-test' });
    llm.script(
      { text: 'Claude text.', usage: USAGE },
      { chunks: ['Claude', ' stream.'], usage: USAGE },
      { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }] },
    );

    const generated = await generateText({ model: provider('claude-sonnet-4-6'), prompt: 'hi', maxRetries: 0 });
    expect(generated.text).toBe('Claude text.');
    // Vercel totals Anthropic's input as input_tokens + cache reads + cache writes.
    expect(generated.usage).toMatchObject({
      inputTokens: 100,
      outputTokens: 40,
      inputTokenDetails: { noCacheTokens: 50, cacheReadTokens: 30, cacheWriteTokens: 20 },
    });

    const streamed = streamText({ model: provider('claude-sonnet-4-6'), prompt: 'hi', maxRetries: 0 });
    expect(await streamed.text).toBe('Claude stream.');
    expect(await streamed.usage).toMatchObject({ inputTokens: 100, outputTokens: 40, inputTokenDetails: { cacheReadTokens: 30, cacheWriteTokens: 20 } });

    const withTool = streamText({ model: provider('claude-sonnet-4-6'), prompt: 'weather?', tools: { weather }, maxRetries: 0 });
    expect((await withTool.toolCalls).map((c) => [c.toolName, c.input])).toEqual([['weather', { city: 'Oslo' }]]);
    expect(await withTool.finishReason).toBe('tool-calls');
    expect(llm.requests.map((r) => r.path)).toEqual(['/v1/messages', '/v1/messages', '/v1/messages']);
    expect(llm.requests[0]?.headers['x-api-key']).toBe('sk-ant-test');
  });

  it('a 429 reaches generateText as an APICallError', async () => {
    llm.script({ error: { status: 429 } });
    const provider = createAnthropic({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-ant-test' });
    await expect(generateText({ model: provider('claude-sonnet-4-6'), prompt: 'hi', maxRetries: 0 })).rejects.toMatchObject({
      statusCode: 429,
      isRetryable: true,
    });
  });
});
