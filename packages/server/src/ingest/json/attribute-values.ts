import type { AttributeValue, Attributes } from '@spoor/model';
import type { Utf8Builder } from '../../store/columns.js';
import { setAttribute } from '../decoded.js';
import { writeDigits } from '../protobuf/attribute-json.js';
import { EMPTY_KEY, type KeyText, SpanKeys, nextSpanStamp } from '../protobuf/attribute-keys.js';
import { NO_ATTRIBUTES, type SpanFields } from '../span-source.js';
import { anyValue, malformedJson, object, string } from './common.js';
import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  FALSE,
  LETTER_F,
  LETTER_T,
  MINUS,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  type Scanner,
  TRUE,
  digitsEnd,
  isDigit,
  names,
  textOf,
} from './scanner.js';

/**
 * A span's attributes as OTLP/JSON's span reader (`trace-columns.ts`) reads them: each written
 * into the attributes column as the JSON text it is stored as (what `JSON.stringify` writes of
 * what `anyValue` of `common.ts` reads), copied from the body where the body holds it so, and
 * the values of keys a convention reads made values for `SpanFields.view`. Keys are found by
 * their bytes in the key table the protobuf reader uses (`protobuf/attribute-keys.ts`).
 */

/** What `commonValue` answers for a value it does not read itself: it is parsed from its slice instead. */
const GENERAL = Symbol('general');

/** Values nested deeper than this are parsed from their slice (`anyValue` checks its own limit). */
const FAST_DEPTH = 8;

const KEY_VALUE = names('key', 'value');
const ANY_VALUE = names('stringValue', 'intValue', 'boolValue', 'doubleValue', 'arrayValue');
const ARRAY_VALUE = names('values');

export class JsonAttributes {
  private readonly keys = new SpanKeys();

  constructor(private readonly s: Scanner) {}

  /**
   * The attributes' JSON into the column's row (its `{` and `}` included when there are any),
   * and the values a convention reads into `f.view` (with `all`, every value); a key twice makes
   * `f` irregular. Answers how many there are.
   */
  read(out: Utf8Builder, f: SpanFields, all: boolean): number {
    const s = this.s;
    if (s.isNull()) return 0;
    if (s.next() !== OPEN_BRACKET) {
      s.skip(0);
      throw malformedJson('.attributes must be an array');
    }
    if (!s.enterArray()) return 0;
    const stamp = nextSpanStamp();
    let view: Attributes | null = null;
    let count = 0;
    do {
      const kvAt = s.p;
      let read: boolean;
      try {
        read = this.keyValue(out, f, all, stamp, count);
      } catch (error) {
        // A value the record path refuses, unless the KeyValue gives it again: read below, which names the fault as it does.
        if (!(error instanceof Error) || error.name !== 'AppError') throw error;
        read = false;
      }
      if (!read) {
        // A KeyValue spelled otherwise (its value first, a field twice, an escaped field name, not
        // an object): read by the record path's walkers, and the span read whole (`irregular`).
        s.p = kvAt;
        const kv = object(s.parsed(), `.attributes[${count}]`);
        const key = string(kv.key, `.attributes[${count}].key`);
        const value = anyValue(kv.value, `.attributes[${count}].value`, 0);
        f.irregular = true;
        if (all) setAttribute((view ??= {}), key, value);
      } else if (this.wantedKey !== null) setAttribute((view ??= {}), this.wantedKey, this.wantedValue);
      count++;
    } while (s.more(CLOSE_BRACKET));
    out.text('}');
    f.view = view ?? NO_ATTRIBUTES;
    return count;
  }

  /** The last KeyValue's key and value (`keyValue`), when `f.view` takes them; the key null when not. */
  private wantedKey: string | null = null;
  private wantedValue: AttributeValue = null;

  /**
   * Reads a KeyValue written as a writer writes one, its key first and plain: its JSON into `out`,
   * and into `key` and `value` what `f.view` takes of it. Answers false, having read no further than
   * its end, for one spelled otherwise.
   */
  private keyValue(out: Utf8Builder, f: SpanFields, all: boolean, stamp: number, index: number): boolean {
    const s = this.s;
    this.wantedKey = null;
    if (s.next() !== OPEN_BRACE) return false;
    let key: KeyText = EMPTY_KEY;
    let more = false;
    if (s.enter()) {
      if (s.field(KEY_VALUE, 0) !== 0 || s.keyEscaped) return false;
      if (!s.isNull()) {
        if (s.next() !== QUOTE) return false;
        const start = s.p + 1;
        const recent = this.keys.atQuoted(s.b, start, index);
        if (recent !== undefined) {
          key = recent;
          s.p = start + recent.bytes.length + 1;
        } else {
          const end = s.string();
          if (s.escaped) {
            // A key spelled with an escape: found by its text's UTF-8, as the record path reads it.
            const text = Buffer.from(textOf(s, start, end));
            key = this.keys.fromTable(text, 0, text.length, index);
          } else key = this.keys.fromTable(s.b, start, end, index);
        }
      }
      more = s.more(CLOSE_BRACE);
      if (more && (s.field(KEY_VALUE, 1) !== 1 || s.keyEscaped)) return false;
    }
    if (key.stamp === stamp || !key.plain) f.irregular = true;
    key.stamp = stamp;
    const json = index === 0 ? key.jsonFirst : key.jsonNext;
    out.reserve(json.length).set(json, out.at);
    out.at += json.length;
    const wanted = all || key.inView;
    let value: AttributeValue = null;
    if (!more) out.text('null');
    else {
      value = this.value(out, wanted, 0, key);
      if (s.more(CLOSE_BRACE)) return false;
    }
    if (wanted) {
      this.wantedKey = key.key;
      this.wantedValue = value;
    }
    return true;
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
    if (depth > FAST_DEPTH || s.next() !== OPEN_BRACE || !s.enter()) return GENERAL;
    const kind = s.field(ANY_VALUE, key === null ? 0 : key.valueKind);
    // After a key spelled with an escape, a long bare intValue means what the record path makes of it.
    if (s.keyEscaped) return GENERAL;
    if (key !== null && kind >= 0) key.valueKind = kind;
    let value: AttributeValue | typeof GENERAL = GENERAL;
    const c = s.next();
    switch (kind) {
      case 0: {
        if (c !== QUOTE) return GENERAL;
        const start = s.p;
        const end = s.string();
        const text = wanted || !s.canonical ? textOf(s, start + 1, end) : null;
        if (s.canonical) copy(out, s.b, start, end + 1);
        else out.text(JSON.stringify(text));
        value = text;
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
        // A double spelled as a string ("NaN", "Infinity") is read by `anyValue`, which names one it refuses.
        if (c === QUOTE) return GENERAL;
        if (c === MINUS || isDigit(c)) {
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
      text = s.stringOrNull('');
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
    if (s.field(ARRAY_VALUE, 0) !== 0 || s.keyEscaped || s.next() !== OPEN_BRACKET) return GENERAL;
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
