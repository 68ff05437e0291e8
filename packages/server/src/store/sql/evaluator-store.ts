import type { LiveCursor } from '../live-cursor.js';
import type {
  CommitRange,
  CompleteTrace,
  EvaluationSpan,
  EvaluatorRecord,
  EvaluatorRunRecord,
  EvaluatorRunTotals,
  EvaluatorStore,
  TraceFilter,
} from '../ports/evaluators.js';
import type { TimeKey } from '../ports/traces.js';
import type { SqlEngine } from './dialect.js';
import type { LiveCommits } from './live.js';
import * as sql from './evaluators.js';

/**
 * The evaluator port's reads over the queries written once; an engine gives how definitions and
 * runs are written and how the runner lease is taken.
 */
export abstract class SqlEvaluatorStore implements EvaluatorStore {
  constructor(
    protected readonly sql: SqlEngine,
    /** How the engine tells which commit wrote a row: what completeness is measured by. */
    private readonly commits: LiveCommits,
  ) {}

  abstract putEvaluator(projectId: string, record: EvaluatorRecord, deleted: boolean): Promise<void>;
  abstract addRuns(projectId: string, runs: readonly EvaluatorRunRecord[]): Promise<void>;
  abstract takeLease(projectId: string, holder: string, nowUs: number, ttlUs: number): Promise<boolean>;
  abstract commitsAt(timeUs: number): Promise<LiveCursor>;

  listEvaluators(projectId: string): Promise<EvaluatorRecord[]> {
    return sql.listEvaluators(this.sql, projectId);
  }

  latestEvaluator(projectId: string, name: string): Promise<(EvaluatorRecord & { deleted: boolean }) | null> {
    return sql.latestEvaluator(this.sql, projectId, name);
  }

  runsOf(projectId: string, evaluator: string, version: number, traceIds: readonly string[]): Promise<EvaluatorRunRecord[]> {
    return sql.runsOf(this.sql, projectId, evaluator, version, traceIds);
  }

  failedRuns(projectId: string, evaluator: string, version: number, limit: number, newestFirst = false): Promise<EvaluatorRunRecord[]> {
    return sql.failedRuns(this.sql, projectId, evaluator, version, limit, newestFirst);
  }

  runTotals(projectId: string, costSinceUs: number): Promise<EvaluatorRunTotals[]> {
    return sql.runTotals(this.sql, projectId, costSinceUs);
  }

  completeTraces(projectId: string, filter: TraceFilter, after: TimeKey, endedByUs: number, limit: number): Promise<CompleteTrace[]> {
    return sql.completeTraces(this.sql, projectId, filter, after, endedByUs, limit);
  }

  completeTracesCommitted(projectId: string, filter: TraceFilter, range: CommitRange, limit: number, slimmedToo?: boolean): Promise<CompleteTrace[]> {
    return sql.completeTracesCommitted(this.sql, this.commits, projectId, filter, range, limit, slimmedToo);
  }

  tracesTouched(projectId: string, after: LiveCursor, upTo: LiveCursor, limit: number): Promise<number> {
    return sql.tracesTouched(this.sql, this.commits, projectId, after, upTo, limit);
  }

  evaluationSpans(projectId: string, traceIds: readonly string[]): Promise<EvaluationSpan[]> {
    return sql.evaluationSpans(this.sql, projectId, traceIds);
  }
}
