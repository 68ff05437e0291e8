import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ApiErrorBody, ServiceListResponse, TraceDetail, TraceListResponse } from '@spoor/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_VARIANTS, expectExportsAccepted, hrTimeAt, isoOf, traceExporterFor } from './support/otel-exporters.js';
import { useServerBehindProxy } from './support/recording-proxy.js';
import { getJson } from './support/server.js';

/** One trace to send: a root span and, optionally, one child that may carry the trace's error. */
interface TraceSpec {
  key: string;
  service: string;
  environment: string;
  root: string;
  child: string | null;
  /** Microseconds after the run's base second. */
  startUs: number;
  durationMs: number;
  error: 'root' | 'child' | null;
  attributes: Record<string, string | number | boolean>;
}

const pager = (key: string, startUs: number): TraceSpec => ({
  key,
  service: 'pager',
  environment: 'prod',
  root: 'page item',
  child: null,
  startUs,
  durationMs: 10,
  error: null,
  attributes: {},
});

const TRACES: TraceSpec[] = [
  {
    key: 'cart',
    service: 'shop',
    environment: 'prod',
    root: 'GET /cart',
    child: 'db.query SELECT cart',
    startUs: 1_000_000,
    durationMs: 100,
    error: null,
    attributes: { tenant: 'acme', cached: true, 'url.query': 'page=2' },
  },
  {
    key: 'checkout',
    service: 'shop',
    environment: 'prod',
    root: 'POST /checkout',
    child: 'charge card',
    startUs: 2_000_000,
    durationMs: 900,
    error: 'child',
    attributes: { tenant: 'globex' },
  },
  {
    key: 'charge',
    service: 'billing',
    environment: 'staging',
    root: 'charge card',
    child: 'Stripe Charge',
    startUs: 3_000_000,
    durationMs: 300,
    error: null,
    attributes: { tenant: 'acme' },
  },
  {
    key: 'refund',
    service: 'billing',
    environment: 'staging',
    root: 'refund',
    child: null,
    startUs: 4_000_000,
    durationMs: 50,
    error: 'root',
    attributes: { tenant: 'initech', 'retry.count': 2 },
  },
  // Three pager traces start in the same microsecond, so paging must break ties by trace id.
  pager('p0', 5_000_000),
  pager('p1', 5_001_000),
  pager('p2', 5_001_000),
  pager('p3', 5_001_000),
  pager('p4', 5_002_000),
];

const PROTOBUF = EXPORT_VARIANTS.find((v) => v.slug === 'proto')!;

const setup = useServerBehindProxy();
let baseSeconds: number;
/** Trace id → spec key, and back. */
const keyOf = new Map<string, string>();
const idOf = new Map<string, string>();

/** Sends `TRACES` through the SDK's protobuf exporter, one tracer provider per service and environment. */
async function sendTraces(baseUrl: string): Promise<void> {
  baseSeconds = Math.floor(Date.now() / 1000) - 600;
  const providers = new Map<string, BasicTracerProvider>();
  for (const spec of TRACES) {
    const resourceKey = `${spec.service}/${spec.environment}`;
    let provider = providers.get(resourceKey);
    if (provider === undefined) {
      provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': spec.service, 'deployment.environment.name': spec.environment }),
        spanProcessors: [new BatchSpanProcessor(traceExporterFor(PROTOBUF, baseUrl))],
      });
      providers.set(resourceKey, provider);
    }
    const tracer = provider.getTracer('api-test');
    const endUs = spec.startUs + spec.durationMs * 1000;
    const root = tracer.startSpan(spec.root, { startTime: hrTimeAt(baseSeconds, spec.startUs), attributes: spec.attributes }, ROOT_CONTEXT);
    if (spec.child !== null) {
      const child = tracer.startSpan(spec.child, { startTime: hrTimeAt(baseSeconds, spec.startUs + 1000) }, trace.setSpan(ROOT_CONTEXT, root));
      if (spec.error === 'child') child.setStatus({ code: SpanStatusCode.ERROR, message: 'declined' });
      child.end(hrTimeAt(baseSeconds, endUs - 1000));
    }
    if (spec.error === 'root') root.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    root.end(hrTimeAt(baseSeconds, endUs));
    keyOf.set(root.spanContext().traceId, spec.key);
    idOf.set(spec.key, root.spanContext().traceId);
  }
  await Promise.all([...providers.values()].map((p) => p.forceFlush()));
  await Promise.all([...providers.values()].map((p) => p.shutdown()));
}

/** The keys of the traces matching `predicate`, newest first, ties by descending trace id. */
function expectedKeys(predicate: (spec: TraceSpec) => boolean): string[] {
  return TRACES.filter(predicate)
    .sort((a, b) => b.startUs - a.startUs || (idOf.get(b.key)! > idOf.get(a.key)! ? 1 : -1))
    .map((spec) => spec.key);
}

async function listKeys(query: string): Promise<string[]> {
  const { status, body } = await getJson<TraceListResponse>(setup.server.url, `/api/traces?${query}`);
  expect(status, query).toBe(200);
  return body.traces.map((t) => keyOf.get(t.traceId) ?? `unknown ${t.traceId}`);
}

beforeAll(async () => {
  await sendTraces(setup.proxy.url);
});

it('accepts every export the SDK sent', () => {
  expectExportsAccepted(setup.proxy.exchanges, PROTOBUF, '/v1/traces');
});

describe('GET /api/traces', () => {
  it('lists every trace, newest first', async () => {
    expect(await listKeys('limit=100')).toEqual(expectedKeys(() => true));
  });

  it('pages with nextCursor without repeating or skipping a trace, even among equal start times', async () => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = `service=pager&limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const { status, body } = await getJson<TraceListResponse>(setup.server.url, `/api/traces?${query}`);
      expect(status).toBe(200);
      pages.push(body.traces.map((t) => keyOf.get(t.traceId)!));
      cursor = body.nextCursor;
    } while (cursor !== null && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(expectedKeys((s) => s.service === 'pager'));
  });

  it.each([
    ['service=billing', (s: TraceSpec) => s.service === 'billing'],
    ['service=shop&status=error', (s: TraceSpec) => s.service === 'shop' && s.error !== null],
    ['name=charge%20card', (s: TraceSpec) => s.root === 'charge card' || s.child === 'charge card'],
    ['name=Charge', () => false],
    ['text=STRIPE', (s: TraceSpec) => s.key === 'charge'],
    ['text=cart', (s: TraceSpec) => s.key === 'cart'],
    // LIKE wildcards are taken literally; no span name has either character.
    ['text=_', () => false],
    ['text=%25', () => false],
    ['status=error', (s: TraceSpec) => s.error !== null],
    ['status=ok', (s: TraceSpec) => s.error === null],
    ['minDurationMs=200', (s: TraceSpec) => s.durationMs >= 200],
    ['maxDurationMs=60', (s: TraceSpec) => s.durationMs <= 60],
    ['minDurationMs=50&maxDurationMs=100', (s: TraceSpec) => s.durationMs >= 50 && s.durationMs <= 100],
    ['attr=tenant%3Dacme', (s: TraceSpec) => s.attributes.tenant === 'acme'],
    ['attr=deployment.environment.name%3Dstaging', (s: TraceSpec) => s.environment === 'staging'],
    ['attr=tenant%3Dacme&attr=deployment.environment.name%3Dstaging', (s: TraceSpec) => s.key === 'charge'],
    // Values compare as text, whatever their type; only the first '=' separates key from value.
    ['attr=retry.count%3D2', (s: TraceSpec) => s.attributes['retry.count'] === 2],
    ['attr=cached%3Dtrue', (s: TraceSpec) => s.attributes.cached === true],
    ['attr=url.query%3Dpage%3D2', (s: TraceSpec) => s.attributes['url.query'] === 'page=2'],
  ])('filters on %s', async (query, predicate) => {
    const expected = expectedKeys(predicate);
    expect(await listKeys(`${query}&limit=100`)).toEqual(expected);
  });

  it('filters on a start time range', async () => {
    const from = isoOf(hrTimeAt(baseSeconds, 2_000_000));
    const to = isoOf(hrTimeAt(baseSeconds, 4_000_000));
    // `from` is inclusive, `to` exclusive.
    expect(await listKeys(`from=${from}&to=${to}`)).toEqual(['charge', 'checkout']);
  });

  it('summarizes a trace whose error is on a child span', async () => {
    const { body } = await getJson<TraceListResponse>(setup.server.url, '/api/traces?service=shop&status=error');
    expect(body.traces).toEqual([
      {
        traceId: idOf.get('checkout'),
        rootName: 'POST /checkout',
        serviceName: 'shop',
        startTime: isoOf(hrTimeAt(baseSeconds, 2_000_000)),
        durationMs: 900,
        spanCount: 2,
        errorCount: 1,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        unpricedCalls: 0,
        sessionId: null,
        userId: null,
        scores: {},
      },
    ]);
  });
});

describe('GET /api/traces/:traceId', () => {
  it('accepts an upper-case trace id', async () => {
    const id = idOf.get('charge')!;
    const { status, body } = await getJson<TraceDetail>(setup.server.url, `/api/traces/${id.toUpperCase()}`);
    expect(status).toBe(200);
    expect(body.traceId).toBe(id);
    expect(body.spans.map((s) => s.name)).toEqual(['charge card', 'Stripe Charge']);
  });

  it('answers 404 for a trace id nobody sent', async () => {
    const unknown = 'abcdef0123456789abcdef0123456789';
    const { status, body } = await getJson<ApiErrorBody>(setup.server.url, `/api/traces/${unknown}`);
    expect(status).toBe(404);
    expect(body.error.code).toBe('ERR_NOT_FOUND');
    expect(body.error.message).toContain(unknown);
  });
});

describe('GET /api/services', () => {
  it('counts spans and errors per service', async () => {
    const { status, body } = await getJson<ServiceListResponse>(setup.server.url, '/api/services');
    expect(status).toBe(200);
    // lastSeen is the latest span start: refund's root, p4, and the checkout trace's child.
    const at = (offsetUs: number) => isoOf(hrTimeAt(baseSeconds, offsetUs));
    expect(body.services).toEqual([
      { name: 'billing', spanCount: 3, errorCount: 1, logCount: 0, metricPointCount: 0, lastSeen: at(4_000_000) },
      { name: 'pager', spanCount: 5, errorCount: 0, logCount: 0, metricPointCount: 0, lastSeen: at(5_002_000) },
      { name: 'shop', spanCount: 4, errorCount: 1, logCount: 0, metricPointCount: 0, lastSeen: at(2_001_000) },
    ]);
  });
});

describe('parameter validation', () => {
  it.each([
    ['/api/traces?limit=0', 'limit'],
    ['/api/traces?limit=1001', 'limit'],
    ['/api/traces?limit=ten', 'limit'],
    ['/api/traces?colour=red', 'colour'],
    ['/api/traces?status=broken', 'status'],
    ['/api/traces?minDurationMs=-1', 'minDurationMs'],
    ['/api/traces?minDurationMs=10&maxDurationMs=5', 'minDurationMs'],
    ['/api/traces?attr=tenant', 'attr'],
    ['/api/traces?from=yesterday', 'from'],
    ['/api/traces?service=', 'service'],
    ['/api/traces?cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['/api/traces/not-hex', 'traceId'],
    [`/api/traces/${'ab'.repeat(16)}?verbose=1`, 'verbose'],
    ['/api/logs?severity=loud', 'severity'],
    ['/api/logs?traceId=xyz', 'traceId'],
    ['/api/metrics/points', 'name'],
    ['/api/services?service=shop', 'service'],
  ])('rejects %s with a 400 that names %s', async (path, parameter) => {
    const { status, body } = await getJson<ApiErrorBody>(setup.server.url, path);
    expect(status).toBe(400);
    expect(body.error.code).toBe('ERR_INVALID_PARAMETER');
    expect(body.error.message).toContain(`'${parameter}'`);
  });
});
