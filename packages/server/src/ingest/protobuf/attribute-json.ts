import { isUtf8 } from 'node:buffer';
import type { Utf8Builder } from '../../store/columns.js';
import { countReplacedString } from './wire.js';

/**
 * Attribute values written as the JSON text they are stored as, in UTF-8 bytes, as the span
 * reader copies them from a request's body (`trace-columns.ts`): the same text `JSON.stringify`
 * writes of the decoded value, without making the value or its JSON a string.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX_DIGITS = Buffer.from('0123456789abcdef');
/** The control characters and marks JSON writes as a backslash and one letter, by byte. */
const SHORT_ESCAPES: Array<number | undefined> = [];
for (const [byte, letter] of [
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [QUOTE, '"'],
  [BACKSLASH, '\\'],
] as const) {
  SHORT_ESCAPES[byte] = letter.charCodeAt(0);
}

/**
 * Appends the JSON string of the UTF-8 text at `body[start .. stop)`, with `"`, `\` and control
 * characters escaped as `JSON.stringify` escapes them (the rest, non-ASCII included, is written as
 * it is). Text that is not valid UTF-8 is written with U+FFFD for its invalid sequences, and
 * counted, as `readString` reads it. Answers whether the text is all ASCII.
 */
export function writeJsonString(out: Utf8Builder, body: Uint8Array, start: number, stop: number): boolean {
  const bytes = out.reserve(6 * (stop - start) + 2);
  let o = out.at;
  let high = 0;
  bytes[o++] = QUOTE;
  for (let i = start; i < stop; i++) {
    const c = body[i]!;
    if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) {
      bytes[o++] = c;
      high |= c;
      continue;
    }
    bytes[o++] = BACKSLASH;
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) bytes[o++] = short;
    else {
      // \u00XX, in lowercase hex.
      bytes[o] = 0x75;
      bytes[o + 1] = 0x30;
      bytes[o + 2] = 0x30;
      bytes[o + 3] = HEX_DIGITS[c >> 4]!;
      bytes[o + 4] = HEX_DIGITS[c & 15]!;
      o += 5;
    }
  }
  bytes[o++] = QUOTE;
  const ascii = high < 0x80;
  if (!ascii && !isUtf8(body.subarray(start, stop))) return writeRepaired(out, body, start, stop);
  out.at = o;
  return ascii;
}

/** `writeJsonString` of text that is not valid UTF-8: its invalid sequences as U+FFFD, counted. Apart, so the hot function stays small. */
function writeRepaired(out: Utf8Builder, body: Uint8Array, start: number, stop: number): false {
  countReplacedString();
  out.text(JSON.stringify(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8', start, stop)));
  return false;
}

/** Appends a non-negative integer below 2^53 in decimal, as JSON writes it. */
export function writeDigits(out: Utf8Builder, value: number): void {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  const bytes = out.reserve(digits);
  let rest = value;
  for (let k = out.at + digits - 1; k >= out.at; k--) {
    bytes[k] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  out.at += digits;
}
