// The DuckDB side of handwritten-server.mjs: one table, and the data chunk being filled (strings go
// into its vectors at once, numbers into typed arrays copied at the end), appended when full.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';

const FLUSH_ROWS = 8192;
export const CHUNK_ROWS = duckdb.vector_size();

const COLUMNS = [
  ['project_id', 'VARCHAR'], ['trace_id', 'VARCHAR'], ['span_id', 'VARCHAR'], ['parent_span_id', 'VARCHAR'], ['trace_state', 'VARCHAR'],
  ['flags', 'UINTEGER'], ['name', 'VARCHAR'], ['kind', 'UTINYINT'], ['service_name', 'VARCHAR'], ['start_us', 'BIGINT'], ['end_us', 'BIGINT'],
  ['duration_us', 'BIGINT'], ['status_code', 'UTINYINT'], ['status_message', 'VARCHAR'], ['attributes', 'VARCHAR'], ['resource', 'VARCHAR'],
  ['events', 'VARCHAR'], ['links', 'VARCHAR'], ['dropped_attributes', 'UINTEGER'], ['dropped_events', 'UINTEGER'], ['dropped_links', 'UINTEGER'],
];
export const C = Object.fromEntries(COLUMNS.map(([name], i) => [name, i]));
const TYPE_IDS = { VARCHAR: duckdb.Type.VARCHAR, UINTEGER: duckdb.Type.UINTEGER, UTINYINT: duckdb.Type.UTINYINT, BIGINT: duckdb.Type.BIGINT };

const instance = await DuckDBInstance.create(join(process.argv[2], 'handwritten.duckdb'));
const db = await instance.connect();
await db.run(`CREATE TABLE spans (${COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')})`);
let appender = await db.createAppender('spans');
let unflushed = 0;
let rows = 0;

const chunk = duckdb.create_data_chunk(COLUMNS.map(([, type]) => duckdb.create_logical_type(TYPE_IDS[type])));
export const vectors = COLUMNS.map((_, i) => duckdb.data_chunk_get_vector(chunk, i));
export const flags = new Uint32Array(CHUNK_ROWS);
export const kinds = new Uint8Array(CHUNK_ROWS);
export const statusCodes = new Uint8Array(CHUNK_ROWS);
export const droppedAttributes = new Uint32Array(CHUNK_ROWS);
export const droppedEvents = new Uint32Array(CHUNK_ROWS);
export const droppedLinks = new Uint32Array(CHUNK_ROWS);
/** BIGINT columns as (low, high) 32-bit words. */
export const startUs = new Uint32Array(CHUNK_ROWS * 2);
export const endUs = new Uint32Array(CHUNK_ROWS * 2);
export const durationUs = new Uint32Array(CHUNK_ROWS * 2);
const parentValid = new Uint8Array(CHUNK_ROWS / 8);
let parentNulls = false;
export let row = 0;
const PROJECT = duckdb.create_varchar('default');

export function setInt64(words, at, value) {
  const high = Math.floor(value / 4294967296);
  words[2 * at] = value - high * 4294967296;
  words[2 * at + 1] = high;
}

export function appendChunk() {
  if (row === 0) return;
  const copy = (column, array, bytes) => duckdb.copy_data_to_vector(vectors[column], 0, array.buffer, 0, bytes);
  copy(C.flags, flags, row * 4);
  copy(C.kind, kinds, row);
  copy(C.status_code, statusCodes, row);
  copy(C.dropped_attributes, droppedAttributes, row * 4);
  copy(C.dropped_events, droppedEvents, row * 4);
  copy(C.dropped_links, droppedLinks, row * 4);
  copy(C.start_us, startUs, row * 8);
  copy(C.end_us, endUs, row * 8);
  copy(C.duration_us, durationUs, row * 8);
  if (parentNulls) {
    duckdb.vector_ensure_validity_writable(vectors[C.parent_span_id]);
    duckdb.copy_data_to_vector_validity(vectors[C.parent_span_id], 0, parentValid.buffer, 0, Math.ceil(row / 64) * 8);
  }
  duckdb.vector_reference_value(vectors[C.project_id], PROJECT);
  duckdb.data_chunk_set_size(chunk, row);
  duckdb.append_data_chunk(appender.appender, chunk);
  duckdb.data_chunk_reset(chunk);
  rows += row;
  unflushed += row;
  row = 0;
  parentValid.fill(0xff);
  parentNulls = false;
  if (unflushed >= FLUSH_ROWS) {
    appender.flushSync();
    unflushed = 0;
  }
}
parentValid.fill(0xff);

/** The span at `row` is done: the next row, or the chunk appended once full. */
export function nextRow() {
  if (++row === CHUNK_ROWS) appendChunk();
}

/** The span at `row` has no parent. */
export function parentIsNull() {
  parentValid[row >> 3] &= ~(1 << (row & 7));
  parentNulls = true;
}

/** Drops the rows of the chunk being filled (of a body that could not be read). */
export function dropChunk() {
  duckdb.data_chunk_reset(chunk);
  row = 0;
}

/** Closes the appender, making every span readable, and opens the next; the rows appended so far. */
export async function flushAppender() {
  appender.closeSync();
  appender = await db.createAppender('spans');
  unflushed = 0;
  return rows;
}
