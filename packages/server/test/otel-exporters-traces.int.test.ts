import { randomBytes } from 'node:crypto';
import {
  type Attributes as OtelAttributes,
  type HrTime,
  ROOT_CONTEXT,
  type Span as OtelSpan,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  TraceFlags,
  createTraceState,
  trace,
} from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import type { LlmFields, Span, TraceDetail, TraceListResponse, TraceSummary } from '@spoor/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_VARIANTS, type ExportVariant, expectExportsAccepted, hrTimeAt, isoOf, microsOf, traceExporterFor } from './support/otel-exporters.js';
import { useServerBehindProxy } from './support/recording-proxy.js';
import { getJson } from './support/server.js';

const TRACE_STATE = 'spoor=t61rcWkgMzE,vendor=abc';
/** W3C "sampled" plus OTLP's "has is-remote" bit (0x100): what the SDK sends for a local parent. */
const SAMPLED_LOCAL_FLAGS = 0x101;

/** A remote caller's trace state, which spans under its context inherit. */
const UPSTREAM_TRACE_STATE = 'upstream=gw-7';
/** The same, with OTLP's "is remote" bit (0x200): a span whose parent came from another process. */
const SAMPLED_REMOTE_FLAGS = 0x301;

/**
 * Samples everything and gives spans without an inherited trace state `TRACE_STATE`, so every
 * span has a trace state to carry.
 */
const traceStateSampler: Sampler = {
  shouldSample: (context): SamplingResult => ({
    decision: SamplingDecision.RECORD_AND_SAMPLED,
    traceState: trace.getSpanContext(context)?.traceState ?? createTraceState(TRACE_STATE),
  }),
  toString: () => 'TraceStateSampler',
};

const CLIENT_ATTRIBUTES = {
  'http.request.method': 'GET',
  'url.full': 'https://inventory.internal/items?sku=A-1&sku=B-2',
  'http.response.status_code': 504,
  'inventory.delta': -3,
  'payload.bytes': 5_000_000_000,
  'setup.server.latency_ratio': 1.75,
  'cache.hit': false,
  'feature.enabled': true,
  'inventory.skus': ['A-1', 'B-2'],
  'retry.delays_ms': [100, 250, 625],
  'sample.weights': [0.25, 0.5],
  'shard.flags': [true, false, true],
  'note.unicode': 'größe ✓ 日本',
  'note.empty': '',
} satisfies OtelAttributes;
const EVENT_ATTRIBUTES = { 'retry.attempt': 2, 'retry.reason': 'timeout', 'retry.jitter': 0.125 };
const LINK_ATTRIBUTES = { 'link.kind': 'retry-of', 'link.attempt': 1 };

interface SentSpan {
  name: string;
  span: OtelSpan;
  start: HrTime;
  end: HrTime;
  parent: string | null;
}

interface SentTraces {
  /** The whole second every time of the run is counted from. */
  baseSeconds: number;
  service: string;
  resource: Record<string, string | number>;
  checkout: { traceId: string; spans: SentSpan[]; linked: OtelSpan };
  llm: { traceId: string; spans: Map<string, OtelSpan> };
  /** A trace whose first span has a parent in another process, which never reports here. */
  webhook: { remoteParentId: string; server: OtelSpan; child: OtelSpan };
}

/**
 * Sends, through the real SDK and one exporter variant: a five-span checkout trace that uses
 * every span field OTLP has, a one-span trace it links to, an LLM trace, and a webhook trace
 * whose first span has a remote parent.
 */
async function sendTraces(variant: ExportVariant, baseUrl: string): Promise<SentTraces> {
  const service = `checkout-${variant.slug}`;
  const resource = { 'service.name': service, 'service.version': '2.3.1', 'deployment.environment.name': 'test', 'process.pid': 4242 };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource, { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' }),
    sampler: traceStateSampler,
    spanProcessors: [new BatchSpanProcessor(traceExporterFor(variant, baseUrl))],
  });
  const tracer = provider.getTracer('checkout-instrumentation', '1.2.3', { schemaUrl: 'https://example.com/checkout/schemas/3' });
  const s = Math.floor(Date.now() / 1000) - 300;
  const sent: SentSpan[] = [];
  const start = (
    name: string,
    kind: SpanKind,
    parent: OtelSpan | null,
    startTime: HrTime,
    options: Pick<SpanOptions, 'attributes' | 'links'> = {},
  ): { span: OtelSpan; done: (end: HrTime) => void } => {
    const ctx = parent === null ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, parent);
    const span = tracer.startSpan(name, { kind, startTime, ...options }, ctx);
    return {
      span,
      done: (end) => {
        span.end(end);
        sent.push({ name, span, start: startTime, end, parent: parent?.spanContext().spanId ?? null });
      },
    };
  };

  const linked = tracer.startSpan('schedule retry', { startTime: hrTimeAt(s, 0), kind: SpanKind.INTERNAL }, ROOT_CONTEXT);
  linked.end(hrTimeAt(s, 999_999, 999));

  const root = start('POST /checkout', SpanKind.SERVER, null, hrTimeAt(s, 123_456, 789), { attributes: { 'http.route': '/checkout' } });
  const client = start('GET /inventory', SpanKind.CLIENT, root.span, hrTimeAt(s, 150_001, 1), {
    attributes: CLIENT_ATTRIBUTES,
    links: [{ context: linked.spanContext(), attributes: LINK_ATTRIBUTES }],
  });
  client.span.addEvent('retry', EVENT_ATTRIBUTES, hrTimeAt(s, 650_000, 250));
  client.span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timed out after 1s' });
  const dns = start('dns.lookup', SpanKind.INTERNAL, client.span, hrTimeAt(s, 150_100));
  dns.done(hrTimeAt(s, 160_100));
  client.done(hrTimeAt(s, 1_150_002, 500));
  const publish = start('publish order.created', SpanKind.PRODUCER, root.span, hrTimeAt(s, 1_200_000));
  publish.done(hrTimeAt(s, 1_210_000));
  const consume = start('consume payment.result', SpanKind.CONSUMER, root.span, hrTimeAt(s, 1_300_000));
  consume.done(hrTimeAt(s, 2_400_000));
  root.span.setStatus({ code: SpanStatusCode.OK });
  root.done(hrTimeAt(s, 2_500_000, 999));

  const llmSpans = new Map<string, OtelSpan>();
  const agent = tracer.startSpan('agent run', { startTime: hrTimeAt(s, 10_000_000), attributes: { 'session.id': 'sess-42' } }, ROOT_CONTEXT);
  const agentCtx = trace.setSpan(ROOT_CONTEXT, agent);
  const llm = (name: string, offsetUs: number, attributes: OtelAttributes): void => {
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: hrTimeAt(s, offsetUs), attributes }, agentCtx);
    span.end(hrTimeAt(s, offsetUs + 500_000));
    llmSpans.set(name, span);
  };
  llm('chat gpt-4o', 10_100_000, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 1200,
    'gen_ai.usage.output_tokens': 300,
    'gen_ai.response.finish_reasons': ['stop'],
  });
  llm('chat claude-sonnet-4-5', 10_700_000, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'anthropic',
    'gen_ai.request.model': 'claude-sonnet-4-5',
    'gen_ai.usage.input_tokens': 800,
    'gen_ai.usage.output_tokens': 50,
    'gen_ai.usage.cache_read.input_tokens': 400,
    'gen_ai.response.finish_reasons': ['end_turn', 'tool_use'],
  });
  llm('execute_tool web_search', 11_300_000, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'web_search' });
  agent.end(hrTimeAt(s, 12_000_000));
  llmSpans.set('agent run', agent);

  const remoteParentId = 'c0ffee00c0ffee00';
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: randomBytes(16).toString('hex'),
    spanId: remoteParentId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState(UPSTREAM_TRACE_STATE),
  });
  const webhook = tracer.startSpan('handle webhook', { kind: SpanKind.SERVER, startTime: hrTimeAt(s, 20_000_000) }, remote);
  const verify = tracer.startSpan('verify signature', { startTime: hrTimeAt(s, 20_001_000) }, trace.setSpan(ROOT_CONTEXT, webhook));
  verify.end(hrTimeAt(s, 20_002_000));
  webhook.end(hrTimeAt(s, 20_010_000));

  await provider.forceFlush();
  await provider.shutdown();
  return {
    baseSeconds: s,
    service,
    resource,
    checkout: { traceId: root.span.spanContext().traceId, spans: sent, linked },
    llm: { traceId: agent.spanContext().traceId, spans: llmSpans },
    webhook: { remoteParentId, server: webhook, child: verify },
  };
}

function noLlm(overrides: Partial<LlmFields>): LlmFields {
  return {
    provider: null,
    operation: null,
    requestModel: null,
    responseModel: null,
    inputTokens: null,
    outputTokens: null,
    totalTokens: null,
    cacheReadInputTokens: null,
    cacheCreationInputTokens: null,
    reasoningTokens: null,
    costUsd: null,
    costSource: null,
    timeToFirstTokenMs: null,
    finishReasons: null,
    ...overrides,
  };
}

const setup = useServerBehindProxy();

describe.each(EXPORT_VARIANTS)('traces sent by the OpenTelemetry JS exporter over $name', (variant) => {
  let sent: SentTraces;
  let detail: TraceDetail;
  let firstExchange: number;

  beforeAll(async () => {
    firstExchange = setup.proxy.exchanges.length;
    sent = await sendTraces(variant, setup.endpointFor(variant));
    const response = await getJson<TraceDetail>(setup.server.url, `/api/traces/${sent.checkout.traceId}`);
    expect(response.status).toBe(200);
    detail = response.body;
  });

  it('reach the server in the expected encoding and are all accepted', () => {
    expectExportsAccepted(setup.proxy.exchanges.slice(firstExchange), variant, '/v1/traces');
  });

  it('keep every field of every span, in tree order', () => {
    const base = (name: string, kind: Span['kind']): Span => {
      const sentSpan = sent.checkout.spans.find((s) => s.name === name)!;
      return {
        traceId: sent.checkout.traceId,
        spanId: sentSpan.span.spanContext().spanId,
        parentSpanId: sentSpan.parent,
        traceState: TRACE_STATE,
        flags: SAMPLED_LOCAL_FLAGS,
        name,
        kind,
        serviceName: sent.service,
        startTime: isoOf(sentSpan.start),
        endTime: isoOf(sentSpan.end),
        durationMs: (microsOf(sentSpan.end) - microsOf(sentSpan.start)) / 1000,
        status: { code: 'unset', message: '' },
        attributes: {},
        resource: sent.resource,
        resourceSchemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        scope: {
          name: 'checkout-instrumentation',
          version: '1.2.3',
          attributes: {},
          droppedAttributesCount: 0,
          schemaUrl: 'https://example.com/checkout/schemas/3',
        },
        events: [],
        links: [],
        droppedAttributesCount: 0,
        droppedEventsCount: 0,
        droppedLinksCount: 0,
        llm: null,
        sessionId: null,
        userId: null,
        category: 'other',
        depth: 0,
      };
    };
    const linked = sent.checkout.linked.spanContext();
    expect(detail.traceId).toBe(sent.checkout.traceId);
    expect(detail.spans).toEqual([
      { ...base('POST /checkout', 'server'), status: { code: 'ok', message: '' }, attributes: { 'http.route': '/checkout' } },
      {
        ...base('GET /inventory', 'client'),
        depth: 1,
        status: { code: 'error', message: 'upstream timed out after 1s' },
        attributes: CLIENT_ATTRIBUTES,
        events: [{ name: 'retry', time: isoOf(hrTimeAt(sent.baseSeconds, 650_000, 250)), attributes: EVENT_ATTRIBUTES, droppedAttributesCount: 0 }],
        links: [
          {
            traceId: linked.traceId,
            spanId: linked.spanId,
            traceState: TRACE_STATE,
            attributes: LINK_ATTRIBUTES,
            droppedAttributesCount: 0,
            flags: SAMPLED_LOCAL_FLAGS,
          },
        ],
      },
      { ...base('dns.lookup', 'internal'), depth: 2 },
      { ...base('publish order.created', 'producer'), depth: 1 },
      { ...base('consume payment.result', 'consumer'), depth: 1 },
    ]);
  });

  it('keep nanosecond times to the microsecond, cut rather than rounded', async () => {
    // The root starts at .123456789 s and ends at .500000999 s after a whole second.
    const root = detail.spans[0]!;
    expect(root.startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.123456Z$/);
    expect(root.endTime).toMatch(/\.500000Z$/);
    expect(root.durationMs).toBe(2376.544);
    expect(Date.parse(root.endTime!) - Date.parse(root.startTime)).toBe(2377);
    // 0.999999999 s after the base second stays in that second.
    const { body } = await getJson<TraceDetail>(setup.server.url, `/api/traces/${sent.checkout.linked.spanContext().traceId}`);
    expect(body.spans.map((span) => [span.name, span.startTime, span.endTime, span.durationMs])).toEqual([
      ['schedule retry', isoOf([sent.baseSeconds, 0]), isoOf([sent.baseSeconds, 999_999_000]), 999.999],
    ]);
    expect(body.spans[0]!.endTime).toMatch(/:\d\d\.999999Z$/);
  });

  it('are listed with a summary of the trace', async () => {
    const { status, body } = await getJson<TraceListResponse>(setup.server.url, `/api/traces?service=${sent.service}&limit=10`);
    expect(status).toBe(200);
    const root = sent.checkout.spans.find((s) => s.parent === null)!;
    expect(body.traces.find((t) => t.traceId === sent.checkout.traceId)).toEqual({
      traceId: sent.checkout.traceId,
      rootName: 'POST /checkout',
      serviceName: sent.service,
      startTime: isoOf(root.start),
      durationMs: 2376.544,
      spanCount: 5,
      errorCount: 1,
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      unpricedCalls: 0,
      sessionId: null,
      userId: null,
      scores: {},
    } satisfies TraceSummary);
    // The other traces are listed too, newest first.
    expect(body.traces.map((t) => t.traceId)).toEqual([
      sent.webhook.server.spanContext().traceId,
      sent.llm.traceId,
      sent.checkout.traceId,
      sent.checkout.linked.spanContext().traceId,
    ]);
  });

  it('keep a remote parent, its inherited trace state and the is-remote flag', async () => {
    const traceId = sent.webhook.server.spanContext().traceId;
    const { body } = await getJson<TraceDetail>(setup.server.url, `/api/traces/${traceId}`);
    const { server: webhook, child, remoteParentId } = sent.webhook;
    expect(body.spans.map(({ spanId, parentSpanId, traceState, flags, depth }) => ({ spanId, parentSpanId, traceState, flags, depth }))).toEqual([
      // The parent never arrives, so the span is shown as a root.
      {
        spanId: webhook.spanContext().spanId,
        parentSpanId: remoteParentId,
        traceState: UPSTREAM_TRACE_STATE,
        flags: SAMPLED_REMOTE_FLAGS,
        depth: 0,
      },
      {
        spanId: child.spanContext().spanId,
        parentSpanId: webhook.spanContext().spanId,
        traceState: UPSTREAM_TRACE_STATE,
        flags: SAMPLED_LOCAL_FLAGS,
        depth: 1,
      },
    ]);
    const list = await getJson<TraceListResponse>(setup.server.url, `/api/traces?service=${sent.service}&name=handle%20webhook`);
    expect(list.body.traces).toMatchObject([{ traceId, rootName: 'handle webhook', serviceName: sent.service, spanCount: 2, durationMs: 10 }]);
  });

  it('get llm fields from gen_ai attributes, and the trace summary sums their tokens', async () => {
    const { body } = await getJson<TraceDetail>(setup.server.url, `/api/traces/${sent.llm.traceId}`);
    const llmOf = (name: string) => body.spans.find((s) => s.spanId === sent.llm.spans.get(name)!.spanContext().spanId)!;
    expect(llmOf('chat gpt-4o').llm).toEqual(
      noLlm({
        provider: 'openai',
        operation: 'chat',
        requestModel: 'gpt-4o',
        responseModel: 'gpt-4o-2024-08-06',
        inputTokens: 1200,
        outputTokens: 300,
        totalTokens: 1500,
        finishReasons: ['stop'],
        // gpt-4o: $2.50 input, $10 output per million tokens.
        costUsd: expect.closeTo((1200 * 2.5 + 300 * 10) / 1e6, 12),
        costSource: 'price_table',
      }),
    );
    expect(llmOf('chat claude-sonnet-4-5').llm).toEqual(
      noLlm({
        provider: 'anthropic',
        operation: 'chat',
        requestModel: 'claude-sonnet-4-5',
        inputTokens: 800,
        outputTokens: 50,
        totalTokens: 850,
        cacheReadInputTokens: 400,
        finishReasons: ['end_turn', 'tool_use'],
        // claude-sonnet-4-5: the 800 input tokens include the 400 read from the cache, which bill at
        // $0.30 instead of $3 per million; output at $15.
        costUsd: expect.closeTo((400 * 3 + 400 * 0.3 + 50 * 15) / 1e6, 12),
        costSource: 'price_table',
      }),
    );
    expect(llmOf('execute_tool web_search')).toMatchObject({ llm: null, category: 'tool' });
    expect(llmOf('agent run')).toMatchObject({ llm: null, sessionId: 'sess-42' });

    const list = await getJson<TraceListResponse>(setup.server.url, `/api/traces?service=${sent.service}&limit=10`);
    expect(list.body.traces.find((t) => t.traceId === sent.llm.traceId)).toMatchObject({
      rootName: 'agent run',
      spanCount: 4,
      errorCount: 0,
      inputTokens: 2000,
      outputTokens: 350,
      costUsd: expect.closeTo((1200 * 2.5 + 300 * 10 + 400 * 3 + 400 * 0.3 + 50 * 15) / 1e6, 12),
    });
  });

  it('are found by the model an LLM span asked for or answered with, and by session', async () => {
    const idsWhere = async (query: string) =>
      (await getJson<TraceListResponse>(setup.server.url, `/api/traces?service=${sent.service}&${query}`)).body.traces.map((t) => t.traceId);
    expect(await idsWhere('model=gpt-4o')).toEqual([sent.llm.traceId]);
    expect(await idsWhere('model=gpt-4o-2024-08-06')).toEqual([sent.llm.traceId]);
    expect(await idsWhere('model=gpt-4')).toEqual([]);
    expect(await idsWhere('sessionId=sess-42')).toEqual([sent.llm.traceId]);
  });
});
