import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceDetail, TraceDiff } from '@spoor/model';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type FakeProviders, startFakeProviders } from './support/fake-providers.js';
import { type TestServer, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * Replaying one recorded LLM call with the real `openai` and `@anthropic-ai/sdk` clients against
 * the loopback fake LLM server: the replay is a trace linked to the call it replays, with tokens
 * and cost, its diff with the original shows what changed, and bad input is a clear 4xx or 502
 * that records nothing.
 */

const PROVIDER_KEY = `sk-test-${randomBytes(12).toString('hex')}`;
let fake: FakeLlm;
let server: TestServer;
let dir: string;
let providers: FakeProviders;

async function send(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

/** A recorded chat call, as any instrumentation with content capture sends it. */
async function recordCall(options: { provider: string; model: string; capture?: boolean }, url = server.url): Promise<{ traceId: string; spanId: string }> {
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const attributes = [
    str('gen_ai.provider.name', options.provider),
    str('gen_ai.operation.name', 'chat'),
    str('gen_ai.request.model', options.model),
    str('gen_ai.response.model', options.model),
    { key: 'gen_ai.usage.input_tokens', value: { intValue: '40' } },
    { key: 'gen_ai.usage.output_tokens', value: { intValue: '12' } },
    { key: 'gen_ai.request.temperature', value: { doubleValue: 0.2 } },
  ];
  if (options.capture !== false) {
    attributes.push(str('gen_ai.system_instructions', JSON.stringify([{ type: 'text', content: 'You plan trips.' }])));
    attributes.push(str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan two days in Lisbon.' }] }])));
    attributes.push(
      str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Day 1: Alfama.' }], finish_reason: 'stop' }])),
    );
  }
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'trip-agent')] },
        scopeSpans: [
          {
            spans: [
              { traceId, spanId: rootId, name: 'plan trip', startTimeUnixNano: String(start), endTimeUnixNano: String(start + 900_000_000n) },
              {
                traceId,
                spanId,
                parentSpanId: rootId,
                name: `chat ${options.model}`,
                kind: 3,
                startTimeUnixNano: String(start + 10_000_000n),
                endTimeUnixNano: String(start + 800_000_000n),
                attributes,
              },
            ],
          },
        ],
      },
    ],
  };
  const sent = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(sent.status).toBe(200);
  return { traceId, spanId };
}

beforeAll(async () => {
  providers = await startFakeProviders({ providers: ['openai', 'anthropic'], timeout: '1s', key: PROVIDER_KEY });
  ({ fake, server, dir } = providers);
});

afterAll(async () => {
  await providers?.stop();
});

beforeEach(() => {
  // What each test sees of the fake starts with its own requests.
  fake.requests.length = 0;
});

describe('POST /api/replay', () => {
  it('re-runs a call with another model as a trace linked to it, and its diff shows model, tokens and cost', async () => {
    const original = await recordCall({ provider: 'openai', model: 'gpt-4o' });
    fake.script({ text: 'Day 1: Belém.', usage: { inputTokens: 30, outputTokens: 8 } });
    const replay = await send('POST', '/api/replay', { ...original, overrides: { model: 'gpt-4o-mini' } });
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);

    // The provider got the recorded conversation, with the new model and the recorded temperature.
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.path).toBe('/v1/chat/completions');
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(fake.requests[0]!.body).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'You plan trips.' },
        { role: 'user', content: 'Plan two days in Lisbon.' },
      ],
    });

    const answer = replay.body as {
      replay: { traceId: string; spanId: string };
      original: Record<string, unknown>;
      result: Record<string, unknown>;
      deltas: Record<string, number>;
      links: { compare: string };
    };
    expect(answer.original).toMatchObject({ model: 'gpt-4o', inputTokens: 40, outputTokens: 12 });
    expect(answer.result).toMatchObject({ model: 'gpt-4o-mini', inputTokens: 30, outputTokens: 8 });
    expect(answer.result.completion).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Day 1: Belém.' }], finishReason: 'stop' }]);
    expect(answer.deltas).toMatchObject({ inputTokens: -10, outputTokens: -4 });
    expect(typeof answer.result.costUsd).toBe('number');
    expect(answer.links.compare).toBe(`/compare?a=${original.traceId}&b=${answer.replay.traceId}`);

    // The replay is a trace: a root that names what it replays and links to it, and the call.
    const trace = (await send('GET', `/api/traces/${answer.replay.traceId}`)).body as unknown as TraceDetail;
    const root = trace.spans.find((s) => s.parentSpanId === null)!;
    expect(root.attributes['spoor.replay.of']).toBe(`${original.traceId}/${original.spanId}`);
    expect(root.links).toEqual([expect.objectContaining({ traceId: original.traceId, spanId: original.spanId })]);
    expect(trace.spans.find((s) => s.spanId === answer.replay.spanId)?.llm).toMatchObject({ requestModel: 'gpt-4o-mini', inputTokens: 30 });
    expect(JSON.stringify(trace)).not.toContain(PROVIDER_KEY);
    expect(JSON.stringify(replay.body)).not.toContain(PROVIDER_KEY);

    const itself = (await send('GET', `/api/traces/${original.traceId}/diff/${original.traceId}`)).body as unknown as TraceDiff;
    expect([itself.added, itself.removed, itself.changed]).toEqual([[], [], []]);
    const diff = (await send('GET', `/api/traces/${original.traceId}/diff/${answer.replay.traceId}`)).body as unknown as TraceDiff;
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.changed).toHaveLength(1);
    expect(diff.changed[0]!.fields).toMatchObject({ model: { a: 'gpt-4o', b: 'gpt-4o-mini' }, inputTokens: { a: 40, b: 30 }, outputTokens: { a: 12, b: 8 } });
    expect(diff.changed[0]!.completion).toEqual([
      { op: '-', text: 'assistant: Day 1: Alfama.' },
      { op: '+', text: 'assistant: Day 1: Belém.' },
    ]);
    expect([diff.a.unpricedCalls, diff.b.unpricedCalls]).toEqual([0, 0]);

    // A side with a call Spoor has no price for says so: its cost leaves that call out.
    const unpriced = await recordCall({ provider: 'openai', model: 'house-model-7' });
    const partial = (await send('GET', `/api/traces/${original.traceId}/diff/${unpriced.traceId}`)).body as unknown as TraceDiff;
    expect(partial.b).toMatchObject({ unpricedCalls: 1, costUsd: null, inputTokens: 40 });
    expect(partial.a.unpricedCalls).toBe(0);
  });

  it('replays an Anthropic call with the Anthropic client', async () => {
    const original = await recordCall({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
    fake.script({ text: 'Day 1: Sintra.' });
    const replay = await send('POST', '/api/replay', { ...original, overrides: { messages: [{ role: 'user', content: 'Plan one day in Porto.' }] } });
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(fake.requests[0]!.path).toBe('/v1/messages');
    expect(fake.requests[0]!.body).toMatchObject({
      model: 'claude-sonnet-4-6',
      system: 'You plan trips.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Plan one day in Porto.' }] }],
    });
    expect((replay.body.result as { model: string }).model).toBe('claude-sonnet-4-6');
  });

  it('answers bad input with the reason, and records nothing when the provider fails or is silent', async () => {
    const recorded = await recordCall({ provider: 'openai', model: 'gpt-4o' });
    const bare = await recordCall({ provider: 'openai', model: 'gpt-4o', capture: false });
    const traces = async () => ((await send('GET', '/api/traces?limit=1000&origin=all')).body.traces as unknown[]).length;
    const before = await traces();

    expect(await send('POST', '/api/replay', { traceId: recorded.traceId, spanId: 'f'.repeat(16) })).toMatchObject({ status: 404 });
    expect(await send('POST', '/api/replay', { ...bare })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining('turn on content capture') } },
    });
    expect(await send('POST', '/api/replay', { ...recorded, overrides: { temperature: 'hot' } })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining("'overrides.temperature' must be a number") } },
    });
    expect(await send('POST', '/api/replay', { ...recorded, overrides: { seed: 1 } })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining("'seed' is not a field") } },
    });
    expect(await send('POST', '/api/replay', { traceId: 'nope', spanId: recorded.spanId })).toMatchObject({ status: 400 });

    fake.script({ error: { status: 500, message: 'the model is down' } });
    const refused = await send('POST', '/api/replay', recorded);
    expect(refused).toMatchObject({
      status: 502,
      body: { error: { code: 'ERR_PROVIDER', message: expect.stringContaining('openai refused the replayed call (500') } },
    });
    fake.script({ delayMs: 3000 });
    const silent = await send('POST', '/api/replay', recorded);
    expect(silent).toMatchObject({
      status: 504,
      body: { error: { code: 'ERR_PROVIDER_TIMEOUT', message: expect.stringContaining('did not answer within 1 s') } },
    });
    expect(JSON.stringify([refused, silent])).not.toContain(PROVIDER_KEY);
    expect(await traces()).toBe(before);
  });

  it.each(['openai', 'anthropic'])('answers 504 from its own deadline if %s sends its headers and then crawls, and records nothing', async (provider) => {
    const recorded = await recordCall({ provider, model: provider === 'openai' ? 'gpt-4o' : 'claude-sonnet-4-6' });
    const traces = async () => ((await send('GET', '/api/traces?limit=1000&origin=all')).body.traces as unknown[]).length;
    const before = await traces();
    // Headers at once, then one byte a second: the body would take minutes.
    fake.script({ byteDelayMs: 1000 });
    const started = performance.now();
    const crawling = await send('POST', '/api/replay', recorded);

    // This answer comes only from the server's own deadline (its DeadlineError): the client's
    // timeout stopped at the headers, and without the deadline the replay would take minutes
    // (the test's time limit fails it).
    expect(crawling).toMatchObject({
      status: 504,
      body: { error: { code: 'ERR_PROVIDER_TIMEOUT', message: `${provider} did not answer within 1 s; nothing was recorded` } },
    });
    // It waited for the deadline (less the grain of the event loop's clock).
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.requests).toHaveLength(1);
    expect(await traces()).toBe(before);
  });

  it('says which flag to set when the server has no provider', async () => {
    const bare = await startTestServer();
    try {
      expect(await (await fetch(`${bare.url}/api/replay/providers`)).json()).toEqual({ providers: ['demo'] });
      const original = await recordCall({ provider: 'openai', model: 'gpt-4o' }, bare.url);
      const response = await fetch(`${bare.url}/api/replay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(original),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain('start it with --provider openai=env:OPENAI_API_KEY');
    } finally {
      await bare.stop();
    }
  });
});

describe('the provider clients', () => {
  const SPOOR_BIN = fileURLToPath(new URL('../bin/spoor.js', import.meta.url));
  const REPORT_LOADS = fileURLToPath(new URL('./support/report-loads.mjs', import.meta.url));

  it('are loaded by a replay to their provider, and not before', async () => {
    const keyFile = join(dir, 'provider-key');
    const child = spawn(
      process.execPath,
      [
        '--import',
        REPORT_LOADS,
        SPOOR_BIN,
        'serve',
        '--port',
        '0',
        '--grpc-port',
        '0',
        '--data',
        join(dir, 'lazy-data'),
        '--log-level',
        'warn',
        '--provider',
        `openai=file:${keyFile},base=${fake.baseUrl}/v1`,
        '--provider',
        `anthropic=file:${keyFile},base=${fake.baseUrl}`,
      ],
      { env: { ...process.env, SPOOR_TEST_REPORT_LOADS: 'openai,@anthropic-ai/sdk' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const url = await until('spoor serve to listen', () => /listening on (http:\/\/\S+)/.exec(stdout)?.[1], 20_000);
      const original = await recordCall({ provider: 'openai', model: 'gpt-4o' }, url);
      expect((await fetch(`${url}/api/traces/${original.traceId}`)).status).toBe(200);
      expect((await fetch(`${url}/api/replay/providers`)).status).toBe(200);
      expect(stderr).not.toContain('spoor-test loaded');

      fake.script({ text: 'Day 1: Belém.' });
      const replay = await fetch(`${url}/api/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(original) });
      expect(replay.status, await replay.text()).toBe(200);
      expect(stderr).toContain('spoor-test loaded openai');
      expect(stderr).not.toContain('spoor-test loaded @anthropic-ai/sdk');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe("Spoor's own traces", () => {
  it("keeps a replay out of the app's list, statistics and cost unless asked for, and refuses its service from an app", async () => {
    const original = await recordCall({ provider: 'openai', model: 'gpt-4o' });
    fake.script({ text: 'Day 1: Belém.', usage: { inputTokens: 30, outputTokens: 8 } });
    const replay = await send('POST', '/api/replay', { ...original, overrides: { model: 'gpt-4o-mini' } });
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    const replayId = (replay.body.replay as { traceId: string }).traceId;
    const listed = async (origin: string) =>
      ((await send('GET', `/api/traces?limit=1000${origin}`)).body.traces as Array<{ traceId: string }>).map((t) => t.traceId);
    await until("the replay listed as Spoor's own", async () => ((await listed('&origin=spoor')).includes(replayId) ? true : undefined));
    await until('the recorded call listed', async () => ((await listed('')).includes(original.traceId) ? true : undefined));
    const app = await listed('');
    expect(app).not.toContain(replayId);
    expect(await listed('&origin=app')).toEqual(app);
    const own = await listed('&origin=spoor');
    expect(own).not.toContain(original.traceId);
    expect(await listed('&origin=all')).toEqual(expect.arrayContaining([...app, ...own]));
    // Asking for Spoor's own service is asking for its own traces.
    expect(await listed('&service=spoor-replay')).toEqual(own);

    // The replay's call (gpt-4o-mini) is Spoor's own cost, not the app's.
    const costs = async (origin: string) =>
      new Map(
        ((await send('GET', `/api/stats/spans?groupBy=model&category=llm${origin}`)).body.groups as Array<{ key: string; costUsd: number | null }>).map((g) => [
          g.key,
          g.costUsd,
        ]),
      );
    expect([...(await costs('')).keys()]).not.toContain('gpt-4o-mini');
    expect((await costs('')).get('gpt-4o')).toBeGreaterThan(0);
    const spoors = await costs('&origin=spoor');
    // The replays of this file: gpt-4o-mini and the Anthropic one; never the app's gpt-4o call.
    expect([...spoors.keys()]).toContain('gpt-4o-mini');
    expect([...spoors.keys()]).not.toContain('gpt-4o');
    expect(spoors.get('gpt-4o-mini')).toBeGreaterThan(0);
    expect(await send('GET', '/api/traces?origin=mine')).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('origin') } } });

    // An app may not send spans as Spoor's own service: they would leave its statistics and alerts.
    const now = BigInt(Date.now()) * 1_000_000n;
    const spoofed = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'spoor-replay' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: randomBytes(16).toString('hex'),
                    spanId: randomBytes(8).toString('hex'),
                    name: 'judge nothing',
                    startTimeUnixNano: String(now),
                    endTimeUnixNano: String(now + 1_000_000n),
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(spoofed.status).toBe(400);
    expect(await spoofed.json()).toMatchObject({ error: { code: 'ERR_INGEST_RESERVED_SERVICE', message: expect.stringContaining('service.name') } });
  });
});
