import { FlowSpansBuilder, type FlowTexts } from '../flow-spans.js';
import type { FlowSpanQuery, FlowSpans } from '../ports/flows.js';
import { type FlowEngineSql, flowSpansSql } from '../sql/flows.js';
import type { ClickHouseSql } from './dialect.js';
import { RowBinaryReader } from './row-binary.js';

/** ClickHouse's pieces of the flow statement: `cityHash64`'s top 53 bits; every number not Nullable, as the reader takes it (no null byte). */
const CLICKHOUSE_FLOW_SQL: FlowEngineSql = {
  hash53: (...exprs) => `toFloat64(bitShiftRight(cityHash64(${exprs.map((e) => `assumeNotNull(${e})`).join(', ')}), 11))`,
  double: (expr) => `toFloat64(assumeNotNull(${expr}))`,
  text: (expr) => `CAST(${expr} AS String)`,
  nan: 'nan',
  joinKey: (expr) => `cityHash64(${expr})`,
};

/**
 * The flow map's spans on ClickHouse, in one statement (no transaction holds two reads to one
 * snapshot), in `RowBinary`: ten doubles a row, read straight into the columns, and two texts, of
 * which only a label's first name and a run's first trace id are decoded (the others skipped over).
 */
export async function selectFlowSpans(db: ClickHouseSql, query: FlowSpanQuery): Promise<FlowSpans> {
  const { sql, p } = await flowSpansSql(db, query, CLICKHOUSE_FLOW_SQL, true);
  const bytes = await db.ch.rawBytes('read the spans of a flow map', sql, p);
  const read = new RowBinaryReader(bytes);
  const builder = new FlowSpansBuilder(query.maxRuns, 1024);
  // Where the row being read keeps its two texts: decoded only when the builder asks.
  let nameAt = 0;
  let nameEnd = 0;
  let traceAt = 0;
  let traceEnd = 0;
  const texts: FlowTexts = { name: () => bytes.toString('utf8', nameAt, nameEnd), traceId: () => bytes.toString('utf8', traceAt, traceEnd) };
  // One row at a time, so that a row's texts are where `texts` reads them.
  const columns = Array.from({ length: 10 }, () => new Float64Array(1));
  while (read.more) {
    for (const column of columns) column[0] = read.float64();
    nameAt = read.skipString();
    nameEnd = read.offset;
    traceAt = read.skipString();
    traceEnd = read.offset;
    builder.addColumns(1, columns, texts);
  }
  return builder.done();
}
