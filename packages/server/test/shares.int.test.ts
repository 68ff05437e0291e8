import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type ApiAnswer, type TestServer, callJson, makeKey, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * One project cannot take what the server runs for all: running experiments and their provider
 * calls, exports, score writes each have a share per project and per server. A project at its
 * share is answered 429, a server at its own 503, each naming its flag, while another project
 * still gets through. Small shares here, so few requests reach them.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes
type Answer = Record<string, any>;

let server: TestServer;
let fake: FakeLlm;
let dir: string;
const keys: Record<string, string> = {};
const call = (project: string, method: string, path: string, body?: unknown) => callJson<Answer>(server.url, method, path, body, { key: keys[project] });

beforeAll(async () => {
  fake = await startFakeLlm();
  dir = await mkdtemp(join(tmpdir(), 'spoor-shares-'));
  await writeFile(join(dir, 'provider-key'), 'sk-shares');
  server = await startTestServer({
    provider: [`openai=file:${join(dir, 'provider-key')},base=${fake.baseUrl}/v1,timeout=60s`],
    experimentsMax: 'project=1,server=2',
    providerCallsMax: 'project=2,server=3',
    exportsMax: 'project=1,server=2',
    scoreWritesMax: 'project=4,server=6',
    rateLimit: 0,
    // Judges judge a trace this long after its last part: the judging test waits for no clock.
    traceQuiet: '1s',
  });
  keys.root = await makeKey(server.url, '*', 'admin');
  for (const project of ['a', 'b', 'c']) keys[project] = await makeKey(server.url, project, 'admin', keys.root);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A gauge on `/metrics` (read with the key of every project), summed over its series. */
async function metricValue(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${keys.root}` } })).text();
  let sum = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(match[1]);
  return sum;
}

/** A refusal: its status, its code, and that its message names the flag and the limit. */
function expectRefused(answer: ApiAnswer<Answer>, status: 429 | 503, names: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.error.code).toBe(status === 429 ? 'ERR_PROJECT_SHARE_FULL' : 'ERR_SERVER_SHARE_FULL');
  expect(answer.body.error.message).toContain(names);
}

describe('running experiments and their provider calls', () => {
  it('refuses a project past its running experiments (429) and the server past its own (503), and never has more provider calls in flight than the shares', async () => {
    // Every call is held long enough for the shares to be seen full.
    fake.answerWith(() => ({ text: 'held', delayMs: 8000 }));
    const made: Record<string, string> = {};
    const start = async (project: string) => {
      await call(project, 'POST', '/api/datasets', { name: 'qs' });
      await call(project, 'POST', '/api/datasets/qs/items', { items: Array.from({ length: 10 }, (_, i) => ({ input: `${project}: question ${i}` })) });
      return call(project, 'POST', '/api/experiments', {
        dataset: 'qs',
        name: `run of ${project}`,
        target: { kind: 'llm-call', provider: 'openai', model: 'gpt-4o' },
        concurrency: 8,
      });
    };
    const first = await start('a');
    expect(first.status).toBe(201);
    made.a = first.body.id as string;
    expectRefused(await start('a'), 429, "project 'a' holds 1 running experiments, its share (--experiments-max project=1)");
    const second = await start('b');
    expect(second.status).toBe(201);
    made.b = second.body.id as string;
    expectRefused(await start('c'), 503, 'this server holds 2 running experiments, its most for all projects (--experiments-max server=2)');
    // 16 calls asked for at once (two runs at concurrency 8): 3 in flight, the rest waiting their turn.
    await until(
      'the provider calls waiting',
      async () => ((await metricValue('spoor_provider_calls_waiting')) > 0 && fake.requests.length >= 3 ? true : undefined),
      60_000,
    );
    const inFlight = fake.requests.map((r) => JSON.stringify(r.body));
    expect(inFlight).toHaveLength(3);
    expect(inFlight.filter((text) => text.includes('a: question')).length).toBeLessThanOrEqual(2);
    expect(inFlight.filter((text) => text.includes('b: question')).length).toBeLessThanOrEqual(2);
    // Deleted, each gives its share back once its calls under way end: another project may start.
    for (const [project, id] of Object.entries(made)) expect((await call(project, 'DELETE', `/api/experiments/${id}`)).status).toBe(204);
    await until('the shares given back', async () => ((await metricValue('spoor_share_held')) === 0 ? true : undefined), 60_000);
    fake.answerWith(null);
    const later = await start('c');
    expect(later.status).toBe(201);
    // Stopped, so the tests after have every slot.
    expect((await call('c', 'DELETE', `/api/experiments/${later.body.id}`)).status).toBe(204);
    await until('the last run ended', async () => ((await metricValue('spoor_share_held')) === 0 ? true : undefined), 60_000);
  }, 120_000);
});

/** A recorded chat call with its messages, posted to `project` (so it can be replayed and judged); its ids. */
async function recordCall(project: string, question: string): Promise<{ traceId: string; spanId: string }> {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const start = BigInt(Date.now() - 5_000) * 1_000_000n;
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'asker')] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId,
                name: 'chat gpt-4o',
                kind: 3,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + 100_000_000n),
                attributes: [
                  str('gen_ai.provider.name', 'openai'),
                  str('gen_ai.operation.name', 'chat'),
                  str('gen_ai.request.model', 'gpt-4o'),
                  str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: question }] }])),
                  str(
                    'gen_ai.output.messages',
                    JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'An answer.' }], finish_reason: 'stop' }]),
                  ),
                ],
              },
            ],
          },
        ],
      },
    ],
  };
  const sent = await callJson(server.url, 'POST', '/v1/traces', body, { key: keys[project] });
  expect(sent.status).toBe(200);
  return { traceId, spanId };
}

describe('replays and judges', () => {
  it("wait for the same share of provider calls as experiments': a project never has more in flight than its share", async () => {
    // The calls this test makes, told apart from those of the experiment another test left running.
    const mine = (marker: string) => fake.requests.filter((r) => JSON.stringify(r.body).includes(marker)).length;
    let letGo = (): void => undefined;
    try {
      const replaysHeld = new Promise<void>((resolve) => (letGo = resolve));
      fake.answerWith(() => ({ text: 'held', heldUntil: replaysHeld }));
      const recorded = await recordCall('a', 'Which share, replayer?');
      const replays = Array.from({ length: 3 }, () => call('a', 'POST', '/api/replay', recorded));
      await until(
        'a replay waiting for its slot',
        async () => ((await metricValue('spoor_provider_calls_waiting')) > 0 && mine('replayer?') >= 2 ? true : undefined),
        60_000,
      );
      expect(mine('replayer?')).toBe(2);
      fake.answerWith(null);
      letGo();
      for (const replay of await Promise.all(replays)) expect(replay.status, JSON.stringify(replay.body)).toBe(200);
      expect(mine('replayer?')).toBe(3);

      // A judge evaluator judges up to four targets at once; the project's share lets two call.
      const judgesHeld = new Promise<void>((resolve) => (letGo = resolve));
      fake.answerWith(() => ({ text: 'held', heldUntil: judgesHeld }));
      const made = await call('b', 'PUT', '/api/evaluators/relevance', {
        kind: 'llm-judge',
        target: 'llm',
        builtin: 'answer-relevance',
        provider: 'openai',
        model: 'gpt-4o-mini',
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      for (let i = 0; i < 3; i++) await recordCall('b', `Which share, judge ${i}?`);
      await until(
        'a judge waiting for its slot',
        async () => ((await metricValue('spoor_provider_calls_waiting')) > 0 && mine('share, judge') >= 2 ? true : undefined),
        60_000,
      );
      expect(mine('share, judge')).toBe(2);
      fake.answerWith(null);
      letGo();
      await until('every judge called', async () => (mine('share, judge') >= 3 ? true : undefined), 60_000);
      expect((await call('b', 'DELETE', '/api/evaluators/relevance')).status).toBeLessThan(300);
    } finally {
      fake.answerWith(null);
      letGo();
    }
  }, 120_000);
});

/** A span of `bytes` of attribute text, so an export of a few is larger than the sockets' buffers. */
function bigTraceBody(spans: number, bytes: number): string {
  const traceId = randomBytes(16).toString('hex');
  const now = BigInt(Date.now()) * 1_000_000n;
  const filler = 'x'.repeat(bytes);
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'big' } }] },
        scopeSpans: [
          {
            spans: Array.from({ length: spans }, (_, i) => ({
              traceId,
              spanId: randomBytes(8).toString('hex'),
              name: `step ${i}`,
              kind: 1,
              startTimeUnixNano: `${now - 2_000_000_000n + BigInt(i)}`,
              endTimeUnixNano: `${now - 1_000_000_000n}`,
              attributes: [{ key: 'filler', value: { stringValue: filler } }],
            })),
          },
        ],
      },
    ],
  });
}

/** An export whose client reads its headers and then nothing: the server holds it open, its share taken. */
function heldExport(project: string): Promise<IncomingMessage> {
  const query = new URLSearchParams({ signal: 'spans', format: 'jsonl', from: String(Date.now() - 3_600_000), to: String(Date.now() + 60_000) });
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}/api/export?${query}`, { headers: { authorization: `Bearer ${keys[project]}` } }, (response) => {
      response.pause();
      resolve(response);
    });
    req.on('error', reject);
    req.end();
  });
}

const exportOf = (project: string) => call(project, 'GET', `/api/export?signal=scores&format=jsonl&from=0&to=${Date.now()}`);

describe('exports', () => {
  it('refuses a project past its exports at once (429) and the server past its own (503), another project getting through', async () => {
    // 30 MB of spans in each of a and b: more than the sockets between client and server hold.
    for (const project of ['a', 'b']) {
      for (let i = 0; i < 10; i++) {
        const sent = await fetch(`${server.url}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[project]}` },
          body: bigTraceBody(3000, 1000),
        });
        expect(sent.status).toBe(200);
      }
    }
    await until('the spans stored', async () => ((await call('b', 'GET', '/api/traces?limit=10')).body.traces.length >= 8 ? true : undefined), 60_000);
    const held = [await heldExport('a')];
    expect(held[0]!.statusCode).toBe(200);
    expectRefused(await exportOf('a'), 429, "project 'a' holds 1 exports under way, its share (--exports-max project=1)");
    expect((await exportOf('b')).status).toBe(200);
    held.push(await heldExport('b'));
    expect(held[1]!.statusCode).toBe(200);
    expectRefused(await exportOf('c'), 503, 'this server holds 2 exports under way, its most for all projects (--exports-max server=2)');
    // A client that goes away gives its share back.
    for (const response of held) response.destroy();
    await until('the exports given back', async () => ((await exportOf('c')).status === 200 ? true : undefined), 60_000);
    expect((await exportOf('a')).status).toBe(200);
  }, 180_000);
});

describe('score writes', () => {
  const score = (project: string, i: number) => call(project, 'POST', '/api/scores', { sessionId: `s${i}`, name: 'thumbs', value: 1 });

  it("refuses a burst past its project's writes in flight (429) while another project's writes go on", async () => {
    let refused: ApiAnswer<Answer> | undefined;
    for (let round = 0; round < 50 && refused === undefined; round++) {
      // c writes one at a time beside a's burst: never more than 1 of its own, never past the server's 6 (a holds at most 4).
      const other = (async () => {
        for (let i = 0; i < 5; i++) expect((await score('c', i)).status).toBe(201);
      })();
      const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => score('a', i)));
      await other;
      refused = burst.find((answer) => answer.status !== 201);
      for (const answer of burst) expect([201, 429]).toContain(answer.status);
    }
    expect(refused, 'no burst of 60 reached the share of 4').toBeDefined();
    expectRefused(refused!, 429, "project 'a' holds 4 score writes in flight, its share (--score-writes-max project=4)");
  }, 120_000);

  it("refuses bursts of two projects past the server's writes in flight (503)", async () => {
    let refused: ApiAnswer<Answer> | undefined;
    for (let round = 0; round < 50 && refused === undefined; round++) {
      const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => score(i % 2 === 0 ? 'a' : 'b', i)));
      refused = burst.find((answer) => answer.status === 503);
    }
    expect(refused, "no two bursts of 30 reached the server's share of 6").toBeDefined();
    expectRefused(refused!, 503, 'this server holds 6 score writes in flight, its most for all projects (--score-writes-max server=6)');
  }, 120_000);
});
