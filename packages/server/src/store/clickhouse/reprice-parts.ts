import type { SpanCost } from '../store.js';
import { LONGEST_COLUMNS } from '../tables.js';
import { ChParams, type ChClient } from './client.js';
import { type SchemaLayout, localName, onCluster } from './schema.js';

/**
 * Re-pricing, without the transaction DuckDB has. DuckDB sets the spans' costs and rewrites their
 * traces' summary parts from the spans, together. Here the spans and their parts live in separate
 * tables that ClickHouse changes only by mutations, one table at a time, so the order is chosen
 * for what a failure part-way leaves:
 *
 * 1. The plan: for each (trace, commit) group of spans, its new total cost (the new costs summed
 *    with the others), and the group's parts. Totals are summed from the spans, not adjusted by
 *    differences, so they are exact, and a trace left with no cost is `NULL`, not 0.
 * 2. The parts, brought to those totals, keeping their `batch_id` (`writer.ts` deletes a commit
 *    cut short by it, parts and spans together). A group summarized by one part gets its cost set
 *    (a mutation). A group of several parts (one commit of several appended batches) is merged
 *    into one: the merged row is inserted, then the parts it replaces deleted; they are told apart
 *    by the span count, the merged row's being the group's whole. A crash between the two leaves
 *    the group counted twice until the next re-price of the trace, which finds the merged row and
 *    deletes the rest (the "recover" case below).
 * 3. The spans' costs (a mutation), last: a failure before it leaves the spans at their old costs,
 *    so running the re-price again finds them, plans the same totals and finishes.
 *
 * A group whose parts and spans do not agree (a commit whose inserts are still arriving) is left
 * alone: its parts were made from the spans as written and its commit adds them when done. Two
 * re-prices of one project must not run at once (two merges of one group would both stay).
 */

/** A (trace, commit) group as the plan sees it: its key, span count, spans re-priced and new total cost. */
export interface SpanGroup {
  key: string;
  n: number;
  changed: number;
  cost: string | null;
  /** LLM calls with tokens left without a cost after the re-price. */
  unpriced: number;
}

interface PartGroup {
  key: string;
  rows: number;
  spans: number;
  max_spans: number;
  cost: string | null;
  unpriced: number;
}

/** The key of a (trace, commit) group, as SQL computes it. */
const GROUP_KEY = "concat(trace_id, '/', toString(batch_id))";
const SPAN_KEY = "concat(trace_id, '/', span_id)";
const NOT_REPORTED = "is_llm AND (cost_source IS NULL OR cost_source != 'reported')";

/** Re-prices one round of spans (whole traces); how many spans it changed. */
export async function repriceChunk(ch: ChClient, layout: SchemaLayout, projectId: string, costs: readonly SpanCost[]): Promise<number> {
  const traces = [...new Set(costs.map((c) => c.traceId))];
  const p = new ChParams();
  const project = p.add(projectId);
  const traceIds = p.add(traces, 'Array(String)');
  const keys = p.add(
    costs.map((c) => `${c.traceId}/${c.spanId}`),
    'Array(String)',
  );
  const values = p.add(costs.map((c) => c.costUsd) as number[], 'Array(Nullable(Float64))');
  const newCost = `transform(${SPAN_KEY}, ${keys}, ${values}, cost_usd)`;
  const hit = `(${SPAN_KEY} IN ${keys} AND ${NOT_REPORTED})`;

  // Costs travel as ClickHouse's own text of a Float64 (`nan`, `inf` included), read back exactly.
  const spans = await ch.rows<SpanGroup>(
    'plan a re-price: the spans',
    // The span keys are a parameter as long as the round, and ClickHouse puts it into the query
    // text, which must fit max_query_size: each span finds its place among them once (`indexOf`),
    // and its new cost and whether it changes are read from that place.
    `SELECT key, count() AS n, countIf(hit) AS changed, toString(sum(new_cost)) AS cost,
       countIf(is_llm AND isNull(new_cost) AND (isNotNull(input_tokens) OR isNotNull(output_tokens))) AS unpriced
     FROM (
       SELECT key, is_llm, input_tokens, output_tokens, at > 0 AND ${NOT_REPORTED} AS hit, if(hit, arrayElement(${values}, at), cost_usd) AS new_cost
       FROM (
         SELECT ${GROUP_KEY} AS key, indexOf(${keys}, ${SPAN_KEY}) AS at, is_llm, cost_source, cost_usd, input_tokens, output_tokens
         FROM ${ch.tables.span_facts} WHERE project_id = ${project} AND trace_id IN ${traceIds}
       ) AS placed
     ) AS priced GROUP BY key`,
    p,
  );
  const parts = await ch.rows<PartGroup>(
    'plan a re-price: the trace parts',
    `SELECT ${GROUP_KEY} AS key, count() AS rows, sum(span_count) AS spans, max(span_count) AS max_spans, toString(sum(cost_usd)) AS cost,
       sum(coalesce(unpriced_calls, 0)) AS unpriced
     FROM ${ch.tables.trace_parts} WHERE project_id = ${project} AND trace_id IN ${traceIds} GROUP BY trace_id, batch_id`,
    p,
  );
  const partsOf = new Map(parts.map((g) => [g.key, g]));

  const merge: SpanGroup[] = [];
  const trim: SpanGroup[] = [];
  const set: SpanGroup[] = [];
  let changed = 0;
  for (const g of spans) {
    changed += g.changed;
    const part = partsOf.get(g.key);
    if (part === undefined) continue;
    if (part.rows >= 2 && part.max_spans === g.n && part.spans === 2 * g.n) {
      // A merge cut short: the merged row and the parts it replaces.
      trim.push(g);
      set.push(g);
    } else if (g.changed === 0 || part.spans !== g.n || (part.cost === g.cost && Number(part.unpriced) === Number(g.unpriced))) {
      continue;
    } else if (part.rows === 1) {
      set.push(g);
    } else {
      merge.push(g);
      trim.push(g);
    }
  }

  if (merge.length > 0) await insertMerged(ch, projectId, merge);
  if (trim.length > 0) {
    const q = new ChParams();
    const k = q.add(
      trim.map((g) => g.key),
      'Array(String)',
    );
    await ch.command(
      'delete the trace parts a merge replaced',
      `DELETE FROM ${localName(layout, 'trace_parts')}${onCluster(layout)}
       WHERE project_id = ${q.add(projectId)} AND ${GROUP_KEY} IN ${k}
         AND span_count < transform(${GROUP_KEY}, ${k}, ${q.add(
           trim.map((g) => g.n),
           'Array(Int64)',
         )}, toInt64(0))`,
      q,
    );
  }
  if (set.length > 0) {
    const q = new ChParams();
    const k = q.add(
      set.map((g) => g.key),
      'Array(String)',
    );
    await ch.command(
      "set the trace parts' costs",
      `ALTER TABLE ${localName(layout, 'trace_parts')}${onCluster(layout)}
       UPDATE cost_usd = toFloat64OrNull(transform(${GROUP_KEY}, ${k}, ${q.add(
         set.map((g) => g.cost ?? ''),
         'Array(String)',
       )}, '')),
         unpriced_calls = transform(${GROUP_KEY}, ${k}, ${q.add(
           set.map((g) => Number(g.unpriced)),
           'Array(Int64)',
         )}, toInt64(0))
       WHERE project_id = ${q.add(projectId)} AND ${GROUP_KEY} IN ${k}
         AND span_count = transform(${GROUP_KEY}, ${k}, ${q.add(
           set.map((g) => g.n),
           'Array(Int64)',
         )}, toInt64(-1))`,
      q,
    );
  }
  // Sampled-out LLM calls too: `span_stats` keeps their span ids for this.
  for (const table of changed > 0 ? (['spans', 'span_stats'] as const) : []) {
    await ch.command(
      "set the spans' costs",
      `ALTER TABLE ${localName(layout, table)}${onCluster(layout)}
       UPDATE cost_usd = ${newCost}, cost_source = if(isNull(${newCost}), NULL, 'price_table')
       WHERE project_id = ${project} AND trace_id IN ${traceIds} AND ${hit}`,
      p,
    );
  }
  return changed;
}

/** Inserts each group's parts merged into one, with the group's new cost (exported for the test of a merge cut short). */
export async function insertMerged(ch: ChClient, projectId: string, groups: readonly SpanGroup[]): Promise<void> {
  const p = new ChParams();
  const keys = p.add(
    groups.map((g) => g.key),
    'Array(String)',
  );
  const costs = p.add(
    groups.map((g) => g.cost ?? ''),
    'Array(String)',
  );
  // Each column merged as the trace list merges parts (`trace-list.ts`), so a merged part reads
  // as the parts it replaces did.
  await ch.command(
    'merge trace parts',
    `INSERT INTO ${ch.tables.trace_parts}
       (project_id, trace_id, start_us, end_us, span_count, error_count, root_name, root_service, first_name, first_service,
        input_tokens, output_tokens, cost_usd, root_failed, session_id, user_id, ${LONGEST_COLUMNS.join(', ')}, unpriced_calls, text_bytes, batch_id)
     SETTINGS insert_distributed_sync = 1
     SELECT project_id, trace_id, min(start_us), max(end_us), sum(span_count), sum(error_count), max(root_name), max(root_service),
       argMin(first_name, start_us), argMin(first_service, start_us), sum(input_tokens), sum(output_tokens),
       toFloat64OrNull(transform(${GROUP_KEY}, ${keys}, ${costs}, '')), max(root_failed), max(session_id), max(user_id),
       ${LONGEST_COLUMNS.map((name) => `if(count(${name}) = count(), max(${name}), NULL)`).join(', ')},
       transform(${GROUP_KEY}, ${keys}, ${p.add(
         groups.map((g) => Number(g.unpriced)),
         'Array(Int64)',
       )}, toInt64(0)), if(count(text_bytes) = count(), sum(text_bytes), NULL), batch_id
     FROM ${ch.tables.trace_parts}
     WHERE project_id = ${p.add(projectId)} AND ${GROUP_KEY} IN ${keys}
     GROUP BY project_id, trace_id, batch_id`,
    p,
  );
}
