import type { ErrorGroupListResponse, LogListResponse, SessionListResponse, SpanStatsResponse, TraceDetail, TraceListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/cli/demo.js';
import { type TestServer, getJson, startTestServer } from './support/server.js';

const servers: TestServer[] = [];

afterAll(async () => {
  for (const server of servers) await server.stop();
});

async function demoServer(runs: number, startMs: number): Promise<{ server: TestServer; traceId: string }> {
  const server = await startTestServer();
  servers.push(server);
  return { server, traceId: await runDemo({ endpoint: server.url, runs, startMs }) };
}

describe('the demo with an hour of history before its main run', () => {
  const startMs = Date.now() - 20_000;
  let server: TestServer;
  let traceId: string;
  let traces: TraceListResponse['traces'];

  beforeAll(async () => {
    ({ server, traceId } = await demoServer(12, startMs));
    // Twelve runs and their logs, through the real SDK and exporters, each export taken at its first
    // try: a refused one is sent again after a backoff of a second or more.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const requests = [...metrics.matchAll(/^spoor_ingest_requests_total\{signal="(\w+)",status="(\d+)"\} (\d+)$/gm)].map(
      ([, signal, status]) => `${signal} ${status}`,
    );
    expect(new Set(requests)).toEqual(new Set(['traces 200', 'logs 200']));
    traces = (await getJson<TraceListResponse>(server.url, '/api/traces?limit=100')).body.traces;
  });

  it('sends twelve runs of three workflows over the last hour, the main run newest', () => {
    expect(traces).toHaveLength(12);
    expect(traces[0]).toMatchObject({ traceId, rootName: 'workflow research-report', durationMs: 11_050, spanCount: 12 });
    for (const trace of traces.slice(1)) {
      const start = Date.parse(trace.startTime);
      expect(start).toBeGreaterThanOrEqual(startMs - 3_600_000);
      expect(start + trace.durationMs).toBeLessThan(startMs);
    }
    expect(new Set(traces.map((t) => t.rootName))).toEqual(new Set(['workflow research-report', 'workflow answer-question', 'workflow summarize-thread']));
    expect(new Set(traces.map((t) => t.durationMs)).size).toBeGreaterThan(8);
  });

  it('groups the runs into sessions of several users, with failed runs among them', async () => {
    const { body } = await getJson<SessionListResponse>(server.url, '/api/sessions');
    expect(body.sessions.length).toBeGreaterThanOrEqual(3);
    expect(body.sessions.reduce((sum, s) => sum + s.runCount, 0)).toBe(12);
    const failed = body.sessions.reduce((sum, s) => sum + s.failedRuns, 0);
    // The main run's and about one in ten of the rest.
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(failed).toBeLessThanOrEqual(3);
    expect(body.sessions.find((s) => s.sessionId === 'demo-session-1')!.runCount).toBeGreaterThan(1);

    const users = new Set<string>();
    for (const trace of traces) {
      const detail = (await getJson<TraceDetail>(server.url, `/api/traces/${trace.traceId}`)).body;
      const root = detail.spans.find((s) => s.parentSpanId === null)!;
      expect(root.sessionId).toMatch(/^demo-session-\d$/);
      users.add(root.userId!);
    }
    expect(users.size).toBeGreaterThanOrEqual(2);
  });

  it('makes several error groups, counted once per exception, in both services', async () => {
    const { body } = await getJson<ErrorGroupListResponse>(server.url, '/api/errors');
    const types = body.groups.map((g) => g.exceptionType);
    expect(new Set(types)).toEqual(new Set(['CitationError', 'TimeoutError', 'RateLimitError']));
    const rateLimits = body.groups.find((g) => g.exceptionType === 'RateLimitError')!;
    expect(rateLimits).toMatchObject({ provider: 'openai', httpStatus: 429, frame: 'callModel (llm/call-model.ts)' });
    expect(rateLimits.count).toBeGreaterThanOrEqual(2);
    const timeouts = body.groups.filter((g) => g.exceptionType === 'TimeoutError');
    expect(timeouts.map((g) => [g.services, g.frame, g.toolName]).sort()).toEqual([
      [['research-agent'], 'callRetrieval (tools/web-search.ts)', 'web_search'],
      [['retrieval-service'], 'searchVectors (search/vectors.ts)', null],
    ]);
    // Each failure counts once: the steps and workflows above it pass it on (`error.type` and the
    // same message, or only a status like "step write failed"), and the error logs reporting it
    // (the main run's CitationError) are the span's occurrence, not a group of their own without
    // a stack frame.
    for (const group of body.groups.filter((g) => g.exceptionType !== 'RateLimitError')) expect(group.count, group.exceptionType).toBe(group.traceCount);
    expect(body.groups.filter((g) => g.frame === null)).toEqual([]);
    expect(body.groups.find((g) => g.exceptionType === 'CitationError')).toMatchObject({
      frame: expect.stringMatching(/^recordMainRun \(cli\/demo\.[jt]s\)$/),
      count: 1,
    });
  });

  it('prices every LLM call that reported usage, cached input tokens included', async () => {
    const { body } = await getJson<SpanStatsResponse>(server.url, '/api/stats/spans?groupBy=model');
    const models = new Map(body.groups.filter((g) => g.key !== null).map((g) => [g.key, g]));
    for (const model of ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-6', 'claude-haiku-4-5', 'text-embedding-3-small']) {
      expect(models.get(model)?.costUsd, model).toBeGreaterThan(0);
    }
    expect(body.groups.reduce((sum, g) => sum + (g.cacheReadInputTokens ?? 0), 0)).toBeGreaterThan(0);

    for (const trace of traces) {
      const detail = (await getJson<TraceDetail>(server.url, `/api/traces/${trace.traceId}`)).body;
      for (const span of detail.spans.filter((s) => s.llm !== null && s.llm.inputTokens !== null)) {
        expect(span.llm, span.name).toMatchObject({ costUsd: expect.any(Number), costSource: 'price_table' });
        expect(span.llm!.costUsd).toBeGreaterThan(0);
      }
    }
  });

  it('sends logs at four severities from both services, each correlated to a span of its run', async () => {
    const { body } = await getJson<LogListResponse>(server.url, '/api/logs?limit=1000');
    expect(new Set(body.logs.map((l) => l.severityText))).toEqual(new Set(['DEBUG', 'INFO', 'WARN', 'ERROR']));
    expect(new Set(body.logs.map((l) => l.serviceName))).toEqual(new Set(['research-agent', 'retrieval-service']));
    const traceIds = new Set(traces.map((t) => t.traceId));
    for (const log of body.logs) {
      expect(traceIds.has(log.traceId!), log.body as string).toBe(true);
      expect(log.spanId).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('sends the same history every time', async () => {
    const again = await demoServer(12, startMs);
    const summary = (list: TraceListResponse['traces']) =>
      list.map((t) => [t.rootName, t.startTime, t.durationMs, t.spanCount, t.errorCount, t.inputTokens, t.outputTokens, t.costUsd]);
    const { body } = await getJson<TraceListResponse>(again.server.url, '/api/traces?limit=100');
    expect(summary(body.traces)).toEqual(summary(traces));
  });
});

describe('runDemo', () => {
  it('refuses a number of runs that is not a whole number from 1 to 1000', async () => {
    for (const runs of [0, 1001, 2.5, Number.NaN]) {
      await expect(runDemo({ endpoint: 'http://127.0.0.1:9', runs })).rejects.toThrow(`the number of demo runs must be an integer from 1 to 1000, not ${runs}`);
    }
  });
});
