import { isNormalizedKey } from '../../normalize/read-keys.js';
import { type BinaryReader, malformed, readString, replacedStringCount } from './wire.js';

/**
 * Attribute keys as the column path reads them (`trace-columns.ts`): each distinct key's text
 * made once, found again by its bytes, so that no string is made for a key a request repeats on
 * every span.
 */

/** A distinct attribute key: its text, its JSON's UTF-8 (`{"key":` first in an object, `,"key":` after), and whether a convention reads it. */
export interface KeyText {
  bytes: Uint8Array;
  key: string;
  jsonFirst: Uint8Array;
  jsonNext: Uint8Array;
  inView: boolean;
  /** JSON.stringify writes it in the order it came: not an array index, not `__proto__`. */
  plain: boolean;
  /** The kind of value (its field in OTLP/JSON's `AnyValue`) this key had last, to look for first. */
  valueKind: number;
  /** Its bytes hold no quote, backslash or control character: between quotes, they are its JSON string as it is. */
  quoted: boolean;
  /** The last span it was read in (`spanStamp`). */
  stamp: number;
  /** Its invalid UTF-8 was replaced: never remembered, so that each time it is read it is counted. */
  repaired?: true;
}

/**
 * The empty key, whether its KeyValue has no key or an empty one: one object, never in the table
 * or a span's recent keys, so that the check for a key met twice in a span (`stamp`) sees it.
 */
export const EMPTY_KEY: KeyText = keyTextOf(new Uint8Array(0), '');

function keyTextOf(bytes: Uint8Array, key: string): KeyText {
  // An array-index key is written first by JSON.stringify, whatever its place; a key starting
  // with a digit is taken for one (the record path sorts it out).
  const plain = key !== '__proto__' && !(key.length > 0 && key.charCodeAt(0) >= 48 && key.charCodeAt(0) <= 57);
  const json = `${JSON.stringify(key)}:`;
  const quoted = bytes.every((b) => b >= 0x20 && b !== 0x22 && b !== 0x5c);
  return {
    bytes,
    key,
    jsonFirst: Buffer.from(`{${json}`),
    jsonNext: Buffer.from(`,${json}`),
    inView: isNormalizedKey(key),
    plain,
    quoted,
    valueKind: 0,
    stamp: 0,
  };
}

/**
 * Keys by their bytes, in an open-addressed table: a request repeats a few dozen keys on every
 * span, and a key found here costs a hash of its bytes and a compare, with no string made.
 */
const KEY_SLOTS = 4096;
const MAX_KEYS = KEY_SLOTS / 2;
const keySlots: Array<KeyText | undefined> = new Array<KeyText | undefined>(KEY_SLOTS);
let keyCount = 0;
/** Counts the table's fresh starts: a key remembered from before one is not the table's object for it. */
let keyGeneration = 0;

export function keyText(r: BinaryReader, buf: Uint8Array): KeyText {
  const prefixAt = r.pos;
  const length = r.uint32();
  const start = r.pos;
  const end = start + length;
  if (end > r.len) throw malformed('truncated string');
  if (length === 0) {
    r.pos = end;
    return EMPTY_KEY;
  }
  const slot = slotOf(buf, start, end);
  const known = keySlots[slot];
  if (known !== undefined) {
    r.pos = end;
    return known;
  }
  // First seen: read (and checked) as any string is.
  r.pos = prefixAt;
  const before = replacedStringCount();
  const key = readString(r);
  // A key whose invalid UTF-8 was replaced is never the table's: found again by its bytes, it
  // would not be counted again. Not plain, its span goes the record way, which counts each.
  if (replacedStringCount() !== before) return { ...keyTextOf(buf.slice(start, end), key), plain: false, repaired: true };
  return remember(slot, buf, start, end, key);
}

/**
 * `keyText` of a key whose UTF-8 bytes are `buf[start .. end)` (OTLP/JSON's, checked as UTF-8
 * with the whole body, and holding no escape).
 */
export function keyTextOfBytes(buf: Uint8Array, start: number, end: number): KeyText {
  if (end === start) return EMPTY_KEY;
  const slot = slotOf(buf, start, end);
  return keySlots[slot] ?? remember(slot, buf, start, end, Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8', start, end));
}

/** The slot holding the key of these bytes, or the empty one where it would go. */
function slotOf(buf: Uint8Array, start: number, end: number): number {
  const length = end - start;
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 16777619);
  let slot = hash & (KEY_SLOTS - 1);
  for (;;) {
    const known = keySlots[slot];
    if (known === undefined || (known.bytes.length === length && sameBytes(known.bytes, buf, start))) return slot;
    slot = (slot + 1) & (KEY_SLOTS - 1);
  }
}

function remember(slot: number, buf: Uint8Array, start: number, end: number, key: string): KeyText {
  const text = keyTextOf(buf.slice(start, end), key);
  if (keyCount === MAX_KEYS) {
    // Full (keys made up per span, say): start over. A key of the span being read may be gone
    // from the table, so a second one of it would go unseen: this span takes the record path.
    keySlots.fill(undefined);
    keyGeneration++;
    keyCount = 0;
    return { ...text, plain: false };
  }
  keySlots[slot] = text;
  keyCount++;
  return text;
}

function sameBytes(known: Uint8Array, buf: Uint8Array, start: number): boolean {
  for (let i = 0; i < known.length; i++) if (known[i] !== buf[start + i]) return false;
  return true;
}

/**
 * One reader's keys: the last few keys met at each place in a span, checked first, most recent
 * first (the spans of a request mostly share their keys' order, by kind: an LLM call's keys, a
 * tool call's, in turn), the table looked up only when none is it. What it remembers from before
 * the table started over is dropped: it is no longer the table's object.
 */
export class SpanKeys {
  /** The keys at place `index` are `recent[index * WAYS ..]`, most recent first. */
  private readonly recent: Array<KeyText | undefined> = [];
  private generation = keyGeneration;

  /** The key at `r` (a KeyValue's key field, after its tag), the span's `index`th attribute. */
  at(r: BinaryReader, body: Uint8Array, index: number): KeyText {
    const prefix = body[r.pos]!;
    if (prefix === 0) {
      r.pos++;
      return EMPTY_KEY;
    }
    // A one-byte length prefix (keys under 128 bytes), then the bytes; a longer key is never remembered.
    if (!(prefix < 128 && r.pos + 1 + prefix <= r.len)) return keyText(r, body);
    const k = this.recentAt(body, r.pos + 1, prefix, index);
    if (k < 0) {
      r.pos += 1 + prefix;
      return this.recent[index * WAYS]!;
    }
    const key = keyText(r, body);
    if (this.generation === keyGeneration && key.repaired !== true) this.toFront(index * WAYS, k, key);
    return key;
  }

  /**
   * The recent key at `index` (the span's `index`th attribute, OTLP/JSON) whose JSON string starts
   * at `body[start]` (after its opening quote), found by its bytes and the closing quote after
   * them; `undefined` when none is: `fromTable` then, once the string is passed.
   */
  atQuoted(body: Uint8Array, start: number, index: number): KeyText | undefined {
    this.forgetOld();
    const recent = this.recent;
    const first = index * WAYS;
    for (let k = 0; k < WAYS; k++) {
      const known = recent[first + k];
      if (known === undefined) return undefined;
      if (known.quoted && body[start + known.bytes.length] === 0x22 && sameBytes(known.bytes, body, start)) {
        this.toFront(first, k, known);
        return known;
      }
    }
    return undefined;
  }

  /**
   * The key whose UTF-8 bytes (no escape) are `body[start .. end)`, which `atQuoted` did not find
   * among the recent keys at `index`: from the table, and remembered first there. (An OTLP/JSON
   * key holds no quote, backslash or control character, so no recent key can be it.)
   */
  fromTable(body: Uint8Array, start: number, end: number, index: number): KeyText {
    if (end === start) return EMPTY_KEY;
    const key = keyTextOfBytes(body, start, end);
    if (end - start < 128 && this.generation === keyGeneration) {
      const first = index * WAYS;
      let k = 0;
      while (k < WAYS - 1 && this.recent[first + k] !== undefined) k++;
      this.toFront(first, k, key);
    }
    return key;
  }

  /**
   * Looks for the key of these bytes among the recent ones at `index`: found, it is moved first
   * and -1 answered; else the slot a new key is to take (`toFront`).
   */
  private recentAt(body: Uint8Array, start: number, length: number, index: number): number {
    this.forgetOld();
    const recent = this.recent;
    const first = index * WAYS;
    let k = 0;
    for (; k < WAYS; k++) {
      const known = recent[first + k];
      if (known === undefined) break;
      if (known.bytes.length === length && sameBytes(known.bytes, body, start)) {
        this.toFront(first, k, known);
        return -1;
      }
    }
    return Math.min(k, WAYS - 1);
  }

  /** Drops the keys remembered from before the table started over: they are no longer its objects. */
  private forgetOld(): void {
    if (this.generation === keyGeneration) return;
    this.recent.length = 0;
    this.generation = keyGeneration;
  }

  /** Puts `key` first at its place, the keys before slot `from` moving down one (the one at `from` goes). */
  private toFront(first: number, from: number, key: KeyText): void {
    const recent = this.recent;
    for (let j = first + from; j > first; j--) recent[j] = recent[j - 1];
    recent[first] = key;
  }
}

/** Keys remembered at each place in a span. */
const WAYS = 4;

/** Counts the spans read, by every reader of either encoding, to tell a key seen twice in one span (`KeyText.stamp`). */
let spanStamp = 0;

export function nextSpanStamp(): number {
  return ++spanStamp;
}
