import type { DuckDBDataChunk } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { FlowSpansBuilder } from '../flow-spans.js';
import type { FlowSpanQuery, FlowSpans } from '../ports/flows.js';
import { type FlowEngineSql, flowRunsSql, flowSpansSql } from '../sql/flows.js';
import type { DuckDbSql } from './dialect.js';

/** DuckDB's pieces of the flow statements: `hash` is 64 bits, of which the top 53 are kept. */
const DUCKDB_FLOW_SQL: FlowEngineSql = {
  hash53: (...exprs) => `CAST(hash(${exprs.join(', ')}) >> 11 AS DOUBLE)`,
  double: (expr) => `CAST(${expr} AS DOUBLE)`,
  text: (expr) => expr,
  nan: "'NaN'::DOUBLE",
  joinKey: (expr) => `hash(${expr})`,
};

/** The doubles of the spans statement. */
const COLUMNS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * The flow map's spans on DuckDB: the runs' trace ids first, then their spans, in one transaction
 * so both statements see the same runs; the spans streamed a chunk at a time, their doubles read
 * straight from the vectors, a name converted only at a label's first row (`FlowSpansBuilder`).
 * Sending each span's trace id instead cost more than the rest of the read on bench:flows.
 */
export async function selectFlowSpans(db: DuckDbSql, query: FlowSpanQuery): Promise<FlowSpans> {
  const runs = await flowRunsSql(db, query, DUCKDB_FLOW_SQL);
  const spans = await flowSpansSql(db, query, DUCKDB_FLOW_SQL, false);
  return db.on('read the spans of a flow map', async (connection) => {
    await connection.run('BEGIN TRANSACTION');
    try {
      const builder = new FlowSpansBuilder(query.maxRuns, 1024);
      const runResult = await connection.run(runs.sql, runs.p.values);
      let run = 0;
      for (let c = 0; c < runResult.chunkCount; c++) {
        const chunk = runResult.getChunk(c);
        const [ids, sides] = [chunk.getColumnVector(0), chunk.getColumnVector(1)];
        for (let row = 0; row < chunk.rowCount; row++) builder.setRun(run++, ids.getItem(row) as string, Number(sides.getItem(row)) === 1);
      }
      const result = await connection.stream(spans.sql, spans.p.values);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        const rows = chunk.rowCount;
        const names = chunk.getColumnVector(10);
        builder.addColumns(
          rows,
          COLUMNS.map((k) => doubles(chunk, k, rows)),
          { name: (row) => names.getItem(row) as string },
        );
      }
      await connection.run('COMMIT');
      return builder.done();
    } catch (error) {
      // The read failed: nothing to keep of its transaction; the failure is what the caller hears.
      await connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

/** A DOUBLE column of a chunk, as a view of its vector (valid while the chunk is); every row of these columns has a value. */
function doubles(chunk: DuckDBDataChunk, column: number, rows: number): Float64Array {
  const bytes = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, column), rows * 8);
  return bytes.byteOffset % 8 === 0 ? new Float64Array(bytes.buffer, bytes.byteOffset, rows) : new Float64Array(bytes.slice().buffer);
}
