import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from './support/fake-llm.js';

/** The fake LLM server's failures against the real provider clients: each client sees its own error, a cut stream, a delay. */

let llm: FakeLlm;
beforeEach(async () => {
  llm = await startFakeLlm();
});
afterEach(async () => {
  await llm.close();
});

const openai = () => new OpenAI({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-test', maxRetries: 0 });
const anthropic = () => new Anthropic({ baseURL: llm.baseUrl, apiKey: 'sk-ant-test', maxRetries: 0 });

describe('errors, disconnects and delays', () => {
  it('a 429 reaches each client as its RateLimitError, with retry-after and the provider error body', async () => {
    llm.script({ error: { status: 429, retryAfter: 7 } }, { error: { status: 429 } });
    const openaiError = await openai()
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(openaiError).toBeInstanceOf(OpenAI.RateLimitError);
    const oe = openaiError as InstanceType<typeof OpenAI.RateLimitError>;
    expect(oe.status).toBe(429);
    expect(oe.code).toBe('rate_limit_exceeded');
    expect(oe.headers.get('retry-after')).toBe('7');

    const anthropicError = await anthropic()
      .messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(anthropicError).toBeInstanceOf(Anthropic.RateLimitError);
    const ae = anthropicError as InstanceType<typeof Anthropic.RateLimitError>;
    expect(ae.status).toBe(429);
    expect(ae.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(ae.headers?.get('retry-after')).toBe('1');
    expect(llm.pending()).toBe(0);
  });

  it('a 500 reaches each client as InternalServerError, also for stream requests', async () => {
    llm.script({ error: { status: 500 } }, { error: { status: 529 } });
    await expect(openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true })).rejects.toBeInstanceOf(
      OpenAI.InternalServerError,
    );
    const err = await anthropic()
      .messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], stream: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    expect((err as InstanceType<typeof Anthropic.InternalServerError>).error).toMatchObject({ error: { type: 'overloaded_error' } });
  });

  it('a mid-stream disconnect surfaces as an error while iterating', async () => {
    llm.script(
      { chunks: ['a', 'b', 'c', 'd'], disconnectAfter: 3 },
      { chunks: ['a', 'b', 'c', 'd'], disconnectAfter: 3 },
      { chunks: ['a', 'b', 'c', 'd'], disconnectAfter: 4 },
    );
    const chat = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of chat) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow(/terminated/);
    expect(seen.join('')).toBe('ab');

    const msgs = await anthropic().messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], stream: true });
    const types: string[] = [];
    await expect(
      (async () => {
        for await (const event of msgs) types.push(event.type);
      })(),
    ).rejects.toThrow(/terminated/);
    expect(types).toEqual(['message_start', 'content_block_start']);

    await expect(openai().responses.stream({ model: 'gpt-4.1', input: 'hi' }).finalResponse()).rejects.toThrow(/terminated/);
  });

  it('a plain reply can be cut mid-body', async () => {
    llm.script({ disconnectAfter: 0 });
    await expect(openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(/terminated/);
  });

  it('delayMs holds back the first chunk after the headers', async () => {
    llm.script({ delayMs: 1_000, chunks: ['x', 'y'] });
    const started = performance.now();
    const stream = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const headersAt = performance.now() - started;
    let firstAt = 0;
    for await (const chunk of stream) {
      if (!firstAt && chunk.choices[0]?.delta.content) firstAt = performance.now() - started;
    }
    // The headers came before the delay, not after it: a gap a loaded machine cannot close, or open.
    expect(firstAt - headersAt).toBeGreaterThan(800);
    expect(firstAt).toBeGreaterThanOrEqual(990);
  });

  it('byteDelayMs sends the headers at once, then the plain body one byte at a time', async () => {
    llm.script({ text: 'ok', byteDelayMs: 2 });
    const started = performance.now();
    const response = await fetch(`${llm.baseUrl}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o', messages: [] }) });
    const headersAt = performance.now() - started;
    const bytes = Number(response.headers.get('content-length'));
    const reply = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(reply.choices[0]!.message.content).toBe('ok');
    // One sleep of 2 ms per byte after the headers, a few hundred bytes.
    expect(performance.now() - started - headersAt).toBeGreaterThanOrEqual(bytes * 2 * 0.9);
  });

  it('close() drops a stream in flight without sitting out its delay, and a second close() is harmless', async () => {
    // An hour's delay: the test can only finish if close() cut it short, whatever the machine's load.
    llm.script({ delayMs: 3_600_000 });
    const stream = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const iterating = (async () => {
      for await (const _chunk of stream) {
        // never reached
      }
    })();
    await llm.close();
    await expect(iterating).rejects.toThrow(/terminated/);
    await llm.close();
  });

  it('an unknown path is a 404 that consumes no scripted reply', async () => {
    llm.script({ text: 'kept' });
    const res = await fetch(`${llm.baseUrl}/v1/nope`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(llm.pending()).toBe(1);
    expect(llm.requests[0]).toMatchObject({ path: '/v1/nope', endpoint: undefined });
  });
});
