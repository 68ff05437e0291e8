import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeLlm, startFakeLlm } from '../../../sdk/test/support/fake-llm.js';
import { type TestServer, startTestServer } from './server.js';

/** The loopback fake LLM, a test server whose providers call it, and the folder holding their key. */
export interface FakeProviders {
  fake: FakeLlm;
  server: TestServer;
  /** The folder of the key file (`provider-key`), for a test's own files beside it. */
  dir: string;
  keyFile: string;
  /** Stops the server and the fake, and removes the folder. */
  stop(): Promise<void>;
}

/**
 * What the replay and playground suites run against: the fake LLM, and a server with `providers`
 * (`openai` at the fake's `/v1`, `anthropic` at its root) as `--provider`s, each with `timeout`, the
 * key read from a file as an operator gives it (`key`: a test that checks the key never leaks names it).
 */
export async function startFakeProviders(options: {
  providers: ReadonlyArray<'openai' | 'anthropic'>;
  timeout: string;
  key?: string;
}): Promise<FakeProviders> {
  const fake = await startFakeLlm();
  const dir = await mkdtemp(join(tmpdir(), 'spoor-providers-'));
  const keyFile = join(dir, 'provider-key');
  await writeFile(keyFile, options.key ?? `sk-test-${randomBytes(8).toString('hex')}`);
  const base = { openai: `${fake.baseUrl}/v1`, anthropic: fake.baseUrl };
  const server = await startTestServer({ provider: options.providers.map((name) => `${name}=file:${keyFile},base=${base[name]},timeout=${options.timeout}`) });
  return {
    fake,
    server,
    dir,
    keyFile,
    stop: async () => {
      await server.stop();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
