import type { CompareQuery } from '@spoor/model';
import { type SideGroup, comparisonOf } from '../comparison.js';
import { comparisonGroupsSql } from '../sql/compare.js';
import type { CompareSideRecord } from '../store.js';
import type { ClickHouseSql } from './dialect.js';
import { RowBinaryReader } from './row-binary.js';

/**
 * The release comparison of the ClickHouse store: the groups of `sql/compare.ts`, of which only
 * the lists of the `limit` names with the most spans are sent, in `RowBinary`: as JSON, moving
 * millions of durations out of ClickHouse cost about what the scan does, where as 8-byte integers
 * they are read straight into the arrays the ranks are taken from.
 */
export async function compareSpans(db: ClickHouseSql, query: CompareQuery): Promise<CompareSideRecord[]> {
  const { sql: groups, p } = await comparisonGroupsSql(db, query, 'duration_us');
  // Each column cast to the type the reader below takes it as (`b` is Nullable when the side's value is).
  const bytes = await db.ch.rawBytes(
    'compare two releases',
    `SELECT CAST(name AS String), CAST(b AS UInt8), CAST(n AS UInt64), CAST(errors AS UInt64), CAST(avg_us AS Float64),
       CAST(cost_n AS UInt64), CAST(cost_mean AS Float64), CAST(cost_var AS Nullable(Float64)), CAST(durations AS Array(Int64)) FROM (
       SELECT *, dense_rank() OVER (ORDER BY total DESC, name ASC) AS place FROM (
         SELECT *, sum(n) OVER (PARTITION BY name) AS total FROM (${groups})))
     WHERE place <= ${p.count(query.limit)}`,
    p,
  );
  const read = new RowBinaryReader(bytes);
  const sides: SideGroup[] = [];
  while (read.more) {
    sides.push({
      name: read.string(),
      side: read.uint8() === 1 ? 'b' : 'a',
      count: read.uint64(),
      errorCount: read.uint64(),
      avgUs: read.float64(),
      costCount: read.uint64(),
      costMean: read.float64(),
      costVariance: read.nullableFloat64(),
      durations: read.int64Array(),
    });
  }
  return comparisonOf(sides, query.limit);
}
