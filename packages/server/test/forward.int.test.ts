import { randomBytes } from 'node:crypto';
import type { LogListResponse, TraceDetail } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTraces } from './support/otlp-encode.js';
import { type TestServer, callJson, metricValue, startTestServer } from './support/server.js';
import { sleep, until } from './support/wait.js';

/**
 * One Spoor forwarding to another, both real servers on 127.0.0.1: the destination goes away for
 * 10 s while apps keep sending to the first, comes back on the same port and data directory, and
 * then holds every span the first acknowledged (at least once: each span id is there); and what a
 * masking policy hides never reaches it.
 */

let destination: TestServer;
let forwarding: TestServer;

beforeAll(async () => {
  destination = await startTestServer();
  forwarding = await startTestServer({ forward: `spoor2=${destination.url}` });
});

afterAll(async () => {
  await forwarding?.stop();
  await destination?.stop();
});

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** One trace of `spans` spans as a request: protobuf, or (every third) OTLP/JSON, which is forwarded as protobuf too. */
function request(n: number, spans: number): { traceId: string; spanIds: string[]; body: Uint8Array | string; type: string } {
  const traceId = hex(16);
  const spanIds = Array.from({ length: spans }, () => hex(8));
  const startNs = BigInt(Date.now() - 5_000) * 1_000_000n;
  if (n % 3 === 2) {
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-agent' } }] },
          scopeSpans: [
            {
              spans: spanIds.map((spanId, i) => ({
                traceId,
                spanId,
                name: `step ${i}`,
                startTimeUnixNano: String(startNs),
                endTimeUnixNano: String(startNs + 1_000_000n),
              })),
            },
          ],
        },
      ],
    });
    return { traceId, spanIds, body, type: 'application/json' };
  }
  const body = encodeTraces([
    {
      resource: { attributes: { 'service.name': 'agent' } },
      scopes: [
        { items: spanIds.map((spanId, i) => ({ traceId, spanId, name: `step ${i}`, startTimeUnixNano: startNs, endTimeUnixNano: startNs + 1_000_000n })) },
      ],
    },
  ]);
  return { traceId, spanIds, body, type: 'application/x-protobuf' };
}

/** The span ids of a trace as a server holds them (none when it has not got it). */
async function spanIdsAt(server: TestServer, traceId: string): Promise<string[]> {
  const answer = await fetch(`${server.url}/api/traces/${traceId}`);
  if (answer.status === 404) return [];
  expect(answer.status).toBe(200);
  return ((await answer.json()) as TraceDetail).spans.map((s) => s.spanId);
}

describe('forwarding to another Spoor', () => {
  it('delivers every acknowledged span once the destination is back from a 10 s outage', async () => {
    const acknowledged = new Map<string, string[]>();
    let sending = true;
    let n = 0;
    const sender = (async () => {
      while (sending) {
        const { traceId, spanIds, body, type } = request(n++, 20);
        const answer = await fetch(`${forwarding.url}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body });
        if (answer.status === 200) acknowledged.set(traceId, spanIds);
        await sleep(50);
      }
    })();
    try {
      await until('some spans to reach the destination', async () =>
        (await metricValue(forwarding.url, 'spoor_forward_sent_records_total')) > 0 ? true : undefined,
      );
      const port = Number(new URL(destination.url).port);
      const { dataDir } = destination;
      await destination.stop({ keepData: true });
      const down = Date.now();
      await until('the forwarding server to try the destination again while it is down', async () =>
        (await metricValue(forwarding.url, 'spoor_forward_requests_total{destination="spoor2",outcome="retry"}')) > 0 ? true : undefined,
      );
      await sleep(10_000 - (Date.now() - down));
      destination = await startTestServer({ port, data: dataDir });
      await sleep(500);
    } finally {
      sending = false;
      await sender;
    }
    expect(acknowledged.size).toBeGreaterThan(20);

    const traceIds = [...acknowledged.keys()];
    await until(
      'every acknowledged trace at the destination',
      async () => {
        const { traces } = (await callJson<{ traces: Array<{ traceId: string; spanCount: number }> }>(destination.url, 'GET', '/api/traces?limit=1000')).body;
        const held = new Map(traces.map((t) => [t.traceId, t.spanCount]));
        return traceIds.every((id) => held.get(id) === 20) ? true : undefined;
      },
      60_000,
    );
    let spans = 0;
    for (const [traceId, spanIds] of acknowledged) {
      expect(new Set(await spanIdsAt(destination, traceId))).toEqual(new Set(spanIds));
      spans += spanIds.length;
    }
    // At least once: every span sent, some perhaps twice (the destination stores one of each).
    expect(await metricValue(forwarding.url, 'spoor_forward_sent_records_total{destination="spoor2",signal="traces"}')).toBeGreaterThanOrEqual(spans);
    expect(await metricValue(forwarding.url, 'spoor_forward_failed_records_total')).toBe(0);
    expect(await metricValue(forwarding.url, 'spoor_forward_dropped_records_total')).toBe(0);
    await until('nothing left unsent', async () => ((await metricValue(forwarding.url, 'spoor_forward_oldest_unsent_seconds')) === 0 ? true : undefined));
  }, 180_000);

  it('never sends on what a masking policy hides', async () => {
    const email = 'carol.secret@example.com';
    expect((await callJson(forwarding.url, 'PUT', '/api/projects/default/masking', { detectors: ['email'] })).status).toBe(200);
    const traceId = hex(16);
    const spanId = hex(8);
    const startNs = String(BigInt(Date.now() - 5_000) * 1_000_000n);
    const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const traces = {
      resourceSpans: [
        {
          resource: { attributes: [str('service.name', 'pii-app'), str('owner', email)] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId,
                  name: 'chat',
                  startTimeUnixNano: startNs,
                  endTimeUnixNano: startNs,
                  attributes: [str('gen_ai.prompt.0.content', `write to ${email} please`), str('plain', 'kept as it was')],
                  events: [{ name: 'exception', timeUnixNano: startNs, attributes: [str('exception.message', `no mailbox ${email}`)] }],
                  status: { code: 2, message: `bounced: ${email}` },
                },
              ],
            },
          ],
        },
      ],
    };
    const logs = {
      resourceLogs: [
        {
          resource: { attributes: [str('service.name', 'pii-app')] },
          scopeLogs: [{ logRecords: [{ timeUnixNano: startNs, severityNumber: 9, traceId, spanId, body: { stringValue: `sent to ${email}` } }] }],
        },
      ],
    };
    for (const [path, body] of [
      ['/v1/traces', traces],
      ['/v1/logs', logs],
    ] as const) {
      expect(
        (await fetch(`${forwarding.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status,
      ).toBe(200);
    }
    const detail = await until('the trace at the destination', async () => {
      const answer = await fetch(`${destination.url}/api/traces/${traceId}`);
      return answer.status === 200 ? ((await answer.json()) as TraceDetail) : undefined;
    });
    const logList = await until('the log record at the destination', async () => {
      const { body } = await callJson<LogListResponse>(destination.url, 'GET', `/api/logs?traceId=${traceId}`);
      return body.logs.length > 0 ? body : undefined;
    });
    const everything = JSON.stringify([detail, logList]);
    expect(everything).not.toContain(email);
    expect(detail.spans[0]!.attributes).toEqual({ 'gen_ai.prompt.0.content': 'write to [REDACTED:email] please', plain: 'kept as it was' });
    expect(detail.spans[0]!.resource).toEqual({ 'service.name': 'pii-app', owner: '[REDACTED:email]' });
    expect(detail.spans[0]!.status.message).toBe('bounced: [REDACTED:email]');
    expect(logList.logs[0]!.body).toBe('sent to [REDACTED:email]');
  });
});
