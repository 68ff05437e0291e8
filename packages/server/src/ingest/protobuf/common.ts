import type { AttributeValue, Attributes, InstrumentationScope, Resource } from '@spoor/model';
import { setAttribute } from '../decoded.js';
import { type BinaryReader, WT_I64, WT_LEN, WT_VARINT, expectEnd, fields, malformed, messageEnd, readInt64, readString, skipField, tagOf } from './wire.js';

// opentelemetry/proto/common/v1/common.proto
const ANY_STRING = tagOf(1, WT_LEN);
const ANY_BOOL = tagOf(2, WT_VARINT);
const ANY_INT = tagOf(3, WT_VARINT);
const ANY_DOUBLE = tagOf(4, WT_I64);
const ANY_ARRAY = tagOf(5, WT_LEN);
const ANY_KVLIST = tagOf(6, WT_LEN);
const ANY_BYTES = tagOf(7, WT_LEN);
const ANY_FIELDS = fields(1, 2, 3, 4, 5, 6, 7);

const KV_KEY = tagOf(1, WT_LEN);
const KV_VALUE = tagOf(2, WT_LEN);
const KV_FIELDS = fields(1, 2);

const LIST_VALUES = tagOf(1, WT_LEN); // ArrayValue.values and KeyValueList.values
const LIST_FIELDS = fields(1);

const RESOURCE_ATTRIBUTES = tagOf(1, WT_LEN);
const RESOURCE_DROPPED = tagOf(2, WT_VARINT);
const RESOURCE_FIELDS = fields(1, 2);

const SCOPE_NAME = tagOf(1, WT_LEN);
const SCOPE_VERSION = tagOf(2, WT_LEN);
const SCOPE_ATTRIBUTES = tagOf(3, WT_LEN);
const SCOPE_DROPPED = tagOf(4, WT_VARINT);
const SCOPE_FIELDS = fields(1, 2, 3, 4);

/** Nesting limit for arrays and key-value lists inside one value. */
const MAX_DEPTH = 32;

/** Whether the last `AnyValue` read with it was `bytes`, which are read as base64 text. */
export interface ValueKind {
  bytes: boolean;
}

/**
 * Reads one length-prefixed AnyValue. An empty AnyValue is `null`. `kind`, when given, learns
 * whether the value was `bytes` (its base64 text is a string like any other).
 */
export function readAnyValue(r: BinaryReader, depth = 0, kind: ValueKind | null = null): AttributeValue {
  if (depth > MAX_DEPTH) throw malformed(`values nested deeper than ${MAX_DEPTH}`);
  const end = messageEnd(r);
  let value: AttributeValue = null;
  // The value is a oneof: the last field on the wire wins, bytes or not.
  let bytes = false;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ANY_BYTES) {
      value = Buffer.from(r.bytes()).toString('base64');
      bytes = true;
      continue;
    }
    switch (tag) {
      case ANY_STRING:
        value = readString(r);
        break;
      case ANY_BOOL:
        value = r.bool();
        break;
      case ANY_INT:
        value = readInt64(r);
        break;
      case ANY_DOUBLE:
        value = r.double();
        break;
      case ANY_ARRAY:
        value = readArrayValue(r, depth + 1);
        break;
      case ANY_KVLIST: {
        const object: Attributes = {};
        readKeyValueList(r, object, depth + 1);
        value = object;
        break;
      }
      default:
        skipField(r, tag, ANY_FIELDS, 'AnyValue');
        continue;
    }
    bytes = false;
  }
  expectEnd(r, end);
  if (kind !== null) kind.bytes = bytes;
  return value;
}

function readArrayValue(r: BinaryReader, depth: number): AttributeValue[] {
  const end = messageEnd(r);
  const values: AttributeValue[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === LIST_VALUES) values.push(readAnyValue(r, depth));
    else skipField(r, tag, LIST_FIELDS, 'ArrayValue');
  }
  expectEnd(r, end);
  return values;
}

function readKeyValueList(r: BinaryReader, into: Attributes, depth: number): void {
  const end = messageEnd(r);
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === LIST_VALUES) readKeyValue(r, into, depth);
    else skipField(r, tag, LIST_FIELDS, 'KeyValueList');
  }
  expectEnd(r, end);
}

/** Reads one length-prefixed KeyValue into `into`. A later duplicate key wins. */
export function readKeyValue(r: BinaryReader, into: Attributes, depth = 0): void {
  const end = messageEnd(r);
  let key = '';
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === KV_KEY) key = readString(r);
    else if (tag === KV_VALUE) value = readAnyValue(r, depth);
    else skipField(r, tag, KV_FIELDS, 'KeyValue');
  }
  expectEnd(r, end);
  setAttribute(into, key, value);
}

export function readResource(r: BinaryReader, schemaUrl: string): Resource {
  const end = messageEnd(r);
  const resource: Resource = { attributes: {}, droppedAttributesCount: 0, schemaUrl };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === RESOURCE_ATTRIBUTES) readKeyValue(r, resource.attributes);
    else if (tag === RESOURCE_DROPPED) resource.droppedAttributesCount = r.uint32();
    else skipField(r, tag, RESOURCE_FIELDS, 'Resource');
  }
  expectEnd(r, end);
  return resource;
}

export function readScope(r: BinaryReader): InstrumentationScope {
  const end = messageEnd(r);
  const scope: InstrumentationScope = { name: '', version: '', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case SCOPE_NAME:
        scope.name = readString(r);
        break;
      case SCOPE_VERSION:
        scope.version = readString(r);
        break;
      case SCOPE_ATTRIBUTES:
        readKeyValue(r, scope.attributes);
        break;
      case SCOPE_DROPPED:
        scope.droppedAttributesCount = r.uint32();
        break;
      default:
        skipField(r, tag, SCOPE_FIELDS, 'InstrumentationScope');
    }
  }
  expectEnd(r, end);
  return scope;
}

export function emptyResource(): Resource {
  return { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' };
}

export function emptyScope(): InstrumentationScope {
  return { name: '', version: '', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' };
}
