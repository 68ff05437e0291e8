import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricListResponse, MetricPoint, MetricPointListResponse } from '@spoor/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_VARIANTS, type ExportVariant, expectExportsAccepted, metricExporterFor } from './support/otel-exporters.js';
import { useServerBehindProxy } from './support/recording-proxy.js';
import { getJson } from './support/server.js';

const setup = useServerBehindProxy();

interface SentMetrics {
  service: string;
  prefix: string;
  resource: Record<string, string>;
  collectedFrom: number;
  collectedTo: number;
}

const EXP_HISTOGRAM_MAX_SIZE = 160;
const RESOURCE_SCHEMA_URL = 'https://opentelemetry.io/schemas/1.26.0';
const SCOPE_SCHEMA_URL = 'https://example.com/warehouse-meter/schemas/3';

/** Records one of each instrument kind and exports them once, with cumulative temporality. */
async function sendMetrics(variant: ExportVariant, baseUrl: string): Promise<SentMetrics> {
  const service = `warehouse-${variant.slug}`;
  const prefix = `spoor_test.${variant.slug}`;
  const resource = { 'service.name': service, 'host.name': 'wh-1' };
  const provider = new MeterProvider({
    resource: resourceFromAttributes(resource, { schemaUrl: RESOURCE_SCHEMA_URL }),
    readers: [new PeriodicExportingMetricReader({ exporter: metricExporterFor(variant, baseUrl), exportIntervalMillis: 3_600_000 })],
    views: [
      {
        instrumentName: `${prefix}.pick.latency`,
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: EXP_HISTOGRAM_MAX_SIZE } },
      },
      {
        instrumentName: `${prefix}.batch.size`,
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 4 } },
      },
    ],
  });
  const meter = provider.getMeter('warehouse-meter', '3.1.0', { schemaUrl: SCOPE_SCHEMA_URL });
  const orders = meter.createCounter(`${prefix}.orders`, { unit: '{order}', description: 'Orders placed' });
  orders.add(3, { channel: 'web' });
  orders.add(4, { channel: 'web' });
  orders.add(2, { channel: 'app' });
  // An integer instrument goes out as `as_int` (sfixed64); a negative one checks the sign survives.
  const balance = meter.createUpDownCounter(`${prefix}.queue.balance`, {
    unit: '{item}',
    description: 'Items over capacity',
    valueType: ValueType.INT,
  });
  balance.add(10, { queue: 'picking' });
  balance.add(-13, { queue: 'picking' });
  const temperature = meter.createGauge(`${prefix}.temperature`, { unit: 'Cel', description: 'Warehouse temperature' });
  temperature.record(19.5, { zone: 'a' });
  temperature.record(21.25, { zone: 'a' });
  const duration = meter.createHistogram(`${prefix}.request.duration`, {
    unit: 'ms',
    description: 'Request duration',
    advice: { explicitBucketBoundaries: [10, 50, 100] },
  });
  for (const ms of [5, 20, 30, 75, 250]) duration.record(ms, { 'http.route': '/items' });
  const latency = meter.createHistogram(`${prefix}.pick.latency`, { unit: 's', description: 'Pick latency' });
  for (const seconds of [0, 1, 2, 4, 8]) latency.record(seconds);
  const batchSize = meter.createHistogram(`${prefix}.batch.size`, { unit: 'By', description: 'Batch size' });
  for (const bytes of [1, 1_048_576]) batchSize.record(bytes, { spread: 'wide' });
  for (const bytes of [1, 2, 4, 8]) batchSize.record(bytes, { spread: 'narrow' });

  const collectedFrom = Date.now();
  // Shutting the provider down collects and exports once; a forceFlush before it would export twice.
  await provider.shutdown();
  return { service, prefix, resource, collectedFrom, collectedTo: Date.now() };
}

describe.each(EXPORT_VARIANTS)('metrics sent by the OpenTelemetry JS exporter over $name', (variant) => {
  let sent: SentMetrics;
  let firstExchange: number;
  const pointsOf = async (name: string, service = sent.service): Promise<MetricPoint[]> => {
    const { status, body } = await getJson<MetricPointListResponse>(setup.server.url, `/api/metrics/points?name=${name}&service=${service}`);
    expect(status, name).toBe(200);
    return body.points;
  };
  const common = () => ({
    resource: sent.resource,
    resourceSchemaUrl: RESOURCE_SCHEMA_URL,
    scope: { name: 'warehouse-meter', version: '3.1.0', attributes: {}, droppedAttributesCount: 0, schemaUrl: SCOPE_SCHEMA_URL },
    serviceName: sent.service,
    startTime: expect.any(String),
    time: expect.any(String),
    flags: 0,
    value: null,
    intValue: null,
    count: null,
    sum: null,
    min: null,
    max: null,
    bucketCounts: null,
    explicitBounds: null,
    scale: null,
    zeroCount: null,
    zeroThreshold: null,
    positive: null,
    negative: null,
    quantiles: null,
    exemplars: [],
  });

  beforeAll(async () => {
    firstExchange = setup.proxy.exchanges.length;
    sent = await sendMetrics(variant, setup.endpointFor(variant));
  });

  it('reach the server in the expected encoding and are all accepted', () => {
    expectExportsAccepted(setup.proxy.exchanges.slice(firstExchange), variant, '/v1/metrics');
  });

  it('are listed by name with their type, unit and description', async () => {
    const { body } = await getJson<MetricListResponse>(setup.server.url, '/api/metrics');
    const mine = body.metrics.filter((m) => m.name.startsWith(`${sent.prefix}.`));
    expect(mine.map(({ lastSeen: _, ...m }) => m)).toEqual([
      { name: `${sent.prefix}.batch.size`, type: 'exponential_histogram', unit: 'By', description: 'Batch size', pointCount: 2 },
      { name: `${sent.prefix}.orders`, type: 'sum', unit: '{order}', description: 'Orders placed', pointCount: 2 },
      { name: `${sent.prefix}.pick.latency`, type: 'exponential_histogram', unit: 's', description: 'Pick latency', pointCount: 1 },
      { name: `${sent.prefix}.queue.balance`, type: 'sum', unit: '{item}', description: 'Items over capacity', pointCount: 1 },
      { name: `${sent.prefix}.request.duration`, type: 'histogram', unit: 'ms', description: 'Request duration', pointCount: 1 },
      { name: `${sent.prefix}.temperature`, type: 'gauge', unit: 'Cel', description: 'Warehouse temperature', pointCount: 1 },
    ]);
    for (const metric of mine) {
      expect(Date.parse(metric.lastSeen)).toBeGreaterThanOrEqual(sent.collectedFrom);
      expect(Date.parse(metric.lastSeen)).toBeLessThanOrEqual(sent.collectedTo);
    }
  });

  it('keep a monotonic cumulative counter per attribute set', async () => {
    const points = await pointsOf(`${sent.prefix}.orders`);
    const base = {
      ...common(),
      name: `${sent.prefix}.orders`,
      description: 'Orders placed',
      unit: '{order}',
      type: 'sum',
      temporality: 'cumulative',
      isMonotonic: true,
    };
    expect(points.sort((a, b) => String(a.attributes.channel).localeCompare(String(b.attributes.channel)))).toEqual([
      { ...base, attributes: { channel: 'app' }, value: 2 },
      { ...base, attributes: { channel: 'web' }, value: 7 },
    ]);
    for (const point of points) {
      expect(Date.parse(point.time)).toBeGreaterThanOrEqual(sent.collectedFrom);
      expect(Date.parse(point.time)).toBeLessThanOrEqual(sent.collectedTo);
      expect(Date.parse(point.startTime!)).toBeLessThanOrEqual(Date.parse(point.time));
    }
  });

  it('pages through the points of one metric with nextCursor', async () => {
    const path = `/api/metrics/points?name=${sent.prefix}.orders&service=${sent.service}&limit=1`;
    const first = await getJson<MetricPointListResponse>(setup.server.url, path);
    expect(first.body.points).toHaveLength(1);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await getJson<MetricPointListResponse>(setup.server.url, `${path}&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    expect(second.body).toEqual({ points: [expect.anything()], nextCursor: null });
    expect([first.body.points[0]!.attributes, second.body.points[0]!.attributes]).toEqual(expect.arrayContaining([{ channel: 'web' }, { channel: 'app' }]));
  });

  it('keep an integer up-down counter as a non-monotonic sum, below zero', async () => {
    expect(await pointsOf(`${sent.prefix}.queue.balance`)).toEqual([
      {
        ...common(),
        name: `${sent.prefix}.queue.balance`,
        description: 'Items over capacity',
        unit: '{item}',
        type: 'sum',
        temporality: 'cumulative',
        isMonotonic: false,
        attributes: { queue: 'picking' },
        value: -3,
        intValue: '-3',
      },
    ]);
  });

  it('keep the last value of a gauge', async () => {
    expect(await pointsOf(`${sent.prefix}.temperature`)).toEqual([
      {
        ...common(),
        name: `${sent.prefix}.temperature`,
        description: 'Warehouse temperature',
        unit: 'Cel',
        type: 'gauge',
        temporality: 'unspecified',
        isMonotonic: null,
        attributes: { zone: 'a' },
        value: 21.25,
      },
    ]);
  });

  it('keep the buckets, count, sum, min and max of an explicit-bucket histogram', async () => {
    expect(await pointsOf(`${sent.prefix}.request.duration`)).toEqual([
      {
        ...common(),
        name: `${sent.prefix}.request.duration`,
        description: 'Request duration',
        unit: 'ms',
        type: 'histogram',
        temporality: 'cumulative',
        isMonotonic: null,
        attributes: { 'http.route': '/items' },
        count: 5,
        sum: 380,
        min: 5,
        max: 250,
        bucketCounts: [1, 2, 1, 1],
        explicitBounds: [10, 50, 100],
      },
    ]);
  });

  it('keep the scale, zero count and buckets of an exponential histogram', async () => {
    const points = await pointsOf(`${sent.prefix}.pick.latency`);
    // 1, 2, 4 and 8 span three powers of two; the largest scale that fits them in 160 buckets is
    // 5 (3 * 2^5 + 1 = 97 buckets). At scale 5, 2^k falls in bucket 32k - 1, so offset is -1.
    const positive = Array.from({ length: 97 }, (_, i) => (i % 32 === 0 ? 1 : 0));
    expect(points).toEqual([
      {
        ...common(),
        name: `${sent.prefix}.pick.latency`,
        description: 'Pick latency',
        unit: 's',
        type: 'exponential_histogram',
        temporality: 'cumulative',
        isMonotonic: null,
        attributes: {},
        count: 5,
        sum: 15,
        min: 0,
        max: 8,
        scale: 5,
        zeroCount: 1,
        zeroThreshold: null,
        positive: { offset: -1, bucketCounts: positive },
        // The SDK always sends an empty negative range, and never a zero threshold.
        negative: { offset: 0, bucketCounts: [] },
      },
    ]);
  });

  it('keep a zero or negative scale and a zero count of zero, which protobuf leaves off the wire', async () => {
    const base = {
      ...common(),
      name: `${sent.prefix}.batch.size`,
      description: 'Batch size',
      unit: 'By',
      type: 'exponential_histogram',
      temporality: 'cumulative',
      isMonotonic: null,
      zeroCount: 0,
      zeroThreshold: null,
      negative: { offset: 0, bucketCounts: [] },
    };
    const points = await pointsOf(`${sent.prefix}.batch.size`);
    expect(points.sort((a, b) => String(a.attributes.spread).localeCompare(String(b.attributes.spread)))).toEqual([
      // 1, 2, 4 and 8 fit in 4 buckets first at scale 0 (buckets of 2^1): indices -1 to 2.
      { ...base, attributes: { spread: 'narrow' }, count: 4, sum: 15, min: 1, max: 8, scale: 0, positive: { offset: -1, bucketCounts: [1, 1, 1, 1] } },
      // 1 and 2^20 fit in 4 buckets first at scale -3 (buckets of 2^8): indices -1 to 2.
      {
        ...base,
        attributes: { spread: 'wide' },
        count: 2,
        sum: 1_048_577,
        min: 1,
        max: 1_048_576,
        scale: -3,
        positive: { offset: -1, bucketCounts: [1, 0, 0, 1] },
      },
    ]);
  });

  it('keep delta temporality when the exporter prefers it', async () => {
    const service = `warehouse-delta-${variant.slug}`;
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      readers: [
        new PeriodicExportingMetricReader({ exporter: metricExporterFor(variant, setup.endpointFor(variant), 'delta'), exportIntervalMillis: 3_600_000 }),
      ],
    });
    const requests = provider.getMeter('warehouse-meter', '3.1.0').createCounter(`${sent.prefix}.delta.requests`);
    requests.add(5);
    await provider.forceFlush();
    requests.add(2);
    await provider.shutdown();

    const points = await pointsOf(`${sent.prefix}.delta.requests`, service);
    expect(points.map((p) => [p.value, p.temporality, p.isMonotonic, p.type])).toEqual([
      [2, 'delta', true, 'sum'],
      [5, 'delta', true, 'sum'],
    ]);
    // Each delta interval starts where the one before it ended.
    expect(points[0]!.startTime).toBe(points[1]!.time);
  });
});
