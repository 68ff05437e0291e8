import type { LiveCursor } from '../live-cursor.js';
import type { EvaluatorRecord, EvaluatorRunRecord } from '../ports/evaluators.js';
import { num } from '../record-rows.js';
import { SqlEvaluatorStore } from '../sql/evaluator-store.js';
import { runRow } from '../sql/evaluators.js';
import { Serial } from '../write-port.js';
import type { DuckDbSql } from './dialect.js';
import type { KeptLists } from './kept-lists.js';
import { duckDbCursor, duckDbLiveCommits } from './live.js';
import { columnsOf } from './read.js';

/**
 * Evaluators, their runs and the runner lease, in their own small tables; a project's evaluators
 * as last read until this store writes them (`KeptLists`).
 */
export class DuckDbEvaluatorStore extends SqlEvaluatorStore {
  constructor(
    private readonly duckdb: DuckDbSql,
    private readonly kept: KeptLists,
  ) {
    super(duckdb, duckDbLiveCommits);
  }

  /**
   * The last transaction that recorded a spool position at or before `timeUs`: `committed_at` is
   * the transaction's start, which the numbers follow (a lane's transaction is numbered when it
   * begins), so the transactions numbered up to it began by then. Transactions that record no
   * position (a write with no spool key) fall after it: a start looks back a little further.
   * `committed_at` holds `now()` in the session's time zone (5 h behind UTC under
   * TZ=America/New_York): read back through it, as the instant it was.
   */
  async commitsAt(timeUs: number): Promise<LiveCursor> {
    const p = this.duckdb.dialect.params();
    const [seq] = await this.duckdb.rows(
      'find the last commit at a time',
      `SELECT max(commit_seq) AS seq FROM spool_positions WHERE epoch_us(committed_at::TIMESTAMPTZ) <= ${p.int(timeUs)}`,
      p,
      (row) => (row.get('seq') === null ? 0 : num(row.get('seq'))),
    );
    return duckDbCursor(seq ?? 0);
  }

  override listEvaluators(projectId: string): Promise<EvaluatorRecord[]> {
    return this.kept.read('evaluators', projectId, () => super.listEvaluators(projectId));
  }

  async putEvaluator(projectId: string, r: EvaluatorRecord, deleted: boolean): Promise<void> {
    // One statement: the new row's version is read and written together (a connection's statements are serial).
    await this.kept.write('evaluators', () =>
      this.duckdb.on('save an evaluator', (c) =>
        c.run(
          `INSERT INTO evaluators SELECT $1, $2, $3, $4, $5, $6, $7, $8, coalesce(max(row_version), 0) + 1, $9
           FROM evaluators WHERE project_id = $1 AND name = $2`,
          [projectId, r.name, r.spec, r.version, r.state, r.pausedReason, r.createdUs, r.updatedUs, deleted],
        ),
      ),
    );
  }

  async addRuns(projectId: string, runs: readonly EvaluatorRunRecord[]): Promise<void> {
    if (runs.length === 0) return;
    // One statement for every run, its rows as one JSON array.
    await this.duckdb.on('record evaluator runs', (c) =>
      c.run(
        `INSERT INTO evaluator_runs
         SELECT $1, r.evaluator, r.version, r.trace_id, r.span_id, r.ok, r.error, r.cost_usd, r.time_us
         FROM (SELECT unnest(from_json($2::JSON, '[{"evaluator":"VARCHAR","version":"BIGINT","trace_id":"VARCHAR","span_id":"VARCHAR",
           "ok":"BOOLEAN","error":"VARCHAR","cost_usd":"DOUBLE","time_us":"BIGINT"}]'), recursive := true)) r`,
        [projectId, JSON.stringify(runs.map(runRow))],
      ),
    );
  }

  /** The lease's takes, one after another (`takeLease`). */
  private readonly leaseTakes = new Serial();

  /**
   * One file has one writer process: a conditional upsert decides the holder at once, no settling
   * needed. The takes of this process run one at a time: two at once on two connections could
   * each upsert against the lease as it was before the other (seen in CI: both were told they held it).
   */
  takeLease(projectId: string, holder: string, nowUs: number, ttlUs: number): Promise<boolean> {
    return this.leaseTakes.run(() => this.takeLeaseNow(projectId, holder, nowUs, ttlUs));
  }

  private takeLeaseNow(projectId: string, holder: string, nowUs: number, ttlUs: number): Promise<boolean> {
    return this.duckdb.on('take the evaluator lease', async (c) => {
      try {
        await c.run(
          `INSERT INTO evaluator_leases VALUES ($1, $2, $3)
           ON CONFLICT (project_id) DO UPDATE SET holder = excluded.holder, expires_us = excluded.expires_us
           WHERE evaluator_leases.holder = excluded.holder OR evaluator_leases.expires_us <= $4`,
          [projectId, holder, nowUs + ttlUs, nowUs],
        );
      } catch (error) {
        // Another connection changed the lease at the same moment (DuckDB's write-write conflict): it won; the read below says so.
        if (!/conflict/i.test((error as Error).message)) throw error;
      }
      const found = await columnsOf(c, 'SELECT holder FROM evaluator_leases WHERE project_id = $1', [projectId]);
      return found.holder?.[0] === holder;
    });
  }
}
