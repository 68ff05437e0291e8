import type { Dialect, Params } from './dialect.js';
import type { TimeBounds } from './trace-bounds.js';
import { LLM_RESPONSE_ID } from '../tables.js';

/**
 * Tail sampling's move: a sampled-out trace's spans leave `spans` for `span_stats`,
 * keeping what statistics, time series, alerts, sessions and re-pricing read (names, service,
 * kind, category, times, status, tokens, cost, models, session, user, source, commit) and dropping
 * what sampling is for and what only a trace's own page reads: attributes (LLM content lives
 * there) but `cache.hit`, events, links, the trace state, and the span and parent ids (an LLM
 * call keeps its span id, which re-pricing finds it by; a root keeps its parent id NULL). Random
 * hex ids are most of what a slim span costs, so a sampled-out trace's page has no spans: its
 * summary stays in the list. `span_facts` reads both tables as one.
 *
 * An LLM call's response id moves too: its row in `llm_responses` (the response id, trace and
 * span ids and time, all random but the time) is deleted once `span_stats` holds the id beside the
 * trace and span ids it keeps anyway, so a score sent later by response id still finds the call
 * (`response_facts` reads both). That row was the largest part of what a sampled-out trace left
 * behind (BENCHMARKS.md).
 *
 * Written once for both engines, as statements each of which can be run again: the spans are
 * copied by (trace, commit) unless that pair is already in `span_stats`, then deleted only where
 * it is, then the trace's running snapshots (all ended, or it would not have been decided) are
 * deleted. DuckDB runs the three in one transaction; ClickHouse, which has none, one after the
 * other, and a round cut short between them is finished by the next, which finds the trace again.
 * Only rows whose copy is in `span_stats` are deleted, whatever stopped between.
 * A commit writes a trace's spans of one batch together, so a (trace, commit) pair is copied whole.
 */

/** How an engine lays out the move: the columns of `span_stats` it writes, its commit column, and its tables' names. */
export interface SpanStatsLayout {
  /** Every column of `span_stats` a row is written with, in the table's order. */
  readonly columns: readonly string[];
  /** The column naming the commit that wrote a row (`commit_seq`, `batch_id`). */
  readonly commitColumn: string;
  /** A slim span's `attributes`: `{}`, or only its `cache.hit` (the realtime numbers count it). */
  readonly slimAttributes: string;
  /** What `DELETE FROM` names for a table (ClickHouse: its local table, on the cluster). */
  deleteTarget(table: 'spans' | 'running_spans' | 'llm_responses'): string;
  /** Said between an `INSERT`'s columns and its `SELECT` (ClickHouse: wait for every shard). */
  readonly insertSettings: string;
}

/** One statement of the move, with what it does for an error's message. */
export interface MoveStatement {
  what: string;
  sql: string;
  params: Params;
}

/** The columns a sampled-out span is moved with other than as they are. */
function movedAs(d: Dialect, p: Params, slimAttributes: string): Record<string, string> {
  // What the decoder wrote to `llm_responses`: an LLM call's `gen_ai.response.id`, when a string.
  const member = d.jsonMember('attributes', LLM_RESPONSE_ID);
  return {
    span_id: `CASE WHEN is_llm THEN span_id ELSE '' END`,
    parent_span_id: `CASE WHEN parent_span_id IS NULL THEN NULL ELSE '' END`,
    trace_state: `''`,
    attributes: slimAttributes,
    events: `'[]'`,
    links: `'[]'`,
    response_id: `coalesce(CASE WHEN is_llm AND substring(${member}, 1, 1) = '"' THEN ${d.jsonText(p, 'attributes', [LLM_RESPONSE_ID])} END, '')`,
  };
}

/** The statements that move the spans of the traces `ids` gives (SQL for `trace_id IN ...`), starting within `bounds`. */
export function moveToSpanStats(d: Dialect, layout: SpanStatsLayout, projectId: string, ids: (p: Params) => string, bounds: TimeBounds): MoveStatement[] {
  const commit = `coalesce(${layout.commitColumn}, 0)`;
  const within = (p: Params): string =>
    `project_id = ${p.add(projectId)} AND trace_id IN ${ids(p)} AND start_us BETWEEN ${p.int(bounds.fromUs)} AND ${p.int(bounds.toUs)}`;
  const moved = (p: Params): string => `(trace_id, ${commit}) IN (SELECT trace_id, ${commit} FROM ${d.tables.span_stats} WHERE ${within(p)})`;
  const copy = d.params();
  const as = movedAs(d, copy, layout.slimAttributes);
  const remove = d.params();
  const responses = d.params();
  const running = d.params();
  return [
    {
      what: 'copy sampled-out spans to span_stats',
      sql: `INSERT INTO ${d.tables.span_stats} (${layout.columns.join(', ')}) ${layout.insertSettings}
        SELECT ${layout.columns.map((c) => as[c] ?? c).join(', ')} FROM ${d.tables.spans}
        WHERE ${within(copy)} AND NOT ${moved(copy)}
        ORDER BY trace_id, start_us`,
      params: copy,
    },
    {
      what: 'delete the sampled-out spans copied',
      sql: `DELETE FROM ${layout.deleteTarget('spans')} WHERE ${within(remove)} AND ${moved(remove)}`,
      params: remove,
    },
    {
      what: 'delete the response ids of sampled-out LLM calls copied',
      // Its time is the span's start; the ids must be the copy's to the character.
      sql: `DELETE FROM ${layout.deleteTarget('llm_responses')}
        WHERE project_id = ${responses.add(projectId)} AND trace_id IN ${ids(responses)} AND time_us BETWEEN ${responses.int(bounds.fromUs)} AND ${responses.int(bounds.toUs)}
          AND (trace_id, span_id, response_id) IN (SELECT trace_id, span_id, response_id FROM ${d.tables.span_stats} WHERE ${within(responses)} AND response_id <> '')`,
      params: responses,
    },
    {
      what: 'delete the running snapshots of sampled-out traces',
      sql: `DELETE FROM ${layout.deleteTarget('running_spans')} WHERE project_id = ${running.add(projectId)} AND trace_id IN ${ids(running)}`,
      params: running,
    },
  ];
}
