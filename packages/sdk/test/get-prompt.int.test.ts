import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../../server/test/support/server.js';
import { until } from '../../server/test/support/wait.js';
import { getPrompt, PromptError, PromptVariableError, type PromptMessage } from '../src/index.js';
import { OPENAI_MODEL as MODEL, OPENAI_USAGE as USAGE, setupOpenAI } from './support/llm-instrumentation.js';

/**
 * `getPrompt` against a real Spoor server: by label and version, a label moved and seen after the
 * background refresh (the cached one served meanwhile), a split label giving each user one version
 * at the stated shares, the fallback used while the server is stopped, and the LLM calls made with
 * a prompt (a real `openai` client on the loopback fake LLM) carrying its name and version.
 */

const env = setupOpenAI();
const { client, onlyLlmSpan } = env;
let server: TestServer;

const post = async (body: object) => expect((await callJson(server.url, 'POST', '/api/prompts', body)).status).toBe(201);
const move = async (name: string, label: string, body: object) =>
  expect((await callJson(server.url, 'PUT', `/api/prompts/${name}/labels/${label}`, body)).status).toBe(200);

beforeAll(async () => {
  server = await startTestServer();
  await post({ name: 'greet', prompt: [{ role: 'system', content: 'Greet {{name}} in {{language}}.' }], labels: ['production'], config: { model: MODEL } });
  await post({ name: 'greet', prompt: [{ role: 'system', content: 'Greet {{name}} warmly.' }], labels: ['staging'] });
});

afterAll(async () => {
  await server?.stop();
});

describe('getPrompt', () => {
  it('fetches production by default, a label or a version, compiles it, and the LLM call made with it carries its name and version', async () => {
    const prompt = await getPrompt('greet', { endpoint: server.url });
    expect({ version: prompt.version, label: prompt.label, type: prompt.type, isFallback: prompt.isFallback }).toEqual({
      version: 1,
      label: 'production',
      type: 'chat',
      isFallback: false,
    });
    expect(prompt.config.model).toBe(MODEL);
    expect(prompt.variables).toEqual(['name', 'language']);
    const messages = prompt.compile({ name: 'Ada', language: 'French' }) as PromptMessage[];
    expect(messages).toEqual([{ role: 'system', content: 'Greet Ada in French.' }]);
    expect(() => prompt.compile({ name: 'Ada', colour: 'red' })).toThrow(PromptVariableError);
    expect((await getPrompt('greet', { endpoint: server.url, label: 'staging' })).version).toBe(2);
    expect((await getPrompt('greet', { endpoint: server.url, version: 2 })).prompt).toEqual([{ role: 'system', content: 'Greet {{name}} warmly.' }]);

    env.llm.script({ text: 'Bonjour Ada.', usage: USAGE });
    await prompt.run(() => client().chat.completions.create({ model: MODEL, messages: messages as { role: 'system'; content: string }[] }));
    const span = await onlyLlmSpan();
    expect(span.attributes['spoor.prompt.name']).toBe('greet');
    expect(span.attributes['spoor.prompt.version']).toBe('1');
    expect(span.attributes['spoor.prompt.fallback']).toBeUndefined();
  });

  it('serves the cached label until its time is up, then the old one while it refreshes in the background, then the new', async () => {
    await post({ name: 'moving', prompt: 'one {{x}}', labels: ['production'] });
    await post({ name: 'moving', prompt: 'two {{x}}' });
    const ttl = { endpoint: server.url, cacheTtlMs: 60_000 };
    expect((await getPrompt('moving', ttl)).version).toBe(1);
    await move('moving', 'production', { version: 2 });
    // Within its time the cached label is used as it was.
    expect((await getPrompt('moving', ttl)).version).toBe(1);
    // Past it (a time of 0): the cached one at once, and the moved label once the refresh it started is in.
    expect((await getPrompt('moving', { ...ttl, cacheTtlMs: 0 })).version).toBe(1);
    await until('the refreshed label', async () => ((await getPrompt('moving', { ...ttl, cacheTtlMs: 0 })).version === 2 ? true : undefined));
    expect((await getPrompt('moving', ttl)).prompt).toBe('two {{x}}');
  });

  it('gives each of 10,000 users one version of a split label, at its stated share within a binomial bound', async () => {
    await post({ name: 'split', prompt: 'A {{q}}', labels: ['production'] });
    await post({ name: 'split', prompt: 'B {{q}}' });
    await move('split', 'production', {
      split: [
        { version: 1, weight: 90 },
        { version: 2, weight: 10 },
      ],
    });
    const n = 10_000;
    let second = 0;
    for (let user = 0; user < n; user++) {
      const prompt = await getPrompt('split', { endpoint: server.url, stickyKey: `user-${user}` });
      expect(prompt.prompt).toBe(prompt.version === 1 ? 'A {{q}}' : 'B {{q}}');
      if (prompt.version === 2) second++;
      if (user % 1000 === 0) expect((await getPrompt('split', { endpoint: server.url, stickyKey: `user-${user}` })).version).toBe(prompt.version);
    }
    // Four standard deviations of Binomial(10,000, 0.1): 120.
    expect(Math.abs(second - n * 0.1)).toBeLessThan(4 * Math.sqrt(n * 0.1 * 0.9));
    // The server chooses as the SDK does.
    const answer = await callJson<{ version: number }>(server.url, 'GET', '/api/prompts/split?stickyKey=user-7');
    expect((await getPrompt('split', { endpoint: server.url, stickyKey: 'user-7' })).version).toBe(answer.body.version);
  });

  it('uses the fallback while the server is stopped, and the LLM call made with it says so', async () => {
    const down = await startTestServer();
    const url = down.url;
    expect((await callJson(url, 'POST', '/api/prompts', { name: 'kept', prompt: 'kept {{x}}', labels: ['production'] })).status).toBe(201);
    expect((await getPrompt('kept', { endpoint: url })).version).toBe(1);
    await down.stop();

    const prompt = await getPrompt('answer', { endpoint: url, fallback: 'Answer {{question}} briefly.', timeoutMs: 2000 });
    expect({ version: prompt.version, isFallback: prompt.isFallback, label: prompt.label }).toEqual({ version: undefined, isFallback: true, label: null });
    expect(prompt.compile({ question: 'why' })).toBe('Answer why briefly.');
    // Without a fallback: a PromptError saying what happened.
    const refused = await getPrompt('answer', { endpoint: url, timeoutMs: 2000 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PromptError);
    expect(refused).toMatchObject({ code: 'unreachable' });
    // A prompt fetched before is still served, stale, its refresh failing quietly.
    expect((await getPrompt('kept', { endpoint: url, cacheTtlMs: 0 })).version).toBe(1);

    env.llm.script({ text: 'Because.', usage: USAGE });
    await prompt.run(() =>
      client().chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: prompt.compile({ question: 'why' }) as string }] }),
    );
    const span = await onlyLlmSpan();
    expect(span.attributes['spoor.prompt.name']).toBe('answer');
    expect(span.attributes['spoor.prompt.version']).toBeUndefined();
    expect(span.attributes['spoor.prompt.fallback']).toBe(true);
  });
});
