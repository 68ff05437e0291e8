import { TEMPORALITIES, type Exemplar, type MetricPointRecord, type MetricType } from '@spoor/model';
import { pendingCount, settleCounts } from '../exact-counts.js';
import { type DecodedMetricPoints, Rejections, optionalId } from '../decoded.js';
import { emptyPoint, finishMetric } from '../protobuf/metrics.js';
import {
  type JsonObject,
  array,
  attributes,
  count,
  double,
  enumValue,
  forEachRecord,
  hexId,
  int64Text,
  integer,
  micros,
  object,
  optionalDouble,
  optionalObject,
  parseJsonBody,
  string,
} from './common.js';

const DATA_KEYS: ReadonlyArray<[string, MetricType]> = [
  ['gauge', 'gauge'],
  ['sum', 'sum'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary'],
];

/** Decodes an OTLP/JSON `ExportMetricsServiceRequest` into one record per data point. */
export function decodeMetricsJson(body: Uint8Array, projectId: string): DecodedMetricPoints {
  const request = parseJsonBody(body);
  const points: MetricPointRecord[] = [];
  const rejections = new Rejections();
  forEachRecord(request, { resource: 'resourceMetrics', scope: 'scopeMetrics', records: 'metrics' }, (m, { at, resource, scope, serviceName }) => {
    const first = points.length;
    const shape = {
      name: string(m.name, `${at}.name`),
      description: string(m.description, `${at}.description`),
      unit: string(m.unit, `${at}.unit`),
      type: 'gauge' as MetricType,
      temporality: TEMPORALITIES[0]!,
      isMonotonic: null as boolean | null,
    };
    for (const [key, type] of DATA_KEYS) {
      const data = optionalObject(m[key], `${at}.${key}`);
      if (data === null) continue;
      shape.type = type;
      if (type !== 'gauge' && type !== 'summary') {
        const t = enumValue(data.aggregationTemporality, TEMPORALITIES, 'AGGREGATION_TEMPORALITY_', `${at}.${key}.aggregationTemporality`);
        shape.temporality = TEMPORALITIES[t] ?? 'unspecified';
      }
      if (type === 'sum') shape.isMonotonic = data.isMonotonic === true;
      const list = array(data.dataPoints, `${at}.${key}.dataPoints`);
      for (let n = 0; n < list.length; n++) {
        const point = pointFromJson(object(list[n], `${at}.${key}.dataPoints[${n}]`), type, projectId, `${at}.${key}.dataPoints[${n}]`);
        point.resource = resource;
        point.scope = scope;
        point.serviceName = serviceName;
        points.push(point);
      }
    }
    finishMetric(shape, points, first, rejections);
  });
  return { records: points, rejected: rejections.count, rejectReason: rejections.reason };
}

function pointFromJson(p: JsonObject, type: MetricType, projectId: string, at: string): MetricPointRecord {
  const point = emptyPoint(projectId, type);
  point.attributes = attributes(p.attributes, `${at}.attributes`);
  const start = micros(p.startTimeUnixNano, `${at}.startTimeUnixNano`);
  point.startTimeUs = start === 0 ? null : start;
  point.timeUs = micros(p.timeUnixNano, `${at}.timeUnixNano`);
  point.flags = integer(p.flags, `${at}.flags`);
  point.exemplars = array(p.exemplars, `${at}.exemplars`).map((e, n): Exemplar => {
    const ex = object(e, `${at}.exemplars[${n}]`);
    // Past 2^53 an integer is kept exactly as text beside its double, as the protobuf decoder keeps it.
    const asInt = ex.asInt !== undefined ? int64Text(ex.asInt, `${at}.exemplars[${n}].asInt`) : null;
    const exemplar: Exemplar = {
      timeUs: micros(ex.timeUnixNano, `${at}.exemplars[${n}].timeUnixNano`),
      value: asInt !== null ? Number(asInt) : double(ex.asDouble ?? 0, `${at}.exemplars[${n}].asDouble`),
      traceId: optionalId(hexId(ex.traceId, `${at}.exemplars[${n}].traceId`)),
      spanId: optionalId(hexId(ex.spanId, `${at}.exemplars[${n}].spanId`)),
      filteredAttributes: attributes(ex.filteredAttributes, `${at}.exemplars[${n}].filteredAttributes`),
    };
    if (asInt !== null && !Number.isSafeInteger(exemplar.value)) exemplar.intValue = asInt;
    return exemplar;
  });
  if (type === 'gauge' || type === 'sum') {
    if (p.asInt !== undefined && p.asInt !== null) {
      point.intValue = int64Text(p.asInt, `${at}.asInt`);
      point.value = Number(point.intValue);
    } else if (p.asDouble !== undefined && p.asDouble !== null) point.value = double(p.asDouble, `${at}.asDouble`);
    return point;
  }
  point.count = pendingCount(count(p.count, `${at}.count`));
  point.sum = optionalDouble(p.sum, `${at}.sum`);
  if (type === 'summary') {
    point.quantiles = array(p.quantileValues, `${at}.quantileValues`).map((q, n) => {
      const qv = object(q, `${at}.quantileValues[${n}]`);
      return { quantile: double(qv.quantile ?? 0, `${at}.quantileValues[${n}].quantile`), value: double(qv.value ?? 0, `${at}.quantileValues[${n}].value`) };
    });
    settleCounts(point);
    return point;
  }
  point.min = optionalDouble(p.min, `${at}.min`);
  point.max = optionalDouble(p.max, `${at}.max`);
  if (type === 'histogram') {
    point.bucketCounts = array(p.bucketCounts, `${at}.bucketCounts`).map((c, n) => pendingCount(count(c, `${at}.bucketCounts[${n}]`)));
    point.explicitBounds = array(p.explicitBounds, `${at}.explicitBounds`).map((b, n) => double(b, `${at}.explicitBounds[${n}]`));
    settleCounts(point);
    return point;
  }
  point.scale = integer(p.scale, `${at}.scale`);
  point.zeroCount = pendingCount(count(p.zeroCount, `${at}.zeroCount`));
  point.zeroThreshold = optionalDouble(p.zeroThreshold, `${at}.zeroThreshold`);
  for (const sign of ['positive', 'negative'] as const) {
    const buckets = optionalObject(p[sign], `${at}.${sign}`);
    if (buckets === null) continue;
    point[sign] = {
      offset: integer(buckets.offset, `${at}.${sign}.offset`),
      bucketCounts: array(buckets.bucketCounts, `${at}.${sign}.bucketCounts`).map((c, n) => pendingCount(count(c, `${at}.${sign}.bucketCounts[${n}]`))),
    };
  }
  settleCounts(point);
  return point;
}
