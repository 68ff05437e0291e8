import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Experiment, ExperimentResultsResponse, TraceDetail } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type TestServer, callJson, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * An experiment that runs a stored prompt version on a dataset: each item's input compiled into
 * the version's chat template and sent, with the version's config, to the loopback fake LLM through
 * the real `openai` client; the item's trace carries the prompt's name and version; an item missing
 * a variable errors alone, naming it; a version the prompt does not have is a 404 before anything runs.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read fields of many answer shapes
type Answer = Record<string, any>;

let fake: FakeLlm;
let server: TestServer;
let dir: string;
const requests: Array<Record<string, unknown>> = [];
const call = (method: string, path: string, body?: unknown) => callJson<Answer>(server.url, method, path, body);

beforeAll(async () => {
  fake = await startFakeLlm();
  fake.answerWith((request) => {
    requests.push(request);
    const messages = request.messages as Array<{ role: string; content: string }>;
    return { text: `answered: ${messages.at(-1)?.content}`, usage: { inputTokens: 40, outputTokens: 8 } };
  });
  dir = await mkdtemp(join(tmpdir(), 'spoor-prompt-experiment-'));
  await writeFile(join(dir, 'key'), 'sk-prompt-experiment');
  server = await startTestServer({ provider: [`openai=file:${join(dir, 'key')},base=${fake.baseUrl}/v1,timeout=5s`] });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('an experiment of a prompt version', () => {
  it("compiles each item's input into the version, sends its config, and marks each trace with the prompt", async () => {
    const v1 = await call('POST', '/api/prompts', {
      name: 'support',
      prompt: [
        { role: 'system', content: 'You answer for {{company}}.' },
        { role: 'user', content: 'Question: {{question}}' },
      ],
      config: {
        model: 'gpt-4o',
        temperature: 0.2,
        maxTokens: 64,
        responseFormat: { type: 'json', schema: { type: 'object', properties: { answer: { type: 'string' } } } },
      },
    });
    expect(v1.status).toBe(201);
    await call('POST', '/api/prompts', {
      name: 'support',
      prompt: [{ role: 'user', content: 'Q: {{question}} ({{company}})' }],
      config: { model: 'gpt-4o-mini' },
    });
    expect((await call('POST', '/api/datasets', { name: 'questions' })).status).toBe(201);
    const items = [
      { input: { company: 'Acme', question: 'Where is my parcel?' }, expectedOutput: 'On its way' },
      { input: { company: 'Acme', question: 'Can I return it?' }, expectedOutput: 'Yes' },
      { input: { question: 'Who are you?' }, expectedOutput: 'Acme' },
    ];
    const added = await call('POST', '/api/datasets/questions/items', { items });
    expect(added.status).toBe(201);

    const made = await call('POST', '/api/experiments', {
      dataset: 'questions',
      name: 'support v1',
      target: { kind: 'prompt', name: 'support', version: 1, provider: 'openai' },
    });
    expect(made.status).toBe(201);
    expect(made.body.target).toEqual({ kind: 'prompt', name: 'support', version: 1, provider: 'openai' });
    const done = await until('the experiment done', async () => {
      const e = (await call('GET', `/api/experiments/${made.body.id}`)).body as Experiment;
      return e.state === 'done' ? e : undefined;
    });
    expect(done.itemsDone).toBe(3);
    expect(done.itemsErrored).toBe(1);

    // The version's first model, temperature, token limit and response format; its system message as the system prompt.
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request.model).toBe('gpt-4o');
      expect(request.response_format).toEqual({
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object', properties: { answer: { type: 'string' } } } },
      });
      expect(request.temperature).toBe(0.2);
      expect(request.max_tokens ?? request.max_completion_tokens).toBe(64);
      expect((request.messages as Answer[])[0]).toEqual({ role: 'system', content: 'You answer for Acme.' });
    }
    expect(requests.map((r) => (r.messages as Answer[]).at(-1)!.content).sort()).toEqual(['Question: Can I return it?', 'Question: Where is my parcel?']);

    const results = (await call('GET', `/api/experiments/${made.body.id}/results`)).body as ExperimentResultsResponse;
    const errored = results.results.filter((r) => r.error !== null);
    expect(errored).toHaveLength(1);
    expect(errored[0]!.error).toMatch(/company/);
    const answered = results.results.find((r) => r.error === null)!;
    expect(answered.output).toMatch(/^answered: Question: /);
    const trace = await until('the item trace stored', async () => {
      const t = await call('GET', `/api/traces/${answered.traceId}`);
      return t.status === 200 ? (t.body as TraceDetail) : undefined;
    });
    const root = trace.spans.find((s) => s.parentSpanId === null)!;
    expect(root.attributes['spoor.prompt.name']).toBe('support');
    expect(root.attributes['spoor.prompt.version']).toBe('1');
  }, 60_000);

  it('refuses a version the prompt does not have (404) and a provider this server lacks (400), running nothing', async () => {
    const before = requests.length;
    const missing = await call('POST', '/api/experiments', {
      dataset: 'questions',
      name: 'support v9',
      target: { kind: 'prompt', name: 'support', version: 9, provider: 'openai' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('9');
    const provider = await call('POST', '/api/experiments', {
      dataset: 'questions',
      name: 'support v1 on anthropic',
      target: { kind: 'prompt', name: 'support', version: 1, provider: 'anthropic' },
    });
    expect(provider.status).toBe(400);
    expect(provider.body.error.message).toContain('anthropic');
    expect(requests.length).toBe(before);
  });
});
