import type { DuckDBAppender } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { type Column, type ColumnType, type TableBatch, validityBytes } from '../columns.js';

/**
 * Appends column batches to DuckDB a data chunk (2,048 rows) at a time. Numbers, validity and
 * strings go into each vector with a call or two per column (`fillStrings`), and a column whose
 * rows all hold one string (a project, a service, an empty status) becomes a constant vector.
 * Appending cell by cell cost some 40 calls into the binding per span.
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

function logicalTypeOf(type: ColumnType): duckdb.LogicalType {
  if (type === 'double[]') return duckdb.create_list_type(duckdb.create_logical_type(duckdb.Type.DOUBLE));
  return duckdb.create_logical_type(TYPE_IDS[type]);
}

/**
 * A data chunk per table and column types (the same table's batches have the same columns), made
 * once, emptied after each append and filled again.
 */
const chunkCache = new Map<string, duckdb.DataChunk>();

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
  let chunk = chunkCache.get(signature);
  if (chunk === undefined) {
    const types = batch.columns.map((column) => logicalTypeOf(column.type));
    if (commitSeq !== null) types.push(duckdb.create_logical_type(duckdb.Type.BIGINT));
    chunk = duckdb.create_data_chunk(types);
    chunkCache.set(signature, chunk);
  }
  // Where each string column's next row starts in its text.
  const textAt = new Int32Array(batch.columns.length);
  for (let start = 0; start < batch.rows; start += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, batch.rows - start);
    try {
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
    } finally {
      // The appender copied the rows: the chunk's string heaps go now, not when a collection finds it.
      duckdb.data_chunk_reset(chunk);
    }
  }
}

/**
 * A string column's rows of a chunk. A vector holds each string as a 16-byte `duckdb_string_t`
 * (duckdb.h): its byte length, then up to 12 bytes inline, zero-padded, or its first 4 bytes and a
 * pointer for a longer one. The chunk's rows cross the binding as one UTF-8 string, stored in the
 * vector's string heap as row 0; every entry is then written here, the longer ones pointing into
 * that copy, and copied in with one call. A call per string cost ~190 ns, the whole chunk ~30 ns
 * a string. DuckDB copies the strings out of the chunk when it is appended.
 */
function fillStrings(vector: duckdb.Vector, column: Extract<Column, { type: 'varchar' }>, start: number, rows: number, at: number): number {
  const { text, lengths, constant } = column;
  if (constant !== null) {
    duckdb.vector_reference_value(vector, duckdb.create_varchar(constant));
    return at + constant.length * rows;
  }
  let to = at;
  let nulls = false;
  let long = false;
  for (let i = 0; i < rows; i++) {
    const length = lengths[start + i]!;
    if (length < 0) nulls = true;
    else {
      to += length;
      if (length > INLINE_BYTES) long = true;
    }
  }
  const { bytes, byteLengths } =
    column.utf8 === undefined ? utf8Of(text, lengths, start, rows, at, to) : { bytes: column.utf8.subarray(at, to), byteLengths: null };
  if (byteLengths !== null) for (let i = 0; i < rows; i++) if (byteLengths[i]! > INLINE_BYTES) long = true;
  const entries = inlineStrings.fill(0, 0, rows * 16);
  let pointerLow = 0;
  let pointerHigh = 0;
  if (long) {
    duckdb.vector_assign_string_element_len(vector, 0, bytes);
    const head = duckdb.vector_get_data(vector, 16);
    pointerLow = (head[8]! | (head[9]! << 8) | (head[10]! << 16) | (head[11]! << 24)) >>> 0;
    pointerHigh = (head[12]! | (head[13]! << 8) | (head[14]! << 16) | (head[15]! << 24)) >>> 0;
  }
  let from = 0;
  for (let i = 0; i < rows; i++) {
    const length = byteLengths === null ? lengths[start + i]! : byteLengths[i]!;
    if (length < 0) continue;
    const entry = i * 16;
    inlineLengths[entry >> 2] = length;
    if (length <= INLINE_BYTES) {
      for (let k = 0; k < length; k++) entries[entry + 4 + k] = bytes[from + k]!;
    } else {
      entries[entry + 4] = bytes[from]!;
      entries[entry + 5] = bytes[from + 1]!;
      entries[entry + 6] = bytes[from + 2]!;
      entries[entry + 7] = bytes[from + 3]!;
      const low = pointerLow + from;
      inlineLengths[(entry >> 2) + 2] = low >>> 0;
      inlineLengths[(entry >> 2) + 3] = pointerHigh + (low > 0xffffffff ? 1 : 0);
    }
    from += length;
  }
  duckdb.copy_data_to_vector(vector, 0, inlineStrings.buffer, 0, rows * 16);
  if (nulls) {
    const valid = scratchValidity.fill(0xff, 0, validityBytes(rows));
    for (let i = 0; i < rows; i++) if (lengths[start + i]! < 0) valid[i >> 3]! &= ~(1 << (i & 7));
    setValidity(vector, valid, rows);
  }
  return to;
}

/**
 * The UTF-8 of a chunk's rows (`text[at .. to)`), end to end; when they are not all ASCII, each
 * row on its own (the halves of a surrogate pair ending one row and starting the next would
 * otherwise make one character), with each row's length in bytes.
 */
function utf8Of(text: string, lengths: Int32Array, start: number, rows: number, at: number, to: number): { bytes: Uint8Array; byteLengths: Int32Array | null } {
  const chunkText = text.substring(at, to);
  const scratch = utf8Scratch(chunkText.length * 3);
  let byteCount = scratch.write(chunkText, 0, 'utf8');
  if (byteCount === chunkText.length) return { bytes: scratch.subarray(0, byteCount), byteLengths: null };
  byteCount = 0;
  for (let i = 0, from = at; i < rows; i++) {
    const length = lengths[start + i]!;
    if (length < 0) rowBytes[i] = -1;
    else {
      const written = scratch.write(text.substring(from, from + length), byteCount, 'utf8');
      rowBytes[i] = written;
      byteCount += written;
      from += length;
    }
  }
  return { bytes: scratch.subarray(0, byteCount), byteLengths: rowBytes };
}

/** A buffer of at least `bytes` to write a chunk's UTF-8 into: one kept for reuse up to 8 MiB, a fresh one past that. */
function utf8Scratch(bytes: number): Buffer {
  if (bytes > MAX_SCRATCH_BYTES) return Buffer.allocUnsafe(bytes);
  if (bytes > scratchUtf8.length) scratchUtf8 = Buffer.allocUnsafe(Math.min(MAX_SCRATCH_BYTES, Math.max(bytes, 2 * scratchUtf8.length)));
  return scratchUtf8;
}

const MAX_SCRATCH_BYTES = 8 * 1024 * 1024;
let scratchUtf8 = Buffer.allocUnsafe(256 * 1024);

/** DuckDB keeps a string of up to 12 bytes inside its 16-byte entry. */
const INLINE_BYTES = 12;
const inlineStrings = new Uint8Array(CHUNK_ROWS * 16);
const inlineLengths = new Uint32Array(inlineStrings.buffer);
/** Each row's length in UTF-8 bytes (-1 for NULL), for a chunk that is not all ASCII. */
const rowBytes = new Int32Array(CHUNK_ROWS);

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
