import type { TraceSearchResponse, TraceTree } from '@spoor/model';
import { SPAN_CATEGORIES } from '@spoor/model';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_VARIANTS, traceExporterFor } from './support/otel-exporters.js';
import { getJson, startTestServer, type TestServer } from './support/server.js';

/** The waterfall's endpoints, over spans sent by the OpenTelemetry JS exporter. */
describe('GET /api/traces/:traceId/tree and /search', () => {
  let server: TestServer;
  let traceId: string;
  const ids: Record<string, string> = {};
  const t0 = Date.now() - 10_000;

  beforeAll(async () => {
    server = await startTestServer();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(traceExporterFor(EXPORT_VARIANTS[0]!, server.url))] });
    const tracer = provider.getTracer('tree-test');
    const root = tracer.startSpan('workflow answer', { startTime: t0, attributes: { 'spoor.kind': 'workflow', 'session.id': 'sess-9' } });
    const parent = trace.setSpan(context.active(), root);
    const call = tracer.startSpan(
      'chat gpt-4o',
      {
        kind: SpanKind.CLIENT,
        startTime: t0 + 5,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.output_tokens': 20,
        },
      },
      parent,
    );
    call.end(t0 + 405);
    const tool = tracer.startSpan(
      'execute_tool lookup',
      { startTime: t0 + 410, attributes: { 'gen_ai.tool.name': 'lookup', 'tool.query': 'Weather in PARIS', 'tool.path': 'C:\\data\\"quoted" file' } },
      parent,
    );
    tool.recordException(
      { name: 'TimeoutError', message: 'upstream timed out', stack: 'TimeoutError: upstream timed out\n    at lookup (tool.js:1:1)' },
      t0 + 500,
    );
    tool.setStatus({ code: SpanStatusCode.ERROR, message: 'lookup failed' });
    tool.end(t0 + 510);
    root.end(t0 + 600);
    await provider.forceFlush();
    await provider.shutdown();
    traceId = root.spanContext().traceId;
    ids['root'] = root.spanContext().spanId;
    ids['call'] = call.spanContext().spanId;
    ids['tool'] = tool.spanContext().spanId;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers every span as columns, offsets from the first start, with events cut to time and name', async () => {
    const { status, body } = await getJson<TraceTree>(server.url, `/api/traces/${traceId}/tree`);
    expect(status).toBe(200);
    expect(body.traceId).toBe(traceId);
    expect(body.startTime).toBe(new Date(t0).toISOString().replace('Z', '000Z'));
    const at = (name: string) => body.spanIds.indexOf(ids[name]!);
    const [root, call, tool] = [at('root'), at('call'), at('tool')];
    expect([root, call, tool].every((i) => i >= 0)).toBe(true);
    expect(body.parentSpanIds[root]).toBeNull();
    expect(body.parentSpanIds[call]).toBe(ids['root']);
    expect(body.names[tool]).toBe('execute_tool lookup');
    expect(body.startOffsetsUs[root]).toBe(0);
    expect(body.startOffsetsUs[call]).toBe(5_000);
    expect(body.durationsUs[call]).toBe(400_000);
    expect(body.statusCodes[tool]).toBe(2);
    expect(body.statusCodes[call]).toBe(0);
    expect([root, call, tool].map((i) => SPAN_CATEGORIES[body.categories[i]!])).toEqual(['workflow', 'llm', 'tool']);
    expect(body.services[body.serviceIndexes[call]!]).toBeDefined();
    expect(body.events).toEqual([[tool, 500_000, 'exception']]);
    expect([body.inputTokens[call], body.outputTokens[call], body.models[call]]).toEqual([100, 20, 'gpt-4o']);
    expect(body.costUsd[call]).toBeGreaterThan(0);
    expect([body.inputTokens[root], body.costUsd[root], body.models[root]]).toEqual([null, null, null]);
    expect(body.sessionId).toBe('sess-9');
    expect(body.logs).toEqual([]);
  });

  it('finds spans by attribute values, status messages and exception text, case-insensitively', async () => {
    const search = async (q: string) => (await getJson<TraceSearchResponse>(server.url, `/api/traces/${traceId}/search?q=${encodeURIComponent(q)}`)).body;
    expect(await search('weather in paris')).toEqual({ spanIds: [ids['tool']], truncated: false });
    expect((await search('lookup failed')).spanIds).toEqual([ids['tool']]);
    expect((await search('at lookup (tool.js')).spanIds).toEqual([ids['tool']]);
    expect((await search('gpt-4o')).spanIds).toEqual([ids['call']]);
    expect((await search('100%_')).spanIds).toEqual([]);
    // Stored as JSON, where quotes and backslashes are escaped, and found as typed; the stack's line break too.
    expect((await search('c:\\data\\"quoted"')).spanIds).toEqual([ids['tool']]);
    expect((await search('timed out\n    at lookup')).spanIds).toEqual([ids['tool']]);
    const limited = (await getJson<TraceSearchResponse>(server.url, `/api/traces/${traceId}/search?q=e&limit=1`)).body;
    expect(limited.spanIds).toHaveLength(1);
    expect(limited.truncated).toBe(true);
  });

  it('refuses a search without text or with an unknown parameter, and answers 404 for an unknown trace', async () => {
    expect((await getJson(server.url, `/api/traces/${traceId}/search`)).status).toBe(400);
    expect((await getJson(server.url, `/api/traces/${traceId}/search?q=x&who=me`)).status).toBe(400);
    expect((await getJson(server.url, `/api/traces/${'a'.repeat(32)}/tree`)).status).toBe(404);
    expect((await getJson(server.url, `/api/traces/${'a'.repeat(32)}/search?q=x`)).status).toBe(404);
    expect((await getJson<TraceSearchResponse>(server.url, `/api/traces/${traceId}/search?q=nothing-like-this`)).body).toEqual({
      spanIds: [],
      truncated: false,
    });
  });
});
