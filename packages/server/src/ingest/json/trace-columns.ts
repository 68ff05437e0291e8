import { isUtf8 } from 'node:buffer';
import { SPAN_KINDS, STATUS_CODES, type AttributeValue, type Attributes, type InstrumentationScope, type Resource, type SpanStatus } from '@spoor/model';
import type { Utf8Builder } from '../../store/columns.js';
import { serviceNameOf, setAttribute } from '../decoded.js';
import { writeDigits } from '../protobuf/attribute-json.js';
import { EMPTY_KEY, type KeyText, SpanKeys, nextSpanStamp } from '../protobuf/attribute-keys.js';
import { OK_UNSET } from '../protobuf/traces.js';
import { NO_ATTRIBUTES, NO_EVENTS, NO_LINKS, type SpanFields, type SpanGroup, type SpanPlan, type SpanSource, newPlan, newSpanFields, planSpan, resetSpanFields } from '../span-source.js';
import { anyValue, double, enumValue, integer, micros, resource, scope } from './common.js';
import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  FALSE,
  HEX_VALUE,
  LEAVE,
  LETTER_F,
  LETTER_T,
  MINUS,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  Scanner,
  TRUE,
  digitsEnd,
  isDigit,
  names,
  sameBytesAt,
  textOf,
} from './scanner.js';
import { eventOf, linkOf } from './traces.js';

/**
 * OTLP/JSON's span reader for the column path (`decode-columns.ts`), the twin of
 * `protobuf/trace-columns.ts`: the request's bytes are read as they are, with no `JSON.parse` of
 * it and no object per span. Strings are sliced from the body once; an attribute's value is
 * copied into the attributes column as the JSON text it is stored as when the body already holds
 * it so (what `JSON.stringify` writes, which is what the OpenTelemetry JS exporter sends); ids
 * become bytes from their hex. Resources, scopes, events, links and values of the rarer kinds
 * (maps, bytes, a value with two kinds) are parsed from their own slice and read by the record
 * path's walkers (`common.ts`), so they mean exactly what they mean there.
 *
 * It takes what the record path (`traces.ts`) reads the same, and leaves everything else to it by
 * throwing: a body that is not valid UTF-8 or JSON, a field twice in one object (`JSON.parse`
 * keeps the last), a key with an escape, a KeyValue whose value comes before its key, a value of
 * a type the record path refuses. Its checks are those `JSON.parse` makes: where this reader
 * accepts a body, the record path accepts it too and reads the same (`decode-columns.test.ts`
 * compares them, on mutated bodies as well).
 */

/** What `JsonSpanReader.commonValue` answers for a value it does not read itself: it is parsed from its slice instead. */
const GENERAL = Symbol('general');

/** Values nested deeper than this are parsed from their slice (`anyValue` checks its own limit). */
const FAST_DEPTH = 8;

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
const KEY_VALUE = names('key', 'value');
const ANY_VALUE = names('stringValue', 'intValue', 'boolValue', 'doubleValue', 'arrayValue');
const ARRAY_VALUE = names('values');

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
  private readonly keys = new SpanKeys();
  /** The last trace id read, and where its hex is: the spans of a trace mostly come together. */
  private traceId = '';
  private traceIdBytes: Uint8Array = new Uint8Array(0);
  private readonly traceWords = new Int32Array(4);
  /** The span field that followed each the last time (the first's at the end): a writer keeps its order. */
  private readonly after = Uint8Array.from({ length: SPAN.length + 1 }, (_, field) => (field + 1) % (SPAN.length + 1));

  constructor(body: Uint8Array) {
    this.s = new Scanner(body);
  }

  read(offset: number, attributes: Utf8Builder): SpanFields {
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
            count = this.attributes(attributes);
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

  /**
   * The attributes' JSON into the column's row (its `{` and `}` included when there are any),
   * and the values a convention reads into `fields.view`. Answers how many there are.
   */
  private attributes(out: Utf8Builder): number {
    const s = this.s;
    if (s.isNull() || !s.enterArray()) return 0;
    const f = this.fields;
    const stamp = nextSpanStamp();
    let view: Attributes | null = null;
    let count = 0;
    do {
      // A KeyValue, its key first (one whose value comes first leaves the body: it is written after its key).
      let key: KeyText = EMPTY_KEY;
      let value: AttributeValue = null;
      let more = false;
      if (s.enter()) {
        if (s.field(KEY_VALUE, 0) !== 0) throw LEAVE;
        if (!s.isNull()) {
          if (s.next() !== QUOTE) throw LEAVE;
          const start = s.p + 1;
          const recent = this.keys.atQuoted(s.b, start, count);
          if (recent !== undefined) {
            key = recent;
            s.p = start + recent.bytes.length + 1;
          } else {
            const end = s.string();
            if (s.escaped) throw LEAVE;
            key = this.keys.atBytes(s.b, start, end, count);
          }
        }
        more = s.more(CLOSE_BRACE);
      }
      if (key.stamp === stamp || !key.plain) f.irregular = true;
      key.stamp = stamp;
      const json = count++ === 0 ? key.jsonFirst : key.jsonNext;
      out.reserve(json.length).set(json, out.at);
      out.at += json.length;
      if (!more) out.text('null');
      else {
        if (s.field(KEY_VALUE, 1) !== 1) throw LEAVE;
        value = this.value(out, key.inView, 0, key);
        if (s.more(CLOSE_BRACE)) throw LEAVE;
      }
      if (key.inView) setAttribute((view ??= {}), key.key, value);
    } while (s.more(CLOSE_BRACKET));
    out.text('}');
    f.view = view ?? NO_ATTRIBUTES;
    return count;
  }

  /**
   * Writes the JSON of the `AnyValue` here (as `JSON.stringify` writes what `anyValue` reads)
   * into `out`, and answers the value when `wanted` (else `null`). One of a single kind of the
   * common ones is read here; any other is parsed from its slice and read by `anyValue`.
   */
  private value(out: Utf8Builder, wanted: boolean, depth: number, key: KeyText | null = null): AttributeValue {
    const s = this.s;
    s.next();
    const at = s.p;
    const outAt = out.at;
    const value = this.commonValue(out, wanted, depth, key);
    if (value !== GENERAL) return value;
    s.p = at;
    out.at = outAt;
    const general = anyValue(s.parsed(), '', depth);
    out.text(JSON.stringify(general));
    return wanted ? general : null;
  }

  /** `value`'s common kinds; `key`'s last value kind is tried first (`KeyText.valueKind`). */
  private commonValue(out: Utf8Builder, wanted: boolean, depth: number, key: KeyText | null): AttributeValue | typeof GENERAL {
    const s = this.s;
    if (s.isNull()) {
      out.text('null');
      return null;
    }
    if (depth > FAST_DEPTH || !s.enter()) return GENERAL;
    const kind = s.field(ANY_VALUE, key === null ? 0 : key.valueKind);
    if (key !== null && kind >= 0) key.valueKind = kind;
    let value: AttributeValue | typeof GENERAL = GENERAL;
    const c = s.next();
    switch (kind) {
      case 0: {
        if (c !== QUOTE) return GENERAL;
        const start = s.p;
        const end = s.string();
        if (s.canonical) copy(out, s.b, start, end + 1);
        else out.text(JSON.stringify(textOf(s, start + 1, end)));
        value = wanted ? textOf(s, start + 1, end) : null;
        break;
      }
      case 1:
        value = this.intValue(out, c);
        break;
      case 2:
        if (c === LETTER_T) {
          s.literal(TRUE);
          out.text('true');
          value = true;
        } else if (c === LETTER_F) {
          s.literal(FALSE);
          out.text('false');
          value = false;
        }
        break;
      case 3: {
        let number: number;
        if (c === QUOTE) number = double(s.stringOrNull(), '');
        else if (c === MINUS || isDigit(c)) {
          const start = s.p;
          s.number();
          number = Number(s.slices.latin1Slice(start, s.p));
        } else return GENERAL;
        out.text(JSON.stringify(number));
        value = number;
        break;
      }
      case 4:
        value = this.arrayValue(out, wanted, depth);
        break;
    }
    if (value === GENERAL || s.more(CLOSE_BRACE)) return GENERAL;
    return wanted ? value : null;
  }

  /** An `intValue` (a number, or a decimal string), as `int64Value` of `common.ts` reads it. */
  private intValue(out: Utf8Builder, c: number): AttributeValue | typeof GENERAL {
    const s = this.s;
    let text: string;
    if (c === QUOTE) {
      const start = s.p + 1;
      const end = digitsEnd(s.b, start);
      if (end > start && end - start < 16 && s.b[end] === QUOTE) {
        // A small non-negative integer, as the protobuf JSON mapping writes an int64: no string made.
        s.p = end + 1;
        return this.smallInt(out, start, end);
      }
      text = s.stringOrNull();
      if (!/^-?\d+$/.test(text)) return GENERAL;
    } else if (c === MINUS || isDigit(c)) {
      const start = s.p;
      const digits = s.number();
      // A small non-negative integer, as the OpenTelemetry JS exporter writes one: no string made.
      if (digits > 0 && digits < 16) return this.smallInt(out, start, s.p);
      text = s.slices.latin1Slice(start, s.p);
      // A bare number of 16 digits or more is read as its exact text (`quoteBigInts`); a shorter one as the number it is.
      if (!/^-?\d{16,}$/.test(text)) {
        const value = Number(text);
        if (!Number.isInteger(value)) return GENERAL;
        out.text(JSON.stringify(value));
        return value;
      }
    } else return GENERAL;
    const n = Number(text);
    const value = Number.isSafeInteger(n) ? n : text.replace(/^(-?)0+(?=\d)/, '$1');
    out.text(JSON.stringify(value));
    return value;
  }

  /** The integer of the decimal digits `b[start .. end)` (fewer than 16), written as JSON writes it. */
  private smallInt(out: Utf8Builder, start: number, end: number): number {
    const value = this.s.digits(start, end);
    writeDigits(out, value);
    return value;
  }

  /** An `arrayValue` holding `values` alone, each written as `value` writes it. */
  private arrayValue(out: Utf8Builder, wanted: boolean, depth: number): AttributeValue | typeof GENERAL {
    const s = this.s;
    if (s.next() !== OPEN_BRACE || !s.enter()) return GENERAL;
    if (s.field(ARRAY_VALUE, 0) !== 0 || s.next() !== OPEN_BRACKET) return GENERAL;
    const items: AttributeValue[] | null = wanted ? [] : null;
    out.text('[');
    if (s.enterArray()) {
      let first = true;
      do {
        if (!first) out.text(',');
        first = false;
        const item = this.value(out, wanted, depth + 1);
        items?.push(item);
      } while (s.more(CLOSE_BRACKET));
    }
    out.text(']');
    if (s.more(CLOSE_BRACE)) return GENERAL;
    return items;
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
    // 32 hex digits between quotes, read where they are; any other string is passed as one and
    // left as no id, for the record path to reject the span (or the body, when it is not hex).
    if (b[start + 32] !== QUOTE) {
      s.string();
      return;
    }
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
        if (digit < 0) {
          f.idWords.fill(0, 0, 4);
          s.string();
          return;
        }
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
   * A span or parent span id: its 8 bytes into `ids` at `at`. Answers how many bytes it has: 0
   * when empty or `null`, 8 when valid, -1 for any other (which the record path rejects).
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
    return s.string() === start ? 0 : -1;
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

/** Appends `b[start .. end)`. */
function copy(out: Utf8Builder, b: Uint8Array, start: number, end: number): void {
  const length = end - start;
  const bytes = out.reserve(length);
  let o = out.at;
  if (length > 64) bytes.set(b.subarray(start, end), o);
  else for (let i = start; i < end; i++) bytes[o++] = b[i]!;
  out.at += length;
}
