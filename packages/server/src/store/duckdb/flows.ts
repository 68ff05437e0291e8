import type { DuckDBDataChunk } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { FlowSpansBuilder } from '../flow-spans.js';
import type { FlowSpanQuery, FlowSpans } from '../ports/flows.js';
import { type FlowEngineSql, flowSpansSql } from '../sql/flows.js';
import type { DuckDbSql } from './dialect.js';

/** DuckDB's pieces of the flow statement: `hash` is 64 bits, of which the top 53 are kept. */
const DUCKDB_FLOW_SQL: FlowEngineSql = {
  hash53: (expr) => `CAST(hash(${expr}) >> 11 AS DOUBLE)`,
  double: (expr) => `CAST(${expr} AS DOUBLE)`,
  text: (expr) => expr,
  nan: "'NaN'::DOUBLE",
};

/**
 * The flow map's spans on DuckDB: the doubles read straight from each chunk's vectors, a trace id
 * or a name converted only at a run's or a label's first row (`FlowSpansBuilder`).
 */
export async function selectFlowSpans(db: DuckDbSql, query: FlowSpanQuery): Promise<FlowSpans> {
  const { sql, p } = await flowSpansSql(db, query, DUCKDB_FLOW_SQL);
  return db.on('read the spans of a flow map', async (connection) => {
    const result = await connection.run(sql, p.values);
    let rows = 0;
    for (let c = 0; c < result.chunkCount; c++) rows += result.getChunk(c).rowCount;
    const builder = new FlowSpansBuilder(query.maxRuns, rows);
    for (let c = 0; c < result.chunkCount; c++) {
      const chunk = result.getChunk(c);
      const [trace, span, parent, label, category, duration, failed, cost, side] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => doubles(chunk, k));
      const traceIds = chunk.getColumnVector(9);
      const names = chunk.getColumnVector(10);
      for (let row = 0; row < chunk.rowCount; row++) {
        const added = builder.add(
          trace![row]!,
          span![row]!,
          parent![row]!,
          label![row]!,
          category![row]!,
          duration![row]!,
          failed![row]! === 1,
          cost![row]!,
          side![row]! === 1,
          () => traceIds.getItem(row) as string,
          () => names.getItem(row) as string,
        );
        if (!added) return builder.done();
      }
    }
    return builder.done();
  });
}

/** A DOUBLE column of a chunk, as a view of its vector (valid while the result is); every row of these columns has a value. */
function doubles(chunk: DuckDBDataChunk, column: number): Float64Array {
  const rows = chunk.rowCount;
  const bytes = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, column), rows * 8);
  return bytes.byteOffset % 8 === 0 ? new Float64Array(bytes.buffer, bytes.byteOffset, rows) : new Float64Array(bytes.slice().buffer);
}
