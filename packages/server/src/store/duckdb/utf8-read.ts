import type { DuckDBDataChunk, DuckDBMaterializedResult } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { JsonArrayRows, type TextBytes } from '../record-rows.js';

/**
 * VARCHAR columns of a DuckDB result read as their UTF-8 bytes, never as one string a value.
 *
 * A vector holds a 16-byte `duckdb_string_t` a row (duckdb.h): the length, then up to 12 bytes
 * inline, or the first 4 bytes and a pointer into DuckDB's string heap. A result's values mostly
 * lie end to end in that heap (a heavy trace's 40,002 long texts came in some 130 runs), so each
 * run is copied out with one call (`get_data_from_pointer`), and a short value from the vector
 * itself. As strings, each value crossed the binding in a call of its own (some 1.4 µs, and a
 * UTF-16 copy), which is why answers were joined in SQL (`string_agg`) instead: an aggregate
 * that took as long again as the scan (the heavy trace: 280-470 ms against 50-140).
 *
 * A materialized result's chunks hold flat vectors (the C API flattens what it hands out). A run
 * is only ever values that are adjacent in the heap, each byte read belonging to one of them.
 */

const ENTRY_BYTES = 16;
const INLINE_BYTES = 12;

/** Where `get_data_from_pointer` reads a run's address from. */
const address = new BigUint64Array(1);

/**
 * The string entries of VARCHAR column `column` of a chunk; throws for a NULL, whose entry holds
 * whatever the vector's memory held (a length read from it can be anything).
 */
function entriesOf(chunk: duckdb.DataChunk, column: number, rows: number, what: string): Uint8Array {
  const vector = duckdb.data_chunk_get_vector(chunk, column);
  const validity = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
  // No mask (or an empty one) when every row is valid.
  if (validity && validity.length > 0 && !allValid(validity, rows)) throw new Error(`${what}: column ${column} holds a NULL where a text was expected`);
  return duckdb.vector_get_data(vector, rows * ENTRY_BYTES);
}

/** Calls `visit` with the bytes of each value of VARCHAR column `column` of a chunk, row by row (`from .. to` of `source`). */
function eachValue(chunk: duckdb.DataChunk, column: number, rows: number, what: string, visit: (source: Uint8Array, from: number, to: number) => void): void {
  const entries = entriesOf(chunk, column, rows, what);
  const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  for (let i = 0; i < rows; ) {
    const length = view.getUint32(i * ENTRY_BYTES, true);
    if (length <= INLINE_BYTES) {
      const from = i * ENTRY_BYTES + 4;
      visit(entries, from, from + length);
      i++;
      continue;
    }
    // The run: the values after this one that start where the one before ends.
    const start = view.getBigUint64(i * ENTRY_BYTES + 8, true);
    let end = start + BigInt(length);
    let j = i + 1;
    for (; j < rows; j++) {
      const next = view.getUint32(j * ENTRY_BYTES, true);
      if (next <= INLINE_BYTES || view.getBigUint64(j * ENTRY_BYTES + 8, true) !== end) break;
      end += BigInt(next);
    }
    address[0] = start;
    const run = duckdb.get_data_from_pointer(address.buffer as ArrayBuffer, 0, Number(end - start));
    for (let at = 0; i < j; i++) {
      const next = at + view.getUint32(i * ENTRY_BYTES, true);
      visit(run, at, next);
      at = next;
    }
  }
}

/** Whether the first `rows` bits of a validity mask are set. */
function allValid(validity: Uint8Array, rows: number): boolean {
  for (let i = 0; i < rows; i++) if ((validity[i >> 3]! & (1 << (i & 7))) === 0) return false;
  return true;
}

/**
 * The chunks of a result, each fetched once: fetching a chunk of a materialized result copies it
 * out of the result's collection (`duckdb_result_get_chunk`).
 */
export function chunksOf(result: DuckDBMaterializedResult): DuckDBDataChunk[] {
  return Array.from({ length: result.chunkCount }, (_, c) => result.getChunk(c));
}

/** The summed byte lengths of the values of these columns of every chunk. */
function totalBytes(chunks: readonly DuckDBDataChunk[], columns: readonly number[], what: string): number {
  let total = 0;
  for (const chunk of chunks) {
    const rows = chunk.rowCount;
    for (const column of columns) {
      const entries = entriesOf(chunk.chunk, column, rows, what);
      const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
      for (let i = 0; i < rows; i++) total += view.getUint32(i * ENTRY_BYTES, true);
    }
  }
  return total;
}

/** The last lent read's stand-in for DuckDB's memory of it (see `utf8Texts`), dropped by the next. */
const lentRead: { weight: ArrayBuffer | null } = { weight: null };

const rowCount = (chunks: readonly DuckDBDataChunk[]): number => chunks.reduce((rows, chunk) => rows + chunk.rowCount, 0);

/**
 * The values of VARCHAR columns `columns` (none NULL) of every row, as bytes: row `r`'s value of
 * `columns[j]` is text `r * columns.length + j`. In the memory `into` lends when it is large
 * enough (`TraceReader.getTraceBytes`), else in a buffer of their own.
 */
export function utf8Texts(chunks: readonly DuckDBDataChunk[], columns: readonly number[], what: string, into?: () => Buffer | null): TextBytes {
  const count = rowCount(chunks) * columns.length;
  const total = totalBytes(chunks, columns, what);
  const lent = into?.() ?? null;
  let bytes: Uint8Array;
  if (lent !== null && lent.length >= total) {
    bytes = lent.subarray(0, total);
    // DuckDB's result holds its own copy of these bytes, which V8 does not see: a fresh buffer for
    // the texts is what made V8 collect the results read before (read into lent memory alone, the
    // server's peak in bench:detail grew from 856-901 to 995-1,100 MiB). An allocation of the same
    // size, never written (so never in memory), tells V8 as much.
    lentRead.weight = new ArrayBuffer(total);
  } else {
    bytes = new Uint8Array(total);
  }
  const starts = new Uint32Array(count);
  const ends = new Uint32Array(count);
  let at = 0;
  let row = 0;
  for (const chunk of chunks) {
    const rows = chunk.rowCount;
    columns.forEach((column, j) => {
      let k = row * columns.length + j;
      eachValue(chunk.chunk, column, rows, what, (source, from, to) => {
        starts[k] = at;
        bytes.set(source.subarray(from, to), at);
        at += to - from;
        ends[k] = at;
        k += columns.length;
      });
    });
    row += rows;
  }
  return { bytes, starts, ends };
}

/** The rows of VARCHAR column `column`, each a JSON array (`json_array(...)::VARCHAR`), parsed at once as one JSON array of them. */
export function jsonArrayRows(chunks: readonly DuckDBDataChunk[], column: number, what: string): unknown[][] {
  return joinedRows(chunks, column, what, false).parse();
}

/** `jsonArrayRows`, every row's values one after another in one flat array. */
export function jsonArrayValues(chunks: readonly DuckDBDataChunk[], column: number, what: string): unknown[] {
  return joinedRows(chunks, column, what, true).parseValues();
}

function joinedRows(chunks: readonly DuckDBDataChunk[], column: number, what: string, values: boolean): JsonArrayRows {
  const rows = new JsonArrayRows(totalBytes(chunks, [column], what), rowCount(chunks), values);
  for (const chunk of chunks) eachValue(chunk.chunk, column, chunk.rowCount, what, (source, from, to) => rows.add(source, from, to));
  return rows;
}
