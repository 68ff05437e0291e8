import type { CompareQuery } from '@spoor/model';
import type { FlowSpanQuery } from '../ports/flows.js';
import { sidedSpans } from './compare.js';
import type { Params, SqlEngine } from './dialect.js';
import { spanConditions } from './filters.js';

/**
 * The flow map's statements. `runs` is the matched runs (traces with a span the filter matches),
 * numbered from 0, the newest by that span's start first, `maxRuns + 1` of them (one more says the
 * map was truncated). The spans statement gives every span of them as numbers an engine's reader
 * takes straight into typed arrays (`store/flow-spans.ts`), in no order (the reader orders them):
 * the run's number, keys that are 53-bit hashes of the ids (so no id text crosses), the category,
 * start, duration, failure, cost and side, then the name, which the reader reads only for a
 * label's first row, and (`withTraceId`) the run's trace id, else read by the runs statement.
 */

/** What differs by engine in the statements: a 53-bit hash of a text, a double, a text. */
export interface FlowEngineSql {
  /** A double holding a 53-bit hash of the values `exprs` (exact in a JS number). */
  hash53(...exprs: string[]): string;
  double(expr: string): string;
  /** A text column as the reader takes it. */
  text(expr: string): string;
  /** Not-a-number, as a double. */
  readonly nan: string;
  /** A 64-bit hash of the text `expr`, the key a span is joined to its run by. */
  joinKey(expr: string): string;
}

/**
 * How far before and after the filter's range a matched run's spans are read: the spans of a run
 * are found through the table's time order, not by reading every day the store keeps. A span of a
 * run further than this from the range is left out of its run.
 */
export const FLOW_MARGIN_US = 3_600_000_000;

/*
 * A span is joined to its run by a 64-bit hash of its trace id, not the id's text: 30% less time
 * for the join on bench:flows' 2M spans. Two trace ids with one hash, among 100,000 runs and the
 * 2M spans of their range, happen in fewer than one map in 10^8.
 */

async function runsCte<P extends Params>(db: SqlEngine<P>, p: P, query: FlowSpanQuery, e: FlowEngineSql): Promise<string> {
  const d = db.dialect;
  const spans = d.tables.spans;
  let matched: string;
  if (query.sides === null) {
    const { where } = spanConditions(d, p, query.filter);
    matched = `SELECT trace_id, min(start_us) AS first_us, 0 AS b FROM ${spans} WHERE ${where.join(' AND ')} GROUP BY trace_id`;
  } else {
    const b = p.add(query.sides.b);
    const compare: CompareQuery = { filter: query.filter, by: query.sides.by, a: query.sides.a, b: query.sides.b, limit: 0 };
    const sided = await sidedSpans(db, p, compare, b, 'trace_id, start_us', [], spans);
    // A run matched on both sides (its spans name both releases) is put on side b.
    matched = `SELECT trace_id, min(start_us) AS first_us, max(CASE WHEN side_value = ${b} THEN 1 ELSE 0 END) AS b FROM (${sided}) AS sided GROUP BY trace_id`;
  }
  return `runs AS (SELECT trace_id, ${e.joinKey('trace_id')} AS trace_hash, b, row_number() OVER (ORDER BY first_us DESC, trace_id) - 1 AS run
    FROM (${matched}) AS matched ORDER BY first_us DESC, trace_id LIMIT ${p.count(query.maxRuns + 1)})`;
}

/** The runs' trace ids and sides by run number: for an engine that reads the runs apart (in one snapshot with the spans). */
export async function flowRunsSql<P extends Params>(db: SqlEngine<P>, query: FlowSpanQuery, e: FlowEngineSql): Promise<{ sql: string; p: P }> {
  const p = db.dialect.params();
  return { sql: `WITH ${await runsCte(db, p, query, e)} SELECT trace_id, b FROM runs ORDER BY run`, p };
}

export async function flowSpansSql<P extends Params>(
  db: SqlEngine<P>,
  query: FlowSpanQuery,
  e: FlowEngineSql,
  withTraceId: boolean,
): Promise<{ sql: string; p: P }> {
  const d = db.dialect;
  const p = d.params();
  const runs = await runsCte(db, p, query, e);
  const project = p.add(query.filter.projectId);
  const near: string[] = [];
  if (query.filter.range.fromUs !== null) near.push(`s.start_us >= ${p.int(query.filter.range.fromUs - FLOW_MARGIN_US)}`);
  if (query.filter.range.toUs !== null) near.push(`s.start_us < ${p.int(query.filter.range.toUs + FLOW_MARGIN_US)}`);
  const sql = `WITH ${runs}
    SELECT ${e.double('r.run')} AS run_n, ${e.hash53('s.span_id')} AS span_key,
      CASE WHEN s.parent_span_id IS NULL THEN ${e.double('-1')} ELSE ${e.hash53('s.parent_span_id')} END AS parent_key,
      ${e.hash53('s.name', 's.category')} AS label_key, ${e.double('s.category')} AS category_n,
      ${e.double('s.start_us')} AS start_n, ${e.double('s.duration_us')} AS duration_n,
      ${e.double('CASE WHEN s.status_code = 2 THEN 1 ELSE 0 END')} AS failed_n, ${e.double(`coalesce(s.cost_usd, ${e.nan})`)} AS cost_n,
      ${e.double('r.b')} AS side_b, ${e.text('s.name')} AS span_name${withTraceId ? `, ${e.text('s.trace_id')} AS run_trace_id` : ''}
    FROM ${d.tables.spans} AS s JOIN runs AS r ON ${e.joinKey('s.trace_id')} = r.trace_hash
    WHERE ${[`s.project_id = ${project}`, ...near].join(' AND ')}`;
  return { sql, p };
}
