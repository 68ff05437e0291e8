import type { AttributeValue, Attributes, Redactor } from '@spoor/model';
import { protobufFromJson } from './json/to-protobuf.js';
import { readAnyValue, readKeyValue } from './protobuf/common.js';
import {
  DROP,
  type FieldRewrite,
  type MessageRewrite,
  SAME,
  type Wire,
  countRecords,
  encodeAnyValue,
  encodeKeyValue,
  inMessage,
  rewriteMessage,
  skip,
} from './protobuf/rewrite.js';
import { WT_I64, WT_LEN, WT_VARINT, readString, tagOf } from './protobuf/wire.js';
import type { Encoding, OtlpSignal } from './response.js';

/**
 * What Spoor sends on of a request it accepted (forwarding): the OTLP protobuf body, with the
 * resources a filter leaves out cut, and masked by the project's policy as the records Spoor
 * stores are masked. The body is rewritten on the wire (`protobuf/rewrite.ts`), not decoded and
 * encoded again: what no rule touches (nanosecond times, bytes values, fields Spoor does not read)
 * goes as it came, and a body nothing changed is sent as the very bytes received. A JSON body is
 * written as protobuf first (`json/to-protobuf.ts`).
 *
 * Masked as at ingest (`maskBatch`): span, event, link, log, metric point and resource attributes,
 * log bodies and status messages; and, sent on, scope attributes, exemplars' filtered attributes
 * and metric metadata too, which Spoor does not store but would otherwise leave unmasked.
 */

export interface OutboundOptions {
  /** The project's masking policy; `undefined`: it has none. */
  redactor?: Redactor;
  /** Whether a resource (its attributes as received) is sent; `undefined`: every one is. */
  keepResource?: (attributes: Attributes) => boolean;
}

export interface OutboundBody {
  body: Uint8Array;
  /** Spans, log records or metric data points in it. */
  records: number;
}

/** Builds once what prepares bodies for one policy and filter; `null` from it: nothing is left to send. */
export function createOutbound(options: OutboundOptions): (signal: OtlpSignal, encoding: Encoding, body: Uint8Array) => OutboundBody | null {
  const rules = {
    traces: requestRules('traces', options),
    logs: requestRules('logs', options),
    metrics: requestRules('metrics', options),
  };
  return (signal, encoding, received) => {
    const protobuf = encoding === 'json' ? protobufFromJson(signal, received) : received;
    const rule = rules[signal];
    const body = rule === null ? protobuf : rewriteMessage(protobuf, rule);
    const records = countRecords(signal, body);
    return records === 0 ? null : { body, records };
  };
}

const KV_KEY = tagOf(1, WT_LEN);
const KV_VALUE = tagOf(2, WT_LEN);
const RESOURCE_ATTRIBUTES = tagOf(1, WT_LEN);
const GROUP_RESOURCE = tagOf(1, WT_LEN);

/** The rules for a request body, or `null` when there is nothing to mask or filter. */
function requestRules(signal: OtlpSignal, { redactor, keepResource }: OutboundOptions): MessageRewrite | null {
  if (redactor === undefined && keepResource === undefined) return null;
  const masked = redactor === undefined ? undefined : inMessage(resourceGroupMasking(signal, redactor));
  const group: FieldRewrite =
    keepResource === undefined
      ? masked!
      : (wire, framed, start, end) => {
          if (!keepResource(resourceAttributesOf(wire, start, end))) return DROP;
          return masked === undefined ? SAME : masked(wire, framed, start, end);
        };
  return { 1: group };
}

/** The attributes of the resource of the `Resource<X>` message at `bytes[start, end)`, as received. */
function resourceAttributesOf(wire: Wire, start: number, end: number): Attributes {
  const attributes: Attributes = {};
  const { r } = wire;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== GROUP_RESOURCE) {
      skip(wire, tag);
      continue;
    }
    const resourceEnd = r.uint32() + r.pos;
    while (r.pos < resourceEnd) {
      const inner = r.uint32();
      if (inner === RESOURCE_ATTRIBUTES) readKeyValue(r, attributes);
      else skip(wire, inner);
    }
  }
  return attributes;
}

function resourceGroupMasking(signal: OtlpSignal, redactor: Redactor): MessageRewrite {
  const kv = keyValueMasking(redactor);
  const text = textMasking(redactor);
  const record: FieldRewrite =
    signal === 'traces'
      ? inMessage({ 9: kv, 11: inMessage({ 3: kv }), 13: inMessage({ 4: kv }), 15: inMessage({ 2: text }) })
      : signal === 'logs'
        ? inMessage({ 5: logBodyMasking(redactor), 6: kv })
        : metricMasking(kv);
  const scopeGroup = inMessage({ 1: inMessage({ 3: kv }), 2: record });
  return { 1: inMessage({ 1: kv }), 2: scopeGroup };
}

function metricMasking(kv: FieldRewrite): FieldRewrite {
  const exemplar = inMessage({ 7: kv });
  const data = (point: MessageRewrite): FieldRewrite => inMessage({ 1: inMessage(point) });
  const numbers = data({ 7: kv, 5: exemplar });
  return inMessage({ 5: numbers, 7: numbers, 9: data({ 9: kv, 8: exemplar }), 10: data({ 1: kv, 11: exemplar }), 11: data({ 7: kv }), 12: kv });
}

/** AnyValue tags of a boolean, an integer and a double: values masking leaves as they are unless their key is sensitive. */
const SCALAR_TAGS = new Set([tagOf(2, WT_VARINT), tagOf(3, WT_VARINT), tagOf(4, WT_I64)]);
/** Keys whose sensitivity is remembered per policy; past it the memory starts again (keys come from the data). */
const MAX_KEYS_REMEMBERED = 10_000;

/**
 * One attribute (`KeyValue`) masked as `maskAttributes` masks it: kept, changed, or left out
 * (mode `drop`). A boolean or number under a key that is not sensitive cannot change, and is not
 * even read (attributes are mostly such: token counts, status codes, flags).
 */
function keyValueMasking(redactor: Redactor): FieldRewrite {
  const sensitive = new Map<string, boolean>();
  const isSensitive = (key: string): boolean => {
    let verdict = sensitive.get(key);
    if (verdict === undefined) {
      if (sensitive.size >= MAX_KEYS_REMEMBERED) sensitive.clear();
      // A sensitive key's value is replaced whole, a number's too; any other key leaves a number as it is.
      verdict = redactor.value(key, 0) !== 0;
      sensitive.set(key, verdict);
    }
    return verdict;
  };
  return (wire, _framed, start, end) => {
    const { r } = wire;
    r.pos = start;
    let key = '';
    let valueAt = -1;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === KV_KEY) key = readString(r);
      else {
        if (tag === KV_VALUE) valueAt = r.pos;
        skip(wire, tag);
      }
    }
    if (valueAt === -1 || (!isSensitive(key) && isScalar(wire, valueAt))) return SAME;
    r.pos = valueAt;
    const value = readAnyValue(r);
    let after = redactor.value(key, value) as AttributeValue | undefined;
    if (after === undefined) return DROP;
    if (typeof after === 'object' && after !== null) after = redactor.object(after);
    return after === value ? SAME : encodeKeyValue(key, after);
  };
}

/** Whether the AnyValue whose length prefix is at `at` holds only a boolean, integer or double. */
function isScalar(wire: Wire, at: number): boolean {
  const { r } = wire;
  r.pos = at;
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.uint32();
    if (!SCALAR_TAGS.has(tag)) return false;
    skip(wire, tag);
  }
  return true;
}

const UTF8 = new TextDecoder();

function textMasking(redactor: Redactor): FieldRewrite {
  return (wire, _framed, start, end) => {
    const text = UTF8.decode(wire.bytes.subarray(start, end));
    const after = redactor.string(text);
    return after === text ? SAME : Buffer.from(after, 'utf8');
  };
}

function logBodyMasking(redactor: Redactor): FieldRewrite {
  return (wire, framed) => {
    wire.r.pos = framed;
    const body = readAnyValue(wire.r);
    const after = typeof body === 'string' ? redactor.string(body) : redactor.object(body);
    return after === body ? SAME : encodeAnyValue(after);
  };
}

/** Spans, log records or metric data points in an accepted request body; 0 when it does not read. */
export function recordsIn(signal: OtlpSignal, encoding: Encoding, body: Uint8Array): number {
  try {
    return countRecords(signal, encoding === 'json' ? protobufFromJson(signal, body) : body);
  } catch {
    // Only counted (a request dropped or refused): a body that does not read counts no record.
    return 0;
  }
}
