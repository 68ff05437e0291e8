import { type Column, type ColumnSpec, type TableBatch, isValid } from '../columns.js';
import { COPIED_TABLES, type CopiedTableName } from '../tables.js';
import { TABLE_DEFS } from './schema-tables.js';

/**
 * Column batches as ClickHouse's `Native` format, the one a commit's rows are inserted in: a block
 * is its column count and row count, then each column whole (name, type, values), numbers as the
 * bytes ClickHouse stores and strings as a length and their UTF-8 bytes. Spoor's batches are
 * columns already, so a block is written column by column with no text made per value, and
 * ClickHouse reads it with no parsing: on a 50,000-span commit of the ingest benchmark, the
 * embedded engine spent 0.13-0.17 s of CPU on a Native insert against 0.76 s on the same rows as
 * TabSeparated, and Spoor 0.13-0.29 s making that text.
 * Layout: https://clickhouse.com/docs/interfaces/formats/Native (no block info or custom
 * serialization flags: those come only with a client protocol version, which HTTP does not send).
 */

/** The columns a table's rows are inserted into: the shared ones, `has_<list>` flags, then `extra`. */
function insertColumns(specs: readonly ColumnSpec[], extra: readonly string[]): string[] {
  return [...specs.map((s) => s.name), ...specs.filter((s) => s.type === 'double[]').map((s) => `has_${s.name}`), ...extra];
}

/** The value types this writer writes (inside `Nullable` or not). */
const BASES = ['String', 'Bool', 'UInt8', 'Int8', 'UInt32', 'Int32', 'UInt64', 'Int64', 'Float64', 'Array(Float64)'] as const;

/** How a column's values are laid out: the type a block names, whether NULLs are kept, the value type. */
interface WireType {
  /** The type named in the block: the table's, with `LowCardinality` left to ClickHouse to apply. */
  name: string;
  nullable: boolean;
  base: (typeof BASES)[number];
}

/** Splits a column list at its top-level commas (not those inside parentheses or quotes). */
function topLevelItems(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" && text[i - 1] !== '\\') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      items.push(text.slice(from, i).trim());
      from = i + 1;
    }
  }
  items.push(text.slice(from).trim());
  return items.filter((item) => item !== '');
}

/** The wire type of one column definition (`name Type [CODEC(...)]`); `null` when it is not inserted. */
function wireTypeOf(definition: string): { column: string; type: WireType } | null {
  if (definition.startsWith('INDEX ')) return null;
  const space = definition.indexOf(' ');
  const column = definition.slice(0, space);
  const rest = definition.slice(space + 1);
  if (/\b(MATERIALIZED|ALIAS)\b/.test(rest)) return null;
  let type = rest.replace(/\s+(CODEC|DEFAULT)\b[\s\S]*$/, '').trim();
  const lowCardinality = /^LowCardinality\((.*)\)$/.exec(type);
  if (lowCardinality !== null) type = lowCardinality[1]!;
  const nullable = /^Nullable\((.*)\)$/.exec(type);
  const base = nullable === null ? type : nullable[1]!;
  if (!(BASES as readonly string[]).includes(base)) throw new Error(`the ClickHouse column ${column} has type ${type}, which the Native writer does not write`);
  return { column, type: { name: type, nullable: nullable !== null, base: base as WireType['base'] } };
}

/** A batched table's inserted columns, in insert order, each with its wire type and its header bytes. */
interface TableLayout {
  names: readonly string[];
  types: readonly WireType[];
  /** Each column's name and type as a block names them. */
  headers: readonly Buffer[];
}

const layouts = new Map<CopiedTableName, TableLayout>();

function layoutOf(table: CopiedTableName): TableLayout {
  let layout = layouts.get(table);
  if (layout !== undefined) return layout;
  const def = TABLE_DEFS.find((d) => d.name === table);
  if (def === undefined) throw new Error(`no ClickHouse table ${table}`);
  const wire = new Map<string, WireType>();
  for (const item of topLevelItems(def.columns)) {
    const found = wireTypeOf(item);
    if (found !== null) wire.set(found.column, found.type);
  }
  const names = insertColumns(COPIED_TABLES[table], ['batch_id']);
  const types = names.map((name) => {
    const type = wire.get(name);
    if (type === undefined) throw new Error(`the ClickHouse table ${table} has no column ${name}`);
    return type;
  });
  const headers = names.map((name, i) => {
    const out = new NativeOut(64);
    out.string(name);
    out.string(types[i]!.name);
    return out.done();
  });
  layout = { names, types, headers };
  layouts.set(table, layout);
  return layout;
}

/** The columns of a batched table's inserts, in the order its Native blocks hold them. */
export function nativeColumns(table: CopiedTableName): readonly string[] {
  return layoutOf(table).names;
}

/** The type each of those columns has in a Native block. */
export function nativeTypes(table: CopiedTableName): readonly string[] {
  return layoutOf(table).types.map((type) => type.name);
}

/** A growing byte buffer with the writes a Native block needs. */
class NativeOut {
  buf: Buffer;
  view: DataView;
  pos = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }

  /** An unsigned LEB128 number (room for it reserved by the caller: at most 5 bytes below 2^35). */
  varint(n: number): void {
    const buf = this.buf;
    while (n >= 128) {
      buf[this.pos++] = (n & 127) | 128;
      n = Math.floor(n / 128);
    }
    buf[this.pos++] = n;
  }

  string(text: string): void {
    const bytes = Buffer.byteLength(text);
    this.reserve(bytes + 5);
    this.varint(bytes);
    this.pos += this.buf.write(text, this.pos);
  }

  bytes(bytes: Buffer): void {
    this.reserve(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }

  /** A 64-bit integer given as a double (exact up to 2^53), low half first. */
  int64(n: number): void {
    const high = Math.floor(n / 4_294_967_296);
    this.view.setUint32(this.pos, n - high * 4_294_967_296, true);
    this.view.setInt32(this.pos + 4, high, true);
    this.pos += 8;
  }

  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * Table batches' rows as Native blocks, one a batch, with `batchId` (a UInt64, as decimal text)
 * in each row's `batch_id`.
 */
export function nativeBlocks(table: CopiedTableName, batches: readonly TableBatch[], batchId: string): Buffer {
  const layout = layoutOf(table);
  const id = Buffer.allocUnsafe(8);
  id.writeBigUInt64LE(BigInt(batchId));
  let rows = 0;
  for (const batch of batches) rows += batch.rows;
  const out = new NativeOut(1024 * batches.length + rows * 16 * layout.names.length);
  for (const batch of batches) writeBlock(out, layout, batch, id);
  return out.done();
}

function writeBlock(out: NativeOut, layout: TableLayout, batch: TableBatch, id: Buffer): void {
  const rows = batch.rows;
  out.reserve(10);
  out.varint(layout.names.length);
  out.varint(rows);
  const lists: Array<Extract<Column, { type: 'double[]' }>> = [];
  batch.columns.forEach((column, c) => {
    out.bytes(layout.headers[c]!);
    writeColumn(out, column, layout.types[c]!, rows, layout.names[c]!);
    if (column.type === 'double[]') lists.push(column);
  });
  let c = batch.columns.length;
  for (const list of lists) {
    out.bytes(layout.headers[c++]!);
    out.reserve(rows);
    for (let i = 0; i < rows; i++) out.buf[out.pos++] = isValid(list.valid, i) ? 1 : 0;
  }
  out.bytes(layout.headers[c]!);
  out.reserve(rows * 8);
  for (let i = 0; i < rows; i++) {
    id.copy(out.buf, out.pos);
    out.pos += 8;
  }
}

function writeColumn(out: NativeOut, column: Column, type: WireType, rows: number, name: string): void {
  if (column.type === 'varchar') {
    if (type.base !== 'String') throw new Error(`column ${name}: text cannot go into ${type.name}`);
    if (type.nullable) {
      out.reserve(rows);
      if (column.constant !== null) out.buf.fill(0, out.pos, out.pos + rows);
      else for (let i = 0; i < rows; i++) out.buf[out.pos + i] = column.lengths[i]! < 0 ? 1 : 0;
      out.pos += rows;
    }
    writeStrings(out, column, rows);
    return;
  }
  if (column.type === 'double[]') {
    if (type.base !== 'Array(Float64)' || type.nullable) throw new Error(`column ${name}: a list of numbers cannot go into ${type.name}`);
    out.reserve(rows * 8 + column.values.length * 8);
    const first = column.offsets[0]!;
    for (let i = 0; i < rows; i++) out.int64(column.offsets[i + 1]! - first);
    for (let k = first; k < column.offsets[rows]!; k++) {
      out.view.setFloat64(out.pos, column.values[k]!, true);
      out.pos += 8;
    }
    return;
  }
  if (type.base === 'String' || type.base === 'Array(Float64)') throw new Error(`column ${name}: a number cannot go into ${type.name}`);
  const { valid } = column;
  if (type.nullable) {
    out.reserve(rows);
    for (let i = 0; i < rows; i++) out.buf[out.pos + i] = isValid(valid, i) ? 0 : 1;
    out.pos += rows;
  }
  if (column.type === 'int64') {
    if (type.base !== 'Int64') throw new Error(`column ${name}: an int64 cannot go into ${type.name}`);
    // Exact over the whole range, where `int64` below goes through a double.
    out.reserve(rows * 8);
    for (let i = 0; i < rows; i++) {
      out.view.setBigInt64(out.pos, valid === null || isValid(valid, i) ? column.values[i]! : 0n, true);
      out.pos += 8;
    }
    return;
  }
  const { values } = column;
  // A NULL where the table keeps none is the type's default, as ClickHouse reads a text NULL.
  const value = (i: number): number => (valid === null || isValid(valid, i) ? values[i]! : 0);
  // `out.view` is read after each `reserve`: one that grows the buffer makes a new view.
  switch (type.base) {
    case 'Bool':
      out.reserve(rows);
      for (let i = 0; i < rows; i++) out.buf[out.pos++] = value(i) !== 0 ? 1 : 0;
      return;
    case 'UInt8':
    case 'Int8':
      out.reserve(rows);
      for (let i = 0; i < rows; i++) out.buf[out.pos++] = value(i) & 255;
      return;
    case 'UInt32':
    case 'Int32':
      out.reserve(rows * 4);
      for (let i = 0, view = out.view; i < rows; i++) {
        view.setUint32(out.pos, value(i) >>> 0, true);
        out.pos += 4;
      }
      return;
    case 'UInt64':
    case 'Int64':
      out.reserve(rows * 8);
      for (let i = 0; i < rows; i++) out.int64(value(i));
      return;
    case 'Float64':
      out.reserve(rows * 8);
      for (let i = 0, view = out.view; i < rows; i++) {
        view.setFloat64(out.pos, value(i), true);
        out.pos += 8;
      }
  }
}

/**
 * A text column's rows, each its UTF-8 length and bytes (a NULL as empty: the null map, when
 * kept, says which). The column's text is written once, as UTF-8, past where its rows go; each
 * row is then moved into place after its length. The rows' lengths are in UTF-16 units, so for
 * text that is not all ASCII each row's bytes are counted from their lead bytes.
 */
function writeStrings(out: NativeOut, column: Extract<Column, { type: 'varchar' }>, rows: number): void {
  if (column.constant !== null) {
    const one = new NativeOut(column.constant.length * 3 + 5);
    one.string(column.constant);
    const cell = one.done();
    out.reserve(cell.length * rows);
    for (let i = 0; i < rows; i++) {
      cell.copy(out.buf, out.pos);
      out.pos += cell.length;
    }
    return;
  }
  if (column.utf8 !== undefined) {
    writeUtf8Rows(out, column.utf8, column.lengths, rows);
    return;
  }
  const text = column.text;
  const byteLength = Buffer.byteLength(text);
  out.reserve(rows * 5 + byteLength);
  const start = out.pos;
  // Each row's length takes at most 5 bytes, so writing rows never overtakes the text still to move.
  let from = start + rows * 5;
  out.buf.write(text, from);
  const ascii = byteLength === text.length;
  const buf = out.buf;
  for (let i = 0; i < rows; i++) {
    const units = column.lengths[i]!;
    if (units <= 0) {
      buf[out.pos++] = 0;
      continue;
    }
    const bytes = ascii ? units : utf8Bytes(buf, from, units);
    if (bytes < 0) {
      // Two rows' halves of a surrogate pair joined into one character: each row on its own.
      out.pos = start;
      writeStringsApart(out, column, rows);
      return;
    }
    out.varint(bytes);
    if (bytes < 16) for (let k = 0; k < bytes; k++) buf[out.pos + k] = buf[from + k]!;
    else buf.copyWithin(out.pos, from, from + bytes);
    out.pos += bytes;
    from += bytes;
  }
}

/** A column's rows given as UTF-8 bytes (`Column.utf8`), each its length and bytes. */
function writeUtf8Rows(out: NativeOut, utf8: Uint8Array, lengths: Int32Array, rows: number): void {
  out.reserve(rows * 5 + utf8.length);
  const buf = out.buf;
  let from = 0;
  for (let i = 0; i < rows; i++) {
    const length = lengths[i]!;
    if (length <= 0) {
      buf[out.pos++] = 0;
      continue;
    }
    out.varint(length);
    if (length < 16) for (let k = 0; k < length; k++) buf[out.pos + k] = utf8[from + k]!;
    else buf.set(utf8.subarray(from, from + length), out.pos);
    out.pos += length;
    from += length;
  }
}

/** Bytes of the UTF-8 text at `at` that hold `units` UTF-16 units; -1 when a character straddles the end. */
function utf8Bytes(buf: Buffer, at: number, units: number): number {
  let n = 0;
  while (units > 0) {
    const lead = buf[at + n]!;
    if (lead < 0x80) n += 1;
    else if (lead < 0xe0) n += 2;
    else if (lead < 0xf0) n += 3;
    else {
      if (units < 2) return -1;
      n += 4;
      units--;
    }
    units--;
  }
  return n;
}

function writeStringsApart(out: NativeOut, column: Extract<Column, { type: 'varchar' }>, rows: number): void {
  let at = 0;
  for (let i = 0; i < rows; i++) {
    const units = column.lengths[i]!;
    if (units <= 0) {
      out.reserve(1);
      out.buf[out.pos++] = 0;
      continue;
    }
    out.string(column.text.substring(at, at + units));
    at += units;
  }
}
