import { type HrTime, ROOT_CONTEXT, type Span as OtelSpan, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { LogListResponse, LogRecord, TraceDetail } from '@spoor/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_VARIANTS, type ExportVariant, expectExportsAccepted, hrTimeAt, isoOf, logExporterFor, traceExporterFor } from './support/otel-exporters.js';
import { useServerBehindProxy } from './support/recording-proxy.js';
import { getJson } from './support/server.js';

const setup = useServerBehindProxy();

const ORDER_BODY = {
  message: 'order received',
  order: { id: 'o-1', items: 3, total: 59.9, gift: false, coupon: null },
  tags: ['web', 'eu'],
  lines: [{ sku: 'A-1', qty: 2 }, [1, 'mixed', true]],
};
/** Bytes travel as bytes in protobuf and as base64 in JSON; the API shows base64 either way. */
const CHECKSUM = new Uint8Array([0, 1, 2, 254, 255]);
const CHECKSUM_BASE64 = 'AAEC/v8=';
const RESOURCE_SCHEMA_URL = 'https://opentelemetry.io/schemas/1.26.0';
const SCOPE_SCHEMA_URL = 'https://example.com/orders-logger/schemas/2';

interface SentLogs {
  service: string;
  resource: Record<string, string>;
  traceId: string;
  spanId: string;
  times: Record<'received' | 'declined' | 'unreachable' | 'unreachableObserved' | 'cacheMiss' | 'sweep', HrTime>;
  emittedFrom: number;
  emittedTo: number;
}

/** Emits five log records through the SDK, four of them inside a span that is exported too. */
async function sendLogs(variant: ExportVariant, baseUrl: string): Promise<SentLogs> {
  const service = `orders-${variant.slug}`;
  const resource = { 'service.name': service, 'service.namespace': 'shop' };
  const s = Math.floor(Date.now() / 1000) - 120;
  const times = {
    received: hrTimeAt(s, 1_000_000, 123),
    declined: hrTimeAt(s, 2_000_000, 456),
    unreachable: hrTimeAt(s, 3_000_000, 789),
    unreachableObserved: hrTimeAt(s, 3_000_500),
    cacheMiss: hrTimeAt(s, 4_000_000),
    sweep: hrTimeAt(s, 4_500_000),
  };
  const tracerProvider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor(traceExporterFor(variant, baseUrl))],
  });
  const loggerProvider = new LoggerProvider({
    resource: resourceFromAttributes(resource, { schemaUrl: RESOURCE_SCHEMA_URL }),
    processors: [new BatchLogRecordProcessor({ exporter: logExporterFor(variant, baseUrl) })],
  });
  const logger = loggerProvider.getLogger('orders-logger', '0.4.0', { attributes: { 'logger.kind': 'structured' }, schemaUrl: SCOPE_SCHEMA_URL });
  const span: OtelSpan = tracerProvider.getTracer('orders').startSpan('process order', { startTime: hrTimeAt(s, 0) }, ROOT_CONTEXT);
  const context = trace.setSpan(ROOT_CONTEXT, span);

  const emittedFrom = Date.now();
  logger.emit({
    eventName: 'order.received',
    timestamp: times.received,
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: ORDER_BODY,
    attributes: { 'order.id': 'o-1', 'order.items': 3, 'order.checksum': CHECKSUM },
    context,
  });
  logger.emit({
    timestamp: times.declined,
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    body: 'Payment DECLINED for order o-1',
    attributes: { 'payment.provider': 'acme-pay', retryable: true, 'decline.codes': ['insufficient_funds', 'cvv'] },
    context,
  });
  logger.emit({
    timestamp: times.unreachable,
    observedTimestamp: times.unreachableObserved,
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 'card processor unreachable',
    attributes: { 'error.type': 'ETIMEDOUT', latency_ms: 30000.5 },
    context,
  });
  logger.emit({ timestamp: times.cacheMiss, severityNumber: SeverityNumber.DEBUG, severityText: 'DEBUG', body: 'cache miss for customer c-9', context });
  logger.emit({ timestamp: times.sweep, severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'background sweep done' });
  const emittedTo = Date.now();
  span.end(hrTimeAt(s, 5_000_000));

  await Promise.all([tracerProvider.forceFlush(), loggerProvider.forceFlush()]);
  await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown()]);
  return {
    service,
    resource,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    times,
    emittedFrom,
    emittedTo,
  };
}

describe.each(EXPORT_VARIANTS)('logs sent by the OpenTelemetry JS exporter over $name', (variant) => {
  let sent: SentLogs;
  let firstExchange: number;
  const logsWhere = async (query: string): Promise<LogRecord[]> => {
    const { status, body } = await getJson<LogListResponse>(setup.server.url, `/api/logs?${query}`);
    expect(status, query).toBe(200);
    return body.logs;
  };

  beforeAll(async () => {
    firstExchange = setup.proxy.exchanges.length;
    sent = await sendLogs(variant, setup.endpointFor(variant));
  });

  it('reach the server in the expected encoding and are all accepted', () => {
    expectExportsAccepted(setup.proxy.exchanges.slice(firstExchange), variant, '/v1/logs');
  });

  it('keep every field of each record', async () => {
    const logs = await logsWhere(`service=${sent.service}`);
    // Newest first.
    expect(logs.map((l) => l.body)).toEqual([
      'background sweep done',
      'cache miss for customer c-9',
      'card processor unreachable',
      'Payment DECLINED for order o-1',
      ORDER_BODY,
    ]);
    const common = {
      logId: expect.any(String),
      resource: sent.resource,
      resourceSchemaUrl: RESOURCE_SCHEMA_URL,
      scope: { name: 'orders-logger', version: '0.4.0', attributes: { 'logger.kind': 'structured' }, droppedAttributesCount: 0, schemaUrl: SCOPE_SCHEMA_URL },
      bodyBytes: false,
      serviceName: sent.service,
      droppedAttributesCount: 0,
    };
    const inSpan = { ...common, traceId: sent.traceId, spanId: sent.spanId, flags: 1 };
    const [sweep, cacheMiss, unreachable, declined, received] = logs;
    expect(received).toEqual({
      ...inSpan,
      time: isoOf(sent.times.received),
      observedTime: expect.any(String),
      severityNumber: 9,
      severityText: 'INFO',
      body: ORDER_BODY,
      attributes: { 'order.id': 'o-1', 'order.items': 3, 'order.checksum': CHECKSUM_BASE64 },
      eventName: 'order.received',
    } satisfies LogRecord);
    // The SDK stamps the observed time when the record is emitted.
    expect(Date.parse(received!.observedTime)).toBeGreaterThanOrEqual(sent.emittedFrom);
    expect(Date.parse(received!.observedTime)).toBeLessThanOrEqual(sent.emittedTo);
    expect(declined).toEqual({
      ...inSpan,
      time: isoOf(sent.times.declined),
      observedTime: expect.any(String),
      severityNumber: 13,
      severityText: 'WARN',
      body: 'Payment DECLINED for order o-1',
      attributes: { 'payment.provider': 'acme-pay', retryable: true, 'decline.codes': ['insufficient_funds', 'cvv'] },
      eventName: '',
    } satisfies LogRecord);
    expect(unreachable).toEqual({
      ...inSpan,
      time: isoOf(sent.times.unreachable),
      observedTime: isoOf(sent.times.unreachableObserved),
      severityNumber: 17,
      severityText: 'ERROR',
      body: 'card processor unreachable',
      attributes: { 'error.type': 'ETIMEDOUT', latency_ms: 30000.5 },
      eventName: '',
    } satisfies LogRecord);
    expect(cacheMiss).toMatchObject({ severityNumber: 5, severityText: 'DEBUG', attributes: {}, time: isoOf(sent.times.cacheMiss) });
    // Emitted outside any span: no trace context, and no sampled flag.
    expect(sweep).toEqual({
      ...common,
      traceId: null,
      spanId: null,
      flags: 0,
      time: isoOf(sent.times.sweep),
      observedTime: expect.any(String),
      severityNumber: 9,
      severityText: 'INFO',
      body: 'background sweep done',
      attributes: {},
      eventName: '',
    } satisfies LogRecord);
  });

  it('are found by trace id, minimum severity, service and body text', async () => {
    const bodies = (logs: LogRecord[]) => logs.map((l) => l.body);
    expect(bodies(await logsWhere(`traceId=${sent.traceId}`))).toEqual([
      'cache miss for customer c-9',
      'card processor unreachable',
      'Payment DECLINED for order o-1',
      ORDER_BODY,
    ]);
    expect(bodies(await logsWhere(`traceId=${sent.traceId}&severity=warn`))).toEqual(['card processor unreachable', 'Payment DECLINED for order o-1']);
    expect(bodies(await logsWhere(`service=${sent.service}&severity=error`))).toEqual(['card processor unreachable']);
    expect(bodies(await logsWhere(`service=${sent.service}&text=declined`))).toEqual(['Payment DECLINED for order o-1']);
    // A structured body is searched too.
    expect(bodies(await logsWhere(`service=${sent.service}&text=${encodeURIComponent('order received')}`))).toEqual([ORDER_BODY]);
    expect(await logsWhere(`service=${sent.service}&text=nothing-like-this`)).toEqual([]);
  });

  it('come with their trace, in time order', async () => {
    const { status, body } = await getJson<TraceDetail>(setup.server.url, `/api/traces/${sent.traceId}`);
    expect(status).toBe(200);
    expect(body.spans.map((s) => s.name)).toEqual(['process order']);
    expect(body.logs.map((l) => [l.body, l.spanId])).toEqual([
      [ORDER_BODY, sent.spanId],
      ['Payment DECLINED for order o-1', sent.spanId],
      ['card processor unreachable', sent.spanId],
      ['cache miss for customer c-9', sent.spanId],
    ]);
  });
});

describe('GET /api/logs paging', () => {
  it('pages with nextCursor through records that share a timestamp, without repeating or skipping one', async () => {
    const service = 'burst-logs';
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      processors: [new BatchLogRecordProcessor({ exporter: logExporterFor(EXPORT_VARIANTS[0]!, setup.proxy.url) })],
    });
    const logger = provider.getLogger('burst');
    const s = Math.floor(Date.now() / 1000) - 60;
    for (let i = 0; i < 4; i++) logger.emit({ timestamp: hrTimeAt(s, 500_000), severityNumber: SeverityNumber.INFO, body: `burst ${i}` });
    logger.emit({ timestamp: hrTimeAt(s, 400_000), severityNumber: SeverityNumber.INFO, body: 'before the burst' });
    await provider.forceFlush();
    await provider.shutdown();

    const pages: LogRecord[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = `service=${service}&limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const { status, body } = await getJson<LogListResponse>(setup.server.url, `/api/logs?${query}`);
      expect(status).toBe(200);
      pages.push(body.logs);
      cursor = body.nextCursor;
    } while (cursor !== null && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const bodies = pages.flat().map((l) => l.body);
    expect(bodies.slice(0, 4).sort()).toEqual(['burst 0', 'burst 1', 'burst 2', 'burst 3']);
    expect(bodies[4]).toBe('before the burst');
  });
});
