import {
  TEMPORALITIES,
  type Attributes,
  type Exemplar,
  type ExponentialBuckets,
  type MetricPointRecord,
  type MetricType,
  type QuantileValue,
  type Temporality,
} from '@spoor/model';
import { type DecodedMetricPoints, Rejections, optionalId } from '../decoded.js';
import { emptyResource, emptyScope, readKeyValue } from './common.js';
import { readExportRequest } from './envelope.js';
import { countRead, pendingCount, settleCounts } from '../exact-counts.js';
import {
  type BinaryReader,
  WT_I64,
  WT_LEN,
  WT_VARINT,
  expectEnd,
  fields,
  hexOf,
  messageEnd,
  readFixed64Count,
  readMicros,
  readSfixed64,
  readSfixed64Text,
  readString,
  skipField,
  tagOf,
} from './wire.js';

// opentelemetry/proto/collector/metrics/v1/metrics_service.proto and metrics/v1/metrics.proto
const METRIC_NAME = tagOf(1, WT_LEN);
const METRIC_DESCRIPTION = tagOf(2, WT_LEN);
const METRIC_UNIT = tagOf(3, WT_LEN);
const METRIC_GAUGE = tagOf(5, WT_LEN);
const METRIC_SUM = tagOf(7, WT_LEN);
const METRIC_HISTOGRAM = tagOf(9, WT_LEN);
const METRIC_EXP_HISTOGRAM = tagOf(10, WT_LEN);
const METRIC_SUMMARY = tagOf(11, WT_LEN);
const DATA_POINTS = tagOf(1, WT_LEN); // field 1 of Gauge, Sum, Histogram, ExponentialHistogram, Summary
const DATA_TEMPORALITY = tagOf(2, WT_VARINT);
const DATA_MONOTONIC = tagOf(3, WT_VARINT);

const METRIC_FIELDS = fields(1, 2, 3, 5, 7, 9, 10, 11); // 12, metadata, is skipped
const DATA_FIELDS = fields(1, 2, 3);

const PLACEHOLDER_RESOURCE = emptyResource();
const PLACEHOLDER_SCOPE = emptyScope();

/** Decodes an `ExportMetricsServiceRequest` body into one record per data point. */
export function decodeMetricsProtobuf(body: Uint8Array, projectId: string): DecodedMetricPoints {
  const rejections = new Rejections();
  const points = readExportRequest<MetricPointRecord>(body, 'Metrics', projectId, readMetric, rejections);
  return rejections.decoded(points);
}

/** The metric-level fields every data point of one metric shares. */
interface MetricShape {
  name: string;
  description: string;
  unit: string;
  type: MetricType;
  temporality: Temporality;
  isMonotonic: boolean | null;
}

function readMetric(r: BinaryReader, projectId: string, out: MetricPointRecord[], rejections: Rejections): void {
  const end = messageEnd(r);
  const first = out.length;
  const shape: MetricShape = { name: '', description: '', unit: '', type: 'gauge', temporality: 'unspecified', isMonotonic: null };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case METRIC_NAME:
        shape.name = readString(r);
        break;
      case METRIC_DESCRIPTION:
        shape.description = readString(r);
        break;
      case METRIC_UNIT:
        shape.unit = readString(r);
        break;
      case METRIC_GAUGE:
        readData(r, 'gauge', shape, projectId, out);
        break;
      case METRIC_SUM:
        readData(r, 'sum', shape, projectId, out);
        break;
      case METRIC_HISTOGRAM:
        readData(r, 'histogram', shape, projectId, out);
        break;
      case METRIC_EXP_HISTOGRAM:
        readData(r, 'exponential_histogram', shape, projectId, out);
        break;
      case METRIC_SUMMARY:
        readData(r, 'summary', shape, projectId, out);
        break;
      default:
        skipField(r, tag, METRIC_FIELDS, 'Metric');
    }
  }
  expectEnd(r, end);
  finishMetric(shape, out, first, rejections);
}

/**
 * Copies the metric-level fields onto its points (the name may follow the data on the wire) and
 * drops the points that cannot be stored: a metric without a name, a point without a time.
 */
export function finishMetric(shape: MetricShape, out: MetricPointRecord[], first: number, rejections: Rejections): void {
  if (shape.name === '') {
    if (out.length > first) rejections.add(out.length - first, 'metric has no name');
    out.length = first;
    return;
  }
  let kept = first;
  for (let i = first; i < out.length; i++) {
    const point = out[i]!;
    if (point.timeUs === 0) {
      rejections.add(1, `data point of metric '${shape.name}' has no time`);
      continue;
    }
    point.name = shape.name;
    point.description = shape.description;
    point.unit = shape.unit;
    point.type = shape.type;
    point.temporality = shape.temporality;
    point.isMonotonic = shape.isMonotonic;
    out[kept++] = point;
  }
  out.length = kept;
}

function readData(r: BinaryReader, type: MetricType, shape: MetricShape, projectId: string, out: MetricPointRecord[]): void {
  const end = messageEnd(r);
  shape.type = type;
  if (type === 'sum') shape.isMonotonic ??= false; // proto3 leaves `false` off the wire
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === DATA_POINTS) out.push(readPoint(r, type, projectId));
    else if (tag === DATA_TEMPORALITY && type !== 'gauge' && type !== 'summary') {
      shape.temporality = TEMPORALITIES[r.int32()] ?? 'unspecified';
    } else if (tag === DATA_MONOTONIC && type === 'sum') shape.isMonotonic = r.bool();
    else skipField(r, tag, type === 'gauge' || type === 'summary' ? fields(1) : DATA_FIELDS, type);
  }
  expectEnd(r, end);
}

/** A point with every field empty; the readers fill what the wire carries. */
export function emptyPoint(projectId: string, type: MetricType): MetricPointRecord {
  return {
    projectId,
    name: '',
    description: '',
    unit: '',
    type,
    temporality: 'unspecified',
    isMonotonic: null,
    serviceName: '',
    resource: PLACEHOLDER_RESOURCE,
    scope: PLACEHOLDER_SCOPE,
    attributes: {},
    startTimeUs: null,
    timeUs: 0,
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
  };
}

// Field numbers differ per data point type; each entry maps a role to its field number.
interface PointLayout {
  attributes: number;
  startTime: number;
  time: number;
  exemplars: number;
  flags: number;
}
const NUMBER_LAYOUT: PointLayout = { attributes: 7, startTime: 2, time: 3, exemplars: 5, flags: 8 };
const HISTOGRAM_LAYOUT: PointLayout = { attributes: 9, startTime: 2, time: 3, exemplars: 8, flags: 10 };
const EXP_LAYOUT: PointLayout = { attributes: 1, startTime: 2, time: 3, exemplars: 11, flags: 10 };
const SUMMARY_LAYOUT: PointLayout = { attributes: 7, startTime: 2, time: 3, exemplars: 0, flags: 8 };

const LAYOUTS: Record<MetricType, PointLayout> = {
  gauge: NUMBER_LAYOUT,
  sum: NUMBER_LAYOUT,
  histogram: HISTOGRAM_LAYOUT,
  exponential_histogram: EXP_LAYOUT,
  summary: SUMMARY_LAYOUT,
};
const KNOWN_POINT_FIELDS: Record<MetricType, number> = {
  gauge: fields(2, 3, 4, 5, 6, 7, 8),
  sum: fields(2, 3, 4, 5, 6, 7, 8),
  histogram: fields(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
  exponential_histogram: fields(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
  summary: fields(2, 3, 4, 5, 6, 7, 8),
};

function readPoint(r: BinaryReader, type: MetricType, projectId: string): MetricPointRecord {
  const end = messageEnd(r);
  const point = emptyPoint(projectId, type);
  const layout = LAYOUTS[type];
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === layout.attributes && wireType === WT_LEN) readKeyValue(r, point.attributes);
    else if (field === layout.startTime && wireType === WT_I64) point.startTimeUs = readMicros(r);
    else if (field === layout.time && wireType === WT_I64) point.timeUs = readMicros(r);
    else if (field === layout.exemplars && wireType === WT_LEN) point.exemplars.push(readExemplar(r));
    else if (field === layout.flags && wireType === WT_VARINT) point.flags = r.uint32();
    else if (!readTypedField(r, type, point, field, wireType)) {
      skipField(r, tag, KNOWN_POINT_FIELDS[type], `${type} data point`);
    }
  }
  expectEnd(r, end);
  if (point.startTimeUs === 0) point.startTimeUs = null;
  // Proto3 leaves zero values off the wire (the Collector always, OpenTelemetry JS for `scale`):
  // an absent count, scale or list is a zero or an empty list, as the JSON decoder reads it.
  if (type !== 'gauge' && type !== 'sum') point.count ??= 0;
  if (type === 'histogram') {
    point.bucketCounts ??= [];
    point.explicitBounds ??= [];
  } else if (type === 'exponential_histogram') {
    point.scale ??= 0;
    point.zeroCount ??= 0;
  } else if (type === 'summary') point.quantiles ??= [];
  settleCounts(point);
  return point;
}

/** Reads a field particular to one data point type; returns false when the field is not one. */
function readTypedField(r: BinaryReader, type: MetricType, point: MetricPointRecord, field: number, wireType: number): boolean {
  if (type === 'gauge' || type === 'sum') {
    // `as_double` and `as_int` are a oneof: the last on the wire wins.
    if (field === 4 && wireType === WT_I64) {
      point.value = r.double();
      point.intValue = null;
    } else if (field === 6 && wireType === WT_I64) {
      point.intValue = readSfixed64Text(r);
      point.value = Number(point.intValue);
    } else return false;
    return true;
  }
  if (type === 'histogram') {
    if (field === 4 && wireType === WT_I64) point.count = pendingCount(readFixed64Count(r));
    else if (field === 5 && wireType === WT_I64) point.sum = r.double();
    else if (field === 6) point.bucketCounts = readRepeatedFixed64(r, wireType, point.bucketCounts);
    else if (field === 7) point.explicitBounds = readRepeatedDouble(r, wireType, point.explicitBounds);
    else if (field === 11 && wireType === WT_I64) point.min = r.double();
    else if (field === 12 && wireType === WT_I64) point.max = r.double();
    else return false;
    return true;
  }
  if (type === 'exponential_histogram') {
    if (field === 4 && wireType === WT_I64) point.count = pendingCount(readFixed64Count(r));
    else if (field === 5 && wireType === WT_I64) point.sum = r.double();
    else if (field === 6 && wireType === WT_VARINT) point.scale = r.sint32();
    else if (field === 7 && wireType === WT_I64) point.zeroCount = pendingCount(readFixed64Count(r));
    else if (field === 8 && wireType === WT_LEN) point.positive = readBuckets(r);
    else if (field === 9 && wireType === WT_LEN) point.negative = readBuckets(r);
    else if (field === 12 && wireType === WT_I64) point.min = r.double();
    else if (field === 13 && wireType === WT_I64) point.max = r.double();
    else if (field === 14 && wireType === WT_I64) point.zeroThreshold = r.double();
    else return false;
    return true;
  }
  // summary
  if (field === 4 && wireType === WT_I64) point.count = pendingCount(readFixed64Count(r));
  else if (field === 5 && wireType === WT_I64) point.sum = r.double();
  else if (field === 6 && wireType === WT_LEN) (point.quantiles ??= []).push(readQuantile(r));
  else return false;
  return true;
}

/** `repeated fixed64`, packed (one LEN field) or not (one I64 field per value). */
function readRepeatedFixed64(r: BinaryReader, wireType: number, into: number[] | null): number[] {
  const values = into ?? [];
  if (wireType === WT_I64) {
    values.push(pendingCount(readFixed64Count(r)));
  } else if (wireType === WT_LEN) {
    const end = messageEnd(r);
    if ((end - r.pos) % 8 !== 0) throw new RangeError('packed fixed64 length is not a multiple of 8');
    while (r.pos < end) values.push(pendingCount(readFixed64Count(r)));
  } else {
    throw new RangeError(`bucket counts have the wrong wire type ${wireType}`);
  }
  return values;
}

/** `repeated double`, packed or not. */
function readRepeatedDouble(r: BinaryReader, wireType: number, into: number[] | null): number[] {
  const values = into ?? [];
  if (wireType === WT_I64) {
    values.push(r.double());
  } else if (wireType === WT_LEN) {
    const end = messageEnd(r);
    if ((end - r.pos) % 8 !== 0) throw new RangeError('packed double length is not a multiple of 8');
    while (r.pos < end) values.push(r.double());
  } else {
    throw new RangeError(`explicit bounds have the wrong wire type ${wireType}`);
  }
  return values;
}

function readBuckets(r: BinaryReader): ExponentialBuckets {
  const end = messageEnd(r);
  const buckets: ExponentialBuckets = { offset: 0, bucketCounts: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === tagOf(1, WT_VARINT)) buckets.offset = r.sint32();
    else if (tag === tagOf(2, WT_VARINT)) buckets.bucketCounts.push(pendingCount(countRead(r.uint64())));
    else if (tag === tagOf(2, WT_LEN)) {
      const packedEnd = messageEnd(r);
      while (r.pos < packedEnd) buckets.bucketCounts.push(pendingCount(countRead(r.uint64())));
      expectEnd(r, packedEnd);
    } else skipField(r, tag, fields(1, 2), 'ExponentialHistogramDataPoint.Buckets');
  }
  expectEnd(r, end);
  return buckets;
}

function readQuantile(r: BinaryReader): QuantileValue {
  const end = messageEnd(r);
  const quantile: QuantileValue = { quantile: 0, value: 0 };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === tagOf(1, WT_I64)) quantile.quantile = r.double();
    else if (tag === tagOf(2, WT_I64)) quantile.value = r.double();
    else skipField(r, tag, fields(1, 2), 'SummaryDataPoint.ValueAtQuantile');
  }
  expectEnd(r, end);
  return quantile;
}

function readExemplar(r: BinaryReader): Exemplar {
  const end = messageEnd(r);
  const exemplar: Exemplar = { timeUs: 0, value: 0, traceId: null, spanId: null, filteredAttributes: {} as Attributes };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case tagOf(7, WT_LEN):
        readKeyValue(r, exemplar.filteredAttributes);
        break;
      case tagOf(2, WT_I64):
        exemplar.timeUs = readMicros(r);
        break;
      case tagOf(3, WT_I64):
        exemplar.value = r.double();
        delete exemplar.intValue;
        break;
      case tagOf(6, WT_I64): {
        // `as_double` and `as_int` are a oneof: the last wins. Past 2^53 the integer is kept as text.
        const value = readSfixed64(r);
        exemplar.value = Number(value);
        if (typeof value === 'string') exemplar.intValue = value;
        else delete exemplar.intValue;
        break;
      }
      case tagOf(4, WT_LEN):
        exemplar.spanId = optionalId(hexOf(r.bytes()));
        break;
      case tagOf(5, WT_LEN):
        exemplar.traceId = optionalId(hexOf(r.bytes()));
        break;
      default:
        skipField(r, tag, fields(2, 3, 4, 5, 6, 7), 'Exemplar');
    }
  }
  expectEnd(r, end);
  return exemplar;
}
