import { type Attributes, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type {
  ApiErrorBody,
  CompareResponse,
  CriticalPath,
  ErrorGroupDetail,
  ErrorGroupListResponse,
  MetricSeriesResponse,
  RealtimeMetrics,
  ScoreStatsResponse,
  SessionDetail,
  SessionListResponse,
  UserListResponse,
  SpanStatsResponse,
  TimeseriesResponse,
} from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_VARIANTS, metricExporterFor, traceExporterFor } from './support/otel-exporters.js';
import { getJson, startTestServer, type TestServer } from './support/server.js';

/**
 * The analytics API end to end: agent runs of two releases sent by the OpenTelemetry SDK's own
 * OTLP exporter to a real server, then every statistic checked against numbers worked out from
 * what was sent.
 */

const PROTOBUF = EXPORT_VARIANTS.find((v) => v.slug === 'proto')!;
/** gpt-4o: $2.50 per million input tokens, $10 per million output tokens. */
const CALL_COST = 1000 * 2.5e-6 + 100 * 10e-6;

let server: TestServer;
let nowMs: number;
/** A trace of each release, by index; the ids of the traces whose tool failed. */
const traceIds: string[] = [];
const failedTools: string[] = [];
let range: string;

interface Run {
  release: '1.0' | '1.1' | '1.2';
  session: string;
  startMs: number;
  retrieveMs: number;
  toolFails: boolean;
  /** The evaluator's faithfulness of the LLM call, and the user's thumbs on the answer. */
  faithfulness?: number;
  thumbs?: 'up' | 'down';
}

const EVALUATION = 'gen_ai.evaluation.result';

/** Sends one agent run: workflow → retrieve, chat gpt-4o, tool call (which may fail). */
async function sendRun(run: Run): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'rag', 'service.version': run.release }),
    spanProcessors: [new SimpleSpanProcessor(traceExporterFor(PROTOBUF, server.url))],
  });
  const tracer = provider.getTracer('analytics-test');
  const at = (ms: number): number => run.startMs + ms;
  const root = tracer.startSpan(
    'answer',
    { startTime: at(0), attributes: { 'session.id': run.session, 'user.id': `user-${run.session}`, 'spoor.kind': 'workflow' } },
    ROOT_CONTEXT,
  );
  const inRoot = trace.setSpan(ROOT_CONTEXT, root);
  const child = (name: string, startMs: number, endMs: number, attributes: Attributes, fail?: string, score?: Attributes): void => {
    const span = tracer.startSpan(name, { startTime: at(startMs), attributes }, inRoot);
    if (score !== undefined) span.addEvent(EVALUATION, score, at(endMs));
    if (fail !== undefined) {
      span.recordException({ name: 'ToolError', message: fail }, at(endMs));
      span.setStatus({ code: SpanStatusCode.ERROR, message: fail });
    }
    span.end(at(endMs));
  };
  child('retrieve', 0, run.retrieveMs, {});
  child(
    'chat gpt-4o',
    run.retrieveMs,
    run.retrieveMs + 2000,
    {
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    },
    undefined,
    run.faithfulness === undefined
      ? undefined
      : {
          'gen_ai.evaluation.name': 'faithfulness',
          'gen_ai.evaluation.score.value': run.faithfulness,
          'spoor.score.source': 'evaluator',
          'spoor.score.author': 'faithfulness@1',
        },
  );
  const toolEnd = run.retrieveMs + 2100;
  child(
    'execute_tool search',
    run.retrieveMs + 2000,
    toolEnd,
    { 'gen_ai.tool.name': 'search', 'gen_ai.operation.name': 'execute_tool' },
    run.toolFails ? `search timed out after ${30 + traceIds.length} s for query 'q${traceIds.length}'` : undefined,
  );
  if (run.thumbs !== undefined)
    root.addEvent(
      EVALUATION,
      { 'gen_ai.evaluation.name': 'thumbs', 'gen_ai.evaluation.score.label': run.thumbs, 'spoor.score.source': 'human', 'spoor.score.target': 'trace' },
      at(toolEnd + 10),
    );
  root.end(at(toolEnd + 10));
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

beforeAll(async () => {
  server = await startTestServer();
  nowMs = Date.now();
  // 24 runs ending within the last 40 s: release 1.0 retrieves in 100-111 ms, 1.1 in 300-311 ms;
  // its LLM calls are judged 0.79-0.90 faithful on 1.0 and 0.39-0.50 on 1.1; users thumb 10 of 12
  // answers of 1.0 up and 3 of 12 of 1.1.
  for (let i = 0; i < 24; i++) {
    const release = i < 12 ? '1.0' : '1.1';
    const run: Run = {
      release,
      session: i % 2 === 0 ? 'sess-even' : 'sess-odd',
      startMs: nowMs - 40_000 + i * 1000,
      retrieveMs: (release === '1.0' ? 100 : 300) + (i % 12),
      toolFails: i === 3 || i === 15,
      faithfulness: (release === '1.0' ? 0.9 : 0.5) - (i % 12) / 100,
      thumbs: (release === '1.0' ? i % 12 < 10 : i % 12 < 3) ? 'up' : 'down',
    };
    const id = await sendRun(run);
    traceIds.push(id);
    if (run.toolFails) failedTools.push(id);
  }
  range = `from=${nowMs - 3_600_000}&to=${nowMs + 60_000}`;
});

afterAll(async () => {
  await server?.stop();
});

describe('span statistics', () => {
  it('gives each stage its count, exact percentiles, errors, tokens and cost', async () => {
    const { status, body } = await getJson<SpanStatsResponse>(server.url, `/api/stats/spans?groupBy=name&${range}`);
    expect(status).toBe(200);
    const byName = new Map(body.groups.map((g) => [g.key, g]));
    expect([...byName.keys()].sort()).toEqual(['answer', 'chat gpt-4o', 'execute_tool search', 'retrieve']);
    const retrieve = byName.get('retrieve')!;
    // 24 durations: 100..111 and 300..311 ms. Linear interpolation at rank 0.5 * 23 = 11.5 → (111 + 300) / 2.
    expect(retrieve).toMatchObject({ count: 24, errorCount: 0, maxMs: 311, p50Ms: 205.5, inputTokens: null, costUsd: null });
    // Rank 0.95 * 23 = 21.85 → 309 + 0.85 * (310 - 309).
    expect(retrieve.p95Ms).toBeCloseTo(309.85, 6);
    const tool = byName.get('execute_tool search')!;
    expect(tool).toMatchObject({ count: 24, errorCount: 2 });
    expect(tool.errorRate).toBeCloseTo(2 / 24, 12);
    const chat = byName.get('chat gpt-4o')!;
    expect(chat).toMatchObject({ count: 24, inputTokens: 24_000, outputTokens: 2_400, p50Ms: 2000 });
    expect(chat.costUsd).toBeCloseTo(24 * CALL_COST, 10);
  });

  it('groups by a resource attribute and rejects what it does not know', async () => {
    const { body } = await getJson<SpanStatsResponse>(server.url, `/api/stats/spans?groupBy=service.version&name=retrieve&${range}`);
    expect(body.groups.map((g) => [g.key, g.count, g.maxMs])).toEqual([
      ['1.0', 12, 111],
      ['1.1', 12, 311],
    ]);
    const bad = await getJson<ApiErrorBody>(server.url, '/api/stats/spans?groupby=name');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("'groupby'");
  });
});

describe('time series', () => {
  it('has every aligned bucket, empty ones included, and groups that add up', async () => {
    const from = Math.floor((nowMs - 600_000) / 60_000) * 60_000;
    const path = `/api/stats/timeseries?metric=count&step=1m&groupBy=service.version&name=answer&from=${from}&to=${from + 660_000}`;
    const { body } = await getJson<TimeseriesResponse>(server.url, path);
    expect(body.stepMs).toBe(60_000);
    expect(body.times).toHaveLength(11);
    expect(body.times[0]).toBe(new Date(from).toISOString().replace('Z', '000Z'));
    const totals = new Map(body.series.map((s) => [s.key, s.values.reduce<number>((a, v) => a + (v ?? 0), 0)]));
    expect(totals).toEqual(
      new Map([
        ['1.0', 12],
        ['1.1', 12],
      ]),
    );
    // Ten minutes before the runs had no spans: those buckets are 0, not missing.
    expect(body.series[0]!.values.slice(0, 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('gives null, not 0, for a percentile of an empty bucket', async () => {
    const from = Math.floor((nowMs - 600_000) / 60_000) * 60_000;
    const { body } = await getJson<TimeseriesResponse>(server.url, `/api/stats/timeseries?metric=p95&step=1m&from=${from}&to=${from + 660_000}`);
    expect(body.series).toHaveLength(1);
    expect(body.series[0]!.values[0]).toBeNull();
    expect(body.series[0]!.values.some((v) => v !== null && v > 0)).toBe(true);
  });
});

describe('sessions', () => {
  it('lists sessions with runs and the cost of the LLM calls inside them', async () => {
    const { body } = await getJson<SessionListResponse>(server.url, '/api/sessions');
    expect(body.sessions.map((s) => [s.sessionId, s.runCount, s.failedRuns, s.services, s.userIds])).toEqual(
      expect.arrayContaining([
        ['sess-even', 12, 0, ['rag'], ['user-sess-even']],
        ['sess-odd', 12, 0, ['rag'], ['user-sess-odd']],
      ]),
    );
    for (const s of body.sessions) expect(s.costUsd).toBeCloseTo(12 * CALL_COST, 10);
  });

  it("lists one user's sessions, and refuses an empty user naming it", async () => {
    const { body } = await getJson<SessionListResponse>(server.url, '/api/sessions?user=user-sess-odd');
    expect(body.sessions.map((s) => [s.sessionId, s.runCount])).toEqual([['sess-odd', 12]]);
    const none = await getJson<SessionListResponse>(server.url, '/api/sessions?user=nobody');
    expect(none.body.sessions).toEqual([]);
    const empty = await getJson<ApiErrorBody>(server.url, '/api/sessions?user=');
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('user');
  });

  it("lists the sessions' users with their sessions, runs and cost, a page at a time", async () => {
    const { body } = await getJson<UserListResponse>(server.url, '/api/users');
    expect(body.users.map((u) => [u.userId, u.sessionCount, u.runCount, u.failedRuns])).toEqual(
      expect.arrayContaining([
        ['user-sess-even', 1, 12, 0],
        ['user-sess-odd', 1, 12, 0],
      ]),
    );
    for (const u of body.users) expect(u.costUsd).toBeCloseTo(12 * CALL_COST, 10);
    const first = await getJson<UserListResponse>(server.url, '/api/users?limit=1');
    expect(first.body.users).toHaveLength(1);
    const second = await getJson<UserListResponse>(server.url, `/api/users?limit=1&cursor=${first.body.nextCursor}`);
    expect([first.body.users[0]!.userId, second.body.users[0]!.userId]).toEqual(body.users.slice(0, 2).map((u) => u.userId));
  });

  it("summarizes one session's runs", async () => {
    const { body } = await getJson<SessionDetail>(server.url, '/api/sessions/sess-odd?hours=1');
    expect(body.runs).toHaveLength(12);
    expect(body).toMatchObject({ hours: 1, userIds: ['user-sess-odd'] });
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(3_600_000);
    expect(new Set(body.runs.map((r) => r.userId))).toEqual(new Set(['user-sess-odd']));
    expect(body.summary).toMatchObject({ totalRuns: 12, completedRuns: 12, failedRuns: 0, errorRate: 0 });
    expect(body.summary.totalCostUsd).toBeCloseTo(12 * CALL_COST, 10);
    expect(body.summary.avgCostUsd).toBeCloseTo(CALL_COST, 10);
    // Odd runs: retrieve 101, 103, …, 111 and 301, …, 311 ms; a run lasts retrieve + 2110 ms.
    expect(body.summary.maxDurationMs).toBe(311 + 2110);
    expect(body.summary.avgDurationMs).toBeCloseTo((106 + 306) / 2 + 2110, 6);
  });

  it("reads one session's runs between 'from' and 'to', and refuses 'hours' with them", async () => {
    // Runs i = 1, 3, 5 of sess-odd started 39, 37 and 35 s before nowMs.
    const window = `from=${nowMs - 39_500}&to=${nowMs - 34_500}`;
    const { body } = await getJson<SessionDetail>(server.url, `/api/sessions/sess-odd?${window}`);
    expect(body.runs.map((r) => Date.parse(r.startTime))).toEqual([nowMs - 35_000, nowMs - 37_000, nowMs - 39_000]);
    expect([body.from, body.to].map(Date.parse)).toEqual([nowMs - 39_500, nowMs - 34_500]);
    expect(body.hours).toBeCloseTo(5_000 / 3_600_000, 12);
    const both = await getJson<ApiErrorBody>(server.url, `/api/sessions/sess-odd?hours=1&from=${nowMs - 39_500}`);
    expect(both.status).toBe(400);
    expect(both.body.error.message).toContain("'hours' cannot be given with 'from' or 'to'");
  });
});

describe('realtime', () => {
  it('counts what ended in the last minute and five minutes', async () => {
    const { body } = await getJson<RealtimeMetrics>(server.url, '/api/metrics/realtime?service=rag');
    // Every run ended in the last minute (the test took a few seconds at most).
    expect(body.requestsPerSecond).toBeCloseTo(24 / 60, 10);
    expect(body.errorRate).toBe(0);
    expect(body.tokensPerSecond).toBeCloseTo((24 * 1100) / 60, 10);
    expect(body.costPerHourUsd).toBeCloseTo((24 * CALL_COST * 3600) / 300, 8);
    expect(body.cacheHitRate).toBeNull();
    const other = await getJson<RealtimeMetrics>(server.url, '/api/metrics/realtime?service=nobody');
    expect(other.body).toMatchObject({ requestsPerSecond: 0, avgLatencyMs: null, errorRate: null });
  });

  it("takes the cache hit rate from the app's cache.hits and cache.misses counters when no span says", async () => {
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'cached' }),
      readers: [new PeriodicExportingMetricReader({ exporter: metricExporterFor(PROTOBUF, server.url), exportIntervalMillis: 3_600_000 })],
    });
    const meter = provider.getMeter('cache');
    const hits = meter.createCounter('cache.hits');
    const misses = meter.createCounter('cache.misses');
    hits.add(2);
    misses.add(5);
    await provider.forceFlush();
    hits.add(28);
    misses.add(5);
    await provider.forceFlush();
    await provider.shutdown();
    // The counters' increase over the window: 30 hits, 10 misses.
    const { body } = await getJson<RealtimeMetrics>(server.url, '/api/metrics/realtime?service=cached');
    expect(body.cacheHitRate).toBeCloseTo(30 / 40, 12);
  });
});

describe('error groups', () => {
  it('groups tool failures whose messages differ only in numbers and quoted values', async () => {
    const { body } = await getJson<ErrorGroupListResponse>(server.url, '/api/errors');
    expect(body.groups).toHaveLength(1);
    const [group] = body.groups;
    expect(group).toMatchObject({ exceptionType: 'ToolError', toolName: 'search', count: 2, status: 'unresolved', regressed: false });
    expect([...group!.sampleTraceIds].sort()).toEqual([...failedTools].sort());
    expect(group!.hourly.reduce((a, h) => a + h.count, 0)).toBe(2);
  });

  it('marks a resolved group that happens again as regressed', async () => {
    const [group] = (await getJson<ErrorGroupListResponse>(server.url, '/api/errors')).body.groups;
    const patch = await fetch(`${server.url}/api/errors/${group!.fingerprint}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'resolved' }),
    });
    expect(patch.status).toBe(200);
    expect(((await patch.json()) as ErrorGroupDetail).group).toMatchObject({ status: 'resolved', regressed: false });
    expect((await getJson<ErrorGroupListResponse>(server.url, '/api/errors?status=unresolved')).body.groups).toHaveLength(0);
    // Its own release, so the comparison of 1.0 and 1.1 below is not changed by it.
    await sendRun({ release: '1.2', session: 'sess-late', startMs: Date.now() + 5, retrieveMs: 5, toolFails: true });
    const again = await getJson<ErrorGroupDetail>(server.url, `/api/errors/${group!.fingerprint}`);
    expect(again.body.group).toMatchObject({ status: 'unresolved', regressed: true, count: 3 });
    expect(again.body.occurrences).toHaveLength(3);
    const unknown = await fetch(`${server.url}/api/errors/0123456789abcdef`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"status":"ignored"}',
    });
    expect(unknown.status).toBe(404);
  });
});

describe('critical path and comparison', () => {
  it('finds the chain that decided a run: retrieve, then the LLM call, then the tool', async () => {
    const { body } = await getJson<CriticalPath>(server.url, `/api/traces/${traceIds[0]}/critical-path`);
    expect(body.spans.map((s) => s.name)).toEqual(['answer', 'retrieve', 'chat gpt-4o', 'execute_tool search']);
    expect(body.spans.map((s) => s.onPathMs)).toEqual([10, 100, 2000, 100]);
    expect(body.durationMs).toBe(2210);
    // Segments tile the run in milliseconds after its start, each naming a span listed on the path.
    const listed = new Set(body.spans.map((s) => s.spanId));
    expect(body.segments[0]!.startMs).toBe(0);
    for (const [i, g] of body.segments.entries()) {
      expect(listed.has(g.spanId!)).toBe(true);
      if (i > 0) expect(g.startMs).toBeCloseTo(body.segments[i - 1]!.startMs + body.segments[i - 1]!.durationMs, 9);
    }
    expect(body.segments.at(-1)!.startMs + body.segments.at(-1)!.durationMs).toBeCloseTo(2210, 9);
    expect(body.spans[0]).toMatchObject({ parentSpanId: null, startMs: 0, durationMs: 2210 });
  });

  it('says the new release retrieves significantly slower and calls the LLM no slower', async () => {
    const { body } = await getJson<CompareResponse>(server.url, `/api/stats/compare?by=service.version&a=1.0&b=1.1&${range}`);
    const row = (name: string) => body.rows.find((r) => r.name === name)!;
    expect(row('retrieve').latency).toMatchObject({ test: 'mann-whitney-u', significant: true });
    expect(row('retrieve').change.p50).toBeCloseTo((305.5 - 105.5) / 105.5, 10);
    expect(row('chat gpt-4o').latency.significant).toBe(false);
    expect(row('chat gpt-4o').change.costPerCall).toBe(0);
  });

  it("adds the scores of each release's spans: the change of the mean with Mann-Whitney U, the labels with chi-square", async () => {
    const { body } = await getJson<CompareResponse>(server.url, `/api/stats/compare?by=service.version&a=1.0&b=1.1&${range}`);
    const [faithfulness, thumbs] = body.scores;
    // 0.79..0.90 against 0.39..0.50; SciPy's mannwhitneyu (asymptotic): p = 3.6584553538971e-05.
    expect(faithfulness).toMatchObject({
      name: 'faithfulness',
      a: { count: 12, mean: expect.closeTo(0.845, 10) },
      b: { count: 12, mean: expect.closeTo(0.445, 10) },
    });
    expect(faithfulness!.meanDelta).toBeCloseTo(-0.4, 10);
    expect(faithfulness!.values).toEqual({ test: 'mann-whitney-u', pValue: expect.closeTo(3.6584553538971e-5, 12), significant: true });
    // 10 of 12 up against 3 of 12; SciPy's chi2_contingency (no correction): p = 0.004134507669588784.
    expect(thumbs).toMatchObject({ name: 'thumbs', a: { count: 12, mean: null, labels: { down: 2, up: 10 } }, b: { count: 12, labels: { down: 9, up: 3 } } });
    expect(thumbs!.labels).toEqual({ test: 'chi-square', pValue: expect.closeTo(0.004134507669588784, 12), significant: true });
  });
});

describe('score statistics', () => {
  it('gives each score name its count, mean, percentiles and labels, per release, model or evaluator', async () => {
    const { status, body } = await getJson<ScoreStatsResponse>(server.url, `/api/stats/scores?${range}`);
    expect(status).toBe(200);
    expect(body.by).toBe('name');
    expect(body.groups.map((g) => [g.name, g.count, g.labels])).toEqual([
      ['faithfulness', 24, {}],
      ['thumbs', 24, { down: 11, up: 13 }],
    ]);
    // 0.79..0.90 and 0.39..0.50: a mean of 0.645; the 0.5 quantile between 0.50 and 0.79.
    expect(body.groups[0]!.mean).toBeCloseTo(0.645, 10);
    expect(body.groups[0]!.p50).toBeCloseTo(0.645, 10);
    expect(body.groups[1]).toMatchObject({ mean: null, p50: null, p90: null });
    const release = (await getJson<ScoreStatsResponse>(server.url, `/api/stats/scores?by=release&name=faithfulness&${range}`)).body;
    expect(release.groups.map((g) => [g.key, g.count, Number(g.mean!.toFixed(10))])).toEqual([
      ['1.0', 12, 0.845],
      ['1.1', 12, 0.445],
    ]);
    const thumbs = (await getJson<ScoreStatsResponse>(server.url, `/api/stats/scores?by=release&name=thumbs&${range}`)).body;
    expect(thumbs.groups.map((g) => [g.key, g.labels])).toEqual([
      ['1.0', { down: 2, up: 10 }],
      ['1.1', { down: 9, up: 3 }],
    ]);
    const model = (await getJson<ScoreStatsResponse>(server.url, `/api/stats/scores?by=model&${range}`)).body;
    expect(model.groups.map((g) => [g.name, g.key, g.count])).toEqual([
      ['faithfulness', 'gpt-4o', 24],
      ['thumbs', null, 24],
    ]);
    const evaluator = (await getJson<ScoreStatsResponse>(server.url, `/api/stats/scores?by=evaluator&${range}`)).body;
    expect(evaluator.groups.map((g) => [g.name, g.key, g.count])).toEqual([['faithfulness', 'faithfulness@1', 24]]);
  });

  it('counts the scores it received on /metrics, with a histogram of their values', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const sample = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(sample('spoor_scores_total{name="faithfulness",label="",source="evaluator"}')).toBe(24);
    expect(sample('spoor_scores_total{name="thumbs",label="up",source="human"}')).toBe(13);
    expect(sample('spoor_scores_total{name="thumbs",label="down",source="human"}')).toBe(11);
    // 0.39..0.50 (release 1.1) at or below 0.5; all 24 at or below 0.9.
    expect(sample('spoor_score_value_bucket{name="faithfulness",source="evaluator",le="0.5"}')).toBe(12);
    expect(sample('spoor_score_value_bucket{name="faithfulness",source="evaluator",le="0.9"}')).toBe(24);
    expect(text).not.toContain('spoor_score_value_count{name="thumbs"');
  });

  it('refuses a group it does not know, naming it', async () => {
    const bad = await getJson<ApiErrorBody>(server.url, '/api/stats/scores?by=colour');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("'by'");
    const unknown = await getJson<ApiErrorBody>(server.url, '/api/stats/scores?groupBy=name');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("'groupBy'");
  });
});

describe('app metric series', () => {
  it("charts a counter's increase from the points the app exported", async () => {
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'rag' }),
      readers: [new PeriodicExportingMetricReader({ exporter: metricExporterFor(PROTOBUF, server.url), exportIntervalMillis: 3_600_000 })],
    });
    const jobs = provider.getMeter('jobs').createCounter('jobs.done');
    // 53 workers, worker k doing k + 1 jobs: a chart by worker keeps the 50 busiest.
    const byWorker = provider.getMeter('jobs').createCounter('jobs.by_worker');
    for (let k = 0; k < 53; k++) byWorker.add(k + 1, { worker: `w${k}` });
    jobs.add(5, { queue: 'a' });
    await provider.forceFlush();
    jobs.add(7, { queue: 'a' });
    jobs.add(1, { queue: 'b' });
    await provider.forceFlush();
    await provider.shutdown();
    const { body } = await getJson<MetricSeriesResponse>(server.url, '/api/metrics/series?name=jobs.done&fn=increase&step=1m&window=10m&groupBy=queue');
    const last = new Map(body.series.map((s) => [s.key, s.values.at(-1)]));
    expect(last).toEqual(
      new Map([
        ['a', 12],
        ['b', 1],
      ]),
    );
    expect(body.droppedSeries).toBe(0);
    const many = (await getJson<MetricSeriesResponse>(server.url, '/api/metrics/series?name=jobs.by_worker&fn=last&step=1m&window=10m&groupBy=worker')).body;
    expect(many.droppedSeries).toBe(3);
    expect(many.series.map((s) => s.key)).toEqual(Array.from({ length: 50 }, (_, i) => `w${52 - i}`));
    const wrong = await getJson<ApiErrorBody>(server.url, '/api/metrics/series?name=jobs.done&fn=p95');
    expect(wrong.status).toBe(400);
  });
});
