import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { type JsonObject, double, malformedJson, parseJsonBody } from './common.js';

/**
 * OTLP/JSON export requests written again as OTLP protobuf, field by field, for what Spoor sends
 * on (forwarding speaks protobuf whatever a request came in). Each JSON field is written to its
 * field number as it was: nanosecond times and 64-bit integers exactly (big ones are quoted before
 * parsing, `parseJsonBody`), ids and `bytesValue`s as bytes, enums by number or by name. Fields
 * OTLP does not define are left out, as Spoor's JSON decoder ignores them. A value of the wrong
 * JSON type makes the body malformed (the decoder had accepted it, so that is a mistake here).
 */

type Scalar = 'string' | 'hex' | 'uint32' | 'uint64' | 'sint32' | 'fixed32' | 'fixed64' | 'sfixed64' | 'double' | 'bool';
interface Field {
  no: number;
  type: Scalar | 'anyValue' | 'enum' | (() => Schema);
  repeated?: boolean;
  /** A packed repeated scalar (one length-delimited field). */
  packed?: boolean;
  /** Enum names by number, and the prefix the protobuf JSON mapping writes before them. */
  names?: { prefix: string; values: readonly string[] };
}
type Schema = Readonly<Record<string, Field>>;

const enumOf = (prefix: string, values: readonly string[]): Field['names'] => ({ prefix, values });
const SEVERITIES = ['UNSPECIFIED', ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((n) => [n, `${n}2`, `${n}3`, `${n}4`])];
const TEMPORALITY = enumOf('AGGREGATION_TEMPORALITY_', ['UNSPECIFIED', 'DELTA', 'CUMULATIVE']);

const KEY_VALUE: Schema = { key: { no: 1, type: 'string' }, value: { no: 2, type: 'anyValue' } };
const attributes = (no: number): Field => ({ no, type: () => KEY_VALUE, repeated: true });
const RESOURCE: Schema = { attributes: attributes(1), droppedAttributesCount: { no: 2, type: 'uint32' } };
const SCOPE: Schema = {
  name: { no: 1, type: 'string' },
  version: { no: 2, type: 'string' },
  attributes: attributes(3),
  droppedAttributesCount: { no: 4, type: 'uint32' },
};

/** `Resource<X>` of `Scope<X>` of records: the envelope every signal shares. */
function envelope(resourceKey: string, scopeKey: string, recordsKey: string, record: Schema): Schema {
  const scoped: Schema = {
    scope: { no: 1, type: () => SCOPE },
    [recordsKey]: { no: 2, type: () => record, repeated: true },
    schemaUrl: { no: 3, type: 'string' },
  };
  const resourced: Schema = {
    resource: { no: 1, type: () => RESOURCE },
    [scopeKey]: { no: 2, type: () => scoped, repeated: true },
    schemaUrl: { no: 3, type: 'string' },
  };
  return { [resourceKey]: { no: 1, type: () => resourced, repeated: true } };
}

const EVENT: Schema = {
  timeUnixNano: { no: 1, type: 'fixed64' },
  name: { no: 2, type: 'string' },
  attributes: attributes(3),
  droppedAttributesCount: { no: 4, type: 'uint32' },
};
const LINK: Schema = {
  traceId: { no: 1, type: 'hex' },
  spanId: { no: 2, type: 'hex' },
  traceState: { no: 3, type: 'string' },
  attributes: attributes(4),
  droppedAttributesCount: { no: 5, type: 'uint32' },
  flags: { no: 6, type: 'fixed32' },
};
const STATUS: Schema = { message: { no: 2, type: 'string' }, code: { no: 3, type: 'enum', names: enumOf('STATUS_CODE_', ['UNSET', 'OK', 'ERROR']) } };
const SPAN: Schema = {
  traceId: { no: 1, type: 'hex' },
  spanId: { no: 2, type: 'hex' },
  traceState: { no: 3, type: 'string' },
  parentSpanId: { no: 4, type: 'hex' },
  name: { no: 5, type: 'string' },
  kind: { no: 6, type: 'enum', names: enumOf('SPAN_KIND_', ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']) },
  startTimeUnixNano: { no: 7, type: 'fixed64' },
  endTimeUnixNano: { no: 8, type: 'fixed64' },
  attributes: attributes(9),
  droppedAttributesCount: { no: 10, type: 'uint32' },
  events: { no: 11, type: () => EVENT, repeated: true },
  droppedEventsCount: { no: 12, type: 'uint32' },
  links: { no: 13, type: () => LINK, repeated: true },
  droppedLinksCount: { no: 14, type: 'uint32' },
  status: { no: 15, type: () => STATUS },
  flags: { no: 16, type: 'fixed32' },
};
const LOG_RECORD: Schema = {
  timeUnixNano: { no: 1, type: 'fixed64' },
  severityNumber: { no: 2, type: 'enum', names: enumOf('SEVERITY_NUMBER_', SEVERITIES) },
  severityText: { no: 3, type: 'string' },
  body: { no: 5, type: 'anyValue' },
  attributes: attributes(6),
  droppedAttributesCount: { no: 7, type: 'uint32' },
  flags: { no: 8, type: 'fixed32' },
  traceId: { no: 9, type: 'hex' },
  spanId: { no: 10, type: 'hex' },
  observedTimeUnixNano: { no: 11, type: 'fixed64' },
  eventName: { no: 12, type: 'string' },
};

const EXEMPLAR: Schema = {
  filteredAttributes: attributes(7),
  timeUnixNano: { no: 2, type: 'fixed64' },
  asDouble: { no: 3, type: 'double' },
  asInt: { no: 6, type: 'sfixed64' },
  spanId: { no: 4, type: 'hex' },
  traceId: { no: 5, type: 'hex' },
};
const POINT_TIMES = { startTimeUnixNano: { no: 2, type: 'fixed64' }, timeUnixNano: { no: 3, type: 'fixed64' } } as const satisfies Schema;
const NUMBER_POINT: Schema = {
  ...POINT_TIMES,
  attributes: attributes(7),
  asDouble: { no: 4, type: 'double' },
  asInt: { no: 6, type: 'sfixed64' },
  exemplars: { no: 5, type: () => EXEMPLAR, repeated: true },
  flags: { no: 8, type: 'uint32' },
};
const HISTOGRAM_POINT: Schema = {
  ...POINT_TIMES,
  attributes: attributes(9),
  count: { no: 4, type: 'fixed64' },
  sum: { no: 5, type: 'double' },
  bucketCounts: { no: 6, type: 'fixed64', repeated: true, packed: true },
  explicitBounds: { no: 7, type: 'double', repeated: true, packed: true },
  exemplars: { no: 8, type: () => EXEMPLAR, repeated: true },
  flags: { no: 10, type: 'uint32' },
  min: { no: 11, type: 'double' },
  max: { no: 12, type: 'double' },
};
const BUCKETS: Schema = { offset: { no: 1, type: 'sint32' }, bucketCounts: { no: 2, type: 'uint64', repeated: true, packed: true } };
const EXP_POINT: Schema = {
  ...POINT_TIMES,
  attributes: attributes(1),
  count: { no: 4, type: 'fixed64' },
  sum: { no: 5, type: 'double' },
  scale: { no: 6, type: 'sint32' },
  zeroCount: { no: 7, type: 'fixed64' },
  positive: { no: 8, type: () => BUCKETS },
  negative: { no: 9, type: () => BUCKETS },
  flags: { no: 10, type: 'uint32' },
  exemplars: { no: 11, type: () => EXEMPLAR, repeated: true },
  min: { no: 12, type: 'double' },
  max: { no: 13, type: 'double' },
  zeroThreshold: { no: 14, type: 'double' },
};
const QUANTILE: Schema = { quantile: { no: 1, type: 'double' }, value: { no: 2, type: 'double' } };
const SUMMARY_POINT: Schema = {
  ...POINT_TIMES,
  attributes: attributes(7),
  count: { no: 4, type: 'fixed64' },
  sum: { no: 5, type: 'double' },
  quantileValues: { no: 6, type: () => QUANTILE, repeated: true },
  flags: { no: 8, type: 'uint32' },
};
const points = (point: Schema, more: Schema = {}): Schema => ({ dataPoints: { no: 1, type: () => point, repeated: true }, ...more });
const WITH_TEMPORALITY: Schema = { aggregationTemporality: { no: 2, type: 'enum', names: TEMPORALITY } };
const METRIC: Schema = {
  name: { no: 1, type: 'string' },
  description: { no: 2, type: 'string' },
  unit: { no: 3, type: 'string' },
  gauge: { no: 5, type: () => points(NUMBER_POINT) },
  sum: { no: 7, type: () => points(NUMBER_POINT, { ...WITH_TEMPORALITY, isMonotonic: { no: 3, type: 'bool' } }) },
  histogram: { no: 9, type: () => points(HISTOGRAM_POINT, WITH_TEMPORALITY) },
  exponentialHistogram: { no: 10, type: () => points(EXP_POINT, WITH_TEMPORALITY) },
  summary: { no: 11, type: () => points(SUMMARY_POINT) },
  metadata: attributes(12),
};

const REQUESTS = {
  traces: envelope('resourceSpans', 'scopeSpans', 'spans', SPAN),
  logs: envelope('resourceLogs', 'scopeLogs', 'logRecords', LOG_RECORD),
  metrics: envelope('resourceMetrics', 'scopeMetrics', 'metrics', METRIC),
};

/** An OTLP/JSON `Export<Signal>ServiceRequest` body as the protobuf body of the same request. */
export function protobufFromJson(signal: 'traces' | 'logs' | 'metrics', body: Uint8Array): Uint8Array {
  const w = new BinaryWriter();
  writeMessage(w, parseJsonBody(body), REQUESTS[signal], '');
  return w.finish();
}

const MAX_DEPTH = 32;

function writeMessage(w: BinaryWriter, object: JsonObject, schema: Schema, at: string): void {
  for (const key of Object.keys(object)) {
    const field = Object.hasOwn(schema, key) ? schema[key] : undefined;
    const value = object[key];
    if (field === undefined || value === null || value === undefined) continue;
    const where = `${at}.${key}`;
    if (!field.repeated) {
      writeField(w, field, value, where);
      continue;
    }
    if (!Array.isArray(value)) throw malformedJson(`${where} must be an array`);
    if (field.packed) {
      if (value.length === 0) continue;
      w.tag(field.no, WireType.LengthDelimited).fork();
      for (const item of value) writeScalar(w, field.type as Scalar, item, where);
      w.join();
    } else {
      value.forEach((item, i) => writeField(w, field, item, `${where}[${i}]`));
    }
  }
}

function writeField(w: BinaryWriter, field: Field, value: unknown, where: string): void {
  const { no, type } = field;
  if (typeof type === 'function') {
    w.tag(no, WireType.LengthDelimited).fork();
    writeMessage(w, objectAt(value, where), type(), where);
    w.join();
  } else if (type === 'anyValue') {
    w.tag(no, WireType.LengthDelimited).fork();
    writeAnyValue(w, value, where, 0);
    w.join();
  } else if (type === 'enum') {
    w.tag(no, WireType.Varint).int32(enumNumber(value, field.names!, where));
  } else {
    w.tag(no, WIRE_TYPES[type]);
    writeScalar(w, type, value, where);
  }
}

const WIRE_TYPES: Record<Scalar, WireType> = {
  string: WireType.LengthDelimited,
  hex: WireType.LengthDelimited,
  uint32: WireType.Varint,
  uint64: WireType.Varint,
  sint32: WireType.Varint,
  fixed32: WireType.Bit32,
  fixed64: WireType.Bit64,
  sfixed64: WireType.Bit64,
  double: WireType.Bit64,
  bool: WireType.Varint,
};

function writeScalar(w: BinaryWriter, type: Scalar, value: unknown, where: string): void {
  switch (type) {
    case 'string':
      w.string(text(value, where));
      return;
    case 'hex':
      // An id of the wrong length (a record Spoor rejected) goes as the bytes it has: the destination judges it too.
      w.bytes(Buffer.from(text(value, where), 'hex'));
      return;
    case 'uint32':
      w.uint32(Number(integerText(value, where)));
      return;
    case 'uint64':
      w.uint64(integerText(value, where));
      return;
    case 'sint32':
      w.sint32(Number(integerText(value, where)));
      return;
    case 'fixed32':
      w.fixed32(Number(integerText(value, where)));
      return;
    case 'fixed64':
      w.fixed64(integerText(value, where));
      return;
    case 'sfixed64':
      w.sfixed64(integerText(value, where));
      return;
    case 'double':
      w.double(double(value, where));
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw malformedJson(`${where} must be a boolean`);
      w.bool(value);
  }
}

/** As Spoor's JSON decoder reads an AnyValue: the first of its kinds present wins. */
function writeAnyValue(w: BinaryWriter, value: unknown, where: string, depth: number): void {
  if (depth > MAX_DEPTH) throw malformedJson(`values nested deeper than ${MAX_DEPTH}`);
  const v = objectAt(value, where);
  if ('stringValue' in v) {
    if (v.stringValue !== null && v.stringValue !== undefined) w.tag(1, WireType.LengthDelimited).string(text(v.stringValue, `${where}.stringValue`));
  } else if ('boolValue' in v) {
    w.tag(2, WireType.Varint);
    writeScalar(w, 'bool', v.boolValue, `${where}.boolValue`);
  } else if ('intValue' in v) w.tag(3, WireType.Varint).int64(integerText(v.intValue, `${where}.intValue`));
  else if ('doubleValue' in v) w.tag(4, WireType.Bit64).double(double(v.doubleValue, `${where}.doubleValue`));
  else if ('arrayValue' in v) {
    w.tag(5, WireType.LengthDelimited).fork();
    const values = (v.arrayValue as JsonObject | null)?.values ?? [];
    if (!Array.isArray(values)) throw malformedJson(`${where}.arrayValue.values must be an array`);
    values.forEach((item, i) => {
      w.tag(1, WireType.LengthDelimited).fork();
      writeAnyValue(w, item, `${where}.arrayValue.values[${i}]`, depth + 1);
      w.join();
    });
    w.join();
  } else if ('kvlistValue' in v) {
    w.tag(6, WireType.LengthDelimited).fork();
    const values = (v.kvlistValue as JsonObject | null)?.values ?? [];
    if (!Array.isArray(values)) throw malformedJson(`${where}.kvlistValue.values must be an array`);
    values.forEach((item, i) => {
      const kv = objectAt(item, `${where}.kvlistValue.values[${i}]`);
      w.tag(1, WireType.LengthDelimited).fork();
      w.tag(1, WireType.LengthDelimited).string(text(kv.key ?? '', `${where}.kvlistValue.values[${i}].key`));
      if (kv.value !== null && kv.value !== undefined) {
        w.tag(2, WireType.LengthDelimited).fork();
        writeAnyValue(w, kv.value, `${where}.kvlistValue.values[${i}].value`, depth + 1);
        w.join();
      }
      w.join();
    });
    w.join();
  } else if ('bytesValue' in v) w.tag(7, WireType.LengthDelimited).bytes(Buffer.from(text(v.bytesValue, `${where}.bytesValue`), 'base64'));
}

function objectAt(value: unknown, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformedJson(`${where} must be an object`);
  return value as JsonObject;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw malformedJson(`${where} must be a string`);
  return value;
}

/** A 64-bit (or smaller) integer as decimal text, exactly: a number or a decimal string. */
function integerText(value: unknown, where: string): string {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString();
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
  throw malformedJson(`${where} must be an integer`);
}

function enumNumber(value: unknown, names: NonNullable<Field['names']>, where: string): number {
  if (typeof value === 'string' && !/^-?\d+$/.test(value)) {
    const index = value.startsWith(names.prefix) ? names.values.indexOf(value.slice(names.prefix.length)) : -1;
    if (index < 0) throw malformedJson(`${where} has the unknown value '${value}'`);
    return index;
  }
  return Number(integerText(value, where));
}
