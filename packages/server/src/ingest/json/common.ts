import { countRead } from '../exact-counts.js';
import type { AttributeValue, Attributes, InstrumentationScope, Resource, SpanEventRecord, SpanLink } from '@spoor/model';
import { AppError } from '../../errors.js';
import { serviceNameOf, setAttribute } from '../decoded.js';

/**
 * Walkers for OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
 * lowerCamelCase keys, trace and span ids as hex, enums as integers, 64-bit integers as
 * decimal strings or numbers, `bytes` values as base64. A value of the wrong JSON type makes the
 * body malformed and names where it was found.
 */
export type JsonObject = Record<string, unknown>;

export function malformedJson(message: string): AppError {
  return new AppError('ERR_INGEST_MALFORMED_BODY', `malformed OTLP/JSON: ${message}`);
}

/** Decodes UTF-8 strictly: invalid bytes make the body malformed, as in protobuf's strings. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonBody(body: Uint8Array): JsonObject {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw malformedJson('the body is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(quoteBigInts(text));
  } catch (error) {
    throw malformedJson((error as Error).message);
  }
  return object(parsed, 'request body');
}

/**
 * The int64 fields the protobuf JSON mapping lets a client write as bare numbers, with 16 digits
 * or more (what `JSON.parse` may round): the nanosecond times (`timeUnixNano`,
 * `startTimeUnixNano`, ...: every key ending in `UnixNano`), attribute `intValue`s, metric
 * `asInt`s and the counts `count` and `zeroCount`. A key is matched with its closing quote, which a string value cannot hold unescaped.
 */
const BARE_TIME = /(UnixNano"\s*:\s*)(\d{16,})(?=\s*[,}\]])/g;
const BARE_INT64 = /("(?:intValue|asInt|count|zeroCount)"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g;

/**
 * The protobuf JSON mapping lets an int64 be a bare number, and `JSON.parse` rounds one above
 * 2^53: `9007199254740993` became `…992`, and a span starting at `…099999999` ns read as
 * starting at `…100000` µs, a microsecond after it did. Such numbers are quoted first, so they
 * read as the exact decimal strings a quoted one gives. Only a body that has one is copied. On a
 * 1.8 MB body of 2,000 spans with quoted times, the search takes 0.54 ms against 3.7 ms for
 * `JSON.parse` (one pattern for all the keys took 1.11 ms); with bare times, 2.2 ms.
 * (Node 20's `JSON.parse` cannot show a reviver the source text.)
 */
export function quoteBigInts(text: string): string {
  const timed = text.replace(BARE_TIME, '$1"$2"');
  return timed.includes('"intValue"') || timed.includes('"asInt"') || timed.includes('"count"') || timed.includes('"zeroCount"')
    ? timed.replace(BARE_INT64, '$1"$2"')
    : timed;
}

export function object(value: unknown, where: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformedJson(`${where} must be an object`);
  }
  return value as JsonObject;
}

/** An optional object field: `undefined`/`null` give `null`. */
export function optionalObject(value: unknown, where: string): JsonObject | null {
  return value === undefined || value === null ? null : object(value, where);
}

/** An optional array field: `undefined`/`null` give an empty array. */
export function array(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformedJson(`${where} must be an array`);
  return value;
}

/**
 * A string field. JSON can carry a lone UTF-16 surrogate (`"\ud800"`), which no UTF-8 text
 * can: it becomes U+FFFD, as invalid bytes do in protobuf's strings' readers. Kept as it was, it
 * was stored as a `\ud800` escape that DuckDB's JSON functions refuse, so one such value made
 * every log search and attribute filter over it fail.
 */
export function string(value: unknown, where: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw malformedJson(`${where} must be a string`);
  const text = value as string & WellFormed;
  return text.isWellFormed() ? value : text.toWellFormed();
}

/** ES2024's string methods (Node 20 has them; the compiler's library here is ES2023). */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * A uint64 count that may arrive as a number or a decimal string (absent gives 0), as
 * `CountRead`: a number when a double holds it exactly, else its canonical decimal text. A bare
 * number past 2^53 is exact only as a `count` or `zeroCount` (`quoteBigInts`); the mapping
 * writes uint64s as strings, which are always.
 */
export function count(value: unknown, where: string): number | string {
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return countRead(BigInt(value));
  return integer(value, where);
}

/** An integer that may arrive as a number or a decimal string; absent gives 0. */
export function integer(value: unknown, where: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  throw malformedJson(`${where} must be an integer`);
}

/** A double; OTLP/JSON also allows the strings "NaN", "Infinity" and "-Infinity". */
export function double(value: unknown, where: string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  throw malformedJson(`${where} must be a number`);
}

export function optionalDouble(value: unknown, where: string): number | null {
  return value === undefined || value === null ? null : double(value, where);
}

/**
 * An enum: an integer, or (leniently) its name as the protobuf JSON mapping prints it, such as
 * `SPAN_KIND_SERVER`, looked up in `names` by the part after the prefix.
 */
export function enumValue(value: unknown, names: readonly string[], prefix: string, where: string): number {
  if (typeof value === 'string' && !/^-?\d+$/.test(value)) {
    const index = names.indexOf(value.startsWith(prefix) ? value.slice(prefix.length).toLowerCase() : '');
    if (index < 0) throw malformedJson(`${where} has the unknown value '${value}'`);
    return index;
  }
  return integer(value, where);
}

/**
 * A unix-nanosecond timestamp as epoch microseconds, cut to the microsecond: a start at
 * `…099999999` ns is `…099999` µs. Decimal strings are cut exactly, and so are bare numbers,
 * which were quoted before parsing when long enough to round (`quoteBigInts`); only a number in
 * exponent form (`1.7e18`) is read as the double it is.
 */
export function micros(value: unknown, where: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string' && /^\d+$/.test(value)) {
    return value.length <= 3 ? 0 : Number(value.slice(0, -3));
  }
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value / 1000);
  throw malformedJson(`${where} must be unix nanoseconds as a string or number`);
}

const HEX = /^[0-9a-fA-F]*$/;

/** A trace or span id: hex in OTLP/JSON. Returns lowercase hex; length is checked by the caller. */
export function hexId(value: unknown, where: string): string {
  const text = string(value, where);
  if (!HEX.test(text)) throw malformedJson(`${where} must be hex`);
  return text.toLowerCase();
}

const MAX_DEPTH = 32;

export function anyValue(value: unknown, where: string, depth = 0): AttributeValue {
  if (depth > MAX_DEPTH) throw malformedJson(`values nested deeper than ${MAX_DEPTH}`);
  if (value === undefined || value === null) return null;
  const v = object(value, where);
  if ('stringValue' in v) return string(v.stringValue, `${where}.stringValue`);
  if ('boolValue' in v) {
    if (typeof v.boolValue !== 'boolean') throw malformedJson(`${where}.boolValue must be a boolean`);
    return v.boolValue;
  }
  if ('intValue' in v) return int64Value(v.intValue, `${where}.intValue`);
  if ('doubleValue' in v) return double(v.doubleValue, `${where}.doubleValue`);
  if ('arrayValue' in v) {
    const list = optionalObject(v.arrayValue, `${where}.arrayValue`);
    return array(list?.values, `${where}.arrayValue.values`).map((item, i) => anyValue(item, `${where}.arrayValue.values[${i}]`, depth + 1));
  }
  if ('kvlistValue' in v) {
    const list = optionalObject(v.kvlistValue, `${where}.kvlistValue`);
    return attributes(list?.values, `${where}.kvlistValue.values`, depth + 1);
  }
  if ('bytesValue' in v) {
    const text = string(v.bytesValue, `${where}.bytesValue`);
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw malformedJson(`${where}.bytesValue must be base64`);
    return text;
  }
  return null;
}

/**
 * An int64 in canonical decimal (`007` is `7`, `-0` is `0`), exactly: bare numbers long enough
 * to be rounded were quoted before parsing (one in exponent form, `9.2e18`, is the double it
 * reads as). Its range is checked per record (`limits.ts`).
 */
export function int64Text(value: unknown, where: string): string {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString();
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value).toString();
  throw malformedJson(`${where} must be an integer`);
}

/** Whether an `AnyValue` is `bytes`, which `anyValue` reads as base64 text (its other kinds come first). */
export function isBytesValue(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || !('bytesValue' in value)) return false;
  return !('stringValue' in value || 'boolValue' in value || 'intValue' in value || 'doubleValue' in value || 'arrayValue' in value || 'kvlistValue' in value);
}

function int64Value(value: unknown, where: string): number | string {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.replace(/^(-?)0+(?=\d)/, '$1');
  }
  throw malformedJson(`${where} must be an integer`);
}

export function attributes(value: unknown, where: string, depth = 0): Attributes {
  const out: Attributes = {};
  const list = array(value, where);
  for (let i = 0; i < list.length; i++) {
    const kv = object(list[i], `${where}[${i}]`);
    setAttribute(out, string(kv.key, `${where}[${i}].key`), anyValue(kv.value, `${where}[${i}].value`, depth));
  }
  return out;
}

export function resource(value: unknown, schemaUrl: string, where: string): Resource {
  const r = optionalObject(value, where);
  return {
    attributes: attributes(r?.attributes, `${where}.attributes`),
    droppedAttributesCount: integer(r?.droppedAttributesCount, `${where}.droppedAttributesCount`),
    schemaUrl,
  };
}

export function scope(value: unknown, schemaUrl: string, where: string): InstrumentationScope {
  const s = optionalObject(value, where);
  return {
    name: string(s?.name, `${where}.name`),
    version: string(s?.version, `${where}.version`),
    attributes: attributes(s?.attributes, `${where}.attributes`),
    droppedAttributesCount: integer(s?.droppedAttributesCount, `${where}.droppedAttributesCount`),
    schemaUrl,
  };
}

/** Where a record sits in a request, and what it inherits from the messages around it. */
export interface RecordContext {
  /** The record's path in the request, for error messages, e.g. `resourceSpans[0].scopeSpans[1].spans[2]`. */
  at: string;
  resource: Resource;
  scope: InstrumentationScope;
  serviceName: string;
}

/**
 * Walks an OTLP/JSON export request, `resource<X>` groups of `scope<X>` groups of records, and
 * calls `visit` with each record object and its context.
 */
export function forEachRecord(
  request: JsonObject,
  keys: { resource: string; scope: string; records: string },
  visit: (record: JsonObject, context: RecordContext) => void,
): void {
  const groups = array(request[keys.resource], keys.resource);
  for (let i = 0; i < groups.length; i++) {
    const where = `${keys.resource}[${i}]`;
    const group = object(groups[i], where);
    const res = resource(group.resource, string(group.schemaUrl, `${where}.schemaUrl`), `${where}.resource`);
    const serviceName = serviceNameOf(res);
    const scopes = array(group[keys.scope], `${where}.${keys.scope}`);
    for (let j = 0; j < scopes.length; j++) {
      const scoped = object(scopes[j], `${where}.${keys.scope}[${j}]`);
      const sc = scope(scoped.scope, string(scoped.schemaUrl, `${where}.${keys.scope}[${j}].schemaUrl`), `${where}.${keys.scope}[${j}].scope`);
      const records = array(scoped[keys.records], `${where}.${keys.scope}[${j}].${keys.records}`);
      for (let k = 0; k < records.length; k++) {
        const at = `${where}.${keys.scope}[${j}].${keys.records}[${k}]`;
        visit(object(records[k], at), { at, resource: res, scope: sc, serviceName });
      }
    }
  }
}

/** A span event (`Span.Event`) read from its OTLP/JSON. */
export function eventOf(value: unknown, at: string): SpanEventRecord {
  const event = object(value, at);
  return {
    timeUs: micros(event.timeUnixNano, `${at}.timeUnixNano`),
    name: string(event.name, `${at}.name`),
    attributes: attributes(event.attributes, `${at}.attributes`),
    droppedAttributesCount: integer(event.droppedAttributesCount, `${at}.droppedAttributesCount`),
  };
}

/** A span link (`Span.Link`) read from its OTLP/JSON. */
export function linkOf(value: unknown, at: string): SpanLink {
  const link = object(value, at);
  return {
    traceId: hexId(link.traceId, `${at}.traceId`),
    spanId: hexId(link.spanId, `${at}.spanId`),
    traceState: string(link.traceState, `${at}.traceState`),
    attributes: attributes(link.attributes, `${at}.attributes`),
    droppedAttributesCount: integer(link.droppedAttributesCount, `${at}.droppedAttributesCount`),
    flags: integer(link.flags, `${at}.flags`),
  };
}
