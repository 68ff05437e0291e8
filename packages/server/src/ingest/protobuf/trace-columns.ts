import type { Attributes, InstrumentationScope, Resource, SpanEventRecord, SpanLink } from '@spoor/model';
import { serviceNameOf, setAttribute } from '../decoded.js';
import {
  NO_ATTRIBUTES,
  NO_EVENTS,
  NO_LINKS,
  type SpanFields,
  type SpanGroup,
  type SpanPlan,
  type SpanSource,
  newPlan,
  newSpanFields,
  planSpan,
  resetSpanFields,
} from '../span-source.js';
import { EMPTY_KEY, type KeyText, SpanKeys, nextSpanStamp } from './attribute-keys.js';
import { emptyResource, emptyScope, readAnyValue, readResource, readScope } from './common.js';
import {
  OK_UNSET,
  SPAN_ATTRIBUTES,
  SPAN_DROPPED_ATTRIBUTES,
  SPAN_DROPPED_EVENTS,
  SPAN_DROPPED_LINKS,
  SPAN_END,
  SPAN_EVENTS,
  SPAN_FIELDS,
  SPAN_FLAGS,
  SPAN_KIND,
  SPAN_LINKS,
  SPAN_NAME,
  SPAN_PARENT_SPAN_ID,
  SPAN_SPAN_ID,
  SPAN_START,
  SPAN_STATUS,
  SPAN_TRACE_ID,
  SPAN_TRACE_STATE,
  readEvent,
  readLink,
  readStatus,
} from './traces.js';
import type { Utf8Builder } from '../../store/columns.js';
import { writeDigits, writeJsonString } from './attribute-json.js';
import {
  BinaryReader,
  WT_LEN,
  WT_VARINT,
  expectEnd,
  fields,
  malformed,
  messageEnd,
  readMicros,
  readString,
  readerFault,
  replacedStringCount,
  resetReplacedStrings,
  skipField,
  tagOf,
} from './wire.js';

/**
 * The hot path's protobuf span reader (`decode-columns.ts` puts what it reads into column
 * batches): it reads an `ExportTraceServiceRequest` as `traces.ts` does, with the same checks,
 * and differs in what it makes of a span. No span record: one reused `SpanFields`, read span
 * after span. The attributes are written as the JSON text they are stored as, UTF-8 bytes copied
 * from the body into the attributes column (`Utf8Builder`) as they are read, each distinct key's
 * JSON made once; only the values of keys a convention reads become strings and numbers (`view`,
 * for normalization). The text is what `JSON.stringify` writes of the record's attributes object
 * (`decode-columns.test.ts` compares them). A span whose attributes JSON.stringify would write
 * otherwise (a key twice, an integer-like key, `__proto__`) is flagged `irregular`: the caller
 * reads that span whole (`readWhole`). A malformed span is refused with the fault `traces.ts`
 * names, a wire reader's error made malformed as its envelope makes it (`readerFault`).
 */

// The envelope's layout, as envelope.ts reads it.
const FIRST = tagOf(1, WT_LEN);
const CHILDREN = tagOf(2, WT_LEN);
const SCHEMA_URL = tagOf(3, WT_LEN);
const ENVELOPE_FIELDS = fields(1, 2, 3);
const KV_KEY = tagOf(1, WT_LEN);
const KV_VALUE = tagOf(2, WT_LEN);
const KV_FIELDS = fields(1, 2);

/**
 * Walks the envelope, reading resources and scopes and noting where each span is (at its length
 * prefix) into `plan`. Throws on a malformed body, the plan holding the spans noted before the fault.
 */
export function planSpans(body: Uint8Array, plan: SpanPlan = newPlan()): SpanPlan {
  const r = new BinaryReader(body);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === FIRST) planResourceGroup(r, plan);
    else skipField(r, tag, fields(1), 'ExportSpansServiceRequest');
  }
  expectEnd(r, r.len);
  return plan;
}

function planResourceGroup(r: BinaryReader, plan: SpanPlan): void {
  const end = messageEnd(r);
  const firstGroup = plan.groups.length;
  let resource: Resource | null = null;
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === FIRST) resource = readResource(r, '');
    else if (tag === CHILDREN) planScopeGroup(r, plan);
    else if (tag === SCHEMA_URL) schemaUrl = readString(r);
    else skipField(r, tag, ENVELOPE_FIELDS, 'ResourceSpans');
  }
  expectEnd(r, end);
  resource ??= emptyResource();
  resource.schemaUrl = schemaUrl;
  const serviceName = serviceNameOf(resource);
  for (let g = firstGroup; g < plan.groups.length; g++) {
    plan.groups[g]!.resource = resource;
    plan.groups[g]!.serviceName = serviceName;
  }
}

function planScopeGroup(r: BinaryReader, plan: SpanPlan): void {
  const end = messageEnd(r);
  const group = plan.groups.length;
  const placeholder: SpanGroup = { resource: PLACEHOLDER_RESOURCE, scope: PLACEHOLDER_SCOPE, serviceName: '' };
  plan.groups.push(placeholder);
  let scope: InstrumentationScope | null = null;
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === FIRST) scope = readScope(r);
    else if (tag === CHILDREN) {
      planSpan(plan, r.pos, group);
      r.pos = messageEnd(r);
    } else if (tag === SCHEMA_URL) schemaUrl = readString(r);
    else skipField(r, tag, ENVELOPE_FIELDS, 'ScopeSpans');
  }
  expectEnd(r, end);
  scope ??= emptyScope();
  scope.schemaUrl = schemaUrl;
  placeholder.scope = scope;
}

const PLACEHOLDER_RESOURCE = emptyResource();
const PLACEHOLDER_SCOPE = emptyScope();

/** A span reader over one body: `read(offset)` fills `fields` with the span there. */
export class SpanReader implements SpanSource {
  readonly fields: SpanFields = newSpanFields(OK_UNSET);
  /** The ids are read where they are, in the body. */
  readonly ids: Uint8Array;
  private readonly r: BinaryReader;
  /** The body's `Buffer` slicers: an id's hex, or an ASCII string's text, made natively as one flat string. */
  private readonly slices: BufferSlices;
  /** The last trace id read, and where its bytes are: the spans of a trace mostly come together. */
  private traceId = '';
  /** Strings repaired in values only `readWhole` reads (`readEarlier`). */
  private earlierRepairs = 0;
  private traceIdAt = -1;
  private readonly keys = new SpanKeys();

  constructor(private readonly body: Uint8Array) {
    this.ids = body;
    this.r = new BinaryReader(body);
    this.slices = (Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)) as unknown as BufferSlices;
  }

  /**
   * A string field, as `readString` reads it: ASCII (most names and values) sliced natively,
   * anything else decoded, strictly, by the reader's UTF-8 decoder.
   */
  private text(): string {
    const r = this.r;
    const prefixAt = r.pos;
    const length = r.uint32();
    const start = r.pos;
    const end = start + length;
    if (end > r.len) throw malformed('truncated string');
    const body = this.body;
    for (let i = start; i < end; i++) {
      if (body[i]! > 0x7f) {
        r.pos = prefixAt;
        return readString(r);
      }
    }
    r.pos = end;
    return this.slices.latin1Slice(start, end);
  }

  /**
   * Writes the JSON of the `AnyValue` at the reader (as `JSON.stringify` writes what
   * `readAnyValue` reads) into `out`, and answers the value when `wanted` (else `null`). A value
   * holding just a string is copied from the body, escaped as JSON escapes it, with no string
   * made unless wanted; a small non-negative integer is written digit by digit. Anything else is
   * read by `readAnyValue` and written by `JSON.stringify`.
   */
  private writeValue(out: Utf8Builder, wanted: boolean): ReturnType<typeof readAnyValue> {
    const r = this.r;
    const at = r.pos;
    const end = messageEnd(r);
    const body = this.body;
    const tag = r.pos < end ? body[r.pos] : -1;
    if (tag === ANY_STRING) {
      r.pos++;
      const length = r.uint32();
      const start = r.pos;
      const stop = start + length;
      // A string past its value's end is read by the general path, which names the fault as the record path does.
      if (stop === end) {
        r.pos = end;
        return this.writeString(out, start, stop, wanted);
      }
    } else if (tag === ANY_INT) {
      // A varint of up to 7 bytes: a non-negative integer below 2^49, exact as a number.
      let value = 0;
      let scale = 1;
      for (let i = r.pos + 1; i < end && i < r.pos + 8; i++) {
        const byte = body[i]!;
        value += (byte & 0x7f) * scale;
        if (byte < 0x80) {
          if (i + 1 === end) {
            r.pos = end;
            writeDigits(out, value);
            return value;
          }
          break;
        }
        scale *= 0x80;
      }
    }
    r.pos = at;
    const value = readAnyValue(r, 0);
    out.text(JSON.stringify(value));
    return value;
  }

  /** Reads (checks, and counts the repairs of) a KeyValue's value that a later one replaces, the reader left where it was. */
  private readEarlier(valueAt: number): void {
    const r = this.r;
    const here = r.pos;
    r.pos = valueAt;
    const before = replacedStringCount();
    readAnyValue(r, 0);
    this.earlierRepairs += replacedStringCount() - before;
    r.pos = here;
  }

  /** `writeJsonString` of the text at `body[start .. stop)`; answers the text when `wanted`. */
  private writeString(out: Utf8Builder, start: number, stop: number, wanted: boolean): string | null {
    const ascii = writeJsonString(out, this.body, start, stop);
    if (!wanted) return null;
    return ascii ? this.slices.latin1Slice(start, stop) : this.slices.utf8Slice(start, stop);
  }

  /** A bytes field's lowercase hex (`''` when empty), as `hexOf` writes it. */
  private idHex(): string {
    const length = this.idBytes();
    return length === 0 ? '' : this.slices.hexSlice(this.r.pos - length, this.r.pos);
  }

  /** `idHex` of a trace id: the same text as the last one's when its 16 bytes are the same. */
  private traceIdHex(): string {
    const r = this.r;
    const at = this.traceIdAt;
    const body = this.body;
    if (at >= 0 && body[r.pos] === 16 && r.pos + 17 <= r.len) {
      const start = r.pos + 1;
      let same = true;
      for (let i = 0; i < 16; i++) {
        if (body[start + i] !== body[at + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        r.pos = start + 16;
        this.wordsAt(start, 0, 4);
        return this.traceId;
      }
    }
    const id = this.idHex();
    if (id.length === 32) {
      this.traceId = id;
      this.traceIdAt = r.pos - 16;
      this.wordsAt(r.pos - 16, 0, 4);
    }
    return id;
  }

  /** Skips a bytes field, answering its length (its bytes end at the reader). */
  private idBytes(): number {
    const r = this.r;
    const length = r.uint32();
    const start = r.pos;
    // In the wire reader's words, as `BinaryReader.bytes` of the record path says it.
    if (start + length > r.len) throw malformed('premature EOF');
    r.pos = start + length;
    return length;
  }

  /** Reads `count` big-endian words from the body at `from` into `idWords[to ..]`. */
  private wordsAt(from: number, to: number, count: number): void {
    const body = this.body;
    const words = this.fields.idWords;
    for (let k = 0; k < count; k++) {
      const b = from + 4 * k;
      words[to + k] = (body[b]! << 24) | (body[b + 1]! << 16) | (body[b + 2]! << 8) | body[b + 3]!;
    }
  }

  /**
   * `read` with every attribute in `view`, after `read` of the same span: its strings stay counted
   * as that read counted them, with the values only this one reads (of a KeyValue a later value replaces).
   */
  readWhole(offset: number, attributes: Utf8Builder): SpanFields {
    const counted = replacedStringCount();
    this.earlierRepairs = 0;
    const f = this.read(offset, attributes, true);
    resetReplacedStrings(counted + this.earlierRepairs);
    return f;
  }

  readAll(offset: number, attributes: Utf8Builder): SpanFields {
    return this.read(offset, attributes, true);
  }

  spanIdHex(): string {
    const f = this.fields;
    return f.spanIdBytes === 0 ? '' : this.slices.hexSlice(f.spanIdAt, f.spanIdAt + f.spanIdBytes);
  }

  /**
   * Reads the span at `offset` into `fields`, and its attributes' JSON into a row of `attributes`;
   * with `all`, every attribute into `view` (each value read, as `readKeyValue` reads them).
   */
  read(offset: number, attributes: Utf8Builder, all = false): SpanFields {
    try {
      return this.readSpan(offset, attributes, all);
    } catch (error) {
      throw readerFault(error);
    }
  }

  private readSpan(offset: number, attributes: Utf8Builder, all: boolean): SpanFields {
    const r = this.r;
    const f = this.fields;
    r.pos = offset;
    const end = messageEnd(r);
    const stamp = nextSpanStamp();
    resetSpanFields(f, OK_UNSET);
    let count = 0;
    let view: Attributes | null = null;
    let events: SpanEventRecord[] | null = null;
    let links: SpanLink[] | null = null;
    while (r.pos < end) {
      const tag = r.uint32();
      switch (tag) {
        case SPAN_TRACE_ID:
          f.traceId = this.traceIdHex();
          break;
        case SPAN_SPAN_ID:
          f.spanIdBytes = this.idBytes();
          f.spanIdAt = r.pos - f.spanIdBytes;
          if (f.spanIdBytes === 8) this.wordsAt(f.spanIdAt, 4, 2);
          break;
        case SPAN_TRACE_STATE:
          f.traceState = readString(r);
          break;
        case SPAN_PARENT_SPAN_ID:
          f.parentIdBytes = this.idBytes();
          f.parentIdAt = r.pos - f.parentIdBytes;
          break;
        case SPAN_NAME:
          f.name = this.text();
          break;
        case SPAN_KIND:
          f.kind = r.int32();
          break;
        case SPAN_START:
          f.startTimeUs = readMicros(r);
          break;
        case SPAN_END:
          f.endTimeUs = readMicros(r);
          break;
        case SPAN_ATTRIBUTES: {
          // One KeyValue, as `readKeyValue` reads it: the last value on the wire wins, read once
          // its key is known (it decides whether the value is wanted as well as written).
          const kvEnd = messageEnd(r);
          let key: KeyText | null = null;
          let valueAt = -1;
          try {
            while (r.pos < kvEnd) {
              const kvTag = r.uint32();
              if (kvTag === KV_KEY) key = this.keys.at(r, this.body, count);
              else if (kvTag === KV_VALUE) {
                // A second value: the record path reads (and checks) both.
                if (valueAt >= 0) {
                  f.irregular = true;
                  if (all) this.readEarlier(valueAt);
                }
                valueAt = r.pos;
                r.pos = messageEnd(r);
              } else skipField(r, kvTag, KV_FIELDS, 'KeyValue');
            }
            expectEnd(r, kvEnd);
          } catch (error) {
            // The record path reads a value where it is: a fault in the one passed over comes first.
            if (valueAt >= 0) {
              r.pos = valueAt;
              readAnyValue(r, 0);
            }
            throw error;
          }
          key ??= EMPTY_KEY;
          if (key.stamp === stamp || !key.plain) f.irregular = true;
          key.stamp = stamp;
          const json = count++ === 0 ? key.jsonFirst : key.jsonNext;
          attributes.reserve(json.length).set(json, attributes.at);
          attributes.at += json.length;
          let value: ReturnType<typeof readAnyValue> = null;
          if (valueAt < 0) attributes.text('null');
          else {
            r.pos = valueAt;
            value = this.writeValue(attributes, all || key.inView);
            r.pos = kvEnd;
          }
          if (all || key.inView) setAttribute((view ??= {}), key.key, value);
          break;
        }
        case SPAN_DROPPED_ATTRIBUTES:
          f.droppedAttributesCount = r.uint32();
          break;
        case SPAN_EVENTS:
          (events ??= []).push(readEvent(r));
          break;
        case SPAN_DROPPED_EVENTS:
          f.droppedEventsCount = r.uint32();
          break;
        case SPAN_LINKS:
          (links ??= []).push(readLink(r));
          break;
        case SPAN_DROPPED_LINKS:
          f.droppedLinksCount = r.uint32();
          break;
        case SPAN_STATUS:
          f.status = readStatus(r);
          break;
        case SPAN_FLAGS:
          f.flags = r.fixed32();
          break;
        default:
          skipField(r, tag, SPAN_FIELDS, 'Span');
      }
    }
    expectEnd(r, end);
    attributes.text(count === 0 ? '{}' : '}');
    attributes.endRow();
    f.view = view ?? NO_ATTRIBUTES;
    f.events = events ?? NO_EVENTS;
    f.links = links ?? NO_LINKS;
    return f;
  }
}

/** Node's `Buffer` slicers, which its types do not declare. */
interface BufferSlices {
  hexSlice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** `AnyValue.string_value`'s and `int_value`'s tags. */
const ANY_STRING = tagOf(1, WT_LEN);
const ANY_INT = tagOf(3, WT_VARINT);
