import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import type { CompareQuery } from '@spoor/model';
import { type SideGroup, comparisonOf } from '../comparison.js';
import type { CompareSideRecord } from '../store.js';
import { groupKey, spanConditions } from './span-sql.js';
import { SqlParams, jsonPointer } from './sql.js';
import { columnsOf } from './read.js';

/**
 * The release comparison of the DuckDB store: both sides of a comparison per span name, with the
 * rank sums and tie terms of the durations that the Mann-Whitney test needs (average ranks for
 * ties, both sides ranked together).
 *
 * Where the time goes, measured on the analytics benchmark (5.2M spans, 2 threads): reading the
 * span attributes text alone takes 1.4 s, so an attribute that the span's resource carries is read
 * from `sources` (12 rows there) and the attributes of a span are parsed only when its resource
 * lacks the key. DuckDB groups the spans by name and side, with each group's durations as a list;
 * the ranks and percentiles come from sorting those lists here (`rank-sums.ts`): DuckDB's window
 * operators over every span took longer than all the rest of the query.
 */
export async function selectComparison(connection: DuckDBConnection, query: CompareQuery): Promise<CompareSideRecord[]> {
  const p = new SqlParams();
  const sides = await sidedSpans(connection, p, query);
  const result = await connection.run(
    `SELECT name, b, count(*)::DOUBLE AS n, count_if(status_code = 2)::DOUBLE AS errors, avg(duration_us) AS avg_us,
       count(cost_usd)::DOUBLE AS cost_n, avg(coalesce(cost_usd, 0)) AS cost_mean, var_samp(coalesce(cost_usd, 0)) AS cost_var,
       list(duration_us::DOUBLE) AS durations
     FROM (${sides}) GROUP BY name, b`,
    p.values,
  );
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
        count: n as number,
        errorCount: errors as number,
        avgUs: avgUs as number,
        costCount: costN as number,
        costMean: costMean as number,
        costVariance: (costVar as number | null) ?? null,
        durations: durations[row]!,
      });
    }
  }
  return comparisonOf(groups, query.limit);
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

/**
 * The SQL of the filtered spans on either side, with `b` true on side b. For an attribute, a
 * resource that carries it decides the side of all its spans; the spans of resources without it
 * are decided by their own attribute. Those resources are listed first, in a statement of their
 * own: as a subquery, DuckDB parsed every span's attributes before the join that would have left
 * most of them out (4.7 s on the benchmark). A resource first written between the two statements
 * can be missed by this one request.
 */
async function sidedSpans(connection: DuckDBConnection, p: SqlParams, query: CompareQuery): Promise<string> {
  const { project, where } = spanConditions(p, query.filter);
  const a = p.add(query.a);
  const b = p.add(query.b);
  const columns = 'name, duration_us, status_code, cost_usd';
  if ('column' in query.by) {
    const { key } = groupKey(p, project, query.by);
    return `SELECT ${columns}, ${key} = ${b} AS b FROM spans WHERE ${where.join(' AND ')} AND ${key} IN (${a}, ${b})`;
  }
  const resourcePath = p.add(jsonPointer(['attributes', query.by.attribute]));
  const fromResources = `SELECT ${columns}, r.value = ${b} AS b
    FROM spans JOIN (SELECT source_id, json_extract_string(resource, ${resourcePath}) AS value FROM sources WHERE project_id = ${project}) AS r USING (source_id)
    WHERE ${where.join(' AND ')} AND r.value IN (${a}, ${b})`;
  const lacking = await columnsOf(
    connection,
    'SELECT source_id FROM sources WHERE project_id = $1 AND json_extract_string(resource, $2) IS NULL',
    [query.filter.projectId, jsonPointer(['attributes', query.by.attribute])],
  );
  const sourceIds = (lacking.source_id ?? []) as string[];
  if (sourceIds.length === 0) return fromResources;
  const spanPath = p.add(jsonPointer([query.by.attribute]));
  const own = `json_extract_string(attributes, ${spanPath})`;
  return `${fromResources}
    UNION ALL
    SELECT ${columns}, ${own} = ${b} AS b FROM spans
    WHERE ${where.join(' AND ')} AND source_id IN (${sourceIds.map((id) => p.add(id)).join(', ')}) AND ${own} IN (${a}, ${b})`;
}
