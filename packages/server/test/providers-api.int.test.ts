import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type TestServer, startTestServer } from './support/server.js';

/**
 * `GET /api/providers`: the --provider list the Settings page shows, each asked now whether it
 * answers (the loopback fake LLM does; a port nothing listens on does not), never with its key in
 * the answer.
 */

const KEY = 'sk-provider-key-never-shown-31337';
let fake: FakeLlm;
let server: TestServer;
let dir: string;
let deadPort: number;

beforeAll(async () => {
  fake = await startFakeLlm();
  dir = await mkdtemp(join(tmpdir(), 'spoor-providers-'));
  const keyFile = join(dir, 'key');
  await writeFile(keyFile, KEY);
  // A port that was free a moment ago: connecting to it is refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  server = await startTestServer({
    provider: [`openai=file:${keyFile},base=${fake.baseUrl}/v1,timeout=2s`, `anthropic=file:${keyFile},base=http://user:pw@127.0.0.1:${deadPort}/x?token=t`],
  });
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /api/providers', () => {
  it('lists each provider, reachable or not, with no key, user info or query', async () => {
    const response = await fetch(`${server.url}/api/providers`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      providers: [
        { name: 'openai', baseUrl: `${fake.baseUrl}/v1`, timeoutMs: 2000, reachable: true, status: 404, problem: 'answered HTTP 404 to GET /models' },
        {
          name: 'anthropic',
          baseUrl: `http://127.0.0.1:${deadPort}/x`,
          timeoutMs: 60_000,
          reachable: false,
          status: null,
          problem: 'not reached (ECONNREFUSED)',
        },
        // Built in and answered in process: nothing to reach.
        { name: 'demo', baseUrl: null, timeoutMs: 10_000, reachable: true, status: 200, problem: null },
      ],
    });
    for (const secret of [KEY, 'pw', 'token']) expect(text).not.toContain(secret);
    // The check asked with the key, in the provider's header.
    const asked = fake.requests.find((r) => r.path === '/v1/models');
    expect(asked?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('answers the built-in demo provider alone on a server without --provider', async () => {
    const bare = await startTestServer();
    try {
      expect(await (await fetch(`${bare.url}/api/providers`)).json()).toEqual({
        providers: [{ name: 'demo', baseUrl: null, timeoutMs: 10_000, reachable: true, status: 200, problem: null }],
      });
    } finally {
      await bare.stop();
    }
  });
});
