import type { TimeRange } from '@spoor/model';
import type { RunningSpanStore, RunningTraceFilter, RunningTraceRecord, StoredRunningSpan } from '../ports/running-spans.js';
import type { TimeKey } from '../ports/traces.js';
import type { Params, SqlEngine } from './dialect.js';
import { countSnapshotRows, lastHeardOf, recentlyHeardOf, runningOnlyTraces, runningSpansOf } from './running-spans.js';

/**
 * The running span port over the queries written once: an engine gives only how rows meeting a
 * condition are deleted from `running_spans` (snapshots are written by the write batches).
 *
 * A store that alone writes its database (DuckDB: one process holds the file) knows when
 * `running_spans` is empty, and then reads nothing: from a sweep that leaves no row until the
 * next commit of snapshots (`appended`, `committing`). Most stores never hold one (live mode is
 * the SDK's opt-in), yet every trace detail, tree and list page asks: on DuckDB with 200,000
 * spans, the empty table's read took 1.4 ms beside a 100-span trace's 6.9 ms, and the list's two
 * reads of it 3.1 ms beside its page's 4.8 ms and its scores' 6.1 ms. Servers sharing a
 * ClickHouse each write it, so there every read asks the table.
 */
export abstract class SqlRunningSpanStore implements RunningSpanStore {
  /** `false` once a sweep left no row and no snapshot was committed since; always `true` where other servers write too. */
  private mayHoldRows = true;
  /** Whether the open transaction holds snapshots. */
  private uncommitted = false;
  /** Counts commits of snapshots: a sweep one finished during cannot tell the table is empty. */
  private commits = 0;

  constructor(
    protected readonly sql: SqlEngine,
    /** Whether this store is the one writer of its database (so its own writes are all there are). */
    private readonly soleWriter = false,
  ) {}

  /** Deletes the `running_spans` rows meeting `condition` (over `running_spans` columns). */
  protected abstract deleteWhere(what: string, condition: string, params: Params): Promise<void>;

  /** Snapshots were appended to the open transaction (no read sees them before its commit). */
  appended(): void {
    this.uncommitted = true;
  }

  /**
   * The open transaction is being committed: the function returned, called once the commit has
   * finished, has reads ask the table again if it held snapshots.
   */
  committing(): () => void {
    const held = this.uncommitted;
    this.uncommitted = false;
    return held ? () => this.committed() : () => undefined;
  }

  private committed(): void {
    this.commits++;
    this.mayHoldRows = true;
  }

  ofTraces(projectId: string, traceIds: readonly string[], spanId?: string): Promise<StoredRunningSpan[]> {
    return this.mayHoldRows ? runningSpansOf(this.sql, projectId, traceIds, spanId ?? null) : Promise.resolve([]);
  }

  lastHeard(projectId: string, traceIds: readonly string[]): Promise<Map<string, number>> {
    return this.mayHoldRows ? lastHeardOf(this.sql, projectId, traceIds) : Promise.resolve(new Map());
  }

  recentlyHeard(projectId: string, sinceUs: number, limit: number): Promise<Map<string, number>> {
    return this.mayHoldRows ? recentlyHeardOf(this.sql, projectId, sinceUs, limit) : Promise.resolve(new Map());
  }

  listRunningTraces(projectId: string, range: TimeRange, filter: RunningTraceFilter, after: TimeKey | null, limit: number): Promise<RunningTraceRecord[]> {
    return this.mayHoldRows ? runningOnlyTraces(this.sql, projectId, range, filter, after, limit) : Promise.resolve([]);
  }

  async sweep(): Promise<number> {
    if (!this.mayHoldRows) return 0;
    const commits = this.commits;
    // Counted first: a delete is a mutation on ClickHouse, and most sweeps of a quiet store find nothing.
    const { rows, swept, sweep } = await countSnapshotRows(this.sql);
    if (swept > 0 && sweep !== null) await this.deleteWhere('sweep ended and replaced running spans', sweep.condition, sweep.params);
    const left = rows - swept;
    if (left === 0 && this.soleWriter && commits === this.commits) this.mayHoldRows = false;
    return left;
  }
}
