import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { AttributeValue } from '@spoor/model';
import { WT_LEN, malformed } from './wire.js';

/**
 * Rewrites protobuf messages in place of decoding and encoding them whole: only the
 * length-delimited fields a rule names are looked into, and everything else (fields Spoor does not
 * read, nanosecond times, bytes values, unknown fields) is copied as it came. A message in which
 * no rule changed anything is returned as the very same bytes, with nothing allocated.
 */

/** What a rule answers to leave a field out. */
export const DROP: unique symbol = Symbol('drop');

/**
 * A rule for one length-delimited field: its new content, the same `content` (unchanged), or
 * `DROP`. `framed` is the same bytes with their length prefix (what `readAnyValue` reads).
 */
export type FieldRewrite = (content: Uint8Array, framed: Uint8Array) => Uint8Array | typeof DROP;
/** Rules by field number. */
export type MessageRewrite = Readonly<Partial<Record<number, FieldRewrite>>>;

/** `message` with the fields `rules` names rewritten: the same bytes when no rule changed anything. */
export function rewriteMessage(message: Uint8Array, rules: MessageRewrite): Uint8Array {
  const r = new BinaryReader(message);
  let out: BinaryWriter | null = null;
  let copied = 0;
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const rule = (tag & 7) === WT_LEN ? rules[field] : undefined;
    if (rule === undefined) {
      r.skip(tag & 7, field);
      continue;
    }
    const lengthAt = r.pos;
    const content = r.bytes();
    const next = rule(content, message.subarray(lengthAt, r.pos));
    if (next === content) continue;
    out ??= new BinaryWriter();
    out.raw(message.subarray(copied, start));
    if (next !== DROP) out.tag(field, WireType.LengthDelimited).bytes(next);
    copied = r.pos;
  }
  if (r.pos !== r.len) throw malformed('field overruns its enclosing message');
  if (out === null) return message;
  out.raw(message.subarray(copied));
  return out.finish();
}

/** A rule that rewrites a field holding a message by `rules`. */
export function inMessage(rules: MessageRewrite): FieldRewrite {
  return (content) => rewriteMessage(content, rules);
}

/** The `KeyValue` message of an attribute, as OTLP writes it. */
export function encodeKeyValue(key: string, value: AttributeValue): Uint8Array {
  const w = new BinaryWriter();
  writeKeyValue(w, key, value);
  return w.finish();
}

/** The `AnyValue` message of a value as Spoor reads one (`readAnyValue`): text, bool, integer, double, list, key-value list. */
export function encodeAnyValue(value: AttributeValue): Uint8Array {
  const w = new BinaryWriter();
  writeAnyValue(w, value);
  return w.finish();
}

function writeKeyValue(w: BinaryWriter, key: string, value: AttributeValue): void {
  w.tag(1, WireType.LengthDelimited).string(key);
  w.tag(2, WireType.LengthDelimited).fork();
  writeAnyValue(w, value);
  w.join();
}

function writeAnyValue(w: BinaryWriter, value: AttributeValue): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'string') w.tag(1, WireType.LengthDelimited).string(value);
  else if (typeof value === 'boolean') w.tag(2, WireType.Varint).bool(value);
  else if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) w.tag(3, WireType.Varint).int64(value);
    else w.tag(4, WireType.Bit64).double(value);
  } else if (Array.isArray(value)) {
    w.tag(5, WireType.LengthDelimited).fork();
    for (const item of value) {
      w.tag(1, WireType.LengthDelimited).fork();
      writeAnyValue(w, item);
      w.join();
    }
    w.join();
  } else {
    w.tag(6, WireType.LengthDelimited).fork();
    for (const key of Object.keys(value)) {
      w.tag(1, WireType.LengthDelimited).fork();
      writeKeyValue(w, key, (value as Record<string, AttributeValue>)[key]!);
      w.join();
    }
    w.join();
  }
}

/** The fields of a `Metric` that hold its data (gauge, sum, histogram, exponential histogram, summary). */
const METRIC_DATA_FIELDS = new Set([5, 7, 9, 10, 11]);

/**
 * The records of an OTLP export request body (protobuf): spans, log records or metric data
 * points. Walks the envelopes and counts without reading a record.
 */
export function countRecords(signal: 'traces' | 'logs' | 'metrics', body: Uint8Array): number {
  let count = 0;
  forEachChild(body, 1, (resourceGroup) =>
    forEachChild(resourceGroup, 2, (scopeGroup) => {
      if (signal !== 'metrics') count += countFields(scopeGroup, 2);
      else forEachChild(scopeGroup, 2, (metric) => forEachField(metric, (field, data) => {
        if (METRIC_DATA_FIELDS.has(field)) count += countFields(data, 1);
      }));
    }),
  );
  return count;
}

function forEachChild(message: Uint8Array, field: number, visit: (content: Uint8Array) => void): void {
  forEachField(message, (at, content) => {
    if (at === field) visit(content);
  });
}

/** Calls `visit` with each length-delimited field of `message`; skips the others. */
function forEachField(message: Uint8Array, visit: (field: number, content: Uint8Array) => void): void {
  const r = new BinaryReader(message);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if ((tag & 7) === WT_LEN) visit(tag >>> 3, r.bytes());
    else r.skip(tag & 7, tag >>> 3);
  }
}

function countFields(message: Uint8Array, field: number): number {
  let count = 0;
  forEachChild(message, field, () => count++);
  return count;
}
