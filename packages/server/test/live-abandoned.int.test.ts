import { randomBytes } from 'node:crypto';
import type { LiveSpan, LiveSpansEvent, LiveTracesEvent, TraceSummary } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, makeKey, startTestServer } from './support/server.js';
import { SseClient } from './support/sse.js';
import { until } from './support/wait.js';

/**
 * A run that goes away on both stores: a process that dies commits nothing more, yet a stream
 * open on its trace, or on the trace list, is told once its running spans are abandoned
 * (`--stale-after`, 2 s here), and a viewer back from a disconnect is told too.
 */

const STALE_AFTER_MS = 2000;
const traceIdOf = (): string => randomBytes(16).toString('hex');
const spanIdOf = (n: number): string => n.toString(16).padStart(16, '0');

/** An OTLP/JSON body of one trace's spans: span 1 (the root) running, the others ended children of it. */
function runBody(traceId: string, ended: readonly number[] = [], attempt = 1): string {
  const startNs = BigInt(Date.now() - 5000) * 1_000_000n;
  const span = (n: number) => ({
    traceId,
    spanId: spanIdOf(n),
    ...(n === 1 ? {} : { parentSpanId: spanIdOf(1) }),
    name: n === 1 ? 'run' : `step ${n}`,
    kind: 1,
    startTimeUnixNano: String(startNs + BigInt(n) * 1_000_000n),
    endTimeUnixNano: n === 1 ? '0' : String(startNs + BigInt(n) * 1_000_000n + 500_000n),
    attributes: [{ key: 'attempt', value: { intValue: String(attempt) } }],
  });
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agent' } }] }, scopeSpans: [{ spans: [1, ...ended].map(span) }] }],
  });
}

/** Posts and answers when the request was acknowledged (epoch µs): the snapshot's receipt is before it. */
async function post(server: TestServer, key: string, body: string): Promise<number> {
  const answer = await fetch(`${server.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
  });
  expect(answer.status, await answer.text()).toBe(200);
  return Date.now() * 1000;
}

/** The spans a trace stream sent, in order: `[spanId, state]`. */
const spanStates = (stream: SseClient): Array<[string, string]> =>
  stream.events
    .filter((e) => e.event === 'spans')
    .flatMap((e) => (JSON.parse(e.data) as LiveSpansEvent).spans.map((s): [string, string] => [s.spanId, s.state]));

/** Waits for the stream's `count`-th span sent `abandoned`; gives that span. */
function abandonedSpan(stream: SseClient, count = 1): Promise<LiveSpan> {
  return until(
    `span ${count} abandoned`,
    () => {
      const spans = stream.events.filter((e) => e.event === 'spans').flatMap((e) => (JSON.parse(e.data) as LiveSpansEvent).spans);
      return spans.filter((s) => s.state === 'abandoned')[count - 1];
    },
    15_000,
  );
}

/** The summaries a list stream sent, in order. */
const summaries = (stream: SseClient): TraceSummary[] =>
  stream.events.filter((e) => e.event === 'traces').flatMap((e) => (JSON.parse(e.data) as LiveTracesEvent).traces);

const stores = [
  { name: 'DuckDB', options: async () => ({ store: 'duckdb' as const }) },
  { name: 'ClickHouse', options: async () => ({ store: 'clickhouse' as const, clickhouseUrl: `${(await endpoint()).url}/abandoned` }) },
];

let sharedEndpoint: ClickHouseEndpoint | null = null;
async function endpoint(): Promise<ClickHouseEndpoint> {
  sharedEndpoint ??= await startClickHouseEndpoint();
  return sharedEndpoint;
}
afterAll(async () => {
  await sharedEndpoint?.close();
});

describe.each(stores)('a run that goes away, on $name', ({ options }) => {
  let server: TestServer;
  const keys: Record<string, string> = {};
  const open = (path: string, key = keys.shopRead!, lastEventId?: string) => SseClient.open(`${server.url}${path}`, { key, lastEventId });

  beforeAll(async () => {
    server = await startTestServer({ ...(await options()), staleAfter: `${STALE_AFTER_MS / 1000}s` });
    keys.root = await makeKey(server.url, '*', 'admin');
    for (const [name, project, role] of [
      ['shopIngest', 'shop', 'ingest'],
      ['shopRead', 'shop', 'read'],
      ['otherRead', 'other', 'read'],
    ] as const) {
      keys[name] = await makeKey(server.url, project, role, keys.root);
    }
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('sends a watched trace its running spans again as abandoned once it is quiet for the stale-after time, with no commit; a viewer back is told, and one heard again runs', async () => {
    const traceId = traceIdOf();
    const sentUs = Date.now() * 1000;
    const acknowledgedUs = await post(server, keys.shopIngest!, runBody(traceId, [2]));
    const stream = await open(`/api/traces/${traceId}/live`);
    await stream.waitFor(1);

    const root = await abandonedSpan(stream);
    expect(Date.now() * 1000 - sentUs, 'not before the stale-after time').toBeGreaterThanOrEqual(STALE_AFTER_MS * 1000);
    expect(root).toMatchObject({ spanId: spanIdOf(1), parentSpanId: null, name: 'run', service: 'agent', state: 'abandoned', inputTokens: null });
    // Its end is where its trace was last heard from: when its snapshot was received.
    expect(root.endUs).toBeGreaterThanOrEqual(sentUs);
    expect(root.endUs).toBeLessThanOrEqual(acknowledgedUs);
    // The ended step is not sent again; the abandoned span once.
    expect(spanStates(stream)).toEqual([[spanIdOf(1), 'abandoned']]);

    // A viewer back from a disconnect with the id of an event before the verdict is told, beside the open stream and after it closed.
    const readyId = stream.events[0]!.id;
    const back = await open(`/api/traces/${traceId}/live`, keys.shopRead, readyId);
    expect((await abandonedSpan(back)).spanId).toBe(spanIdOf(1));
    stream.close();
    back.close();
    const later = await open(`/api/traces/${traceId}/live`, keys.shopRead, readyId);
    expect((await abandonedSpan(later)).spanId).toBe(spanIdOf(1));
    // Another project's viewer is refused as before.
    expect((await open(`/api/traces/${traceId}/live`, keys.otherRead)).status).toBe(404);

    // The process was only paused: a new snapshot, and the span runs again, until the trace is quiet again.
    await post(server, keys.shopIngest!, runBody(traceId, [], 2));
    await until('the span running again', () => (spanStates(later).at(-1)?.[1] === 'running' ? true : undefined), 10_000);
    expect((await abandonedSpan(later, 2)).spanId).toBe(spanIdOf(1));
    later.close();
  }, 40_000);

  it('sends the trace list a listed running trace not running once it is quiet, whether it ran before the list stream opened or after, and no other project', async () => {
    const before = traceIdOf();
    await post(server, keys.shopIngest!, runBody(before));
    const list = await open('/api/live');
    const other = await open('/api/live', keys.otherRead);
    await Promise.all([list.waitFor(1), other.waitFor(1)]);
    const after = traceIdOf();
    await post(server, keys.shopIngest!, runBody(after));

    await until(
      'the summary of the run started after the stream, running',
      () => (summaries(list).some((t) => t.traceId === after && t.running === true) ? true : undefined),
      10_000,
    );
    const stopped = await until(
      'both runs listed not running',
      () => {
        const last = new Map(summaries(list).map((t) => [t.traceId, t]));
        const both = [last.get(before), last.get(after)];
        return both.every((t) => t !== undefined && t.running !== true) ? both : undefined;
      },
      15_000,
    );
    for (const summary of stopped) expect(summary).toMatchObject({ rootName: 'run', serviceName: 'agent', spanCount: 0 });
    // Its duration is to when it was last heard from, no longer to now.
    expect(stopped[1]!.durationMs).toBeLessThan(5000 + STALE_AFTER_MS);
    expect(summaries(other)).toEqual([]);
    list.close();
    other.close();
  }, 40_000);
});
