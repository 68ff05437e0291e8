import { setTimeout as sleep } from 'node:timers/promises';
import type { LiveCursor, LivePosition } from '../live-cursor.js';
import type { EvaluatorRecord, EvaluatorRunRecord } from '../ports/evaluators.js';
import { SqlEvaluatorStore } from '../sql/evaluator-store.js';
import * as sql from '../sql/evaluators.js';
import type { ClickHouseSql } from './dialect.js';
import { clickHouseLiveCommits } from './live.js';
import { nextVersion } from './small-tables.js';

/**
 * How long a lease candidate waits before reading who won. Servers sharing the database insert
 * their candidates independently; an insert takes milliseconds, so after a second every
 * candidate of the same moment is visible and every server reads the same winner (the highest
 * version), as `access.ts` settles the session secret.
 */
const LEASE_SETTLE_MS = 1000;

/**
 * Evaluators (`ReplacingMergeTree` by `row_version`; a deletion is a row marked deleted, which a
 * merge keeps, so the version goes on), their runs (appended) and the runner lease.
 */
export class ClickHouseEvaluatorStore extends SqlEvaluatorStore {
  constructor(
    private readonly clickhouse: ClickHouseSql,
    private readonly settleMs = LEASE_SETTLE_MS,
  ) {
    super(clickhouse, clickHouseLiveCommits(clickhouse.ch));
  }

  /** Per server, its last commit recorded `committed` at or before `timeUs` by its own clock (`at_us`). */
  async commitsAt(timeUs: number): Promise<LiveCursor> {
    const ch = this.clickhouse.ch;
    const rows = await ch.rows<{ server_id: string; l_segment: number; l_offset: number }>(
      'find the last commit of every server at a time',
      `SELECT server_id, tupleElement(l_last, 1) AS l_segment, tupleElement(l_last, 2) AS l_offset
       FROM (SELECT server_id, max((segment, offset)) AS l_last FROM ${ch.tables.spool_positions}
             WHERE state = 'committed' AND at_us <= ${Math.floor(timeUs)} GROUP BY server_id)
       ORDER BY server_id`,
    );
    return rows.map((row): LivePosition => ({ writer: row.server_id, major: Number(row.l_segment), minor: Number(row.l_offset) }));
  }

  async putEvaluator(projectId: string, r: EvaluatorRecord, deleted: boolean): Promise<void> {
    const ch = this.clickhouse.ch;
    await ch.insertRows('save an evaluator', ch.tables.evaluators, [
      {
        project_id: projectId,
        name: r.name,
        spec: r.spec,
        version: r.version,
        state: r.state,
        paused_reason: r.pausedReason,
        created_us: r.createdUs,
        updated_us: r.updatedUs,
        row_version: nextVersion(await sql.latestRowVersion(this.sql, projectId, r.name)),
        deleted,
      },
    ]);
  }

  async addRuns(projectId: string, runs: readonly EvaluatorRunRecord[]): Promise<void> {
    if (runs.length === 0) return;
    const ch = this.clickhouse.ch;
    await ch.insertRows(
      'record evaluator runs',
      ch.tables.evaluator_runs,
      runs.map((r) => ({ project_id: projectId, ...sql.runRow(r) })),
    );
  }

  /**
   * A holder whose lease has not expired keeps it; otherwise this server inserts a candidate with
   * a version above the lease it read, waits `settleMs`, and reads the highest version again: of
   * candidates inserted at once, every server reads the same one as the winner.
   */
  async takeLease(projectId: string, holder: string, nowUs: number, ttlUs: number): Promise<boolean> {
    const current = await this.readLease(projectId);
    if (current !== null && current.holder !== holder && current.expires_us > nowUs) return false;
    const ch = this.clickhouse.ch;
    await ch.insertRows('take the evaluator lease', ch.tables.evaluator_leases, [
      { project_id: projectId, holder, expires_us: nowUs + ttlUs, version: nextVersion(current?.version ?? 0) },
    ]);
    // The holder renewing its own lease has no rival to wait for: another server inserts only once it expired.
    if (current !== null && current.holder === holder && current.expires_us > nowUs) return true;
    await sleep(this.settleMs);
    return (await this.readLease(projectId))?.holder === holder;
  }

  private readLease(projectId: string): Promise<{ holder: string; expires_us: number; version: number } | null> {
    const ch = this.clickhouse.ch;
    return ch.row(
      'read the evaluator lease',
      `SELECT holder, expires_us, version FROM ${ch.tables.evaluator_leases} WHERE project_id = {project:String} ORDER BY version DESC LIMIT 1`,
      { project: projectId },
    );
  }
}
