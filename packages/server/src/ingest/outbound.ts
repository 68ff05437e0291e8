import type { AttributeValue, Attributes, Redactor } from '@spoor/model';
import { setAttribute } from './decoded.js';
import { protobufFromJson } from './json/to-protobuf.js';
import { maskAttributes } from './masking.js';
import { readAnyValue, readKeyValue } from './protobuf/common.js';
import { DROP, type FieldRewrite, type MessageRewrite, countRecords, encodeAnyValue, encodeKeyValue, inMessage, rewriteMessage } from './protobuf/rewrite.js';
import { BinaryReader, WT_LEN, readString, tagOf } from './protobuf/wire.js';
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
      : (content, framed) => {
          if (!keepResource(resourceAttributesOf(content))) return DROP;
          return masked === undefined ? content : masked(content, framed);
        };
  return { 1: group };
}

/** The attributes of the resource of a `Resource<X>` message, as received. */
function resourceAttributesOf(group: Uint8Array): Attributes {
  const attributes: Attributes = {};
  const r = new BinaryReader(group);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag !== GROUP_RESOURCE) {
      r.skip(tag & 7, tag >>> 3);
      continue;
    }
    const resource = new BinaryReader(r.bytes());
    while (resource.pos < resource.len) {
      const inner = resource.uint32();
      if (inner === RESOURCE_ATTRIBUTES) readKeyValue(resource, attributes);
      else resource.skip(inner & 7, inner >>> 3);
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

/** One attribute (`KeyValue`) masked as `maskAttributes` masks it: kept, changed, or left out (mode `drop`). */
function keyValueMasking(redactor: Redactor): FieldRewrite {
  return (content) => {
    const r = new BinaryReader(content);
    let key = '';
    let value: AttributeValue = null;
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === KV_KEY) key = readString(r);
      else if (tag === KV_VALUE) value = readAnyValue(r);
      else r.skip(tag & 7, tag >>> 3);
    }
    const attributes: Attributes = {};
    setAttribute(attributes, key, value);
    maskAttributes(attributes, redactor);
    if (!Object.hasOwn(attributes, key)) return DROP;
    const after = attributes[key]!;
    return after === value ? content : encodeKeyValue(key, after);
  };
}

const UTF8 = new TextDecoder();

function textMasking(redactor: Redactor): FieldRewrite {
  return (content) => {
    const text = UTF8.decode(content);
    const after = redactor.string(text);
    return after === text ? content : Buffer.from(after, 'utf8');
  };
}

function logBodyMasking(redactor: Redactor): FieldRewrite {
  return (content, framed) => {
    const body = readAnyValue(new BinaryReader(framed));
    const after = typeof body === 'string' ? redactor.string(body) : redactor.object(body);
    return after === body ? content : encodeAnyValue(after);
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
