import type { Column } from './columns.js';

/**
 * How many UTF-8 bytes the rows of a text column are, as the writers store them (DuckDB's
 * `strlen`, ClickHouse's `length`), counted where a batch is built so a trace part can carry its
 * spans' text bytes (`TracePart.textBytes`). A column given as bytes (`Column.utf8`, the decode
 * thread's attributes) has them as its lengths already; a column of one string (`[]`, the events
 * of most spans) is counted once; text that is all ASCII, which one count of the whole text
 * tells, has its lengths in UTF-16 units as its bytes. Only the rows of other text are counted one
 * by one, by their UTF-16 units, without encoding them.
 */

/** Adds each row's UTF-8 bytes to `into[row]`; a NULL row adds 0 (the span texts are never NULL). */
export function addUtf8Lengths(column: Extract<Column, { type: 'varchar' }>, rows: number, into: Float64Array): void {
  const { text, lengths, constant, utf8 } = column;
  if (constant !== null) {
    const bytes = Buffer.byteLength(constant);
    for (let i = 0; i < rows; i++) into[i]! += bytes;
    return;
  }
  if (utf8 !== undefined || Buffer.byteLength(text) === text.length) {
    for (let i = 0; i < rows; i++) if (lengths[i]! > 0) into[i]! += lengths[i]!;
    return;
  }
  let at = 0;
  for (let i = 0; i < rows; i++) {
    const units = lengths[i]!;
    if (units <= 0) continue;
    into[i]! += utf8Length(text, at, at + units);
    at += units;
  }
}

/**
 * The UTF-8 bytes of `text[from .. to)` as `Buffer` writes them: a surrogate pair is 4 bytes, a
 * lone surrogate 3 (written as U+FFFD). Each row on its own, as the writers encode a row whose
 * text is not ASCII.
 */
export function utf8Length(text: string, from: number, to: number): number {
  let bytes = 0;
  for (let k = from; k < to; k++) {
    const unit = text.charCodeAt(k);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if ((unit & 0xfc00) === 0xd800 && k + 1 < to && (text.charCodeAt(k + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      k++;
    } else bytes += 3;
  }
  return bytes;
}
