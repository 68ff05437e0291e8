import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Experiment } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, callJson, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * A running LLM-call experiment, deleted: its run is cancelled, and nothing it was doing writes
 * the experiment back (neither its results nor its end), on DuckDB and ClickHouse, deleted
 * through the server running it or, on ClickHouse, through another server sharing the store. The
 * signal the run ended: a server's close waits for its runs to end and write what they write.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes
type Answer = Record<string, any>;

let fake: FakeLlm;
let dir: string;
let keyFile: string;

beforeAll(async () => {
  fake = await startFakeLlm();
  // Every call answers after a while: the run is still running when it is deleted (and, deleted
  // through the server running it, its calls under way are aborted rather than waited for).
  fake.answerWith(() => ({ text: 'slow answer', delayMs: 10_000 }));
  dir = await mkdtemp(join(tmpdir(), 'spoor-experiment-delete-'));
  keyFile = join(dir, 'provider-key');
  await writeFile(keyFile, 'sk-delete-test');
});
afterAll(async () => {
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

const call = (server: TestServer, method: string, path: string, body?: unknown) => callJson<Answer>(server.url, method, path, body);

/** A dataset of `n` items and an LLM-call experiment over it, running (its first calls made) when this resolves. */
async function runningExperiment(server: TestServer, name: string): Promise<string> {
  expect((await call(server, 'POST', '/api/datasets', { name })).status).toBe(201);
  const items = Array.from({ length: 12 }, (_, i) => ({ input: `question ${i} of ${name}`, expectedOutput: 'x' }));
  expect((await call(server, 'POST', `/api/datasets/${name}/items`, { items })).status).toBe(201);
  const before = fake.requests.length;
  const made = await call(server, 'POST', '/api/experiments', {
    dataset: name,
    name,
    target: { kind: 'llm-call', provider: 'openai', model: 'gpt-4o' },
    concurrency: 2,
  });
  expect(made.status).toBe(201);
  await until('the first calls made', () => (fake.requests.length >= before + 2 ? true : undefined), 60_000);
  expect(((await call(server, 'GET', `/api/experiments/${made.body.id as string}`)).body as Experiment).state).toBe('running');
  return made.body.id as string;
}

async function expectGone(server: TestServer, id: string, name: string): Promise<void> {
  expect((await call(server, 'GET', `/api/experiments/${id}`)).status).toBe(404);
  expect((await call(server, 'GET', `/api/experiments/${name}`)).status).toBe(404);
  expect((await call(server, 'GET', `/api/experiments/${id}/results`)).status).toBe(404);
  const listed = (await call(server, 'GET', `/api/experiments?dataset=${name}`)).body.experiments as Experiment[];
  expect(listed.map((e) => e.id)).not.toContain(id);
}

describe.each(['duckdb', 'clickhouse'] as const)('a deleted running experiment (%s store)', (storeName) => {
  let endpoint: ClickHouseEndpoint | null = null;
  const options = (data: string) => ({
    provider: [`openai=file:${keyFile},base=${fake.baseUrl}/v1,timeout=30s`],
    data,
    ...(endpoint === null ? {} : { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/deleted` }),
  });

  beforeAll(async () => {
    if (storeName === 'clickhouse') endpoint = await startClickHouseEndpoint();
  }, 60_000);
  afterAll(async () => {
    await endpoint?.close();
  });

  it('stays deleted once its run has ended', async () => {
    const data = join(dir, `${storeName}-one`);
    const server = await startTestServer(options(data));
    let again: TestServer | null = null;
    try {
      const id = await runningExperiment(server, 'one');
      expect((await call(server, 'DELETE', `/api/experiments/${id}`)).status).toBe(204);
      await expectGone(server, id, 'one');
      // Closing waits for the cancelled run to end.
      await server.stop({ keepData: true });
      again = await startTestServer(options(data));
      await expectGone(again, id, 'one');
    } finally {
      await server.stop({ keepData: true });
      await again?.stop();
    }
  }, 120_000);

  // Only ClickHouse is shared by servers: registered there alone, so no store reports a skipped test.
  const sharedStoreIt = storeName === 'clickhouse' ? it : () => undefined;
  sharedStoreIt(
    'stays deleted when another server sharing the store deleted it',
    async () => {
      const running = await startTestServer(options(join(dir, 'running')));
      const other = await startTestServer(options(join(dir, 'other')));
      try {
        const id = await runningExperiment(running, 'two');
        expect((await call(other, 'DELETE', `/api/experiments/${id}`)).status).toBe(204);
        await expectGone(other, id, 'two');
        await running.stop();
        await expectGone(other, id, 'two');
      } finally {
        await running.stop();
        await other.stop();
      }
    },
    120_000,
  );
});
