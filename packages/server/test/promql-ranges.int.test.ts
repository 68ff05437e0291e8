import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { sendCalls } from './support/llm-calls.js';
import { type TestServer, callJson, makeKey, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * A range query whose window is its step reads the store once for the whole range; its points must
 * be those an instant query (one read per point, as an alert rule evaluates) gives at each
 * instant. Random ranges and steps over calls spread across two hours, on both engines.
 */

type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
type Vector = Array<{ metric: Record<string, string>; value: [number, string] }>;

/** A small seeded generator, so a failing range can be run again. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const EXPRS = ['count(spans)[$w] by (model)', 'cost(spans{service=~"r.*"})[$w]', 'p95(duration_ms)[$w] by (model)', 'tokens(spans)[$w] > 5000'];

describe.each(['duckdb', 'clickhouse'] as const)('range reads against per-point reads (%s store)', (storeName) => {
  let server: TestServer;
  let endpoint: ClickHouseEndpoint | null;
  let key: string;
  const nowS = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    endpoint = storeName === 'clickhouse' ? await startClickHouseEndpoint() : null;
    server = await startTestServer(endpoint === null ? {} : { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/ranges` });
    const root = await makeKey(server.url, '*', 'admin');
    const ingest = await makeKey(server.url, 'shop', 'ingest', root);
    key = await makeKey(server.url, 'shop', 'read', root);
    const next = random(7);
    let sent = 0;
    for (let batch = 0; batch < 12; batch++) {
      const count = 1 + Math.floor(next() * 6);
      await sendCalls(
        server.url,
        ingest,
        batch % 3 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
        count,
        (i) => 20 + i * 37,
        (nowS - 7200 + Math.floor(next() * 7000)) * 1000,
      );
      sent += count;
    }
    await until(`the ${sent} calls stored`, async () => {
      const q = encodeURIComponent('count(spans)[3h]');
      const { body } = await callJson<{ data: { result: Vector } }>(server.url, 'GET', `/api/v1/query?query=${q}&time=${nowS + 60}`, undefined, { key });
      return Number(body.data.result[0]?.value[1] ?? 0) === sent ? true : undefined;
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await endpoint?.close();
  });

  it('gives each point of a range as an instant query gives it', async () => {
    const next = random(storeName === 'duckdb' ? 11 : 13);
    let points = 0;
    for (let trial = 0; trial < 16; trial++) {
      const stepS = [7, 60, 301, 600, 1234, 1800][Math.floor(next() * 6)]!;
      const count = 2 + Math.floor(next() * 8);
      const startS = nowS - 7300 + Math.floor(next() * (7300 - stepS * count));
      const expr = EXPRS[trial % EXPRS.length]!.replace('$w', `${stepS}s`);
      const q = encodeURIComponent(expr);
      const range = await callJson<{ data: { result: Matrix } }>(
        server.url,
        'GET',
        `/api/v1/query_range?query=${q}&start=${startS}&end=${startS + (count - 1) * stepS}&step=${stepS}`,
        undefined,
        { key },
      );
      expect(range.status, expr).toBe(200);
      const expected = new Map<string, Array<[number, string]>>();
      for (let k = 0; k < count; k++) {
        const at = startS + k * stepS;
        const one = await callJson<{ data: { result: Vector } }>(server.url, 'GET', `/api/v1/query?query=${q}&time=${at}`, undefined, { key });
        for (const s of one.body.data.result) {
          const id = JSON.stringify(s.metric);
          expected.set(id, [...(expected.get(id) ?? []), s.value]);
        }
      }
      const got = new Map(range.body.data.result.map((s) => [JSON.stringify(s.metric), s.values]));
      expect([...got.keys()].sort(), `${expr} from ${startS} step ${stepS}`).toEqual([...expected.keys()].sort());
      for (const [id, values] of expected) {
        const mine = got.get(id)!;
        expect(
          mine.map((v) => v[0]),
          `${expr} ${id}`,
        ).toEqual(values.map((v) => v[0]));
        mine.forEach((v, i) => expect(Number(v[1]), `${expr} ${id} at ${v[0]}`).toBeCloseTo(Number(values[i]![1]), 9));
        points += mine.filter((v) => Number(v[1]) !== 0).length;
      }
    }
    // The ranges met the calls: a comparison of empty answers proves nothing.
    expect(points).toBeGreaterThan(10);
  }, 120_000);
});
