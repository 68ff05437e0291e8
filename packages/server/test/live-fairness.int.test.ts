import { randomBytes } from 'node:crypto';
import type { LiveSpansEvent, LiveTracesEvent, TraceSummary } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, callJson, makeKey, startTestServer } from './support/server.js';
import { SseClient } from './support/sse.js';
import { sleep } from './support/wait.js';

/**
 * One project's key cannot take every live stream, nor starve another project with list filters:
 * a key and a project each have a share of the streams, a project a share of the distinct list
 * filters watched, each refused with a 429 naming its flag; and with one project at every cap,
 * reading and writing, another's streams, ingest and trace list go on. On both stores.
 */

const traceIdOf = (): string => randomBytes(16).toString('hex');
const spanIdOf = (n: number): string => n.toString(16).padStart(16, '0');

/** An OTLP/JSON body of spans of one trace: span `n` is a child of span 1 (span 1 is the root). */
function spansBody(traceId: string, ns: readonly number[], service: string): string {
  const startNs = BigInt(Date.now() - 5000) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: ns.map((n) => ({
              traceId,
              spanId: spanIdOf(n),
              ...(n === 1 ? {} : { parentSpanId: spanIdOf(1) }),
              name: n === 1 ? 'run' : `step ${n}`,
              kind: 1,
              startTimeUnixNano: String(startNs + BigInt(n) * 1_000_000n),
              endTimeUnixNano: String(startNs + BigInt(n) * 1_000_000n + 500_000n),
            })),
          },
        ],
      },
    ],
  });
}

/** Posts a body with an ingest key; the status it was answered. */
async function post(server: TestServer, key: string, body: string): Promise<number> {
  const answer = await fetch(`${server.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
  });
  await answer.arrayBuffer();
  return answer.status;
}

/** A refused stream's error code, and whether its message names `flag`. */
function refusal(stream: SseClient): { status: number; code: string; retryAfter: string | null; message: string } {
  const { error } = JSON.parse(stream.text) as { error: { code: string; message: string } };
  return { status: stream.status, code: error.code, retryAfter: stream.headers.get('retry-after'), message: error.message };
}

/** Polls `done` until it holds, at most 20 s (a busy machine), saying `what` if not. */
async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`waited 20 s for ${what}`);
    await sleep(25);
  }
}

const stores = [
  { name: 'DuckDB', options: async () => ({ store: 'duckdb' as const }) },
  { name: 'ClickHouse', options: async () => ({ store: 'clickhouse' as const, clickhouseUrl: `${(await endpoint()).url}/live_fair_${++databases}` }) },
];

let sharedEndpoint: ClickHouseEndpoint | null = null;
let databases = 0;
async function endpoint(): Promise<ClickHouseEndpoint> {
  sharedEndpoint ??= await startClickHouseEndpoint();
  return sharedEndpoint;
}
afterAll(async () => {
  await sharedEndpoint?.close();
});

describe.each(stores)('live stream shares on $name', ({ options }) => {
  let server: TestServer;
  const keys: Record<string, string> = {};
  const open = (path: string, key: string) => SseClient.open(`${server.url}${path}`, { key });
  const streams: SseClient[] = [];

  beforeAll(async () => {
    // Small shares, so a project reaches each: a key 3 streams, a project 4, 2 distinct list filters.
    server = await startTestServer({ ...(await options()), liveStreamsPerKey: 3, liveStreamsPerProject: 4, liveListFiltersPerProject: 2, rateLimit: 0 });
    keys.root = await makeKey(server.url, '*', 'admin');
    for (const [name, project, role] of [
      ['aRead', 'a', 'read'],
      ['aRead2', 'a', 'read'],
      ['aIngest', 'a', 'ingest'],
      ['bRead', 'b', 'read'],
      ['bIngest', 'b', 'ingest'],
    ] as const) {
      keys[name] = await makeKey(server.url, project, role, keys.root);
    }
  }, 60_000);
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await server?.stop();
  });

  it("refuses a project at its share with 429 naming the limit, while another project's streams, ingest and trace list go on", async () => {
    const aTrace = traceIdOf();
    const bTrace = traceIdOf();
    expect(await post(server, keys.aIngest!, spansBody(aTrace, [1], 'agent-a'))).toBe(200);
    expect(await post(server, keys.bIngest!, spansBody(bTrace, [1], 'agent-b'))).toBe(200);
    const opened = async (path: string, key: string): Promise<SseClient> => {
      const stream = await open(path, key);
      streams.push(stream);
      expect(stream.status, stream.text).toBe(200);
      await stream.waitFor(1);
      return stream;
    };

    // Project a: two distinct list filters, its share of them; a third is refused, a second stream of one watched is not.
    const aFirst = await opened('/api/live?text=run', keys.aRead!);
    await opened('/api/live?text=step', keys.aRead!);
    const thirdFilter = await open('/api/live?text=other', keys.aRead!);
    expect(refusal(thirdFilter)).toMatchObject({
      status: 429,
      code: 'ERR_LIVE_LIST_FILTERS_PER_PROJECT',
      retryAfter: '5',
      message: expect.stringContaining('--live-list-filters-per-project'),
    });
    await opened('/api/live?text=step', keys.aRead!);
    // The key has its 3 streams: its share.
    const keyFull = await open(`/api/traces/${aTrace}/live`, keys.aRead!);
    expect(refusal(keyFull)).toMatchObject({
      status: 429,
      code: 'ERR_LIVE_STREAMS_PER_KEY',
      retryAfter: '5',
      message: expect.stringContaining('--live-streams-per-key'),
    });
    // Another key of a takes the project's last place; then the project is at its share, whatever the key.
    await opened(`/api/traces/${aTrace}/live`, keys.aRead2!);
    const projectFull = await open(`/api/traces/${aTrace}/live`, keys.aRead2!);
    expect(refusal(projectFull)).toMatchObject({
      status: 429,
      code: 'ERR_LIVE_STREAMS_PER_PROJECT',
      retryAfter: '5',
      message: expect.stringContaining("project 'a'"),
    });

    // Project b opens its own trace and list streams.
    const bSpans = await opened(`/api/traces/${bTrace}/live`, keys.bRead!);
    const bList = await opened('/api/live?service=agent-b', keys.bRead!);

    // Both projects write while a is at every share: b's writes are acknowledged and reach its streams and its list.
    const bNew = traceIdOf();
    for (let n = 2; n <= 6; n++) {
      expect(await post(server, keys.aIngest!, spansBody(traceIdOf(), [1, 2, 3], 'agent-a'))).toBe(200);
      expect(await post(server, keys.bIngest!, spansBody(bTrace, [n], 'agent-b'))).toBe(200);
    }
    expect(await post(server, keys.bIngest!, spansBody(bNew, [1, 2], 'agent-b'))).toBe(200);
    const spanIds = () => bSpans.events.filter((e) => e.event === 'spans').flatMap((e) => (JSON.parse(e.data) as LiveSpansEvent).spans.map((s) => s.spanId));
    await until("b's trace stream to get its five spans", () => [2, 3, 4, 5, 6].every((n) => spanIds().includes(spanIdOf(n))));
    const listed = (stream: SseClient) =>
      stream.events.filter((e) => e.event === 'traces').flatMap((e) => (JSON.parse(e.data) as LiveTracesEvent).traces.map((t) => t.traceId));
    await until("b's list stream to get its new trace", () => listed(bList).includes(bNew));
    expect(listed(bList).every((id) => id === bTrace || id === bNew)).toBe(true);
    // And a's streams were served too, within their shares.
    await until("a's list stream to get a's traces", () => listed(aFirst).length > 0);
    const list = await callJson<{ traces: TraceSummary[] }>(server.url, 'GET', '/api/traces?limit=50', undefined, { key: keys.bRead });
    expect(list.status).toBe(200);
    expect(list.body.traces.map((t) => t.traceId).sort()).toEqual([bTrace, bNew].sort());

    // A stream of a's that ends gives its place back.
    aFirst.close();
    await until("a's place to come back", async () => {
      const again = await open('/api/live?text=other', keys.aRead!);
      streams.push(again);
      return again.status === 200;
    });
  });
});
