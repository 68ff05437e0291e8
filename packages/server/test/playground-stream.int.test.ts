import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type FakeProviders, startFakeProviders } from './support/fake-providers.js';
import { type TestServer, callJson } from './support/server.js';

/**
 * A run asked for as Server-Sent Events (`Accept: text/event-stream`), with the real `openai` and
 * `@anthropic-ai/sdk` clients streaming from the loopback fake LLM: the completion's first words
 * reach the asker while the provider has not finished (the fake holds the rest until the test
 * has seen them), then the answer the JSON request gives; a refusal before the stream is a JSON
 * error, a failure after it an `error` event, and an asker who leaves cancels the call.
 */

let fake: FakeLlm;
let server: TestServer;
let providers: FakeProviders;

interface StreamEvent {
  name: string;
  data: unknown;
}

/** A streamed request and a reader of its events, each `next()` the next whole one (`null` at the end). */
async function streamed(path: string, body: unknown, signal?: AbortSignal) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  const next = async (): Promise<StreamEvent | null> => {
    for (;;) {
      const end = buffered.indexOf('\n\n');
      if (end !== -1) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (name !== undefined && data !== undefined) return { name, data: JSON.parse(data) };
        continue;
      }
      const { value, done } = await reader.read();
      if (done) return null;
      buffered += value;
    }
  };
  /** Every event left, to the end of the stream. */
  const rest = async (): Promise<StreamEvent[]> => {
    const events: StreamEvent[] = [];
    for (let event = await next(); event !== null; event = await next()) events.push(event);
    return events;
  };
  return { response, next, rest };
}

/** A promise the test settles when it has seen what it waits for. */
function gate(): { until: Promise<void>; open: () => void } {
  let open = () => {};
  const until = new Promise<void>((resolve) => (open = resolve));
  return { until, open };
}

const RUN = { provider: 'openai', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Describe Porto in three words.' }] };

beforeAll(async () => {
  providers = await startFakeProviders({ providers: ['openai', 'anthropic'], timeout: '5s' });
  ({ fake, server } = providers);
});

afterAll(async () => {
  await providers?.stop();
});

beforeEach(() => {
  fake.requests.length = 0;
});

describe('a playground run, streamed', () => {
  let recorded: { traceId: string; spanId: string };

  it("hands over the completion's first words while the provider is still writing, then the run's answer (OpenAI)", async () => {
    const held = gate();
    // The role chunk and the first word go out; the rest waits for the test.
    fake.script({ chunks: ['Port ', 'wine, ', 'bridges.'], usage: { inputTokens: 14, outputTokens: 5 }, streamHeld: { afterEvents: 2, until: held.until } });
    const run = await streamed('/api/playground/run', RUN);
    expect(run.response.status).toBe(200);
    expect(run.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await run.next()).toEqual({ name: 'delta', data: { text: 'Port ' } });
    held.open();
    const events = await run.rest();
    expect(events.filter((e) => e.name === 'delta').map((e) => (e.data as { text: string }).text)).toEqual(['wine, ', 'bridges.']);
    const result = events.at(-1)!;
    expect(result.name).toBe('result');
    const answer = result.data as { run: { traceId: string; spanId: string }; result: Record<string, unknown> };
    expect(answer.result).toMatchObject({ model: 'gpt-4o-mini', inputTokens: 14, outputTokens: 5 });
    expect(answer.result.completion).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Port wine, bridges.' }], finishReason: 'stop' }]);
    // The provider was asked for a stream (and its usage, by the instrumentation).
    expect(fake.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    // The run is a trace, readable at once, its call recorded whole from the stream.
    const call = await callJson<{ messages: { output: unknown[] } }>(server.url, 'GET', `/api/traces/${answer.run.traceId}/spans/${answer.run.spanId}/llm`);
    expect(call.status).toBe(200);
    expect(call.body.messages.output).toEqual(answer.result.completion);
    recorded = { traceId: answer.run.traceId, spanId: answer.run.spanId };
  });

  it('streams an Anthropic call the same way', async () => {
    const held = gate();
    // message_start, content_block_start, a ping and the first text delta go out before the hold.
    fake.script({ chunks: ['Tiles ', 'and ', 'tram 28.'], streamHeld: { afterEvents: 4, until: held.until } });
    const run = await streamed('/api/playground/run', { ...RUN, provider: 'anthropic', model: 'claude-sonnet-4-5', maxTokens: 64 });
    expect(await run.next()).toEqual({ name: 'delta', data: { text: 'Tiles ' } });
    held.open();
    const events = await run.rest();
    expect(events.map((e) => e.name)).toEqual(['delta', 'delta', 'result']);
    const answer = events.at(-1)!.data as { result: { model: string; completion: unknown } };
    expect(answer.result.completion).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Tiles and tram 28.' }], finishReason: 'end_turn' }]);
    expect(fake.requests[0]!.body).toMatchObject({ stream: true, model: 'claude-sonnet-4-5' });
  });

  it('streams a replay of a recorded call, its answer beside the original', async () => {
    fake.script({ chunks: ['Hills, ', 'river, ', 'tiles.'] });
    const run = await streamed('/api/replay', { ...recorded, overrides: { model: 'gpt-4.1-nano' } });
    const events = await run.rest();
    expect(
      events
        .filter((e) => e.name === 'delta')
        .map((e) => (e.data as { text: string }).text)
        .join(''),
    ).toBe('Hills, river, tiles.');
    const answer = events.at(-1)!.data as { of: unknown; original: { completion: unknown }; result: { model: string } };
    expect(events.at(-1)!.name).toBe('result');
    expect(answer.of).toEqual(recorded);
    expect(answer.original.completion).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Port wine, bridges.' }], finishReason: 'stop' }]);
    expect(answer.result.model).toBe('gpt-4.1-nano');
  });

  it('refuses bad input before the stream as a JSON error, and ends a stream the provider fails with an error event', async () => {
    const refused = await fetch(`${server.url}/api/playground/run`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ ...RUN, messages: [] }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('messages');
    expect(fake.requests).toHaveLength(0);

    fake.script({ error: { status: 500, message: 'the model is overloaded' } });
    const failed = await streamed('/api/playground/run', RUN);
    expect(failed.response.status).toBe(200);
    const events = await failed.rest();
    expect(events).toHaveLength(1);
    expect(events[0]!.name).toBe('error');
    const error = (events[0]!.data as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('ERR_PROVIDER');
    expect(error.message).toContain('openai refused the replayed call (500');
  });

  it('cancels the provider call when the asker leaves, and records nothing of it', async () => {
    const ownTraces = async () => (await callJson<{ traces: unknown[] }>(server.url, 'GET', '/api/traces?origin=spoor&limit=1000')).body.traces.length;
    const before = await ownTraces();
    const held = gate();
    fake.script({ chunks: ['Never ', 'finished.'], streamHeld: { afterEvents: 2, until: held.until } });
    const leaving = new AbortController();
    const run = await streamed('/api/playground/run', { ...RUN, model: 'gpt-left' }, leaving.signal);
    expect(await run.next()).toEqual({ name: 'delta', data: { text: 'Never ' } });
    leaving.abort();
    // The provider's stream is closed by the server: the fake sees its client go.
    await expect.poll(() => fake.requests[0]?.closed).toBe(true);
    held.open();
    // The next run is answered and stored; the one left was not.
    fake.script({ text: 'Still here.' });
    const next = await callJson<{ run: { traceId: string } }>(server.url, 'POST', '/api/playground/run', RUN);
    expect(next.status).toBe(200);
    expect(await ownTraces()).toBe(before + 1);
  });
});
