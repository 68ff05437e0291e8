import { malformedJson, quoteBigInts, string } from './common.js';

/**
 * A cursor over OTLP/JSON's bytes for the column path's reader (`trace-columns.ts`): it passes
 * JSON's tokens where they are in the body, checking them as `JSON.parse` would, and notes what
 * the reader needs of a string (an escape, one `JSON.stringify` would not write, a byte over
 * 0x7f) to copy it as it is or read it.
 */

/**
 * Thrown where the text is not JSON (or not the object a request is): the caller names the fault
 * as `JSON.parse` does (`parseJsonBody`), which alone knows its words for each.
 */
export const NOT_JSON = new Error('not JSON');

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const LETTER_N = 0x6e;
export const LETTER_T = 0x74;
export const LETTER_F = 0x66;
const LETTER_U = 0x75;
const NULL = Buffer.from('null');
export const TRUE = Buffer.from('true');
export const FALSE = Buffer.from('false');

/** A hex digit's value by byte (either case), -1 for other bytes. */
export const HEX_VALUE = new Int8Array(256).fill(-1);
for (let d = 0; d < 16; d++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(d)] = d;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(d)] = d;
}
/** The letters after a backslash that JSON allows, and whether `JSON.stringify` writes them (it writes `\/` as `/`). */
const SHORT_ESCAPE = new Int8Array(256);
for (const letter of '"\\bfnrt') SHORT_ESCAPE[letter.charCodeAt(0)] = 2;
SHORT_ESCAPE['/'.charCodeAt(0)] = 1;
/** The control characters `JSON.stringify` writes with a letter, not as `\u00XX`. */
const LETTERED = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

/** Values skipped over nested deeper than this are passed by their brackets and checked by `JSON.parse`, not by recursion. */
const MAX_SKIP_DEPTH = 256;

export const names = (...list: string[]): Uint8Array[] => list.map((name) => Buffer.from(name));

/**
 * A cursor over a JSON text's bytes. It checks what it passes as `JSON.parse` would, and throws
 * `NOT_JSON` where that would throw.
 */
export class Scanner {
  p = 0;
  /** Facts of the last string passed (`string`): it holds an escape, one `JSON.stringify` would not write, a byte over 0x7f. */
  escaped = false;
  canonical = true;
  ascii = true;
  /** The last key passed (`key`): its bytes are `b[keyStart .. keyEnd)`; when it held an escape, its text is `keyText`. */
  keyStart = 0;
  keyEnd = 0;
  keyEscaped = false;
  keyText = '';
  /** Node's slicers over the body. */
  readonly slices: BufferSlices;

  constructor(readonly b: Uint8Array) {
    this.slices = (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)) as unknown as BufferSlices;
  }

  /** Passes whitespace; answers the byte after it, -1 at the end. */
  next(): number {
    const b = this.b;
    let p = this.p;
    for (;;) {
      const c = b[p];
      if (c === undefined) {
        this.p = p;
        return -1;
      }
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.p = p;
        return c;
      }
      p++;
    }
  }

  expect(c: number): void {
    if (this.next() !== c) throw NOT_JSON;
    this.p++;
  }

  /** At `{` (after whitespace): enters the object; false when it is empty (and passed). */
  enter(): boolean {
    this.expect(OPEN_BRACE);
    if (this.next() !== CLOSE_BRACE) return true;
    this.p++;
    return false;
  }

  /** At `[`: enters the array; false when it is empty (and passed). */
  enterArray(): boolean {
    this.expect(OPEN_BRACKET);
    if (this.next() !== CLOSE_BRACKET) return true;
    this.p++;
    return false;
  }

  /** After a member: true when another follows (the comma passed), false at the end (`close` passed). */
  more(close: number): boolean {
    const c = this.next();
    this.p++;
    if (c === COMMA) return true;
    if (c === close) return false;
    throw NOT_JSON;
  }

  /**
   * At a member of an object: passes its key and the colon. A key with an escape (rare: no
   * writer of OTLP/JSON escapes a field's name) has its text made, to be matched as `JSON.parse`
   * would match it; `keyEscaped` tells the readers, which then read as the record path reads.
   */
  key(): void {
    if (this.next() !== QUOTE) throw NOT_JSON;
    this.keyStart = this.p + 1;
    this.keyEnd = this.string();
    this.keyEscaped = this.escaped;
    if (this.escaped) this.keyText = JSON.parse(this.slices.utf8Slice(this.keyStart - 1, this.keyEnd + 1)) as string;
    this.expect(COLON);
  }

  /**
   * At a member of an object: passes its key and the colon, answering the key's index in `list`,
   * -1 for another. `list[hint]` is tried first, by its bytes and the quote after them, with no
   * scan of the key (the names hold no quote, backslash or control character).
   */
  field(list: Uint8Array[], hint: number): number {
    if (this.next() !== QUOTE) throw NOT_JSON;
    if (hint < list.length) {
      const name = list[hint]!;
      const b = this.b;
      const start = this.p + 1;
      if (b[start + name.length] === QUOTE && sameBytesAt(b, start, name)) {
        this.keyEscaped = false;
        this.p = start + name.length + 1;
        this.expect(COLON);
        return hint;
      }
    }
    this.key();
    return this.keyIn(list, hint);
  }

  /** The index in `list` of the last key, -1 for another; `hint` is tried first. */
  keyIn(list: Uint8Array[], hint: number): number {
    if (hint < list.length && this.keyIs(list[hint]!)) return hint;
    for (let i = 0; i < list.length; i++) if (i !== hint && this.keyIs(list[i]!)) return i;
    return -1;
  }

  private keyIs(name: Uint8Array): boolean {
    if (this.keyEscaped) return this.keyText === Buffer.from(name.buffer, name.byteOffset, name.length).toString('latin1');
    return this.keyEnd - this.keyStart === name.length && sameBytesAt(this.b, this.keyStart, name);
  }

  /**
   * At a string's opening quote: passes it, answering where its text ends (at the closing quote;
   * it starts after the opening one), and notes `escaped`, `canonical` and `ascii`.
   */
  string(): number {
    const b = this.b;
    let p = this.p + 1;
    let escaped = false;
    let canonical = true;
    let high = 0;
    for (;;) {
      const c = b[p];
      if (c === undefined || c < 0x20) throw NOT_JSON;
      if (c === QUOTE) break;
      if (c !== BACKSLASH) {
        high |= c;
        p++;
        continue;
      }
      escaped = true;
      const e = b[p + 1] ?? 0;
      if (e === LETTER_U) {
        let code = 0;
        for (let k = 2; k < 6; k++) {
          const digit = HEX_VALUE[b[p + k] ?? 0]!;
          if (digit < 0) throw NOT_JSON;
          code = code * 16 + digit;
        }
        // JSON.stringify writes \u00XX, in lower case, for the control characters without a letter
        // only. Below 0x20 the first three digits are 0, 0 and 0 or 1: only the last can be a letter.
        if (code >= 0x20 || LETTERED.has(code) || (b[p + 5]! >= 0x41 && b[p + 5]! <= 0x46)) canonical = false;
        p += 6;
      } else {
        const kind = SHORT_ESCAPE[e]!;
        if (kind === 0) throw NOT_JSON;
        if (kind === 1) canonical = false;
        p += 2;
      }
    }
    this.escaped = escaped;
    this.canonical = canonical;
    this.ascii = high < 0x80;
    this.p = p + 1;
    return p;
  }

  /** At a value: a string's text, `''` for `null`; any other value is malformed, as `string` of `common.ts` says of `where`. */
  stringOrNull(where: string): string {
    const c = this.next();
    if (c === LETTER_N) {
      this.literal(NULL);
      return '';
    }
    if (c !== QUOTE) {
      this.skip(0);
      throw malformedJson(`${where} must be a string`);
    }
    const start = this.p + 1;
    return textOf(this, start, this.string());
  }

  /** At `true`, `false` or `null`: passes it. */
  literal(word: Uint8Array): void {
    const b = this.b;
    const p = this.p;
    for (let i = 0; i < word.length; i++) if (b[p + i] !== word[i]) throw NOT_JSON;
    this.p = p + word.length;
  }

  /** Whether the value here is `null` (passed if so). */
  isNull(): boolean {
    if (this.next() !== LETTER_N) return false;
    this.literal(NULL);
    return true;
  }

  /**
   * At a number: checks JSON's grammar and passes it. Answers how many digits it has when it is
   * digits alone (no sign, fraction or exponent), else -1.
   */
  number(): number {
    const b = this.b;
    const start = this.p;
    let p = start;
    let plain = true;
    if (b[p] === MINUS) {
      plain = false;
      p++;
    }
    const first = p;
    if (b[p] === ZERO) {
      p++;
      if (isDigit(b[p])) return this.quotedRun(start, first);
    } else {
      if (!isDigit(b[p])) throw NOT_JSON;
      while (isDigit(b[p])) p++;
    }
    const digits = p - first;
    if (b[p] === 0x2e) {
      plain = false;
      p++;
      if (!isDigit(b[p])) throw NOT_JSON;
      while (isDigit(b[p])) p++;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      plain = false;
      p++;
      if (b[p] === 0x2b || b[p] === MINUS) p++;
      if (!isDigit(b[p])) throw NOT_JSON;
      while (isDigit(b[p])) p++;
    }
    this.p = p;
    return plain ? digits : -1;
  }

  /**
   * Digits after a zero, which JSON does not allow, but the record path reads where it quotes a
   * long run of digits before parsing (`quoteBigInts`): 16 or more after a key such a run is
   * quoted after, before `,`, `}` or `]`. Passes them as digits alone; else the text is not JSON.
   */
  private quotedRun(start: number, first: number): number {
    const b = this.b;
    const end = digitsEnd(b, first);
    let after = end;
    while (b[after] === 0x20 || b[after] === 0x0a || b[after] === 0x0d || b[after] === 0x09) after++;
    const close = b[after] === COMMA || b[after] === CLOSE_BRACE || b[after] === CLOSE_BRACKET;
    const kind = quotedKeyBefore(b, start);
    if (end - first < 16 || !close || kind === 0 || (kind === TIME_KEY && start !== first)) throw NOT_JSON;
    this.p = end;
    return start === first ? end - first : -1;
  }

  /** Whether a long run of digits here (after a key just passed) is quoted by the record path before parsing, so read exactly. */
  quotedHere(): boolean {
    return quotedKeyBefore(this.b, this.p) !== 0;
  }

  /** The value of the decimal digits `b[start .. end)`, exact below 2^53 (`Number` of their text beyond). */
  digits(start: number, end: number): number {
    const b = this.b;
    let value = 0;
    for (let i = start; i < end; i++) value = value * 10 + (b[i]! - ZERO);
    return value <= Number.MAX_SAFE_INTEGER ? value : Number(this.slices.latin1Slice(start, end));
  }

  /**
   * Passes the value here, checking it as `JSON.parse` would (strings' UTF-8 is checked with the
   * whole body).
   */
  skip(depth: number): void {
    const c = this.next();
    if (depth > MAX_SKIP_DEPTH && (c === OPEN_BRACE || c === OPEN_BRACKET)) {
      const start = this.p;
      this.passObject();
      try {
        JSON.parse(this.slices.utf8Slice(start, this.p));
      } catch {
        throw NOT_JSON;
      }
      return;
    }
    if (c === QUOTE) this.string();
    else if (c === OPEN_BRACE) {
      if (this.enter()) {
        do {
          this.key();
          this.skip(depth + 1);
        } while (this.more(CLOSE_BRACE));
      }
    } else if (c === OPEN_BRACKET) {
      if (this.enterArray()) {
        do this.skip(depth + 1);
        while (this.more(CLOSE_BRACKET));
      }
    } else if (c === LETTER_T) this.literal(TRUE);
    else if (c === LETTER_F) this.literal(FALSE);
    else if (c === LETTER_N) this.literal(NULL);
    else this.number();
  }

  /** Passes the value here and parses its text as the record path parses the body's (big integers quoted first). */
  parsed(): unknown {
    this.next();
    const start = this.p;
    this.skip(0);
    return JSON.parse(quoteBigInts(this.slices.utf8Slice(start, this.p)));
  }

  /**
   * Passes an object whose brackets balance, finding its end by its brackets and strings only:
   * the span reader checks it as it reads it (`JsonSpanReader.read`), and one that does not read
   * as JSON is refused.
   */
  passObject(): void {
    const b = this.b;
    let p = this.p;
    let depth = 0;
    for (;;) {
      const c = b[p++];
      if (c === QUOTE) {
        for (;;) {
          const d = b[p++];
          if (d === QUOTE) break;
          if (d === BACKSLASH) p++;
          else if (d === undefined) throw NOT_JSON;
        }
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) {
          this.p = p;
          return;
        }
      } else if (c === undefined) throw NOT_JSON;
    }
  }
}

const TIME_KEY = 1;
const INT_KEY = 2;
const UNIX_NANO = Buffer.from('UnixNano');
const INT_KEYS = ['"intValue', '"asInt', '"count', '"zeroCount'].map((key) => Buffer.from(key));

/**
 * Which of `quoteBigInts`' patterns the text before `at` (a number's first byte) ends as: a key
 * ending `UnixNano"` then a colon (`TIME_KEY`), one of its integers' keys (`INT_KEY`), else 0.
 * Read backwards over the raw text, as its patterns read it.
 */
function quotedKeyBefore(b: Uint8Array, at: number): number {
  let p = at - 1;
  while (p >= 0 && (b[p] === 0x20 || b[p] === 0x0a || b[p] === 0x0d || b[p] === 0x09)) p--;
  if (b[p] !== COLON) return 0;
  p--;
  while (p >= 0 && (b[p] === 0x20 || b[p] === 0x0a || b[p] === 0x0d || b[p] === 0x09)) p--;
  if (b[p] !== QUOTE) return 0;
  if (p >= 8 && sameBytesAt(b, p - 8, UNIX_NANO)) return TIME_KEY;
  for (const key of INT_KEYS) if (p >= key.length && sameBytesAt(b, p - key.length, key)) return INT_KEY;
  return 0;
}

export const isDigit = (c: number | undefined): boolean => c !== undefined && c >= ZERO && c <= NINE;

export function sameBytesAt(b: Uint8Array, start: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) if (b[start + i] !== name[i]) return false;
  return true;
}

/** What `string()` of `common.ts` makes of a text: a lone surrogate becomes U+FFFD. */
function wellFormed(text: string): string {
  return string(text, '');
}

/** The text of the string whose characters are `b[start .. end)`, just passed by `s`. */
export function textOf(s: Scanner, start: number, end: number): string {
  if (!s.escaped) return s.ascii ? s.slices.latin1Slice(start, end) : s.slices.utf8Slice(start, end);
  return wellFormed(rawTextOf(s, start, end));
}

/** `textOf` as `JSON.parse` reads it, a lone surrogate kept (an enum's name is quoted so in the fault naming it). */
export function rawTextOf(s: Scanner, start: number, end: number): string {
  if (!s.escaped) return s.ascii ? s.slices.latin1Slice(start, end) : s.slices.utf8Slice(start, end);
  return JSON.parse(s.slices.utf8Slice(start - 1, end + 1)) as string;
}

/** Where the run of decimal digits from `start` ends. */
export function digitsEnd(b: Uint8Array, start: number): number {
  let end = start;
  while (isDigit(b[end])) end++;
  return end;
}

/** Node's `Buffer` slicers, which its types do not declare. */
interface BufferSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}
