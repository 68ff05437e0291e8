import type { DuckDBAppender } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { type Column, type ColumnType, type TableBatch, validityBytes } from '../columns.js';

/**
 * Appends column batches to DuckDB a data chunk (2,048 rows) at a time. Numbers and validity go
 * into each vector with one copy per column; only strings cross the binding one by one, and a
 * column whose rows all hold one string (a project, a service, an empty status) becomes a
 * constant vector. Appending cell by cell cost some 40 calls into the binding per span.
 */

const CHUNK_ROWS = duckdb.vector_size();

const TYPE_IDS: Record<ColumnType, duckdb.Type> = {
  varchar: duckdb.Type.VARCHAR,
  bigint: duckdb.Type.BIGINT,
  int64: duckdb.Type.BIGINT,
  double: duckdb.Type.DOUBLE,
  integer: duckdb.Type.INTEGER,
  uinteger: duckdb.Type.UINTEGER,
  utinyint: duckdb.Type.UTINYINT,
  boolean: duckdb.Type.BOOLEAN,
  'double[]': duckdb.Type.LIST,
};

/** The raw appender behind the node API's wrapper (its `appendDataChunk` wants its own chunk class). */
interface RawAppender {
  appender: duckdb.Appender;
}

/** Logical types per table (the same table's batches have the same columns), made once. */
const typeCache = new Map<string, duckdb.LogicalType[]>();

function logicalTypeOf(type: ColumnType): duckdb.LogicalType {
  if (type === 'double[]') return duckdb.create_list_type(duckdb.create_logical_type(duckdb.Type.DOUBLE));
  return duckdb.create_logical_type(TYPE_IDS[type]);
}

/** Scratch space for 64-bit integers as two 32-bit halves (JavaScript numbers are doubles). */
const int64Words = new Uint32Array(CHUNK_ROWS * 2);
/** Scratch space for list entries: (offset, length) as two 64-bit integers per row. */
const listEntries = new Uint32Array(CHUNK_ROWS * 4);
const scratchValidity = new Uint8Array(validityBytes(CHUNK_ROWS));

/**
 * Appends every row of `batch`; its columns must be the table's, in order. With `commitSeq`, the
 * table has one more column, last (`commit_seq`), which every row gets as one constant.
 */
export function appendBatch(appender: DuckDBAppender, batch: TableBatch, commitSeq: number | null = null): void {
  const signature = `${batch.table}:${batch.columns.map((column) => column.type).join(',')}${commitSeq === null ? '' : '+seq'}`;
  let types = typeCache.get(signature);
  if (types === undefined) {
    types = batch.columns.map((column) => logicalTypeOf(column.type));
    if (commitSeq !== null) types.push(duckdb.create_logical_type(duckdb.Type.BIGINT));
    typeCache.set(signature, types);
  }
  // Where each string column's next row starts in its text.
  const textAt = new Int32Array(batch.columns.length);
  for (let start = 0; start < batch.rows; start += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, batch.rows - start);
    const chunk = duckdb.create_data_chunk(types);
    for (let c = 0; c < batch.columns.length; c++) {
      const vector = duckdb.data_chunk_get_vector(chunk, c);
      const column = batch.columns[c]!;
      if (column.type === 'varchar') textAt[c] = fillStrings(vector, column, start, rows, textAt[c]!);
      else if (column.type === 'double[]') fillList(vector, column, start, rows);
      else fillNumbers(vector, column, start, rows);
    }
    if (commitSeq !== null) duckdb.vector_reference_value(duckdb.data_chunk_get_vector(chunk, batch.columns.length), duckdb.create_int64(BigInt(commitSeq)));
    duckdb.data_chunk_set_size(chunk, rows);
    duckdb.append_data_chunk((appender as unknown as RawAppender).appender, chunk);
  }
}

/**
 * A string column's rows of a chunk. A vector holds each string as a 16-byte `duckdb_string_t`
 * (duckdb.h): its byte length, then up to 12 bytes inline, zero-padded, or a prefix and a pointer
 * for a longer one. The short ASCII rows (names, models, statuses, `[]`) are written inline into
 * scratch and copied in with one call; only the longer ones (ids, attributes) cross the binding
 * one by one, each then put over its entry.
 */
function fillStrings(vector: duckdb.Vector, column: Extract<Column, { type: 'varchar' }>, start: number, rows: number, at: number): number {
  const { text, lengths, constant } = column;
  if (constant !== null) {
    duckdb.vector_reference_value(vector, duckdb.create_varchar(constant));
    return at + constant.length * rows;
  }
  const entries = inlineStrings.fill(0, 0, rows * 16);
  let nulls = false;
  let long = 0;
  let from = at;
  for (let i = 0; i < rows; i++) {
    const length = lengths[start + i]!;
    if (length < 0) nulls = true;
    else if (length > INLINE_BYTES || !inlineAscii(entries, i * 16, text, from, length)) {
      longRows[long] = i;
      longAt[long++] = from;
    }
    if (length > 0) from += length;
  }
  duckdb.copy_data_to_vector(vector, 0, inlineStrings.buffer, 0, rows * 16);
  for (let k = 0; k < long; k++) {
    const i = longRows[k]!;
    const rowAt = longAt[k]!;
    duckdb.vector_assign_string_element(vector, i, text.substring(rowAt, rowAt + lengths[start + i]!));
  }
  if (nulls) {
    const valid = scratchValidity.fill(0xff, 0, validityBytes(rows));
    for (let i = 0; i < rows; i++) if (lengths[start + i]! < 0) valid[i >> 3]! &= ~(1 << (i & 7));
    setValidity(vector, valid, rows);
  }
  return from;
}

/** DuckDB keeps a string of up to 12 bytes inside its 16-byte entry. */
const INLINE_BYTES = 12;
const inlineStrings = new Uint8Array(CHUNK_ROWS * 16);
const inlineLengths = new Uint32Array(inlineStrings.buffer);
/** The rows of a chunk written one by one (`fillStrings`), and where each starts in the text. */
const longRows = new Int32Array(CHUNK_ROWS);
const longAt = new Int32Array(CHUNK_ROWS);

/** Writes `text[from, from + length)` as an inline entry at `entry` when it is all ASCII (then one byte a unit); false otherwise. */
function inlineAscii(entries: Uint8Array, entry: number, text: string, from: number, length: number): boolean {
  for (let k = 0; k < length; k++) {
    const unit = text.charCodeAt(from + k);
    if (unit > 0x7f) {
      entries.fill(0, entry + 4, entry + 4 + k);
      return false;
    }
    entries[entry + 4 + k] = unit;
  }
  inlineLengths[entry >> 2] = length;
  return true;
}

function fillNumbers(vector: duckdb.Vector, column: Exclude<Column, { type: 'varchar' | 'double[]' }>, start: number, rows: number): void {
  if (column.type === 'bigint') {
    const { values } = column;
    for (let i = 0; i < rows; i++) {
      const value = Math.trunc(values[start + i]!);
      const high = Math.floor(value / 4294967296);
      int64Words[2 * i] = value - high * 4294967296;
      int64Words[2 * i + 1] = high;
    }
    duckdb.copy_data_to_vector(vector, 0, int64Words.buffer, 0, rows * 8);
  } else {
    // Everything else (int64 included) is laid out as DuckDB's vector holds it: copied whole.
    const { values } = column;
    const width = values.BYTES_PER_ELEMENT;
    duckdb.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + start * width, rows * width);
  }
  if (column.valid !== null) setValidity(vector, sliceValidity(column.valid, start, rows), rows);
}

function fillList(vector: duckdb.Vector, column: Extract<Column, { type: 'double[]' }>, start: number, rows: number): void {
  const { values, offsets } = column;
  const first = offsets[start]!;
  const total = offsets[start + rows]! - first;
  for (let i = 0; i < rows; i++) {
    listEntries[4 * i] = offsets[start + i]! - first;
    listEntries[4 * i + 1] = 0;
    listEntries[4 * i + 2] = offsets[start + i + 1]! - offsets[start + i]!;
    listEntries[4 * i + 3] = 0;
  }
  duckdb.copy_data_to_vector(vector, 0, listEntries.buffer, 0, rows * 16);
  duckdb.list_vector_reserve(vector, total);
  duckdb.list_vector_set_size(vector, total);
  if (total > 0) duckdb.copy_data_to_vector(duckdb.list_vector_get_child(vector), 0, values.buffer as ArrayBuffer, values.byteOffset + first * 8, total * 8);
  if (column.valid !== null) setValidity(vector, sliceValidity(column.valid, start, rows), rows);
}

/** The validity bits of rows `start ..` (chunks start at multiples of 2,048, so on a byte boundary). */
function sliceValidity(valid: Uint8Array, start: number, rows: number): Uint8Array {
  return valid.subarray(start >> 3, (start >> 3) + validityBytes(rows));
}

function setValidity(vector: duckdb.Vector, valid: Uint8Array, rows: number): void {
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, valid.buffer as ArrayBuffer, valid.byteOffset, validityBytes(rows));
}
