import type { DuckDBConnection } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { type SpanLabel, type TimingColumns, type TraceTimings, timingColumns } from '../trace-timings.js';

/** The trace's spans: `$1` project, `$2` trace, `$3 .. $4` the start times to look within. */
const SPANS_OF_TRACE = 'FROM spans WHERE project_id = $1 AND trace_id = $2 AND start_us BETWEEN $3::BIGINT AND $4::BIGINT';

/** A span's label as a 53-bit code (`$5` the salt): exact as a double. */
const LABEL_CODE = '(hash(name, service_name, $5::INTEGER) >> 11)';

/**
 * One row per span, in the order of `TimingColumns`' fields below: ids as numbers (their hex parsed
 * in SQL), since strings cross from DuckDB to JavaScript one native call each (about 1.4 µs) and
 * numbers straight from a vector's memory.
 */
const TIMING_ROWS = `SELECT
  (('0x' || span_id)::UBIGINT >> 32)::UINTEGER, (('0x' || span_id)::UBIGINT & 4294967295)::UINTEGER,
  (('0x' || coalesce(parent_span_id, '0'))::UBIGINT >> 32)::UINTEGER, (('0x' || coalesce(parent_span_id, '0'))::UBIGINT & 4294967295)::UINTEGER,
  start_us::DOUBLE, end_us::DOUBLE, category::UTINYINT, ${LABEL_CODE}::DOUBLE
  ${SPANS_OF_TRACE}`;

const FIELDS = ['idHigh', 'idLow', 'parentHigh', 'parentLow', 'startUs', 'endUs', 'category'] as const satisfies readonly (keyof TimingColumns)[];

/** Salts tried before giving up on codes that tell a trace's labels apart (one is needed but for a chance of 1 in 10^7). */
const MAX_SALTS = 4;

/**
 * What a critical path needs of a trace's spans, whose start times lie within `bounds`, or `null`
 * when there are none.
 *
 * Two reads in one transaction, so both see the same spans: the span count and the distinct
 * labels (name and service, each with a 53-bit hash code; should two share a code, both run
 * again with another salt), then the spans' numbers, copied a chunk (2,048 rows) at a time
 * straight from the result's vectors into columns of the counted length. For a million spans the
 * result and the columns are about 40 MB each. One list of a million structs, built in SQL as
 * before, took 375 MB more than the process had (this way: 230 MB, in the same time) and the
 * server past 1 GiB on the critical path (`npm run bench:big-tree`). Streamed a chunk a call
 * instead, it took 60 MB less still but 40% longer: DuckDB then scans on one thread.
 */
export async function selectTraceTimings(
  connection: DuckDBConnection,
  projectId: string,
  traceId: string,
  bounds: { fromUs: number; toUs: number },
): Promise<TraceTimings | null> {
  // A failure leaves the transaction to the connection's close, which its caller does at once.
  await connection.run('BEGIN TRANSACTION');
  for (let salt = 0; salt < MAX_SALTS; salt++) {
    const values = [projectId, traceId, bounds.fromUs, bounds.toUs, salt];
    const found = await connection.runAndReadAll(
      `SELECT sum(spans)::INTEGER, to_json(list([k::VARCHAR, name, service_name]))::VARCHAR
       FROM (SELECT ${LABEL_CODE}::BIGINT AS k, name, service_name, count(*) AS spans ${SPANS_OF_TRACE} GROUP BY ALL)`,
      values,
    );
    const [[count], [labelsJson]] = found.getColumns() as [[number | null], [string | null]];
    if (count === null || count === 0) {
      await connection.run('COMMIT');
      return null;
    }
    const dictionary = labelDictionary(labelsJson!);
    if (dictionary === null) continue;
    const columns = timingColumns(count);
    const codes = await readTimingRows(connection, values, columns);
    await connection.run('COMMIT');
    return { ...columns, labelOf: (i) => dictionary.get(codes[i]!)!, labelCount: dictionary.size };
  }
  throw new Error(`the span names of trace ${traceId} share hash codes under ${MAX_SALTS} salts`);
}

/** Reads `TIMING_ROWS` into `columns` (sized to the count read in the same transaction); answers each span's label code. */
async function readTimingRows(connection: DuckDBConnection, values: (string | number)[], columns: TimingColumns): Promise<Float64Array> {
  const n = columns.count;
  const codes = new Float64Array(n);
  const targets = [...FIELDS.map((field) => columns[field]), codes];
  const result = await connection.run(TIMING_ROWS, values);
  let at = 0;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const rows = chunk.rowCount;
    if (at + rows > n) throw new Error(`the trace's spans came to more than the ${n} counted`);
    // A result's chunks hold flat vectors (the C API flattens what it hands out), and these columns have no NULLs.
    targets.forEach((into, k) => {
      const width = into.BYTES_PER_ELEMENT;
      new Uint8Array(into.buffer, at * width, rows * width).set(duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, k), rows * width));
    });
    at += rows;
  }
  if (at !== n) throw new Error(`the trace's spans came to ${at}, not the ${n} counted`);
  return codes;
}

/** Each code's label, or `null` when two labels share a code. */
function labelDictionary(json: string): Map<number, SpanLabel> | null {
  const labels = new Map<number, SpanLabel>();
  for (const [code, name, serviceName] of JSON.parse(json) as Array<[string, string, string]>) {
    const k = Number(code);
    if (labels.has(k)) return null;
    labels.set(k, { name, serviceName });
  }
  return labels;
}
