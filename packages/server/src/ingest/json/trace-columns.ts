import { isUtf8 } from 'node:buffer';
import { SPAN_KINDS, STATUS_CODES, type InstrumentationScope, type Resource, type SpanStatus } from '@spoor/model';
import type { Utf8Builder } from '../../store/columns.js';
import { serviceNameOf } from '../decoded.js';
import { OK_UNSET } from '../protobuf/traces.js';
import {
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
import { JsonAttributes } from './attribute-values.js';
import { enumValue, integer, micros, resource, scope } from './common.js';
import { CLOSE_BRACE, CLOSE_BRACKET, HEX_VALUE, LEAVE, OPEN_BRACE, OPEN_BRACKET, QUOTE, Scanner, digitsEnd, names, sameBytesAt, textOf } from './scanner.js';
import { eventOf, linkOf } from './traces.js';

/**
 * OTLP/JSON's span reader for the column path (`decode-columns.ts`), the twin of
 * `protobuf/trace-columns.ts`: the request's bytes are read as they are, with no `JSON.parse` of
 * it and no object per span. Strings are sliced from the body once; an attribute's value is
 * copied into the attributes column as the JSON text it is stored as when the body already holds
 * it so (what `JSON.stringify` writes, which is what the OpenTelemetry JS exporter sends:
 * `attribute-values.ts`); ids become bytes from their hex. Resources, scopes, events, links and values of the rarer kinds
 * (maps, bytes, a value with two kinds) are parsed from their own slice and read by the record
 * path's walkers (`common.ts`), so they mean exactly what they mean there.
 *
 * It takes what the record path (`traces.ts`) reads the same, and leaves everything else to it by
 * throwing: a body that is not valid UTF-8 or JSON, a field twice in one object (`JSON.parse`
 * keeps the last), a key with an escape, a KeyValue whose value comes before its key, a value of
 * a type the record path refuses. Its checks are those `JSON.parse` makes: where this reader
 * accepts a body, the record path accepts it too and reads the same (`decode-columns-json.test.ts`
 * compares them, on mutated bodies as well).
 */

const ENVELOPE = names('resourceSpans');
const RESOURCE_SPANS = names('resource', 'scopeSpans', 'schemaUrl');
const SCOPE_SPANS = names('scope', 'spans', 'schemaUrl');
const SPAN = names(
  'traceId',
  'spanId',
  'traceState',
  'parentSpanId',
  'name',
  'kind',
  'startTimeUnixNano',
  'endTimeUnixNano',
  'attributes',
  'droppedAttributesCount',
  'events',
  'droppedEventsCount',
  'links',
  'droppedLinksCount',
  'status',
  'flags',
);
const STATUS = names('code', 'message');

/** Walks the envelope, reading resources and scopes and noting where each span is (at its `{`). Throws on a body it leaves. */
export function planJsonSpans(body: Uint8Array): SpanPlan {
  // The record path decodes the body strictly first; a byte order mark it would drop leaves it.
  if (!isUtf8(body)) throw LEAVE;
  const s = new Scanner(body);
  const plan = newPlan();
  let seen = 0;
  if (s.enter()) {
    do {
      if (s.field(ENVELOPE, 0) !== 0) s.skip(0);
      else {
        seen = once(seen, 0);
        if (!s.isNull() && s.enterArray()) {
          do resourceGroup(s, plan);
          while (s.more(CLOSE_BRACKET));
        }
      }
    } while (s.more(CLOSE_BRACE));
  }
  if (s.next() !== -1) throw LEAVE;
  return plan;
}

/** `seen` with field `field` added; a field met twice leaves the body (`JSON.parse` keeps the last). */
function once(seen: number, field: number): number {
  if ((seen & (1 << field)) !== 0) throw LEAVE;
  return seen | (1 << field);
}

function resourceGroup(s: Scanner, plan: SpanPlan): void {
  const firstGroup = plan.groups.length;
  let value: unknown = undefined;
  let schemaUrl = '';
  let seen = 0;
  if (s.enter()) {
    do {
      const field = s.field(RESOURCE_SPANS, 0);
      if (field >= 0) seen = once(seen, field);
      if (field === 0) value = s.parsed();
      else if (field === 1) {
        if (!s.isNull() && s.enterArray()) {
          do scopeGroup(s, plan);
          while (s.more(CLOSE_BRACKET));
        }
      } else if (field === 2) schemaUrl = s.stringOrNull();
      else s.skip(0);
    } while (s.more(CLOSE_BRACE));
  }
  const res = resource(value, schemaUrl, '');
  const serviceName = serviceNameOf(res);
  for (let g = firstGroup; g < plan.groups.length; g++) {
    plan.groups[g]!.resource = res;
    plan.groups[g]!.serviceName = serviceName;
  }
}

function scopeGroup(s: Scanner, plan: SpanPlan): void {
  const group = plan.groups.length;
  const pending: SpanGroup = { resource: PENDING_RESOURCE, scope: PENDING_SCOPE, serviceName: '' };
  plan.groups.push(pending);
  let value: unknown = undefined;
  let schemaUrl = '';
  let seen = 0;
  if (s.enter()) {
    do {
      const field = s.field(SCOPE_SPANS, 1);
      if (field >= 0) seen = once(seen, field);
      if (field === 0) value = s.parsed();
      else if (field === 1) {
        if (!s.isNull() && s.enterArray()) {
          do {
            if (s.next() !== OPEN_BRACE) throw LEAVE;
            planSpan(plan, s.p, group);
            s.passObject();
          } while (s.more(CLOSE_BRACKET));
        }
      } else if (field === 2) schemaUrl = s.stringOrNull();
      else s.skip(0);
    } while (s.more(CLOSE_BRACE));
  }
  pending.scope = scope(value, schemaUrl, '');
}

const PENDING_RESOURCE: Resource = Object.freeze({ attributes: {}, droppedAttributesCount: 0, schemaUrl: '' });
const PENDING_SCOPE: InstrumentationScope = Object.freeze({ name: '', version: '', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' });

// The span's fields, by their index in `SPAN`.
const TRACE_ID = 0;
const SPAN_ID = 1;
const TRACE_STATE = 2;
const PARENT_SPAN_ID = 3;
const NAME = 4;
const KIND = 5;
const START = 6;
const END = 7;
const ATTRIBUTES = 8;
const DROPPED_ATTRIBUTES = 9;
const EVENTS = 10;
const DROPPED_EVENTS = 11;
const LINKS = 12;
const DROPPED_LINKS = 13;
const STATUS_FIELD = 14;
const FLAGS = 15;

/** A span reader over one OTLP/JSON body: `read(offset)` fills `fields` with the span there. */
export class JsonSpanReader implements SpanSource {
  readonly fields: SpanFields = newSpanFields(OK_UNSET);
  /** The span id's bytes (at 0) and the parent's (at 8), from their hex. */
  readonly ids = new Uint8Array(16);
  private readonly s: Scanner;
  private readonly attributes: JsonAttributes;
  /** The last trace id read, and where its hex is: the spans of a trace mostly come together. */
  private traceId = '';
  private traceIdBytes: Uint8Array = new Uint8Array(0);
  private readonly traceWords = new Int32Array(4);
  /** The text of a span id of another length than 8 bytes, read by `readId`. */
  private spanIdText = '';
  /** The span field that followed each the last time (the first's at the end): a writer keeps its order. */
  private readonly after = Uint8Array.from({ length: SPAN.length + 1 }, (_, field) => (field + 1) % (SPAN.length + 1));

  constructor(body: Uint8Array) {
    this.s = new Scanner(body);
    this.attributes = new JsonAttributes(this.s);
  }

  /** Reads the span at `offset`; with `all`, every attribute into `view`. */
  read(offset: number, attributes: Utf8Builder, all = false): SpanFields {
    const s = this.s;
    const f = this.fields;
    s.p = offset;
    resetSpanFields(f, OK_UNSET);
    let count = 0;
    let seen = 0;
    let last = SPAN.length;
    const after = this.after;
    if (s.enter()) {
      do {
        const field = s.field(SPAN, after[last]!);
        if (field < 0) {
          s.skip(0);
          continue;
        }
        seen = once(seen, field);
        after[last] = field;
        last = field;
        switch (field) {
          case TRACE_ID:
            this.readTraceId();
            break;
          case SPAN_ID:
            f.spanIdAt = 0;
            f.spanIdBytes = this.readId(0);
            if (f.spanIdBytes === 8) this.wordsAt(0, 4, 2);
            break;
          case TRACE_STATE:
            f.traceState = s.stringOrNull();
            break;
          case PARENT_SPAN_ID:
            f.parentIdAt = 8;
            f.parentIdBytes = this.readId(8);
            break;
          case NAME:
            f.name = s.stringOrNull();
            break;
          case KIND:
            f.kind = this.enumOf(SPAN_KINDS, 'SPAN_KIND_');
            break;
          case START:
            f.startTimeUs = this.micros();
            break;
          case END:
            f.endTimeUs = this.micros();
            break;
          case ATTRIBUTES:
            count = this.attributes.read(attributes, f, all);
            break;
          case DROPPED_ATTRIBUTES:
            f.droppedAttributesCount = this.integer();
            break;
          case EVENTS:
            f.events = this.list(eventOf, NO_EVENTS);
            break;
          case DROPPED_EVENTS:
            f.droppedEventsCount = this.integer();
            break;
          case LINKS:
            f.links = this.list(linkOf, NO_LINKS);
            break;
          case DROPPED_LINKS:
            f.droppedLinksCount = this.integer();
            break;
          case STATUS_FIELD:
            f.status = this.status();
            break;
          case FLAGS:
            f.flags = this.integer();
            break;
        }
      } while (s.more(CLOSE_BRACE));
    }
    if (count === 0) attributes.text('{}');
    attributes.endRow();
    return f;
  }

  /** A time in unix nanoseconds as epoch microseconds, as `micros` of `common.ts` reads it, with no string made for digits alone. */
  private micros(): number {
    const s = this.s;
    if (s.isNull()) return 0;
    const c = s.next();
    if (c === QUOTE) {
      const start = s.p + 1;
      const end = digitsEnd(s.b, start);
      if (end > start && s.b[end] === QUOTE) {
        s.p = end + 1;
        return end - start <= 3 ? 0 : s.digits(start, end - 3);
      }
      return micros(textOf(s, start, s.string()), '');
    }
    const start = s.p;
    const digits = s.number();
    // Digits alone, cut to the microsecond exactly, as the record path cuts them (a long one is quoted before parsing there).
    if (digits > 0) return digits <= 3 ? 0 : s.digits(start, s.p - 3);
    return micros(Number(s.slices.latin1Slice(start, s.p)), '');
  }

  /** An integer (a number or a decimal string), as `integer` of `common.ts` reads it; `null` is 0. */
  private integer(): number {
    const s = this.s;
    if (s.isNull()) return 0;
    const c = s.next();
    if (c === QUOTE) {
      const start = s.p + 1;
      const end = digitsEnd(s.b, start);
      if (end > start && end - start < 16 && s.b[end] === QUOTE) {
        s.p = end + 1;
        return s.digits(start, end);
      }
      return integer(textOf(s, start, s.string()), '');
    }
    const start = s.p;
    const digits = s.number();
    if (digits > 0 && digits < 16) return s.digits(start, s.p);
    return integer(Number(s.slices.latin1Slice(start, s.p)), '');
  }

  /** An enum, by number or by name, as `enumValue` of `common.ts` reads it. */
  private enumOf(list: readonly string[], prefix: string): number {
    const s = this.s;
    const c = s.next();
    if (c === QUOTE) return enumValue(s.stringOrNull(), list, prefix, '');
    return this.integer();
  }

  private status(): SpanStatus {
    const s = this.s;
    if (s.isNull()) return OK_UNSET;
    let code = 0;
    let message = '';
    let seen = 0;
    if (s.enter()) {
      do {
        const field = s.field(STATUS, 0);
        if (field >= 0) seen = once(seen, field);
        if (field === 0) code = this.enumOf(STATUS_CODES, 'STATUS_CODE_');
        else if (field === 1) message = s.stringOrNull();
        else s.skip(0);
      } while (s.more(CLOSE_BRACE));
    }
    return { code: STATUS_CODES[code] ?? 'unset', message };
  }

  /** Events or links: parsed from their slice and read by the record path's own walkers; none made for `[]` or `null`. */
  private list<T>(read: (value: unknown, at: string) => T, none: T[]): T[] {
    const s = this.s;
    if (s.isNull()) return none;
    const start = s.p;
    if (s.next() === OPEN_BRACKET && !s.enterArray()) return none;
    s.p = start;
    const value = s.parsed();
    if (!Array.isArray(value)) throw LEAVE;
    return value.map((item) => read(item, ''));
  }

  /** A trace id: its lowercase hex (the same string as the last one's when its hex is the same), and its words. */
  private readTraceId(): void {
    const s = this.s;
    const f = this.fields;
    if (s.isNull()) return;
    if (s.next() !== QUOTE) throw LEAVE;
    const b = s.b;
    const start = s.p + 1;
    // 32 hex digits between quotes, read where they are; any other string is read as text.
    if (b[start + 32] !== QUOTE) return this.traceIdText(start);
    if (this.traceIdBytes.length === 32 && sameBytesAt(b, start, this.traceIdBytes)) {
      s.p = start + 33;
      f.traceId = this.traceId;
      f.idWords.set(this.traceWords, 0);
      return;
    }
    let upper = false;
    for (let w = 0; w < 4; w++) {
      let word = 0;
      for (let i = start + 8 * w; i < start + 8 * w + 8; i++) {
        const c = b[i]!;
        const digit = HEX_VALUE[c]!;
        if (digit < 0) return this.traceIdText(start);
        if (c < 0x61) upper ||= c >= 0x41;
        word = (word << 4) | digit;
      }
      f.idWords[w] = word;
    }
    s.p = start + 33;
    const text = s.slices.latin1Slice(start, start + 32);
    f.traceId = upper ? text.toLowerCase() : text;
    this.traceId = f.traceId;
    this.traceIdBytes = b.subarray(start, start + 32);
    this.traceWords.set(f.idWords.subarray(0, 4));
  }

  /**
   * A trace id spelled otherwise (escaped, or of another length, which the span is rejected for):
   * its text, as the record path reads it. Text that is not hex leaves the body (the record path refuses it).
   */
  private traceIdText(start: number): void {
    const f = this.fields;
    const text = hexText(this.s, start);
    f.idWords.fill(0, 0, 4);
    if (text.length === 32) for (let w = 0; w < 4; w++) f.idWords[w] = Number.parseInt(text.slice(8 * w, 8 * w + 8), 16) | 0;
    f.traceId = text;
  }

  readWhole(offset: number, attributes: Utf8Builder): SpanFields {
    return this.read(offset, attributes, true);
  }

  readAll(offset: number, attributes: Utf8Builder): SpanFields {
    return this.read(offset, attributes, true);
  }

  spanIdHex(): string {
    const bytes = this.fields.spanIdBytes;
    if (bytes === 8) return Buffer.from(this.ids.buffer, this.ids.byteOffset, 8).toString('hex');
    return bytes === 0 ? '' : this.spanIdText;
  }

  /**
   * A span or parent span id: its 8 bytes into `ids` at `at`. Answers how many bytes it has: 0
   * when empty or `null`, 8 when valid, -1 for any other (which the record path rejects; a span
   * id's text is kept to name it).
   */
  private readId(at: number): number {
    const s = this.s;
    if (s.isNull()) return 0;
    if (s.next() !== QUOTE) throw LEAVE;
    const b = s.b;
    const start = s.p + 1;
    if (b[start + 16] === QUOTE) {
      const ids = this.ids;
      let valid = true;
      for (let k = 0; k < 8; k++) {
        const high = HEX_VALUE[b[start + 2 * k]!]!;
        const low = HEX_VALUE[b[start + 2 * k + 1]!]!;
        if (high < 0 || low < 0) {
          valid = false;
          break;
        }
        ids[at + k] = (high << 4) | low;
      }
      if (valid) {
        s.p = start + 17;
        return 8;
      }
    }
    const text = hexText(s, start);
    if (text.length === 16) {
      for (let k = 0; k < 8; k++) this.ids[at + k] = Number.parseInt(text.slice(2 * k, 2 * k + 2), 16);
      return 8;
    }
    if (at === 0) this.spanIdText = text;
    return text.length === 0 ? 0 : -1;
  }

  /** Reads `count` big-endian words of `ids` at `from` into `idWords[to ..]`. */
  private wordsAt(from: number, to: number, count: number): void {
    const ids = this.ids;
    const words = this.fields.idWords;
    for (let k = 0; k < count; k++) {
      const b = from + 4 * k;
      words[to + k] = (ids[b]! << 24) | (ids[b + 1]! << 16) | (ids[b + 2]! << 8) | ids[b + 3]!;
    }
  }
}

const HEX = /^[0-9a-fA-F]*$/;

/** The id string at `start` (the reader at its quote), lowercase, as `hexId` of `common.ts` reads it; text that is not hex leaves the body. */
function hexText(s: Scanner, start: number): string {
  const text = textOf(s, start, s.string());
  if (!HEX.test(text)) throw LEAVE;
  return text.toLowerCase();
}
