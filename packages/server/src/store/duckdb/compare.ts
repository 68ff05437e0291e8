import type { DuckDBDataChunk } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import type { CompareQuery } from '@spoor/model';
import { type SideGroup, comparisonOf } from '../comparison.js';
import { num, numOrNull } from '../record-rows.js';
import type { CompareSideRecord, ScoreCompareGroup } from '../store.js';
import { comparisonGroupsSql } from '../sql/compare.js';
import { compareScoresSql } from '../sql/score-compare.js';
import type { DuckDbSql } from './dialect.js';

/**
 * The release comparison of the DuckDB store: the groups of `sql/compare.ts`, read straight from
 * the result's vectors. Where the time goes, measured on the analytics benchmark (5.2M spans, 2
 * threads): reading the span attributes text alone takes 1.4 s, so an attribute that the span's
 * resource carries is read from `sources` (12 rows there) and the attributes of a span are parsed
 * only when its resource lacks the key.
 */
export async function selectComparison(db: DuckDbSql, query: CompareQuery, read?: () => void): Promise<CompareSideRecord[]> {
  // Doubles, so the lists are read as the doubles the ranks are taken from (`listsOfDoubles`).
  const { sql, p } = await comparisonGroupsSql(db, query, 'CAST(duration_us AS DOUBLE)');
  return db.on('compare spans', async (connection) => {
    const result = await connection.run(sql, p.values);
    const groups: SideGroup[] = [];
    for (let c = 0; c < result.chunkCount; c++) {
      const chunk = result.getChunk(c);
      const durations = listsOfDoubles(chunk, 8);
      const columns = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => chunk.getColumnVector(k));
      for (let row = 0; row < chunk.rowCount; row++) {
        const [name, b, n, errors, avgUs, costN, costMean, costVar] = columns.map((column) => column.getItem(row));
        groups.push({
          name: name as string,
          side: b === true ? 'b' : 'a',
          count: num(n),
          errorCount: num(errors),
          avgUs: avgUs as number,
          costCount: num(costN),
          costMean: costMean as number,
          costVariance: numOrNull(costVar),
          durations: durations[row]!,
        });
      }
    }
    read?.();
    return comparisonOf(groups, query.limit);
  });
}

/** The score groups of the release comparison (`sql/score-compare.ts`), their tallies read straight from the result's vectors. */
export async function selectScoreComparison(db: DuckDbSql, query: CompareQuery): Promise<ScoreCompareGroup[]> {
  const statement = await compareScoresSql(db, query);
  if (statement === null) return [];
  return db.on('compare scores', async (connection) => {
    const result = await connection.run(statement.sql, statement.p.values);
    const groups: ScoreCompareGroup[] = [];
    for (let c = 0; c < result.chunkCount; c++) {
      const chunk = result.getChunk(c);
      // Copied: the views die with the result.
      const [values, counts] = [listsOfDoubles(chunk, 4), listsOfDoubles(chunk, 5)];
      const columns = [0, 1, 2, 3].map((k) => chunk.getColumnVector(k));
      for (let row = 0; row < chunk.rowCount; row++) {
        const [name, b, label, n] = columns.map((column) => column.getItem(row));
        groups.push({
          name: name as string,
          side: b === true ? 'b' : 'a',
          label: (label as string | null) ?? null,
          count: num(n),
          values: values[row]!.slice(),
          counts: counts[row]!.slice(),
        });
      }
    }
    return groups;
  });
}

/**
 * The rows of a `DOUBLE[]` column of a result chunk, as views of the chunk's memory (valid while
 * the result is), read straight from the vectors: converting 5M list items value by value costs
 * more than the query.
 */
function listsOfDoubles(chunk: DuckDBDataChunk, column: number): Float64Array[] {
  const rows = chunk.rowCount;
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
  const entryBytes = duckdb.vector_get_data(vector, rows * 16);
  // Each row's entry is (offset, length) as two unsigned 64-bit integers.
  const entries = new BigUint64Array(entryBytes.buffer, entryBytes.byteOffset, rows * 2);
  const child = duckdb.list_vector_get_child(vector);
  const size = Number(duckdb.list_vector_get_size(vector));
  const bytes = duckdb.vector_get_data(child, size * 8);
  const values = bytes.byteOffset % 8 === 0 ? new Float64Array(bytes.buffer, bytes.byteOffset, size) : new Float64Array(bytes.slice().buffer);
  const lists: Float64Array[] = [];
  for (let row = 0; row < rows; row++) {
    const offset = Number(entries[row * 2]);
    lists.push(values.subarray(offset, offset + Number(entries[row * 2 + 1])));
  }
  return lists;
}
