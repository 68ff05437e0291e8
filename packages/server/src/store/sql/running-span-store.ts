import type { TimeRange } from '@spoor/model';
import type { RunningSpanStore, RunningTraceFilter, RunningTraceRecord, StoredRunningSpan } from '../ports/running-spans.js';
import type { TimeKey } from '../ports/traces.js';
import type { Params, SqlEngine } from './dialect.js';
import { countSnapshotRows, lastHeardOf, runningOnlyTraces, runningSpansOf } from './running-spans.js';

/**
 * The running span port over the queries written once: an engine gives only how rows meeting a
 * condition are deleted from `running_spans` (snapshots are written by the write batches).
 */
export abstract class SqlRunningSpanStore implements RunningSpanStore {
  constructor(protected readonly sql: SqlEngine) {}

  /** Deletes the `running_spans` rows meeting `condition` (over `running_spans` columns). */
  protected abstract deleteWhere(what: string, condition: string, params: Params): Promise<void>;

  ofTraces(projectId: string, traceIds: readonly string[], spanId?: string): Promise<StoredRunningSpan[]> {
    return runningSpansOf(this.sql, projectId, traceIds, spanId ?? null);
  }

  lastHeard(projectId: string, traceIds: readonly string[]): Promise<Map<string, number>> {
    return lastHeardOf(this.sql, projectId, traceIds);
  }

  listRunningTraces(projectId: string, range: TimeRange, filter: RunningTraceFilter, after: TimeKey | null, limit: number): Promise<RunningTraceRecord[]> {
    return runningOnlyTraces(this.sql, projectId, range, filter, after, limit);
  }

  async sweep(): Promise<number> {
    // Counted first: a delete is a mutation on ClickHouse, and most sweeps of a quiet store find nothing.
    const { rows, swept, sweep } = await countSnapshotRows(this.sql);
    if (swept === 0 || sweep === null) return rows;
    await this.deleteWhere('sweep ended and replaced running spans', sweep.condition, sweep.params);
    return rows - swept;
  }
}
