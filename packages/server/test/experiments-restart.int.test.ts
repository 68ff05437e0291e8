import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Experiment } from '@spoor/model';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { spoorCli } from './support/cli.js';
import { callJson } from './support/server.js';
import { until } from './support/wait.js';

/**
 * An LLM-call experiment whose server is killed mid-run is not left `running` for ever: the
 * server started again on the same DuckDB store (its only writer) marks it failed, keeping the
 * items it recorded.
 */

let dir: string;
let fake: FakeLlm;
const children = new Set<ChildProcess>();
const cli = spoorCli(() => dir, children);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-experiment-restart-'));
  fake = await startFakeLlm();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

it('marks failed, at the next start, an LLM-call experiment a killed server left running', async () => {
  const env = { FAKE_KEY: 'sk-restart' };
  const args = ['--data', join(dir, 'data'), '--port', '0', '--provider', `openai=env:FAKE_KEY,base=${fake.baseUrl}/v1,timeout=30s`];
  const first = await cli.serve(args, env);
  const call = (url: string, method: string, path: string, body?: unknown) => callJson<Record<string, unknown>>(url, method, path, body);
  expect((await call(first.url, 'POST', '/api/datasets', { name: 'slow' })).status).toBe(201);
  const items = Array.from({ length: 20 }, (_, i) => ({ input: `question ${i}` }));
  expect((await call(first.url, 'POST', '/api/datasets/slow/items', { items })).status).toBe(201);
  // The first items answer at once; the rest never do before the kill.
  let answered = 0;
  fake.answerWith(() => (++answered <= 2 ? { text: 'quick' } : { text: 'slow', delayMs: 20_000 }));
  const made = await call(first.url, 'POST', '/api/experiments', {
    dataset: 'slow',
    name: 'cut short',
    target: { kind: 'llm-call', provider: 'openai', model: 'gpt-4o' },
    concurrency: 2,
  });
  expect(made.status).toBe(201);
  await until('the slow calls made', () => (fake.requests.length >= 4 ? true : undefined));
  expect(((await call(first.url, 'GET', `/api/experiments/${made.body!.id as string}`)).body as unknown as Experiment).state).toBe('running');
  first.child.kill('SIGKILL');
  await first.exited;

  const second = await cli.serve(args, env);
  const after = (await call(second.url, 'GET', `/api/experiments/${made.body!.id as string}`)).body as unknown as Experiment;
  expect(after.state).toBe('failed');
  expect(after.error).toContain('stopped before it ended');
  expect(after.finishedAt).not.toBeNull();
  second.child.kill('SIGTERM');
  await second.exited;
}, 60_000);
