import type { Span, TraceDetail, TraceListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/cli/demo.js';
import { type TestServer, getJson, startTestServer } from './support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('the demo run, sent by the OpenTelemetry JS SDK and its protobuf exporters', () => {
  let traceId: string;
  let detail: TraceDetail;
  let ranFrom: number;
  let ranTo: number;

  beforeAll(async () => {
    ranFrom = Date.now();
    traceId = await runDemo({ endpoint: server.url });
    ranTo = Date.now();
    const response = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
    expect(response.status).toBe(200);
    detail = response.body;
  });

  it('is listed as one trace of twelve spans with two errors and its token totals', async () => {
    const { body } = await getJson<TraceListResponse>(server.url, '/api/traces');
    expect(body).toEqual({
      traces: [
        {
          traceId,
          rootName: 'workflow research-report',
          serviceName: 'research-agent',
          startTime: expect.any(String),
          durationMs: 11_050,
          spanCount: 12,
          errorCount: 2,
          inputTokens: 812 + 5_230 + 3_120 + 4_410,
          outputTokens: 164 + 402 + 655 + 1_024,
          // Priced by the table: gpt-4o $2.50/$10, claude-sonnet-4-6 $3/$15, gpt-4o-mini $0.15/$0.60
          // per million input/output tokens (no cached tokens in the demo).
          costUsd: expect.closeTo((812 * 2.5 + 164 * 10 + 5_230 * 3 + 402 * 15 + 3_120 * 0.15 + 655 * 0.6 + 4_410 * 2.5 + 1_024 * 10) / 1e6, 12),
          // Every model of the demo has a price.
          unpricedCalls: 0,
          // The demo's main run belongs to Ada's session.
          sessionId: 'demo-session-1',
          userId: 'user-ada',
          scores: {},
        },
      ],
      nextCursor: null,
    });
    // By default the run starts 20 seconds before it is sent.
    const startMs = Date.parse(body.traces[0]!.startTime);
    expect(startMs).toBeGreaterThanOrEqual(ranFrom - 20_000);
    expect(startMs).toBeLessThanOrEqual(ranTo - 20_000);
  });

  it('returns the whole tree across both services, parents before children', () => {
    expect(detail.spans).toHaveLength(12);
    expect(new Set(detail.spans.map((s) => s.serviceName))).toEqual(new Set(['research-agent', 'retrieval-service']));
    const seen = new Map<string, Span>();
    for (const span of detail.spans) {
      const parent = span.parentSpanId === null ? undefined : seen.get(span.parentSpanId);
      expect(span.parentSpanId === null || parent !== undefined, `${span.name} comes after its parent`).toBe(true);
      expect(span.depth).toBe(parent === undefined ? 0 : parent.depth + 1);
      seen.set(span.spanId, span);
    }
    expect(detail.spans[0]).toMatchObject({ name: 'workflow research-report', kind: 'server', depth: 0 });
    const vector = detail.spans.find((s) => s.name === 'vector.query')!;
    expect(vector).toMatchObject({ serviceName: 'retrieval-service', depth: 4, resource: { 'service.version': '0.9.2' } });
  });

  it('carries gen_ai attributes on its LLM spans', () => {
    const llmSpans = detail.spans.filter((s) => s.llm !== null && s.llm.operation === 'chat');
    expect(llmSpans.map((s) => s.name).sort()).toEqual(['chat claude-sonnet-4-6', 'chat gpt-4o', 'chat gpt-4o', 'chat gpt-4o-mini']);
    expect(llmSpans.find((s) => s.name === 'chat claude-sonnet-4-6')).toMatchObject({
      kind: 'client',
      attributes: { 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.temperature': 0.2 },
      llm: {
        provider: 'anthropic',
        requestModel: 'claude-sonnet-4-6',
        responseModel: 'claude-sonnet-4-6',
        inputTokens: 5_230,
        outputTokens: 402,
        costUsd: expect.closeTo((5_230 * 3 + 402 * 15) / 1e6, 12),
        costSource: 'price_table',
      },
      category: 'llm',
    });
  });

  it('marks step write as failed with an exception event', () => {
    const write = detail.spans.find((s) => s.name === 'step write')!;
    const message = 'citation check failed: 2 of 9 sources could not be verified';
    expect(write.status).toEqual({ code: 'error', message });
    expect(write.events).toHaveLength(1);
    expect(write.events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.type': 'CitationError', 'exception.message': message, 'exception.stacktrace': expect.stringContaining('CitationError') },
    });
    expect(Date.parse(write.events[0]!.time)).toBeGreaterThanOrEqual(Date.parse(write.startTime));
    expect(Date.parse(write.events[0]!.time)).toBeLessThanOrEqual(Date.parse(write.endTime!));
  });

  it('has logs that carry the trace id and the ids of its spans', () => {
    // In time order, as a trace view shows them.
    expect(detail.logs.map((l) => l.body)).toEqual([
      'workflow started',
      'plan ready: search, analyze, write',
      'retrieved 8 documents',
      'step write failed',
      'workflow finished with errors',
    ]);
    const spanIdOf = (name: string) => detail.spans.find((s) => s.name === name)!.spanId;
    for (const log of detail.logs) expect(log.traceId).toBe(traceId);
    expect(detail.logs.find((l) => l.body === 'step write failed')).toMatchObject({
      spanId: spanIdOf('step write'),
      severityNumber: 17,
      severityText: 'ERROR',
      serviceName: 'research-agent',
      attributes: { 'exception.type': 'CitationError' },
    });
    expect(detail.logs.find((l) => l.body === 'workflow started')!.spanId).toBe(spanIdOf('workflow research-report'));
  });
});
