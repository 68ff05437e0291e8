/**
 * Column batches: the rows of one table as one array per column, the shape an appender or a
 * bulk insert takes. Numbers are typed arrays and the strings of a column are one string with
 * their lengths (or, where the decode thread copied them from a body, their UTF-8 bytes), so a
 * batch crosses from the decode thread to the writer as a few transferable buffers and a few
 * strings instead of thousands of objects, and an engine's writer fills its vectors from them
 * without touching a record.
 */

import { ColumnArena, numberValues, validityBytes } from './column-arena.js';

export { ColumnArena, numberValues, validityBytes } from './column-arena.js';

/**
 * What a column holds. `bigint` integers are held as doubles, exact up to 2^53 (times, tokens and
 * counts are checked at decode); `int64` ones as 64-bit integers, exact over the whole range (an
 * integer metric point's value, which OTLP sends as any int64).
 */
export type ColumnType = 'varchar' | 'bigint' | 'int64' | 'double' | 'integer' | 'uinteger' | 'utinyint' | 'boolean' | 'double[]';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

/**
 * Validity bitmaps: bit `i` (byte `i >> 3`, bit `i & 7`) is set when row `i` has a value, padded
 * to whole 64-bit words (the layout DuckDB's vectors use).
 */
export type Validity = Uint8Array;

export type Column =
  /**
   * The column's strings one after another in `text`; `lengths[i]` is row i's length in UTF-16
   * units, -1 for NULL. When every row holds one string, it is `constant`, and `text` may be empty.
   * With `utf8`, the strings are its bytes instead (`text` is empty and `lengths` count bytes):
   * what the decode thread copied from a request's body without making a string (`Utf8Builder`).
   */
  | { type: 'varchar'; text: string; lengths: Int32Array; constant: string | null; utf8?: Uint8Array }
  | { type: 'bigint' | 'double'; values: Float64Array; valid: Validity | null }
  | { type: 'int64'; values: BigInt64Array; valid: Validity | null }
  | { type: 'integer'; values: Int32Array; valid: Validity | null }
  | { type: 'uinteger'; values: Uint32Array; valid: Validity | null }
  | { type: 'utinyint' | 'boolean'; values: Uint8Array; valid: Validity | null }
  /** Row i's list is `values[offsets[i] .. offsets[i + 1])`. */
  | { type: 'double[]'; values: Float64Array; offsets: Int32Array; valid: Validity | null };

/** One table's rows, its columns in the table's column order. */
export interface TableBatch {
  table: string;
  rows: number;
  columns: Column[];
}

export function isValid(valid: Validity | null, row: number): boolean {
  return valid === null || (valid[row >> 3]! & (1 << (row & 7))) !== 0;
}

/** The buffers a batch owns, each once (columns share their table's `ColumnArena`), to transfer it to another thread without copying them. */
export function buffersOf(tables: readonly TableBatch[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const table of tables) {
    for (const column of table.columns) {
      if (column.type === 'varchar') {
        buffers.add(column.lengths.buffer as ArrayBuffer);
        if (column.utf8 !== undefined) buffers.add(column.utf8.buffer as ArrayBuffer);
      } else {
        buffers.add(column.values.buffer as ArrayBuffer);
        if (column.type === 'double[]') buffers.add(column.offsets.buffer as ArrayBuffer);
        if (column.valid !== null) buffers.add(column.valid.buffer as ArrayBuffer);
      }
    }
  }
  return [...buffers];
}

/** Builds one column of a batch, row by row. */
export abstract class ColumnBuilder {
  abstract build(rows: number): Column;
}

/** A varchar column's strings, added in row order (`decode-columns.ts` fills span columns with it directly). */
export class VarcharBuilder extends ColumnBuilder {
  private readonly parts: string[] = [];
  private readonly lengths: Int32Array;
  private first: string | null | undefined = undefined;
  private same = true;

  constructor(rows: number, arena?: ColumnArena) {
    super();
    this.lengths = arena === undefined ? new Int32Array(rows) : arena.cut(Int32Array, rows);
  }

  add(row: number, value: string | null): void {
    if (this.first === undefined) this.first = value;
    else if (this.same && value !== this.first) this.differs(row);
    if (value === null) this.lengths[row] = -1;
    else {
      // While every row is the same string, the rows are its lengths alone (`build` makes it `constant`).
      if (!this.same) this.parts.push(value);
      this.lengths[row] = value.length;
    }
  }

  /** Row `row` is the first to differ: the rows before it, all `first`, become parts. */
  private differs(row: number): void {
    this.same = false;
    if (typeof this.first === 'string') for (let i = 0; i < row; i++) this.parts.push(this.first);
  }

  build(): Column {
    const text = this.parts.join('');
    const constant = this.same && typeof this.first === 'string' ? this.first : null;
    return { type: 'varchar', text: constant === null ? text : '', lengths: this.lengths, constant };
  }
}

/**
 * A varchar column most of whose rows are NULL (the LLM columns of spans that are mostly not LLM
 * calls): every row starts NULL, and only rows with a value are set, in row order.
 */
export class SparseVarcharBuilder extends ColumnBuilder {
  private readonly parts: string[] = [];
  private readonly lengths: Int32Array;
  private lastRow = -1;

  constructor(rows: number, arena: ColumnArena) {
    super();
    this.lengths = arena.cut(Int32Array, rows).fill(-1);
  }

  /** Sets a row's value; rows come in order (the text is the values one after another), or this throws. */
  set(row: number, value: string | null): void {
    if (row <= this.lastRow) throw new Error(`row ${row} set after row ${this.lastRow}: a sparse column's rows come in order`);
    this.lastRow = row;
    if (value === null) return;
    this.parts.push(value);
    this.lengths[row] = value.length;
  }

  build(): Column {
    return { type: 'varchar', text: this.parts.join(''), lengths: this.lengths, constant: null };
  }
}

/**
 * A varchar column written as UTF-8 bytes, its rows in order: the decode thread writes a span's
 * attributes as JSON straight from the request's body into it (`trace-columns.ts`), so no string
 * is made, joined, cloned to the writer or encoded again there. Writers write into `bytes` at
 * `at` after `reserve`, then end the row. Its bytes are a buffer of its own, transferred with the
 * batch, or (`fixed`) cut from its table's `ColumnArena`.
 */
export class Utf8Builder extends ColumnBuilder {
  bytes: Buffer;
  at = 0;
  private rowStart = 0;
  private row = 0;
  private readonly lengths: Int32Array;

  /**
   * With `arena`, its lengths come from it, and with `fixed` its bytes too: the rows' bytes take
   * no more than `bytesPerRow` each (ids' hex), counted in the arena's size by its maker.
   */
  constructor(rows: number, bytesPerRow: number, arena?: ColumnArena, fixed = false) {
    super();
    this.lengths = arena === undefined ? new Int32Array(rows) : arena.cut(Int32Array, rows);
    this.bytes = arena !== undefined && fixed ? arena.bytes(rows * bytesPerRow) : Buffer.allocUnsafeSlow(Math.max(256, rows * bytesPerRow));
  }

  /** Room for `more` bytes past `at`; answers `bytes`, which is a new buffer when it grew. */
  reserve(more: number): Buffer {
    if (this.at + more > this.bytes.length) {
      const bytes = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, this.at + more));
      this.bytes.copy(bytes, 0, 0, this.at);
      this.bytes = bytes;
    }
    return this.bytes;
  }

  /**
   * Appends `value`'s UTF-8: a short ASCII one by a loop, any other by the platform's encoder
   * (which writes a lone surrogate as U+FFFD; JSON text, what this column is given, has none).
   */
  text(value: string): void {
    const length = value.length;
    const bytes = this.reserve(length * 3);
    let at = this.at;
    if (length <= SHORT_TEXT) {
      let k = 0;
      for (; k < length; k++) {
        const unit = value.charCodeAt(k);
        if (unit >= 0x80) break;
        bytes[at + k] = unit;
      }
      if (k === length) {
        this.at = at + length;
        return;
      }
    }
    at += bytes.write(value, at, 'utf8');
    this.at = at;
  }

  /**
   * Appends the lowercase hex of `from[start .. start + length)` (an id's bytes, as `Buffer`'s
   * `hex` writes them), by a table: no string is made.
   */
  hex(from: Uint8Array, start: number, length: number): void {
    const bytes = this.reserve(2 * length);
    let at = this.at;
    for (let i = start; i < start + length; i++) {
      const pair = HEX_PAIRS[from[i]!]!;
      bytes[at++] = pair >> 8;
      bytes[at++] = pair & 0xff;
    }
    this.at = at;
  }

  /** Ends the row being written: it holds what was written since the last row ended. */
  endRow(): void {
    this.lengths[this.row++] = this.at - this.rowStart;
    this.rowStart = this.at;
  }

  /** Takes back the last row ended, which was not NULL: a row the decoder wrote before it found the span rejected. */
  undoRow(): void {
    this.at -= this.lengths[--this.row]!;
    this.rowStart = this.at;
  }

  /** Ends a row that is NULL (nothing may have been written into it). */
  nullRow(): void {
    this.lengths[this.row++] = -1;
  }

  build(): Column {
    return { type: 'varchar', text: '', lengths: this.lengths, constant: null, utf8: new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.at) };
  }
}

/** Strings up to this long are written by a loop, longer ones by the platform (a call costs more than a short loop). */
const SHORT_TEXT = 32;

const HEX_DIGITS = '0123456789abcdef';
/** Each byte's two lowercase hex digits, the first in the high byte. */
const HEX_PAIRS = Uint16Array.from({ length: 256 }, (_, b) => (HEX_DIGITS.charCodeAt(b >> 4) << 8) | HEX_DIGITS.charCodeAt(b & 15));

/** A numeric or boolean column's values, set by row. */
export class NumberBuilder extends ColumnBuilder {
  private valid: Validity | null = null;
  private startedNull = false;

  constructor(
    private readonly type: Exclude<ColumnType, 'varchar' | 'double[]'>,
    readonly values: Float64Array | BigInt64Array | Int32Array | Uint32Array | Uint8Array,
    /** Where its validity bitmap comes from, when it needs one. */
    private readonly arena?: ColumnArena,
  ) {
    super();
  }

  setNull(row: number): void {
    this.valid ??= this.validity().fill(0xff);
    this.valid[row >> 3]! &= ~(1 << (row & 7));
  }

  private validity(): Uint8Array {
    const bytes = validityBytes(this.values.length);
    return this.arena === undefined ? new Uint8Array(bytes) : this.arena.cut(Uint8Array, bytes);
  }

  /**
   * Makes every row NULL until `setValid`: for a column few rows fill (the LLM columns of spans
   * that are mostly not LLM calls), so the rows left NULL cost nothing.
   */
  allNull(): this {
    this.valid = this.validity();
    this.startedNull = true;
    return this;
  }

  /** Marks a row of an `allNull` column as holding its value. */
  setValid(row: number): void {
    this.valid![row >> 3]! |= 1 << (row & 7);
  }

  build(): Column {
    if (this.startedNull) this.asIfSetNull();
    return { type: this.type, values: this.values, valid: this.valid } as Column;
  }

  /** An `allNull` column's bitmap as `setNull` leaves it: the padding past the rows set, and none when no row is NULL. */
  private asIfSetNull(): void {
    const valid = this.valid!;
    const rows = this.values.length;
    for (let bit = rows; bit < valid.length * 8; bit++) valid[bit >> 3]! |= 1 << (bit & 7);
    if (valid.every((byte) => byte === 0xff)) this.valid = null;
  }
}

class ListBuilder extends ColumnBuilder {
  private readonly lists: Array<readonly number[] | null>;

  constructor(rows: number) {
    super();
    this.lists = new Array<readonly number[] | null>(rows).fill(null);
  }

  add(row: number, values: readonly number[] | null): void {
    this.lists[row] = values;
  }

  build(rows: number): Column {
    const offsets = new Int32Array(rows + 1);
    let total = 0;
    let valid: Validity | null = null;
    for (let i = 0; i < rows; i++) {
      offsets[i] = total;
      const list = this.lists[i];
      if (list === null || list === undefined) {
        valid ??= new Uint8Array(validityBytes(rows)).fill(0xff);
        valid[i >> 3]! &= ~(1 << (i & 7));
      } else total += list.length;
    }
    offsets[rows] = total;
    const values = new Float64Array(total);
    for (let i = 0; i < rows; i++) {
      const list = this.lists[i];
      if (list !== null && list !== undefined) values.set(list, offsets[i]);
    }
    return { type: 'double[]', values, offsets, valid };
  }
}

/**
 * Fills a table's columns in row order, one value per column in the table's column order, like
 * an appender: `varchar(…)`, `bigint(…)`, …, then `endRow()`. A value of the wrong kind for its
 * column is a bug, and throws.
 */
export class BatchBuilder {
  private readonly builders: ColumnBuilder[];
  private column = 0;
  private row = 0;

  constructor(
    private readonly table: string,
    private readonly specs: readonly ColumnSpec[],
    private readonly rows: number,
  ) {
    const arena = new ColumnArena(ColumnArena.bytesFor(specs, rows));
    this.builders = specs.map((spec) => {
      switch (spec.type) {
        case 'varchar':
          return new VarcharBuilder(rows, arena);
        case 'double[]':
          return new ListBuilder(rows);
        default:
          return new NumberBuilder(spec.type, numberValues(spec.type, rows, arena), arena);
      }
    });
  }

  varchar(value: string | null): this {
    const builder = this.next('varchar');
    (builder as VarcharBuilder).add(this.row, value);
    return this;
  }

  /** Any numeric column but an int64 one (bigint, double, integer, uinteger, utinyint). */
  number(value: number | null): this {
    const builder = this.next(null) as NumberBuilder;
    if (value === null) builder.setNull(this.row);
    else (builder.values as Float64Array)[this.row] = value;
    return this;
  }

  /** An int64 column; the value must fit in 64 bits (checked at decode). */
  int64(value: bigint | null): this {
    const builder = this.next('int64') as NumberBuilder;
    if (value === null) builder.setNull(this.row);
    else (builder.values as BigInt64Array)[this.row] = value;
    return this;
  }

  boolean(value: boolean | null): this {
    const builder = this.next('boolean') as NumberBuilder;
    if (value === null) builder.setNull(this.row);
    else (builder.values as Uint8Array)[this.row] = value ? 1 : 0;
    return this;
  }

  list(values: readonly number[] | null): this {
    (this.next('double[]') as ListBuilder).add(this.row, values);
    return this;
  }

  endRow(): void {
    if (this.column !== this.specs.length) throw new Error(`${this.table}: row ${this.row} has ${this.column} of ${this.specs.length} columns`);
    this.column = 0;
    this.row++;
  }

  build(): TableBatch {
    if (this.row !== this.rows) throw new Error(`${this.table}: ${this.row} of ${this.rows} rows were filled`);
    return { table: this.table, rows: this.rows, columns: this.builders.map((b) => b.build(this.rows)) };
  }

  private next(expected: ColumnType | null): ColumnBuilder {
    const spec = this.specs[this.column];
    if (spec === undefined) throw new Error(`${this.table}: row ${this.row} has more than ${this.specs.length} columns`);
    const numeric = spec.type !== 'varchar' && spec.type !== 'double[]' && spec.type !== 'boolean' && spec.type !== 'int64';
    if (expected === null ? !numeric : spec.type !== expected) {
      throw new Error(`${this.table}.${spec.name} is ${spec.type}, not ${expected ?? 'a number'}`);
    }
    return this.builders[this.column++]!;
  }
}

/** A varchar column's rows as strings, `null` for NULL. */
export function textsOf(column: Extract<Column, { type: 'varchar' }>, rows: number): Array<string | null> {
  const texts = new Array<string | null>(rows);
  const { utf8 } = column;
  let at = 0;
  for (let i = 0; i < rows; i++) {
    const length = column.lengths[i]!;
    if (length < 0) texts[i] = null;
    else {
      texts[i] =
        column.constant ??
        (utf8 === undefined ? column.text.substring(at, at + length) : Buffer.from(utf8.buffer, utf8.byteOffset + at, length).toString('utf8'));
      at += length;
    }
  }
  return texts;
}

/**
 * Reads a batch back row by row, as objects keyed by column name (for stores kept in memory, and
 * tests); an int64 column's values are bigints.
 */
export function rowsOf(batch: TableBatch, specs: readonly ColumnSpec[]): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = Array.from({ length: batch.rows }, () => ({}));
  batch.columns.forEach((column, c) => {
    const name = specs[c]!.name;
    if (column.type === 'varchar') {
      textsOf(column, batch.rows).forEach((text, i) => (rows[i]![name] = text));
    } else if (column.type === 'double[]') {
      for (let i = 0; i < batch.rows; i++) {
        rows[i]![name] = isValid(column.valid, i) ? Array.from(column.values.subarray(column.offsets[i], column.offsets[i + 1])) : null;
      }
    } else {
      for (let i = 0; i < batch.rows; i++) {
        const value = column.values[i]!;
        rows[i]![name] = !isValid(column.valid, i) ? null : column.type === 'boolean' ? value !== 0 : value;
      }
    }
  });
  return rows;
}
