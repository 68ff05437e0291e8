import type { TraceDetail } from '@spoor/model';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type FakeProviders, startFakeProviders } from './support/fake-providers.js';
import { type TestServer, callJson } from './support/server.js';

/**
 * `POST /api/playground/run`: a call given whole, with no recorded call behind it, made with the
 * real `openai` client against the loopback fake LLM and recorded as a trace of Spoor's own; bad
 * input is a 400 naming the field, and calls nothing.
 */

let fake: FakeLlm;
let server: TestServer;
let providers: FakeProviders;

/** A request to the server and its JSON answer (`{}` for none). */
async function send(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await callJson<Record<string, unknown> | null>(server.url, method, path, body);
  return { status: answer.status, body: answer.body ?? {} };
}

beforeAll(async () => {
  providers = await startFakeProviders({ providers: ['openai'], timeout: '5s' });
  ({ fake, server } = providers);
});

afterAll(async () => {
  await providers?.stop();
});

beforeEach(() => {
  fake.requests.length = 0;
});

describe('POST /api/playground/run', () => {
  it('makes the call as given, with its parameters and response format, and records it as a trace', async () => {
    fake.script({ text: '{"city":"Porto"}', usage: { inputTokens: 21, outputTokens: 6 } });
    const run = await send('POST', '/api/playground/run', {
      provider: 'openai',
      model: 'gpt-4o-mini',
      system: 'Answer in JSON.',
      messages: [{ role: 'user', content: 'Name a city in Portugal.' }],
      temperature: 0.4,
      maxTokens: 50,
      responseFormat: { type: 'json_object' },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.body).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.4,
      max_completion_tokens: 50,
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: 'Answer in JSON.' },
        { role: 'user', content: 'Name a city in Portugal.' },
      ],
    });
    const answer = run.body as { run: { traceId: string; spanId: string }; result: Record<string, unknown>; links: { trace: string } };
    expect(answer.result).toMatchObject({ model: 'gpt-4o-mini', inputTokens: 21, outputTokens: 6 });
    expect(answer.result.completion).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: '{"city":"Porto"}' }], finishReason: 'stop' }]);
    expect(answer.links.trace).toBe(`/traces/${answer.run.traceId}`);

    // Readable at once (the route waited for it), as a trace of its own named for the run.
    const trace = await send('GET', `/api/traces/${answer.run.traceId}`);
    expect(trace.status).toBe(200);
    const spans = (trace.body as unknown as TraceDetail).spans;
    expect(spans.map((s) => s.name)).toContain('playground gpt-4o-mini');
    expect(spans.some((s) => s.spanId === answer.run.spanId)).toBe(true);
  });

  it('refuses a run without messages, or with a field it does not know, naming it, and calls nothing', async () => {
    const empty = await send('POST', '/api/playground/run', { provider: 'openai', model: 'gpt-4o', messages: [] });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body.error)).toContain('messages');
    const unknown = await send('POST', '/api/playground/run', { provider: 'openai', model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], seed: 3 });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error)).toContain('seed');
    const noProvider = await send('POST', '/api/playground/run', { provider: 'anthropic', model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
    expect(noProvider.status).toBe(400);
    expect(JSON.stringify(noProvider.body.error)).toContain('no anthropic provider');
    expect(fake.requests).toHaveLength(0);
  });
});
