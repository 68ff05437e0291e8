import type { CompareQuery } from '@spoor/model';
import type { FlowSpanQuery } from '../ports/flows.js';
import { sidedSpans } from './compare.js';
import type { Params, SqlEngine } from './dialect.js';
import { spanConditions } from './filters.js';

/**
 * The flow map's statement: the matched runs (traces with a span the filter matches, the newest
 * `maxRuns + 1` by that span's start), and every span of them as numbers an engine's reader takes
 * straight into typed arrays (`store/flow-spans.ts`): keys that are 53-bit hashes of the ids, so
 * no id text crosses but a run's, the category, duration, failure, cost and side, then the trace
 * id and the name, which the reader reads only for a run's or a label's first row. The rows come
 * run by run, newest run first, and within a run by start time: the fold is one pass over them.
 */

/** What differs by engine in the statement: a 53-bit hash of a text, and a double. */
export interface FlowEngineSql {
  /** A double holding a 53-bit hash of the text `expr` (exact in a JS number). */
  hash53(expr: string): string;
  double(expr: string): string;
  /** A text column as the reader takes it. */
  text(expr: string): string;
  /** Not-a-number, as a double. */
  readonly nan: string;
}

/**
 * How far before and after the filter's range a matched run's spans are read: the spans of a run
 * are found through the table's time order, not by reading every day the store keeps. A span of a
 * run further than this from the range is left out of its run.
 */
export const FLOW_MARGIN_US = 3_600_000_000;

/** The columns in the order the readers take them: nine doubles, then two texts. */
export const FLOW_COLUMNS = [
  'trace_key',
  'span_key',
  'parent_key',
  'label_key',
  'category_n',
  'duration',
  'failed',
  'cost',
  'side_b',
  'run_trace_id',
  'span_name',
];

export async function flowSpansSql<P extends Params>(db: SqlEngine<P>, query: FlowSpanQuery, e: FlowEngineSql): Promise<{ sql: string; p: P }> {
  const d = db.dialect;
  const p = d.params();
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
  const project = p.add(query.filter.projectId);
  const near: string[] = [];
  if (query.filter.range.fromUs !== null) near.push(`s.start_us >= ${p.int(query.filter.range.fromUs - FLOW_MARGIN_US)}`);
  if (query.filter.range.toUs !== null) near.push(`s.start_us < ${p.int(query.filter.range.toUs + FLOW_MARGIN_US)}`);
  const sql = `WITH runs AS (SELECT trace_id, first_us, b FROM (${matched}) AS matched ORDER BY first_us DESC, trace_id LIMIT ${p.count(query.maxRuns + 1)})
    SELECT ${e.hash53('s.trace_id')} AS trace_key, ${e.hash53('s.span_id')} AS span_key,
      CASE WHEN s.parent_span_id IS NULL THEN ${e.double('-1')} ELSE ${e.hash53('s.parent_span_id')} END AS parent_key,
      ${e.hash53("concat(CAST(s.category AS VARCHAR), ':', s.name)")} AS label_key, ${e.double('s.category')} AS category_n,
      ${e.double('s.duration_us')} AS duration, ${e.double('CASE WHEN s.status_code = 2 THEN 1 ELSE 0 END')} AS failed,
      ${e.double(`coalesce(s.cost_usd, ${e.nan})`)} AS cost, ${e.double('r.b')} AS side_b, ${e.text('s.trace_id')} AS run_trace_id, ${e.text('s.name')} AS span_name
    FROM ${spans} AS s JOIN runs AS r ON s.trace_id = r.trace_id
    WHERE ${[`s.project_id = ${project}`, ...near].join(' AND ')}
    ORDER BY r.first_us DESC, trace_key, s.start_us, span_key`;
  return { sql, p };
}
