import type { CompareQuery, ErrorGroupStatus, MetricPointQuery, MetricPointRecord, ModelPrice, TimeRange } from '@spoor/model';
import {
  type BatchKey,
  type ScoreCompareGroup,
  type CompareSideRecord,
  type RepriceResult,
  type RetainedRecords,
  type Retention,
  type SpanCost,
  type StoreWriter,
  type WriteBatch,
  appendAndCommit,
} from '../store.js';
import { SqlAnalyticsReader, SqlErrorStore, SqlMetricReader, SqlPriceStore, SqlScoreStatsReader } from '../sql/sql-reads.js';
import type { OnConnection } from './alerts.js';
import type { AlertSliceCache } from './alert-slices.js';
import { selectComparison, selectScoreComparison } from './compare.js';
import type { DuckDbSql } from './dialect.js';
import { upsertErrorGroupStatus } from './error-groups.js';
import { selectMetricPoints, selectMetricPointsOf } from './metric-reads.js';
import { removeModelPrice, selectModelPrices, updateSpanCosts, upsertModelPrice } from './pricing.js';
import type { Columns } from './read.js';
import { deleteRecordsOlderThan } from './retention.js';
import type { DuckDbRunningSpanStore } from './running-spans.js';
import type { DuckDbWriter } from './writer.js';

/*
 * The DuckDB store's ports that are not in a file of their own: each reads on a connection of its
 * own (`on`, the store's, which heals an invalidated database first and names what failed), and
 * writes the small tables changed by hand in their table's lane (`WriteLanes`).
 */

/** Runs `fn` inside the store's guard: after healing an invalidated database, its failure a `StoreError`. */
export type Guard = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

export class DuckDbMetricReader extends SqlMetricReader {
  constructor(
    sql: DuckDbSql,
    private readonly on: OnConnection,
  ) {
    super(sql);
  }

  listMetricPoints(query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]> {
    return this.on('list metric points', (connection) => selectMetricPoints(connection, query, offset, limit));
  }

  readMetricPoints(projectId: string, names: readonly string[], range: TimeRange, service: string | null): Promise<MetricPointRecord[]> {
    return this.on('read metric points', (connection) => selectMetricPointsOf(connection, projectId, names, range, service));
  }
}

export class DuckDbAnalyticsReader extends SqlAnalyticsReader {
  constructor(protected override readonly sql: DuckDbSql) {
    super(sql);
  }

  compareSpans(query: CompareQuery, read?: () => void): Promise<CompareSideRecord[]> {
    return selectComparison(this.sql, query, read);
  }
}

/** Score statistics; a comparison's tallies read straight from the result's vectors. */
export class DuckDbScoreStatsReader extends SqlScoreStatsReader {
  constructor(protected override readonly sql: DuckDbSql) {
    super(sql);
  }

  override compare(query: CompareQuery): Promise<ScoreCompareGroup[]> {
    return selectScoreComparison(this.sql, query);
  }
}

export class DuckDbErrorStore extends SqlErrorStore {
  constructor(
    sql: DuckDbSql,
    private readonly lane: OnConnection,
  ) {
    super(sql);
  }

  async setErrorGroupStatus(projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void> {
    await this.lane('save an error group status', (connection) => upsertErrorGroupStatus(connection, projectId, fingerprint, status, nowUs));
  }
}

export class DuckDbPriceStore extends SqlPriceStore {
  constructor(
    sql: DuckDbSql,
    private readonly on: OnConnection,
    private readonly lane: OnConnection,
    private readonly alertSlices: AlertSliceCache,
  ) {
    super(sql);
  }

  listModelPrices(projectId: string): Promise<ModelPrice[]> {
    return this.on('list prices', (connection) => selectModelPrices(connection, projectId));
  }

  async putModelPrice(projectId: string, price: ModelPrice, updatedUs: number): Promise<void> {
    await this.lane('save a price', (connection) => upsertModelPrice(connection, projectId, price, updatedUs));
  }

  deleteModelPrice(projectId: string, model: string): Promise<boolean> {
    return this.lane('delete a price', (connection) => removeModelPrice(connection, projectId, model));
  }

  async setSpanCosts(projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult> {
    try {
      return await this.on('set span costs', (connection) => updateSpanCosts(connection, projectId, costs));
    } finally {
      this.alertSlices.spansChanged();
    }
  }
}

/** The records alert windows read (`AlertSliceCache`): deleting any of them drops the windows' slices. */
const SPAN_RECORDS: ReadonlySet<RetainedRecords> = new Set(['spans', 'spanStats', 'traceParts']);

export class DuckDbRetention implements Retention {
  constructor(
    private readonly on: OnConnection,
    private readonly alertSlices: AlertSliceCache,
  ) {}

  async deleteOlderThan(records: RetainedRecords, cutoffUs: number): Promise<number> {
    const deleted = await this.on(`apply retention to ${records}`, (connection) => deleteRecordsOlderThan(connection, records, cutoffUs));
    if (deleted > 0 && SPAN_RECORDS.has(records)) this.alertSlices.spansChanged();
    return deleted;
  }
}

/** The write port: the store's one writer (`DuckDbWriter`), each call inside the store's guard. */
export class DuckDbStoreWriter implements StoreWriter {
  constructor(
    private readonly batches: DuckDbWriter,
    private readonly guard: Guard,
    private readonly read: (what: string, sql: string, values: string[]) => Promise<Columns>,
    private readonly runningSpans: DuckDbRunningSpanStore,
  ) {}

  async append(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    if (batch.tables.some((t) => t.table === 'running_spans' && t.rows > 0)) this.runningSpans.appended();
    await this.guard('append a batch', () => this.batches.append(batch, key));
  }

  async commit(key: BatchKey | null): Promise<void> {
    const committed = this.runningSpans.committing();
    try {
      await this.guard('commit', () => this.batches.commit(key));
    } finally {
      // Even when it failed: what a failed commit left is for reads to find, not to hide.
      committed();
    }
  }

  async rollback(): Promise<void> {
    await this.guard('roll back', () => this.batches.rollback());
  }

  write(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    return appendAndCommit(this, batch, key);
  }

  async readPosition(serverId: string): Promise<string | null> {
    // Positions are `segment:offset`; the greatest is the last commit (they only move forward).
    // Rows without a server id were written by this data directory's one server before ids.
    const rows = await this.read(
      'read the spool position',
      `SELECT position FROM spool_positions WHERE server_id = $1 OR server_id IS NULL
       ORDER BY CAST(split_part(position, ':', 1) AS BIGINT) DESC, CAST(split_part(position, ':', 2) AS BIGINT) DESC
       LIMIT 1`,
      [serverId],
    );
    return (rows.position?.[0] as string | undefined) ?? null;
  }
}
