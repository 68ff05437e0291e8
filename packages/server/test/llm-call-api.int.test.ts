import type { LlmCallDetail, SpanDetail, TraceDetail } from '@spoor/model';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_VARIANTS, traceExporterFor } from './support/otel-exporters.js';
import { getJson, startTestServer, type TestServer } from './support/server.js';

/** The LLM inspector's endpoint, over spans sent by the OpenTelemetry JS exporter. */
describe('GET /api/traces/:traceId/spans/:spanId/llm', () => {
  let server: TestServer;
  let traceId: string;
  let spanId: string;
  let plainId: string;

  beforeAll(async () => {
    server = await startTestServer();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(traceExporterFor(EXPORT_VARIANTS[0]!, server.url))] });
    const tracer = provider.getTracer('inspector-test');
    const root = tracer.startSpan('answer');
    const parent = trace.setSpan(context.active(), root);
    const call = tracer.startSpan(
      'chat gpt-4o',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.output_tokens': 20,
          'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be brief.' }]),
          'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }]),
          'gen_ai.output.messages': JSON.stringify([
            { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_calls' },
          ]),
        },
      },
      parent,
    );
    call.end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    traceId = call.spanContext().traceId;
    spanId = call.spanContext().spanId;
    plainId = root.spanContext().spanId;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers the canonical llm fields with the prompt and completion as chat messages', async () => {
    const { status, body } = await getJson<LlmCallDetail>(server.url, `/api/traces/${traceId}/spans/${spanId}/llm`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ traceId, spanId, llm: { provider: 'openai', requestModel: 'gpt-4o', inputTokens: 100, outputTokens: 20 } });
    expect(body.messages).toEqual({
      system: [{ type: 'text', content: 'Be brief.' }],
      input: [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }], finishReason: null }],
      output: [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } }], finishReason: 'tool_calls' }],
    });
  });

  it('shows the category of each span in the trace', async () => {
    const { body } = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
    expect(body.spans.map((s) => [s.name, s.category])).toEqual([
      ['answer', 'other'],
      ['chat gpt-4o', 'llm'],
    ]);
  });

  it('answers a span that is not an LLM call with llm null and no messages', async () => {
    const { status, body } = await getJson<LlmCallDetail>(server.url, `/api/traces/${traceId}/spans/${plainId}/llm`);
    expect(status).toBe(200);
    expect(body).toEqual({ traceId, spanId: plainId, llm: null, messages: { system: [], input: [], output: [] } });
  });

  it('answers one span with its logs, without the rest of the trace, at /api/traces/:traceId/spans/:spanId', async () => {
    const { status, body } = await getJson<SpanDetail>(server.url, `/api/traces/${traceId}/spans/${spanId}`);
    expect(status).toBe(200);
    expect(body.traceId).toBe(traceId);
    expect(body.span).toMatchObject({ spanId, parentSpanId: plainId, name: 'chat gpt-4o', category: 'llm', depth: 0 });
    expect(body.span.llm?.requestModel).toBe('gpt-4o');
    expect(body.logs).toEqual([]);
    expect((await getJson(server.url, `/api/traces/${traceId}/spans/00000000000000aa`)).status).toBe(404);
  });

  it('answers 404 for a span the trace does not have, and 400 for a malformed span id', async () => {
    expect((await getJson(server.url, `/api/traces/${traceId}/spans/${'0'.repeat(16)}/llm`)).status).toBe(404);
    const bad = await getJson<{ error: { code: string; message: string } }>(server.url, `/api/traces/${traceId}/spans/xyz/llm`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('spanId');
  });
});
