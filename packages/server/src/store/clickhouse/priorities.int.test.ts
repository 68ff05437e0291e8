import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../test/support/clickhouse-endpoint.js';
import { T0, emptyLlm, sid, span, tid } from '../../../test/support/record-fixtures.js';
import { type RecordingProxy, startRecordingProxy } from '../../../test/support/recording-proxy.js';
import type { AlertSeriesQuery } from '../store.js';
import { batchOf } from '../tables.js';
import { ChClient } from './client.js';
import { ClickHouseStore } from './clickhouse-store.js';

// What each request to a ClickHouse server runs with, read on the wire: a commit's inserts before
// the alert rounds' reads, and what a user asks for in neither rank.
let endpoint: ClickHouseEndpoint;
let proxy: RecordingProxy;
let store: ClickHouseStore;

beforeAll(async () => {
  endpoint = await startClickHouseEndpoint();
  proxy = await startRecordingProxy(`http://127.0.0.1:${endpoint.port}`);
  const { username, password } = new URL(endpoint.url);
  store = await ClickHouseStore.open({ url: `http://${username}:${password}@${new URL(proxy.url).host}/priorities` });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await proxy?.close();
  await endpoint?.close();
});

/** The requests `act` sent, each as its URL's parameters. */
async function sent(act: () => Promise<unknown>): Promise<URLSearchParams[]> {
  proxy.exchanges.length = 0;
  await act();
  return proxy.exchanges.map((exchange) => new URL(exchange.path, 'http://x').searchParams);
}

const isInsert = (params: URLSearchParams): boolean => /^\s*INSERT\b/i.test(params.get('query') ?? '');

const query = (background?: boolean): AlertSeriesQuery => ({
  projectId: 'default',
  source: 'spans',
  fn: 'cost_per_workflow',
  matchers: [],
  by: [{ name: 'service', attribute: false }],
  startUs: T0 - 60_000_000,
  stepUs: 120_000_000,
  buckets: 1,
  ...(background === undefined ? {} : { background }),
});

describe('ClickHouse query priorities', () => {
  it("runs a commit's inserts at priority 1, an alert round's reads at 2 with the same answer, and a user's reads at neither", async () => {
    const batch = batchOf({
      spans: [
        span({ traceId: tid(1), spanId: sid(1) }),
        span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), startTimeUs: T0 + 5, llm: { ...emptyLlm(), costUsd: 0.75 } }),
      ],
      logs: [],
      metricPoints: [],
    });
    const commit = await sent(() => store.writer.write(batch, { serverId: 'server-1', position: '1:10' }));
    const inserts = commit.filter(isInsert);
    // The commit's `begun` and `committed` rows and its tables' rows.
    expect(inserts.length).toBeGreaterThanOrEqual(4);
    for (const params of inserts) expect(params.get('priority'), params.get('query') ?? '').toBe('1');

    let round: unknown;
    const roundRequests = await sent(async () => (round = await store.alertSeries.read(query(true))));
    expect(roundRequests.length).toBeGreaterThan(0);
    for (const params of roundRequests) expect(params.get('priority')).toBe('2');

    for (const background of [undefined, false]) {
      let answer: unknown;
      const userRequests = await sent(async () => (answer = await store.alertSeries.read(query(background))));
      expect(userRequests.length).toBeGreaterThan(0);
      for (const params of userRequests) expect(params.get('priority')).toBeNull();
      expect(answer).toEqual(round);
    }
    expect(round).toEqual([{ labels: ['checkout'], bucket: 0, value: 0.75 }]);

    const detail = await sent(() => store.traces.getTrace('default', tid(1)));
    expect(detail.length).toBeGreaterThan(0);
    for (const params of detail) expect(params.get('priority')).toBeNull();
  });

  it('runs each request with its own priority on the server: one a connection ran before does not stay', async () => {
    const { username, password } = new URL(endpoint.url);
    const ch = await ChClient.open({ url: `http://${username}:${password}@${new URL(proxy.url).host}/priorities` });
    const priority = async (client: ChClient): Promise<number> =>
      (await client.row<{ p: number }>('read the priority', "SELECT toUInt8(getSetting('priority')) AS p"))!.p;
    // One after another, so each reuses the connection the one before let go.
    for (let i = 0; i < 3; i++) {
      expect(await priority(ch.background())).toBe(2);
      expect(await priority(ch)).toBe(0);
    }
    await ch.close();
  });
});
