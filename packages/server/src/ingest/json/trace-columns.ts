import { SPAN_KINDS, STATUS_CODES, type SpanStatus } from '@spoor/model';
import type { Utf8Builder } from '../../store/columns.js';
import { spanIdsProblem } from '../decoded.js';
import { OK_UNSET } from '../protobuf/traces.js';
import { NO_ATTRIBUTES, NO_EVENTS, NO_LINKS, type SpanFields, type SpanSource, newSpanFields, planSpan, resetSpanFields } from '../span-source.js';
import { JsonAttributes } from './attribute-values.js';
import { enumValue, eventOf, hexId, integer, linkOf, malformedJson, micros, object } from './common.js';
import { CLOSE_BRACE, HEX_VALUE, MINUS, OPEN_BRACE, OPEN_BRACKET, QUOTE, Scanner, digitsEnd, names, rawTextOf, sameBytesAt, textOf } from './scanner.js';
import { type JsonSpanPlan, newJsonPlan } from './trace-plan.js';

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
 * It reads every body the record path (`traces.ts`) reads, the same: a byte order mark, keys
 * with escapes (matched by their text), a field given twice (the last kept, as `JSON.parse` keeps
 * it: the attributes written of the first taken back), a KeyValue spelled otherwise (read by the
 * record path's walkers, the span read whole). Its checks are those `JSON.parse` makes, and a
 * fault is named as the record path names it (`read`, `decode-refusals.ts`):
 * `decode-columns-json.test.ts` compares them, on mutated bodies as well.
 */

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

  constructor(
    body: Uint8Array,
    private readonly plan: JsonSpanPlan,
    /** Where the one span of a reader made by `asParsed` is; `null` for a request's reader. */
    private readonly at: string | null = null,
  ) {
    this.s = new Scanner(body);
    this.attributes = new JsonAttributes(this.s);
  }

  /**
   * Reads the span at `offset`; with `all`, every attribute into `view`. A fault in it is named
   * as the record path names it, unless the span's ids are invalid: the record path reads a span's
   * ids first, and rejects such a span before it reads the rest (`fault`).
   */
  read(offset: number, attributes: Utf8Builder, all = false): SpanFields {
    const rowAt = attributes.at;
    try {
      return this.readSpan(offset, attributes, all, rowAt);
    } catch (error) {
      if (!isMalformed(error)) throw error;
      return this.fault(offset, attributes, rowAt, error, all);
    }
  }

  private readSpan(offset: number, attributes: Utf8Builder, all: boolean, rowAt: number): SpanFields {
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
        if ((seen & (1 << field)) !== 0) {
          // A field given twice: the last one is kept, as JSON.parse keeps it. The attributes
          // written of the first are taken back; a trace id read as null keeps none.
          if (field === ATTRIBUTES) {
            attributes.at = rowAt;
            count = 0;
            f.view = NO_ATTRIBUTES;
            f.irregular = false;
          } else if (field === TRACE_ID) {
            f.traceId = '';
            f.idWords.fill(0, 0, 4);
          }
        }
        seen |= 1 << field;
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
            f.traceState = s.stringOrNull('.traceState');
            break;
          case PARENT_SPAN_ID:
            f.parentIdAt = 8;
            f.parentIdBytes = this.readId(8);
            break;
          case NAME:
            f.name = s.stringOrNull('.name');
            break;
          case KIND:
            f.kind = this.enumOf(SPAN_KINDS, 'SPAN_KIND_', '.kind');
            break;
          case START:
            f.startTimeUs = this.micros('.startTimeUnixNano');
            break;
          case END:
            f.endTimeUs = this.micros('.endTimeUnixNano');
            break;
          case ATTRIBUTES:
            count = this.attributes.read(attributes, f, all);
            break;
          case DROPPED_ATTRIBUTES:
            f.droppedAttributesCount = this.integer('.droppedAttributesCount');
            break;
          case EVENTS:
            f.events = this.list(eventOf, NO_EVENTS, '.events');
            break;
          case DROPPED_EVENTS:
            f.droppedEventsCount = this.integer('.droppedEventsCount');
            break;
          case LINKS:
            f.links = this.list(linkOf, NO_LINKS, '.links');
            break;
          case DROPPED_LINKS:
            f.droppedLinksCount = this.integer('.droppedLinksCount');
            break;
          case STATUS_FIELD:
            f.status = this.status();
            break;
          case FLAGS:
            f.flags = this.integer('.flags');
            break;
        }
      } while (s.more(CLOSE_BRACE));
    }
    if (count === 0) attributes.text('{}');
    attributes.endRow();
    return f;
  }

  /**
   * A span the record path would refuse (`error`, its place named relative to the span's): unless
   * its ids are invalid, refused naming the span; else its ids are given for the caller to reject
   * it by, with no attributes. Its own text is parsed to learn them, as the record path reads them.
   * A fault in a field the span gives again is none (`JSON.parse` keeps the last): the span is read
   * again as it parsed, from its text written again (`JSON.stringify`), which holds each field once.
   */
  private fault(offset: number, attributes: Utf8Builder, rowAt: number, error: Error, all: boolean): SpanFields {
    const at = this.at ?? this.where(offset);
    const s = this.s;
    s.p = offset;
    const span = object(s.parsed(), at);
    const traceId = hexId(span.traceId, `${at}.traceId`);
    const spanId = hexId(span.spanId, `${at}.spanId`);
    const parentSpanId = hexId(span.parentSpanId, `${at}.parentSpanId`);
    if (spanIdsProblem(traceId, spanId, parentSpanId) === null) {
      if (this.at === null) return this.asParsed(span, at, attributes, rowAt, all);
      const message = error.message.slice(MALFORMED.length);
      throw message.startsWith('.') ? malformedJson(at + message) : error;
    }
    const f = this.fields;
    resetSpanFields(f, OK_UNSET);
    f.traceId = traceId;
    f.spanIdBytes = spanId === '' ? 0 : -1;
    this.spanIdText = spanId;
    f.parentIdBytes = parentSpanId === '' ? 0 : parentSpanId.length === 16 ? 8 : -1;
    attributes.at = rowAt;
    attributes.text('{}');
    attributes.endRow();
    return f;
  }

  /** The span read from `JSON.stringify` of its parsed value, by a reader of that text alone (named `at`), into this reader's fields and ids. */
  private asParsed(span: object, at: string, attributes: Utf8Builder, rowAt: number, all: boolean): SpanFields {
    const plan = newJsonPlan();
    planSpan(plan, 0, 0);
    const again = new JsonSpanReader(Buffer.from(JSON.stringify(span, exactTimes)), plan, at);
    attributes.at = rowAt;
    Object.assign(this.fields, again.read(0, attributes, all));
    this.ids.set(again.ids);
    this.spanIdText = again.spanIdText;
    return this.fields;
  }

  /** Where the span at `offset` is in the request, as the record path names it (`resourceSpans[0].scopeSpans[0].spans[3]`). */
  private where(offset: number): string {
    const plan = this.plan;
    let k = 0;
    while (k < plan.count && plan.offsets[k] !== offset) k++;
    const group = plan.groupOf[k]!;
    let first = k;
    while (first > 0 && plan.groupOf[first - 1] === group) first--;
    return `${plan.where[group]}.spans[${k - first}]`;
  }

  /** A time in unix nanoseconds as epoch microseconds, as `micros` of `common.ts` reads it, with no string made for digits alone. */
  private micros(where: string): number {
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
      return micros(textOf(s, start, s.string()), where);
    }
    if (c !== MINUS && (c < 0x30 || c > 0x39)) return micros(s.parsed(), where);
    const start = s.p;
    const digits = s.number();
    // Digits alone, cut to the microsecond exactly, as the record path cuts them: a long one is
    // quoted before parsing there, but not after a key whose escape hides its name from that search.
    if (digits > 0 && (digits < 16 || !s.keyEscaped || quotedAt(s, start))) return digits <= 3 ? 0 : s.digits(start, s.p - 3);
    return micros(Number(s.slices.latin1Slice(start, s.p)), where);
  }

  /** An integer (a number or a decimal string), as `integer` of `common.ts` reads it; `null` is 0. */
  private integer(where: string): number {
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
      return integer(textOf(s, start, s.string()), where);
    }
    if (c !== MINUS && (c < 0x30 || c > 0x39)) return integer(s.parsed(), where);
    const start = s.p;
    const digits = s.number();
    if (digits > 0 && digits < 16) return s.digits(start, s.p);
    return integer(Number(s.slices.latin1Slice(start, s.p)), where);
  }

  /** An enum, by number or by name, as `enumValue` of `common.ts` reads it. */
  private enumOf(list: readonly string[], prefix: string, where: string): number {
    const s = this.s;
    const c = s.next();
    if (c === QUOTE) return enumValue(rawTextOf(s, s.p + 1, s.string()), list, prefix, where);
    return this.integer(where);
  }

  private status(): SpanStatus {
    const s = this.s;
    if (s.isNull()) return OK_UNSET;
    if (s.next() !== OPEN_BRACE) {
      s.skip(0);
      throw malformedJson('.status must be an object');
    }
    let code = 0;
    let message = '';
    if (s.enter()) {
      do {
        const field = s.field(STATUS, 0);
        if (field === 0) code = this.enumOf(STATUS_CODES, 'STATUS_CODE_', '.status.code');
        else if (field === 1) message = s.stringOrNull('.status.message');
        else s.skip(0);
      } while (s.more(CLOSE_BRACE));
    }
    return { code: STATUS_CODES[code] ?? 'unset', message };
  }

  /** Events or links: parsed from their slice and read by the record path's own walkers; none made for `[]` or `null`. */
  private list<T>(read: (value: unknown, at: string) => T, none: T[], where: string): T[] {
    const s = this.s;
    if (s.isNull()) return none;
    const start = s.p;
    if (s.next() === OPEN_BRACKET && !s.enterArray()) return none;
    s.p = start;
    const value = s.parsed();
    if (!Array.isArray(value)) throw malformedJson(`${where} must be an array`);
    return value.map((item, n) => read(item, `${where}[${n}]`));
  }

  /** A trace id: its lowercase hex (the same string as the last one's when its hex is the same), and its words. */
  private readTraceId(): void {
    const s = this.s;
    const f = this.fields;
    if (s.isNull()) return;
    if (s.next() !== QUOTE) s.stringOrNull('.traceId');
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
   * its text, as the record path reads it, which refuses text that is not hex.
   */
  private traceIdText(start: number): void {
    const f = this.fields;
    const text = hexText(this.s, start, '.traceId');
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
    const where = at === 0 ? '.spanId' : '.parentSpanId';
    if (s.isNull()) return 0;
    if (s.next() !== QUOTE) s.stringOrNull(where);
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
    const text = hexText(s, start, where);
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

/** The id string at `start` (the reader at its quote), lowercase, as `hexId` of `common.ts` reads it, and refuses text that is not hex. */
function hexText(s: Scanner, start: number, where: string): string {
  const text = textOf(s, start, s.string());
  if (!HEX.test(text)) throw malformedJson(`${where} must be hex`);
  return text.toLowerCase();
}

const MALFORMED = 'malformed OTLP/JSON: ';

/**
 * A time `JSON.parse` made a double past 2^53 (after a key whose escape hid it from `quoteBigInts`)
 * written as that double's exact integer: `micros` cuts it as the record path's `Math.floor` does.
 */
function exactTimes(key: string, value: unknown): unknown {
  return typeof value === 'number' && key.endsWith('UnixNano') && Number.isInteger(value) && !Number.isSafeInteger(value) ? BigInt(value).toString() : value;
}

/** `Scanner.quotedHere` of the number at `at`. */
function quotedAt(s: Scanner, at: number): boolean {
  const p = s.p;
  s.p = at;
  const quoted = s.quotedHere();
  s.p = p;
  return quoted;
}

/** Whether `error` is a fault of the body's the record path names (`malformedJson`). */
function isMalformed(error: unknown): error is Error {
  return error instanceof Error && error.name === 'AppError' && error.message.startsWith(MALFORMED);
}
