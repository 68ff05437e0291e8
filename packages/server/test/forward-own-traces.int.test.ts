import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type TestServer, callJson, metricValue, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * One Spoor forwarding to another, both real servers: what the first records itself (a replay
 * of an LLM call, against the loopback fake LLM) arrives at the second as Spoor's own, beside the
 * app's traces sent with it, and nothing of it is refused. Spoor's service stays refused from an
 * app that sends straight to a Spoor.
 */

let fake: FakeLlm;
let dir: string;
let destination: TestServer;
let forwarding: TestServer;

beforeAll(async () => {
  fake = await startFakeLlm();
  dir = await mkdtemp(join(tmpdir(), 'spoor-forward-own-'));
  const keyFile = join(dir, 'provider-key');
  await writeFile(keyFile, `sk-test-${randomBytes(12).toString('hex')}`);
  destination = await startTestServer();
  forwarding = await startTestServer({ forward: `spoor2=${destination.url}`, provider: [`openai=file:${keyFile},base=${fake.baseUrl}/v1,timeout=1s`] });
});

afterAll(async () => {
  await forwarding?.stop();
  await destination?.stop();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** An app's recorded chat call (a root and the call), as instrumentation with content capture sends it. */
async function recordCall(url: string): Promise<{ traceId: string; spanId: string }> {
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const attributes = [
    str('gen_ai.provider.name', 'openai'),
    str('gen_ai.operation.name', 'chat'),
    str('gen_ai.request.model', 'gpt-4o'),
    str('gen_ai.response.model', 'gpt-4o'),
    { key: 'gen_ai.usage.input_tokens', value: { intValue: '40' } },
    { key: 'gen_ai.usage.output_tokens', value: { intValue: '12' } },
    str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan two days in Lisbon.' }] }])),
    str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Day 1: Alfama.' }], finish_reason: 'stop' }])),
  ];
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
                name: 'chat gpt-4o',
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

/** A span of Spoor's own service, sent as an app would send it, with `headers` besides. */
function spoofedOwnSpan(url: string, headers: Record<string, string> = {}): Promise<Response> {
  const now = BigInt(Date.now()) * 1_000_000n;
  return fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [str('service.name', 'spoor-replay')] },
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
}

/** Trace requests a server answered 400, by its `/metrics`. */
async function refusedTraceRequests(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('spoor_ingest_requests_total{') && l.includes('signal="traces"') && l.includes('status="400"'));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

const listed = async (server: TestServer, origin: string): Promise<string[]> =>
  (await callJson<TraceListResponse>(server.url, 'GET', `/api/traces?limit=1000&origin=${origin}`)).body.traces.map((t) => t.traceId);

describe("forwarding Spoor's own traces to another Spoor", () => {
  it("delivers a replay as Spoor's own and the app's traces beside it, refusing none", async () => {
    const original = await recordCall(forwarding.url);
    fake.script({ text: 'Day 1: Belém.', usage: { inputTokens: 30, outputTokens: 8 } });
    const replay = await callJson<{ replay: { traceId: string } }>(forwarding.url, 'POST', '/api/replay', { ...original, overrides: { model: 'gpt-4o-mini' } });
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    const replayId = replay.body.replay.traceId;
    // An app's trace acknowledged after the replay: forwarded in the same request as it, or after.
    const after = await recordCall(forwarding.url);

    await until("the replay at the destination, as Spoor's own", async () => ((await listed(destination, 'spoor')).includes(replayId) ? true : undefined));
    await until("the app's traces at the destination", async () => {
      const app = await listed(destination, 'app');
      return app.includes(original.traceId) && app.includes(after.traceId) ? app : undefined;
    });
    expect(await listed(destination, 'app')).not.toContain(replayId);
    expect(await metricValue(forwarding.url, 'spoor_forward_failed_records_total')).toBe(0);
    expect(await refusedTraceRequests(destination)).toBe(0);
  }, 120_000);

  it("still refuses Spoor's own service from an app that sends straight to a Spoor", async () => {
    const before = await refusedTraceRequests(destination);
    const spoofed = await spoofedOwnSpan(destination.url);
    expect(spoofed.status).toBe(400);
    expect(await spoofed.json()).toMatchObject({ error: { code: 'ERR_INGEST_RESERVED_SERVICE' } });
    expect(await refusedTraceRequests(destination)).toBe(before + 1);
  });
});
