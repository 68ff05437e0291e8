import { request } from 'node:http';
import { NO_STRING, spanIdHex, TREE_MEDIA_TYPE, TreeStreamDecoder, type TraceListResponse, type TraceTree, type TreeChunk } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { encodeSpanBatch } from './support/otlp-encode.js';
import { callJson, makeKey, metricValue, startTestServer, type TestServer } from './support/server.js';
import { eventually } from './support/trace-bodies.js';

/** A page of the binary stream: small, so a few-thousand-span trace crosses many pages. */
const PAGE_SPANS = 100;
const SPANS = 2_950;
const BIG_SPANS = 20_000;
const traceIdOf = (seed: number) => `${seed.toString(16).padStart(16, '0')}${'1'.padStart(16, '0')}`;
const TRACE = traceIdOf(1);
const BIG_TRACE = traceIdOf(2);
const binary = { accept: TREE_MEDIA_TYPE };

/** One span as either form of `/tree` gives it, times absolute. */
type Row = [
  parent: string | null,
  name: string,
  service: string,
  startUs: number,
  durationUs: number,
  status: number,
  category: number,
  state: number,
  input: number | null,
  output: number | null,
  cost: number | null,
  model: string | null,
];

function rowsOfJson(tree: TraceTree): Map<string, Row> {
  const origin = Date.parse(tree.startTime) * 1000 + Number(tree.startTime.slice(23, 26));
  return new Map(
    tree.spanIds.map((id, i) => [
      id,
      [
        tree.parentSpanIds[i]!,
        tree.names[i]!,
        tree.services[tree.serviceIndexes[i]!]!,
        origin + tree.startOffsetsUs[i]!,
        tree.durationsUs[i]!,
        tree.statusCodes[i]!,
        tree.categories[i]!,
        tree.states[i]!,
        tree.inputTokens[i]!,
        tree.outputTokens[i]!,
        tree.costUsd[i]!,
        tree.models[i]!,
      ],
    ]),
  );
}

function rowsOfBinary(decoder: TreeStreamDecoder, chunks: readonly TreeChunk[]): Map<string, Row> {
  const origin = decoder.header!.originUs;
  const t = decoder.strings;
  const orNull = (x: number) => (Number.isNaN(x) ? null : x);
  const rows = new Map<string, Row>();
  for (const c of chunks) {
    for (let i = 0; i < c.count; i++) {
      rows.set(spanIdHex(c.spanIds, i), [
        c.hasParent[i] ? spanIdHex(c.parentSpanIds, i) : null,
        t[c.nameIndexes[i]!]!,
        t[c.serviceIndexes[i]!]!,
        origin + c.startOffsetsUs[i]!,
        c.durationsUs[i]!,
        c.statusCodes[i]!,
        c.categories[i]!,
        c.states[i]!,
        orNull(c.inputTokens[i]!),
        orNull(c.outputTokens[i]!),
        orNull(c.costUsd[i]!),
        c.modelIndexes[i] === NO_STRING ? null : t[c.modelIndexes[i]!]!,
      ]);
    }
  }
  return rows;
}

/** Events as `[span id, absolute µs, name]`, sorted. */
const eventsOfJson = (tree: TraceTree, origin: number) => tree.events.map(([i, offset, name]) => [tree.spanIds[i]!, origin + offset, name]).sort();
const eventsOfBinary = (decoder: TreeStreamDecoder, chunks: readonly TreeChunk[]) =>
  chunks
    .flatMap((c) =>
      Array.from(c.eventSpans, (i, k) => [spanIdHex(c.spanIds, i), decoder.header!.originUs + c.eventOffsetsUs[k]!, decoder.strings[c.eventNameIndexes[k]!]!]),
    )
    .sort();

/** Fetches the binary tree, pushing the body's slices into a decoder as they come. */
async function fetchBinary(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers: { ...binary, ...headers } });
  const decoder = new TreeStreamDecoder();
  const chunks: TreeChunk[] = [];
  let slices = 0;
  for await (const bytes of response.body!) {
    slices++;
    chunks.push(...decoder.push(bytes));
  }
  decoder.end();
  return { response, decoder, chunks, slices };
}

describe.each(['duckdb', 'clickhouse'] as const)('GET /api/traces/:traceId/tree as the binary stream (%s)', (store) => {
  let endpoint: ClickHouseEndpoint | null = null;
  let server: TestServer;

  beforeAll(async () => {
    if (store === 'clickhouse') endpoint = await startClickHouseEndpoint();
    server = await startTestServer({ store, ...(endpoint === null ? {} : { clickhouseUrl: `${endpoint.url}/tree_stream` }), treePageSpans: PAGE_SPANS });
    for (const [seed, spansPerTrace] of [
      [1, SPANS],
      [2, BIG_SPANS],
    ] as const) {
      const response = await fetch(`${server.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: encodeSpanBatch({ traces: 1, spansPerTrace, seed, services: 1, startTimeUnixNano: BigInt(Date.now() - 600_000) * 1_000_000n }),
      });
      expect(response.status).toBe(200);
      const traceId = traceIdOf(seed);
      // Asked of the trace list, not of the JSON tree: read in pages of 100 spans here, the big
      // trace's took 3-4 s on DuckDB and 7-13 s on ClickHouse a read.
      const spanCount = async (): Promise<number | undefined> =>
        (await callJson<TraceListResponse>(server.url, 'GET', '/api/traces?limit=10')).body.traces.find((t) => t.traceId === traceId)?.spanCount;
      await eventually('the trace to be stored', spanCount, (n) => n === spansPerTrace, 60_000);
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await endpoint?.close();
  });

  it('decodes to the spans, events, logs and scores of the JSON answer, over many pages', async () => {
    const json = await callJson<TraceTree>(server.url, 'GET', `/api/traces/${TRACE}/tree`);
    expect(json.status).toBe(200);
    expect(json.body.spanIds).toHaveLength(SPANS);
    expect(json.body.states).toEqual(new Array(SPANS).fill(0));
    const { response, decoder, chunks } = await fetchBinary(`${server.url}/api/traces/${TRACE}/tree`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(TREE_MEDIA_TYPE);
    expect(response.headers.get('vary')).toMatch(/accept/i);
    expect(chunks.map((c) => c.count)).toEqual(new Array(Math.ceil(SPANS / PAGE_SPANS)).fill(PAGE_SPANS).fill(SPANS % PAGE_SPANS, -1));
    const origin = decoder.header!.originUs;
    expect(new Date(origin / 1000).toISOString().replace('Z', `${String(origin % 1000).padStart(3, '0')}Z`)).toBe(json.body.startTime);
    expect(rowsOfBinary(decoder, chunks)).toEqual(rowsOfJson(json.body));
    expect(eventsOfBinary(decoder, chunks)).toEqual(eventsOfJson(json.body, origin));
    expect(eventsOfBinary(decoder, chunks)).toHaveLength(SPANS - 1);
    expect(decoder.trailer).toEqual({ sessionId: json.body.sessionId, spanCount: SPANS, logs: json.body.logs, scores: json.body.scores });
    // Asked for JSON, or for anything else, the answer is the JSON form.
    const other = await fetch(`${server.url}/api/traces/${TRACE}/tree`, { headers: { accept: `${TREE_MEDIA_TYPE};q=0, application/json` } });
    expect(other.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('stops reading pages when the client goes away mid-stream', async () => {
    const framesBefore = await metricValue(server.url, 'spoor_trace_tree_frames_total');
    const url = new URL(`${server.url}/api/traces/${BIG_TRACE}/tree`);
    // The first bytes in, the client hangs up.
    await new Promise<void>((resolve, reject) => {
      const req = request(url, { headers: binary }, (response) => {
        response.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error) => (error.message.includes('aborted') || (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(error)));
      req.end();
    });
    await eventually(
      'the stream to close',
      () => metricValue(server.url, 'spoor_trace_tree_streams_open'),
      (open) => open === 0,
    );
    const sentAfterAbort = (await metricValue(server.url, 'spoor_trace_tree_frames_total')) - framesBefore;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await metricValue(server.url, 'spoor_trace_tree_frames_total')) - framesBefore).toBe(sentAfterAbort);
    // 200 pages make the whole trace: a few were read ahead while the socket took them, no more.
    expect(sentAfterAbort).toBeLessThan(BIG_SPANS / PAGE_SPANS / 4);
    // For comparison, a stream read to the end counts a frame a page and two more: the smaller
    // trace's, since its 30 pages show that as well as the big one's 200 (4 s on DuckDB, 8 on ClickHouse).
    const whole = await fetchBinary(`${server.url}/api/traces/${TRACE}/tree`);
    expect(whole.decoder.trailer?.spanCount).toBe(SPANS);
    expect((await metricValue(server.url, 'spoor_trace_tree_frames_total')) - framesBefore - sentAfterAbort).toBe(Math.ceil(SPANS / PAGE_SPANS) + 2);
  }, 60_000);

  it('answers 404 for a trace of no one, and of another project, and 401 without a key, as the JSON form does', async () => {
    const unknown = `${server.url}/api/traces/${'a'.repeat(32)}/tree`;
    const missing = await fetch(unknown, { headers: binary });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('ERR_NOT_FOUND');
    expect((await fetch(unknown)).status).toBe(404);
    const admin = await makeKey(server.url, '*', 'admin');
    const other = await makeKey(server.url, 'p2', 'read', admin);
    const mine = await makeKey(server.url, 'default', 'read', admin);
    const url = `${server.url}/api/traces/${TRACE}/tree`;
    const status = async (headers: Record<string, string>) => (await fetch(url, { headers: { ...binary, ...headers } })).status;
    expect(await status({})).toBe(401);
    expect(await status({ authorization: `Bearer ${other}` })).toBe(404);
    expect((await fetch(url, { headers: { authorization: `Bearer ${other}` } })).status).toBe(404);
    const own = await fetchBinary(url, { authorization: `Bearer ${mine}` });
    expect(own.response.status).toBe(200);
    expect(own.decoder.spanCount).toBe(SPANS);
  });
});
