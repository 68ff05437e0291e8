import type { TimeRange, TraceQuery } from '@spoor/model';
import type { LiveCursor } from '../live-cursor.js';
import type { ProjectPolicies } from '../ports/access.js';
import type { TraceFilter } from '../ports/evaluators.js';
import type { SamplingDecision, SamplingFacts, SamplingStore } from '../ports/sampling.js';
import { isTrue, num, numOrNull } from '../record-rows.js';
import { LONGEST_COLUMNS } from '../tables.js';
import type { Params, SqlEngine } from './dialect.js';
import { type TimeBounds, boundsOf, traceBounds } from './trace-bounds.js';
import type { LiveCommits } from './live.js';
import { partsOfTraces, timeFilters } from './filters.js';
import { type MoveStatement, type SpanStatsLayout, moveToSpanStats } from './span-stats.js';
import { TRACE_FILTER_TOTALS, listFilterSql, traceFilterSql } from './traces.js';

/**
 * Tail sampling's queries, written once for every engine. An engine gives how policies and
 * decisions are written, how the move of a sampled-out trace's spans to `span_stats` runs
 * (`sql/span-stats.ts`: DuckDB in a transaction, ClickHouse statement by statement) and how logs
 * are deleted.
 */

/** Reasons a decision is recorded with. */
export const KEEP_REASONS = ['errors', 'slow', 'cost', 'score', 'filter', 'rate'] as const;
export const SAMPLED_OUT = 'sampled_out';

export function decisionRow(d: SamplingDecision): Record<string, unknown> {
  return { trace_id: d.traceId, kept: d.kept, reason: d.reason, start_us: d.startUs, end_us: d.endUs, decided_us: d.decidedUs };
}

export abstract class SqlSamplingStore implements SamplingStore {
  constructor(
    protected readonly sql: SqlEngine,
    private readonly commits: LiveCommits,
    /** The engine's table of policies (`sampling_policies`), kept as masking's are. */
    readonly policies: ProjectPolicies,
  ) {}

  abstract record(projectId: string, decisions: readonly SamplingDecision[]): Promise<void>;
  abstract deferVacuum(deferred: boolean): Promise<void>;
  abstract reclaim(): Promise<void>;
  /** How this engine lays out the move to `span_stats`. */
  protected abstract readonly spanStats: SpanStatsLayout;
  /** Runs the move's statements, in order, of the traces `ids` gives of `projectId`. */
  protected abstract runMove(statements: readonly MoveStatement[], projectId: string, ids: (p: Params) => string): Promise<void>;
  /** Deletes the logs of the traces `ids` gives as SQL for `trace_id IN ...`. */
  protected abstract deleteLogsWhere(projectId: string, ids: (p: Params) => string): Promise<void>;

  /** Moves the spans starting within `bounds` (none: no span is stored) to `span_stats`, and deletes the logs, of the traces `ids` gives as SQL for `trace_id IN ...`. */
  private async slimWhere(projectId: string, ids: (p: Params) => string, bounds: TimeBounds | null): Promise<void> {
    if (bounds !== null) await this.runMove(moveToSpanStats(this.sql.dialect, this.spanStats, projectId, ids, bounds), projectId, ids);
    await this.deleteLogsWhere(projectId, ids);
  }

  async slim(projectId: string, traceIds: readonly string[], known?: TimeBounds): Promise<void> {
    if (traceIds.length === 0) return;
    await this.slimWhere(projectId, (p) => p.texts(traceIds), known ?? (await traceBounds(this.sql, projectId, traceIds)));
  }

  slimDecided(projectId: string, decidedUs: number, bounds: TimeBounds): Promise<void> {
    const d = this.sql.dialect;
    return this.slimWhere(
      projectId,
      (p) => `(SELECT trace_id FROM ${d.tables.sampling_decisions} WHERE project_id = ${p.add(projectId)} AND decided_us = ${p.int(decidedUs)} AND NOT kept)`,
      bounds,
    );
  }

  async facts(projectId: string, traceIds: readonly string[]): Promise<SamplingFacts[]> {
    if (traceIds.length === 0) return [];
    const d = this.sql.dialect;
    const p = d.params();
    const project = p.add(projectId);
    // The longest span per category as the parts kept it; a part stored before they did (NULL
    // there) sends its trace to `spans` for it.
    const totals = await this.sql.rows(
      'read the traces to decide',
      `SELECT trace_id, min(start_us) AS t_start, max(end_us) AS t_end, sum(error_count) AS t_errors, sum(cost_usd) AS t_cost,
         ${LONGEST_COLUMNS.map((name, i) => `max(${name}) AS longest_${i}`).join(', ')}, count(*) - count(${LONGEST_COLUMNS[0]}) AS older
       FROM ${d.tables.trace_parts} WHERE project_id = ${project} AND ${partsOfTraces(p, traceIds)} GROUP BY trace_id`,
      p,
      (row) => ({
        traceId: row.get('trace_id') as string,
        startUs: num(row.get('t_start')),
        endUs: num(row.get('t_end')),
        errorCount: num(row.get('t_errors')),
        costUsd: numOrNull(row.get('t_cost')),
        longestUs: LONGEST_COLUMNS.map((_, i) => numOrNull(row.get(`longest_${i}`)) ?? 0),
        older: num(row.get('older')) > 0,
      }),
    );
    const older = totals.filter((t) => t.older);
    if (older.length > 0) await this.longestFromSpans(projectId, older);
    return totals.map(({ older: _, ...facts }) => facts);
  }

  /** Sets these traces' longest span per category from their spans (within their bounds: both engines skip the rest, by zone maps or day partitions). */
  private async longestFromSpans(projectId: string, traces: readonly SamplingFacts[]): Promise<void> {
    const d = this.sql.dialect;
    const p = d.params();
    const byId = new Map(traces.map((t) => [t.traceId, t]));
    const bounds = boundsOf(traces)!;
    const longest = await this.sql.rows(
      'read the longest spans of the traces to decide',
      `SELECT trace_id, category, max(duration_us) AS longest FROM ${d.tables.spans}
       WHERE project_id = ${p.add(projectId)} AND trace_id IN ${p.texts([...byId.keys()])}
         AND start_us BETWEEN ${p.int(bounds.fromUs)} AND ${p.int(bounds.toUs)}
       GROUP BY trace_id, category`,
      p,
      (row) => ({ traceId: row.get('trace_id') as string, category: num(row.get('category')), longestUs: num(row.get('longest')) }),
    );
    for (const l of longest) {
      const facts = byId.get(l.traceId);
      if (facts !== undefined && l.category < facts.longestUs.length) facts.longestUs[l.category] = Math.max(facts.longestUs[l.category]!, l.longestUs);
    }
  }

  matching(projectId: string, traceIds: readonly string[], filter: TraceFilter): Promise<string[]> {
    if (traceIds.length === 0) return Promise.resolve([]);
    const d = this.sql.dialect;
    const p = d.params();
    const project = p.add(projectId);
    const { matched, traceFilters } = traceFilterSql(d, p, project, filter, null);
    return this.sql.rows(
      'match the traces to decide',
      `SELECT trace_id, ${TRACE_FILTER_TOTALS} FROM ${d.tables.trace_parts}
       WHERE project_id = ${project} AND ${partsOfTraces(p, traceIds)}${matched}
       GROUP BY trace_id${traceFilters.length > 0 ? ` HAVING ${traceFilters.join(' AND ')}` : ''}`,
      p,
      (row) => row.get('trace_id') as string,
    );
  }

  async decisionsOf(projectId: string, traceIds: readonly string[], within?: TimeBounds): Promise<Map<string, boolean>> {
    if (traceIds.length === 0) return new Map();
    const d = this.sql.dialect;
    const p = d.params();
    // A decision's start is its trace's start when decided, which later spans only move earlier: within the traces' bounds.
    const started = within === undefined ? '' : ` AND start_us BETWEEN ${p.int(within.fromUs)} AND ${p.int(within.toUs)}`;
    const rows = await this.sql.rows(
      'read sampling decisions',
      `SELECT trace_id, kept, decided_us FROM ${d.tables.sampling_decisions}
       WHERE project_id = ${p.add(projectId)} AND trace_id IN ${p.texts(traceIds)}${started} ORDER BY decided_us DESC, kept DESC`,
      p,
      (row) => ({ traceId: row.get('trace_id') as string, kept: isTrue(row.get('kept')) }),
    );
    // Newest first, so the first decision of a trace (two servers' at once, before a lease changed
    // hands; no engine keys the table) is set last and stands; of two in the same microsecond, the
    // sampled-out one, whose spans may have been slimmed already.
    return new Map(rows.map((r) => [r.traceId, r.kept]));
  }

  async deleteLateLogs(projectId: string, after: LiveCursor, upTo: LiveCursor): Promise<number> {
    const d = this.sql.dialect;
    const p = d.params();
    const rows = this.commits.rowsOf(p, 'logs', after, upTo);
    if (rows === null) return 0;
    // The traces of the logs these commits wrote first (few: a round's worth), then which of them were sampled out.
    const traces = await this.sql.rows(
      'find the traces of logs that came since',
      `SELECT DISTINCT r.trace_id AS trace_id FROM ${rows.from} WHERE r.project_id = ${p.add(projectId)} AND ${rows.where} AND r.trace_id IS NOT NULL AND r.trace_id <> ''`,
      p,
      (row) => row.get('trace_id') as string,
    );
    if (traces.length === 0) return 0;
    const out = [...(await this.decisionsOf(projectId, traces))].filter(([, kept]) => !kept).map(([traceId]) => traceId);
    if (out.length > 0) await this.deleteLogsWhere(projectId, (q) => q.texts(out));
    return out.length;
  }

  async countSampledOut(query: Omit<TraceQuery, 'limit' | 'cursor'>): Promise<{ total: number; sampledOut: number }> {
    const d = this.sql.dialect;
    const p = d.params();
    const project = p.add(query.projectId);
    const { matched, traceFilters } = listFilterSql(d, p, project, query);
    const out = `SELECT trace_id FROM ${d.tables.sampling_decisions}
      WHERE project_id = ${project} AND NOT kept${timeFilters(p, 'start_us', query.range)
        .map((f) => ` AND ${f}`)
        .join('')}`;
    const [row] = await this.sql.rows(
      'count the sampled-out traces of a range',
      `SELECT count(*) AS n_total, count(*) FILTER (WHERE trace_id IN (${out})) AS n_out FROM (
         SELECT trace_id, ${TRACE_FILTER_TOTALS} FROM ${d.tables.trace_parts}
         WHERE project_id = ${project}${matched}
         GROUP BY trace_id${traceFilters.length > 0 ? ` HAVING ${traceFilters.join(' AND ')}` : ''}
       ) AS listed`,
      p,
      (r) => ({ total: num(r.get('n_total')), sampledOut: num(r.get('n_out')) }),
    );
    return row ?? { total: 0, sampledOut: 0 };
  }

  async anySampledOut(projectId: string, range: TimeRange): Promise<boolean> {
    const d = this.sql.dialect;
    const p = d.params();
    const where = [`project_id = ${p.add(projectId)}`, 'NOT kept', ...timeFilters(p, 'start_us', range)];
    const [found] = await this.sql.rows(
      'look for sampled-out traces',
      `SELECT trace_id FROM ${d.tables.sampling_decisions} WHERE ${where.join(' AND ')} LIMIT 1`,
      p,
      () => true,
    );
    return found ?? false;
  }
}
