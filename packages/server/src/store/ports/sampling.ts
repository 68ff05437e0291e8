import type { TimeRange, TraceQuery } from '@spoor/model';
import type { LiveCursor } from '../live-cursor.js';
import type { ProjectPolicies, ProjectPolicyRecord } from './access.js';
import type { TraceFilter } from './evaluators.js';

/** A sampling policy set through the API (checked by `sampling/`). */
export type SamplingPolicyRecord = ProjectPolicyRecord;

/** What deciding a complete trace reads of it (`sampling/decide.ts`). */
export interface SamplingFacts {
  traceId: string;
  startUs: number;
  endUs: number;
  errorCount: number;
  /** The spans' summed cost, `null` when no span has one. */
  costUsd: number | null;
  /** Per category index (`SPAN_CATEGORIES`), the trace's longest span of it, µs; 0 where it has none. */
  longestUs: number[];
}

/** Whether a trace was kept whole, why, and when: a row of `sampling_decisions`. */
export interface SamplingDecision {
  traceId: string;
  kept: boolean;
  /** The keep rule that held (`errors`, `slow`, `cost`, `score`, `filter`), `rate`, or `sampled_out`. */
  reason: string;
  /** The trace's start and end, µs: the range counts (`countSampledOut`) and retention go by the start. */
  startUs: number;
  endUs: number;
  decidedUs: number;
}

/**
 * Tail sampling's storage: the policies set through the API, one decision per trace (kept whole
 * or sampled out), and the slimming of a sampled-out trace: its spans keep every column that
 * statistics read and lose their content (the engines move them to `span_stats`,
 * `sql/span-stats.ts`); its logs go. Its LLM response ids stay: a user's feedback sent later by
 * response id still finds its trace. Slimming is idempotent, so it is applied again to spans
 * arriving late.
 */
export interface SamplingStore {
  /** The policies set through the API (`sampling_policies`), kept as masking's are. */
  readonly policies: ProjectPolicies;
  /** What deciding reads of these traces (their `trace_parts`; the longest span per category from `spans` only for parts stored before parts kept it), in no order; none for a trace not stored. */
  facts(projectId: string, traceIds: readonly string[]): Promise<SamplingFacts[]>;
  /** The ids of these traces the trace list's filter (its span, trace and score filters) matches. */
  matching(projectId: string, traceIds: readonly string[], filter: TraceFilter): Promise<string[]>;
  /**
   * Of these traces, the decisions recorded: trace id to kept. A trace decided twice (two servers
   * at once, before a lease changed hands) reads as its first decision; of two in the same
   * microsecond, as sampled out (its spans may have been slimmed). `within`, when the caller
   * knows them, are the traces' span times: the engines then read only decisions starting there.
   */
  decisionsOf(projectId: string, traceIds: readonly string[], within?: { fromUs: number; toUs: number }): Promise<Map<string, boolean>>;
  /**
   * Records decisions of traces the caller found undecided (`decideTraces`). Whether a trace
   * decided meanwhile is recorded again is the engine's: ClickHouse, which servers share, leaves
   * it out; DuckDB, whose file one server owns, appends without checking (a key made the insert
   * 4x slower, `duckdb/schema.ts`). Either way `decisionsOf` reads the first.
   */
  record(projectId: string, decisions: readonly SamplingDecision[]): Promise<void>;
  /**
   * Slims every stored span of these traces and deletes their logs (again for spans and logs
   * stored since). `bounds`, when the caller knows them (the facts it decided by), are the traces'
   * span times, which spares a read of them.
   */
  slim(projectId: string, traceIds: readonly string[], bounds?: { fromUs: number; toUs: number }): Promise<void>;
  /**
   * Whether to put off reclaiming what slimming deleted while ingest has work. DuckDB rewrites a
   * table's row groups a quarter of whose rows were deleted at each checkpoint (its vacuum); after
   * a move deletes 90% of `spans`, that rewrite is what tail sampling cost ingest at capacity
   * (BENCHMARKS.md). Put off, a checkpoint vacuums nothing; given back, the next checkpoint that
   * writes a table vacuums all of its row groups at once. ClickHouse merges its parts in the
   * background: nothing to do.
   */
  deferVacuum(deferred: boolean): Promise<void>;
  /**
   * Reclaims now what was put off: a checkpoint that vacuums whole each table written since the
   * last (a slim just made, ingest's appends); one not written waits for the next checkpoint that
   * writes it. DuckDB's waits for the transactions running and holds new ones meanwhile, ingest's
   * commits among them, for seconds after a few minutes of moves: only while ingest is idle, and
   * on close. ClickHouse: nothing to do.
   */
  reclaim(): Promise<void>;
  /**
   * Slims, as `slim` does, the traces whose decision to sample them out was recorded at
   * `decidedUs` (a round's decisions share it), their spans starting within `bounds`: one
   * statement for a round's traces, whatever their number, through the decisions table.
   */
  slimDecided(projectId: string, decidedUs: number, bounds: { fromUs: number; toUs: number }): Promise<void>;
  /**
   * Deletes the logs that commits after `after` up to `upTo` wrote of traces sampled out (a log
   * that came after its trace was slimmed); answers how many traces had such logs.
   */
  deleteLateLogs(projectId: string, after: LiveCursor, upTo: LiveCursor): Promise<number>;
  /**
   * The trace list's count over its range and filters (no cursor): how many traces it matches,
   * and how many of them were sampled out.
   */
  countSampledOut(query: Omit<TraceQuery, 'limit' | 'cursor'>): Promise<{ total: number; sampledOut: number }>;
  /** Whether the project has any sampled-out trace starting in the range: the list counts only then. */
  anySampledOut(projectId: string, range: TimeRange): Promise<boolean>;
}
