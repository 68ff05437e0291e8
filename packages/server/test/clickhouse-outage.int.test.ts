import { randomBytes } from 'node:crypto';
import type { TraceListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { eventually, traceBody } from './support/trace-bodies.js';
import { type TestServer, getJson, startTestServer } from './support/server.js';

/**
 * ClickHouse goes away while apps keep sending: the server acknowledges into its disk spool (up to
 * --spool-max, then 503 with Retry-After), says it is not ready, shows the backlog on /metrics,
 * and commits everything in order once ClickHouse is back.
 */

let endpoint: ClickHouseEndpoint;
let database = 0;

beforeAll(async () => {
  endpoint = await startClickHouseEndpoint();
});

afterAll(async () => {
  await endpoint?.close();
});

const post = (server: TestServer, body: string) => fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

/** A gauge's value on /metrics. */
async function gauge(server: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`/metrics has no ${name}`);
  return Number(line.split(' ')[1]);
}

const readyStatus = async (server: TestServer) => (await fetch(`${server.url}/ready`)).status;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every acknowledged trace is stored, whole and once. */
async function expectAllStored(server: TestServer, acknowledged: string[], spans: number): Promise<void> {
  const listed = await eventually(
    'every acknowledged trace to be listed',
    () => getJson<TraceListResponse>(server.url, '/api/traces?limit=1000'),
    (r) => acknowledged.every((id) => r.body.traces.some((t) => t.traceId === id)),
  );
  expect(listed.body.traces).toHaveLength(acknowledged.length);
  for (const trace of listed.body.traces) expect(trace.spanCount).toBe(spans);
}

describe('ClickHouse down', () => {
  it('acknowledges into the spool for the 10 s ClickHouse is gone, says not ready, shows the backlog, and drains it in order', async () => {
    const server = await startTestServer({ store: 'clickhouse', clickhouseUrl: `${endpoint.url}/outage_${++database}` });
    const acknowledged: string[] = [];
    let sending = true;
    const sender = (async () => {
      while (sending) {
        const traceId = randomBytes(16).toString('hex');
        const answer = await post(server, traceBody(traceId, 20));
        expect(answer.status).toBe(200);
        acknowledged.push(traceId);
        await sleep(20);
      }
    })();
    try {
      await eventually(
        'some traces to be stored',
        async () => acknowledged.length,
        (n) => n > 20,
      );
      expect(await readyStatus(server)).toBe(200);

      await endpoint.stop();
      const stoppedAt = Date.now();
      const before = acknowledged.length;
      // Within a ping or two of ClickHouse going away, the server says it is not ready.
      await eventually(
        '/ready to answer 503',
        () => readyStatus(server),
        (status) => status === 503,
        5_000,
      );
      await sleep(Math.max(0, stoppedAt + 9_000 - Date.now()));
      // Still taking requests, and the backlog is on /metrics.
      expect(acknowledged.length).toBeGreaterThan(before + 50);
      expect(await gauge(server, 'spoor_spool_bytes')).toBeGreaterThan(50 * 1000);
      expect(await gauge(server, 'spoor_spool_oldest_unsent_seconds')).toBeGreaterThan(7);
      expect(await gauge(server, 'spoor_store_healthy')).toBe(0);
      await sleep(Math.max(0, stoppedAt + 10_000 - Date.now()));
      await endpoint.resume();
      // Requests are still taken while the backlog drains; then the sender stops and it empties.
      const backlog = await gauge(server, 'spoor_spool_bytes');
      await sleep(2000);
      sending = false;
      await sender;
      await eventually(
        'the spool to drain',
        () => gauge(server, 'spoor_spool_bytes'),
        (bytes) => bytes === 0,
        30_000,
      );
      expect(backlog).toBeGreaterThan(50 * 1000);
      await eventually(
        '/ready to answer 200',
        () => readyStatus(server),
        (status) => status === 200,
        10_000,
      );
      // Nothing left unsent, so no age at all.
      expect(await gauge(server, 'spoor_spool_oldest_unsent_seconds')).toBe(0);
    } finally {
      sending = false;
      await sender;
      await endpoint.resume();
    }
    await expectAllStored(server, acknowledged, 20);
    await server.stop();
  }, 120_000);

  it('answers 503 with Retry-After once the spool holds --spool-max, and takes requests again when ClickHouse is back', async () => {
    const server = await startTestServer({ store: 'clickhouse', clickhouseUrl: `${endpoint.url}/full_${++database}`, spoolMax: '64KiB' });
    try {
      await endpoint.stop();
      await eventually(
        '/ready to answer 503',
        () => readyStatus(server),
        (status) => status === 503,
        5_000,
      );
      const acknowledged: string[] = [];
      let refused: Response | null = null;
      while (refused === null && acknowledged.length < 1000) {
        const traceId = randomBytes(16).toString('hex');
        const answer = await post(server, traceBody(traceId, 10));
        if (answer.status === 200) acknowledged.push(traceId);
        else refused = answer;
      }
      expect(refused?.status).toBe(503);
      expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await refused!.json()) as { message: string }).message).toMatch(/spool/);
      // Roughly 64 KiB of bodies were taken (each is ~2.4 KB).
      expect(acknowledged.length).toBeGreaterThan(15);
      expect(acknowledged.length).toBeLessThan(40);

      await endpoint.resume();
      await eventually(
        'the spool to drain',
        () => gauge(server, 'spoor_spool_bytes'),
        (bytes) => bytes === 0,
        30_000,
      );
      const traceId = randomBytes(16).toString('hex');
      expect((await post(server, traceBody(traceId, 10))).status).toBe(200);
      acknowledged.push(traceId);
      await expectAllStored(server, acknowledged, 10);
    } finally {
      await endpoint.resume();
      await server.stop();
    }
  }, 60_000);

  it('waits at start for a ClickHouse that does not answer yet, and serves once it does', async () => {
    await endpoint.stop();
    const starting = startTestServer({ store: 'clickhouse', clickhouseUrl: `${endpoint.url}/late_${++database}` });
    await sleep(3000);
    await endpoint.resume();
    const server = await starting;
    try {
      expect(await readyStatus(server)).toBe(200);
      expect((await post(server, traceBody(randomBytes(16).toString('hex'), 3))).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
