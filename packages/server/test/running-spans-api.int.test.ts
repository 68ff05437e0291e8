import type { ErrorGroupListResponse, Span, SpanDetail, SpanStatsResponse, TraceDetail, TraceListResponse, TraceSummary, TraceTree } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { bytes, type Json } from './support/json-fixtures.js';
import { getJson, metricValue, startTestServer, type TestServer, type TestServerOptions } from './support/server.js';
import { sleep, until } from './support/wait.js';

/**
 * A trace sent as it runs, as a live SDK (or any app) sends it: each open span again and again
 * with no end (`endTimeUnixNano` 0) and the same ids, then the ended spans. Every read shows the
 * newest snapshot until the ended span replaces it; nothing counts a span before it ended, or
 * twice after; a snapshot sent after the end is dropped and counted; a process that died leaves
 * its last snapshot, abandoned once its trace is quiet for --stale-after. On DuckDB and on
 * ClickHouse.
 */
const STALE_AFTER_MS = 2_000;
let endpoint: ClickHouseEndpoint | undefined;
let databases = 0;
afterAll(async () => endpoint?.close());

const stores: Array<[string, () => Promise<TestServerOptions>]> = [
  ['DuckDB', async () => ({})],
  [
    'ClickHouse',
    async () => {
      endpoint ??= await startClickHouseEndpoint();
      return { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/running_${process.pid}_${++databases}` };
    },
  ],
];

describe.each(stores)('running spans through the API on %s', (_name, storeOptions) => {
  const TRACE = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
  const ROOT = 'a100000000000001';
  const CALL = 'a100000000000002';
  const startUs = (Date.now() - 60_000) * 1000;
  const nanos = (us: number): string => `${us}000`;
  const attrs = (values: Record<string, string | number>): Json[] =>
    Object.entries(values).map(([key, value]) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } }));
  /** The agent's root span: running (no end) or ended 30 s after its start. */
  const root = (step: number, ended = false): Json => ({
    traceId: TRACE,
    spanId: ROOT,
    name: 'agent run',
    kind: 1,
    startTimeUnixNano: nanos(startUs),
    endTimeUnixNano: ended ? nanos(startUs + 30_000_000) : '0',
    attributes: attrs({ 'agent.step': step }),
  });
  /** Its LLM call, its tokens growing while it streams; ended, it failed. */
  const call = (outputTokens: number, ended = false): Json => ({
    traceId: TRACE,
    spanId: CALL,
    parentSpanId: ROOT,
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: nanos(startUs + 1_000_000),
    ...(ended ? { endTimeUnixNano: nanos(startUs + 20_000_000), status: { code: 2, message: 'the stream was cut' } } : {}),
    attributes: attrs({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': outputTokens,
    }),
    events: ended
      ? [
          {
            timeUnixNano: nanos(startUs + 20_000_000),
            name: 'exception',
            attributes: attrs({ 'exception.type': 'StreamCut', 'exception.message': 'the stream was cut' }),
          },
        ]
      : [],
  });

  let server: TestServer;
  let options: TestServerOptions;
  const get = async <T>(path: string): Promise<T> => {
    const answer = await getJson<T>(server.url, path);
    expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(200);
    return answer.body;
  };
  const post = async (spans: Json[]): Promise<Json> => {
    const response = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bytes({ resourceSpans: [{ resource: { attributes: attrs({ 'service.name': 'agent' }) }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Json;
  };
  const spansOf = async (): Promise<Map<string, Span>> => new Map((await get<TraceDetail>(`/api/traces/${TRACE}`)).spans.map((s) => [s.spanId, s]));
  const listed = async (traceId = TRACE, filter = ''): Promise<TraceSummary | undefined> =>
    (await get<TraceListResponse>(`/api/traces${filter}`)).traces.find((t) => t.traceId === traceId);
  const stats = async () => (await get<SpanStatsResponse>(`/api/stats/spans?from=${new Date(startUs / 1000 - 60_000).toISOString()}`)).groups;
  const errorGroups = async () => (await get<ErrorGroupListResponse>(`/api/errors?from=${new Date(startUs / 1000 - 60_000).toISOString()}`)).groups;

  beforeAll(async () => {
    options = { ...(await storeOptions()), staleAfter: `${STALE_AFTER_MS}ms` };
    server = await startTestServer(options);
  });
  afterAll(async () => server?.stop());

  it('shows the newest snapshot of each running span, counted nowhere', async () => {
    await post([root(1)]);
    await post([root(2), call(10)]);
    // Several snapshots of a span in one request: the last is kept.
    expect(await post([root(2), call(15), root(3), call(20)])).toEqual({});
    const spans = await spansOf();
    expect([...spans.keys()]).toEqual([ROOT, CALL]);
    const [r, c] = [spans.get(ROOT)!, spans.get(CALL)!];
    expect(r).toMatchObject({ state: 'running', endTime: null, attributes: { 'agent.step': 3 }, depth: 0 });
    expect(c).toMatchObject({ state: 'running', endTime: null, parentSpanId: ROOT, depth: 1, llm: { outputTokens: 20 } });
    // So far: a minute since it started.
    expect(r.durationMs).toBeGreaterThanOrEqual(59_000);
    const tree = await get<TraceTree>(`/api/traces/${TRACE}/tree`);
    expect(tree.spanIds).toEqual([ROOT, CALL]);
    expect(tree.states).toEqual([1, 1]);
    expect(tree.inputTokens).toEqual([null, null]);
    expect(tree.durationsUs[0]).toBeGreaterThanOrEqual(59_000_000);
    expect((await get<SpanDetail>(`/api/traces/${TRACE}/spans/${CALL}`)).span).toMatchObject({ state: 'running', endTime: null });
    // Listed, running, its totals those of ended spans: none yet.
    expect(await listed()).toMatchObject({
      rootName: 'agent run',
      serviceName: 'agent',
      spanCount: 0,
      errorCount: 0,
      inputTokens: null,
      costUsd: null,
      running: true,
    });
    expect((await listed())!.durationMs).toBeGreaterThanOrEqual(59_000);
    expect(await stats()).toEqual([]);
    expect(await metricValue(server.url, 'spoor_spans_total')).toBe(0);
    expect(await metricValue(server.url, 'spoor_gen_ai_tokens_total')).toBe(0);
    expect(await metricValue(server.url, 'spoor_ingest_running_snapshots_total')).toBe(5);
  });

  it('replaces each snapshot with its ended span in every read, and counts each span once', async () => {
    await post([call(30, true), root(4)]);
    let spans = await spansOf();
    expect(spans.get(CALL)).not.toHaveProperty('state');
    expect(spans.get(CALL)).toMatchObject({ endTime: expect.any(String), durationMs: 19_000, llm: { outputTokens: 30 }, status: { code: 'error' } });
    expect(spans.get(ROOT)).toMatchObject({ state: 'running', attributes: { 'agent.step': 4 } });
    expect(await listed()).toMatchObject({ spanCount: 1, errorCount: 1, outputTokens: 30, running: true });

    await post([root(5, true)]);
    spans = await spansOf();
    expect([...spans.values()].map((s) => [s.spanId, s.state, s.durationMs])).toEqual([
      [ROOT, undefined, 30_000],
      [CALL, undefined, 19_000],
    ]);
    const tree = await get<TraceTree>(`/api/traces/${TRACE}/tree`);
    expect(tree.states).toEqual([0, 0]);
    expect(tree.inputTokens.filter((t) => t !== null)).toEqual([1000]);
    const summary = await listed();
    expect(summary).toMatchObject({ spanCount: 2, errorCount: 1, inputTokens: 1000, outputTokens: 30, durationMs: 30_000 });
    expect(summary).not.toHaveProperty('running');
    const byName = new Map((await stats()).map((g) => [g.key, g]));
    expect(byName.get('agent run')).toMatchObject({ count: 1 });
    expect(byName.get('chat gpt-4o')).toMatchObject({ count: 1, errorCount: 1, inputTokens: 1000, outputTokens: 30 });
    expect((await errorGroups()).map((g) => g.count)).toEqual([1]);
    expect(await metricValue(server.url, 'spoor_spans_total')).toBe(2);
    expect(await metricValue(server.url, 'spoor_gen_ai_tokens_total')).toBe(1030);
  });

  it('drops a snapshot sent after its span ended, counted, not an error', async () => {
    const before = await metricValue(server.url, 'spoor_ingest_running_snapshots_total');
    expect(await post([root(6), call(40)])).toEqual({});
    expect(await metricValue(server.url, 'spoor_ingest_running_snapshots_total')).toBe(before + 2);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/^spoor_ingest_running_snapshots_total\{outcome="after_end"\} 2$/m);
    const spans = await spansOf();
    expect([...spans.values()].map((s) => [s.spanId, s.state, s.attributes['agent.step'] ?? null])).toEqual([
      [ROOT, undefined, 5],
      [CALL, undefined, null],
    ]);
    expect(await listed()).toMatchObject({ spanCount: 2, outputTokens: 30 });
    expect(await metricValue(server.url, 'spoor_spans_total')).toBe(2);
    expect(await metricValue(server.url, 'spoor_ingest_records_rejected_total')).toBe(0);
  });

  it('lists a running root by its own name, service and session once a child of it has ended', async () => {
    const RUN = 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3';
    const research: Json = { ...root(1), traceId: RUN, name: 'research', attributes: attrs({ 'session.id': 'sess-research', 'user.id': 'ada' }) };
    const plan: Json = {
      traceId: RUN,
      spanId: 'c300000000000002',
      parentSpanId: ROOT,
      name: 'plan',
      kind: 1,
      startTimeUnixNano: nanos(startUs + 1_000_000),
      endTimeUnixNano: nanos(startUs + 2_000_000),
    };
    // Found by what only the running root holds (its session, its name), however many of its children ended.
    const byRoot = ['?sessionId=sess-research', '?name=research', '?sessionId=sess-research&name=research'];
    await post([research]);
    expect(await listed(RUN)).toMatchObject({ rootName: 'research', sessionId: 'sess-research', running: true });
    for (const filter of byRoot) expect(await listed(RUN, filter), filter).toMatchObject({ sessionId: 'sess-research', running: true });
    await post([plan, research]);
    // The ended child is the trace's only stored span; the list still names the run by its running root.
    expect(await listed(RUN)).toMatchObject({
      rootName: 'research',
      serviceName: 'agent',
      sessionId: 'sess-research',
      userId: 'ada',
      spanCount: 1,
      running: true,
    });
    for (const filter of byRoot)
      expect(await listed(RUN, filter), filter).toMatchObject({ rootName: 'research', sessionId: 'sess-research', spanCount: 1, running: true });
    // A filter neither the child nor the root meets, and one each meets apart (the filters hold on one span): not listed.
    expect(await listed(RUN, '?sessionId=sess-other')).toBeUndefined();
    expect(await listed(RUN, '?sessionId=sess-research&name=plan')).toBeUndefined();
    await post([{ ...research, endTimeUnixNano: nanos(startUs + 3_000_000) }]);
    expect(await listed(RUN)).toMatchObject({ rootName: 'research', sessionId: 'sess-research', spanCount: 2 });
    for (const filter of byRoot) expect(await listed(RUN, filter), filter).toMatchObject({ sessionId: 'sess-research', spanCount: 2 });
  });

  it('keeps the last snapshot of a process that stopped before its span ended, abandoned once its trace is quiet, not failed', async () => {
    const LOST = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';
    await post([
      { ...root(1), traceId: LOST },
      { ...call(5), traceId: LOST },
    ]);
    await post([{ ...root(2), traceId: LOST }]);
    const running = (await get<TraceDetail>(`/api/traces/${LOST}`)).spans;
    expect(running.map((s) => [s.spanId, s.state, s.attributes['agent.step'] ?? null])).toEqual([
      [ROOT, 'running', 2],
      [CALL, 'running', null],
    ]);
    // The server stops and starts again on the same data (the app died meanwhile, its spans never ended).
    await server.stop({ keepData: true });
    server = await startTestServer({ ...options, data: server.dataDir });
    expect((await get<TraceDetail>(`/api/traces/${LOST}`)).spans.map((s) => s.attributes['agent.step'] ?? null)).toEqual([2, null]);
    const abandoned = await until('the lost trace abandoned', async () => {
      const spans = (await get<TraceDetail>(`/api/traces/${LOST}`)).spans;
      return spans.every((s) => s.state === 'abandoned') ? spans : undefined;
    });
    // Its duration stops where its trace was last heard from.
    const first = abandoned[0]!.durationMs;
    await sleep(50);
    expect((await get<TraceDetail>(`/api/traces/${LOST}`)).spans[0]!.durationMs).toBe(first);
    expect(abandoned[0]).toMatchObject({ endTime: null, status: { code: 'unset' } });
    expect((await get<TraceTree>(`/api/traces/${LOST}/tree`)).states).toEqual([2, 2]);
    const summary = await listed(LOST);
    expect(summary).toMatchObject({ spanCount: 0, errorCount: 0 });
    expect(summary).not.toHaveProperty('running');
    // The finished trace is as it was.
    expect(await listed()).toMatchObject({ spanCount: 2, errorCount: 1 });
  });
});
