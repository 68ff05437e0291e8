import { FlowSpansBuilder } from '../flow-spans.js';
import type { FlowSpanQuery, FlowSpans } from '../ports/flows.js';
import { type FlowEngineSql, flowSpansSql } from '../sql/flows.js';
import type { ClickHouseSql } from './dialect.js';
import { RowBinaryReader } from './row-binary.js';

/** ClickHouse's pieces of the flow statement: `cityHash64`'s top 53 bits; every number not Nullable, as the reader takes it (no null byte). */
const CLICKHOUSE_FLOW_SQL: FlowEngineSql = {
  hash53: (expr) => `toFloat64(bitShiftRight(cityHash64(assumeNotNull(${expr})), 11))`,
  double: (expr) => `toFloat64(assumeNotNull(${expr}))`,
  text: (expr) => `CAST(${expr} AS String)`,
  nan: 'nan',
};

/**
 * The flow map's spans on ClickHouse, in `RowBinary`: nine doubles a row, read straight into the
 * columns, and two texts, of which only a run's first trace id and a label's first name are
 * decoded (the others are skipped over).
 */
export async function selectFlowSpans(db: ClickHouseSql, query: FlowSpanQuery): Promise<FlowSpans> {
  const { sql, p } = await flowSpansSql(db, query, CLICKHOUSE_FLOW_SQL);
  const bytes = await db.ch.rawBytes('read the spans of a flow map', sql, p);
  const read = new RowBinaryReader(bytes);
  const builder = new FlowSpansBuilder(query.maxRuns, 1024);
  while (read.more) {
    const trace = read.float64();
    const span = read.float64();
    const parent = read.float64();
    const label = read.float64();
    const category = read.float64();
    const duration = read.float64();
    const failed = read.float64();
    const cost = read.float64();
    const side = read.float64();
    const traceAt = read.skipString();
    const traceEnd = read.offset;
    const nameAt = read.skipString();
    const nameEnd = read.offset;
    const added = builder.add(
      trace,
      span,
      parent,
      label,
      category,
      duration,
      failed === 1,
      cost,
      side === 1,
      () => bytes.toString('utf8', traceAt, traceEnd),
      () => bytes.toString('utf8', nameAt, nameEnd),
    );
    if (!added) break;
  }
  return builder.done();
}
