import type { CompareQuery, ErrorGroupStatus, LogQuery, LogRecordData, MetricPointQuery, MetricPointRecord, ModelPrice, TimeRange } from '@spoor/model';
import {
  type BatchKey,
  type CompareSideRecord,
  type LogReader,
  type RecentSpanSource,
  type RepriceResult,
  type RetainedRecords,
  type Retention,
  type SpanCost,
  type StoreWriter,
  type TimeKey,
  type TreeKey,
  type TreePage,
  type WriteBatch,
  appendAndCommit,
} from '../store.js';
import type { StoredLog, StoredTrace, StoredTraceBytes } from '../stored-trace.js';
import type { TraceTimings } from '../trace-timings.js';
import { SqlAnalyticsReader, SqlErrorStore, SqlMetricReader, SqlPriceStore, SqlTraceReader } from '../sql/sql-reads.js';
import type { ChClient } from './client.js';
import { compareSpans } from './compare.js';
import type { ClickHouseSql } from './dialect.js';
import { setErrorGroupStatus } from './error-groups.js';
import { listLogs, listMetricPoints, readMetricPoints } from './log-metric-reads.js';
import { deleteModelPrice, listModelPrices, putModelPrice, setSpanCosts } from './pricing.js';
import { deleteOlderThan } from './retention.js';
import type { SchemaLayout } from './schema.js';
import type { TraceSize } from '../ports/traces.js';
import { traceExtent } from '../sql/trace-bounds.js';
import { countTraceTextBytes } from './trace-bounds.js';
import { getTrace, getTraceBytes, getTraceLogs, getTraceSpans, getTraceTimings, getTreePage, recentSpanIds, searchTrace } from './trace-reads.js';
import type { ClickHouseWriter } from './writer.js';

/* The ClickHouse store's ports that are not in a file of their own, over its client (`ch`) and its `SqlEngine`. */

export class ClickHouseTraceReader extends SqlTraceReader implements RecentSpanSource {
  constructor(
    protected override readonly sql: ClickHouseSql,
    private readonly ch: ChClient,
  ) {
    super(sql);
  }

  getTrace(projectId: string, traceId: string, spanId?: string): Promise<StoredTrace | null> {
    return getTrace(this.ch, projectId, traceId, spanId);
  }

  getTraceBytes(projectId: string, traceId: string, lend?: () => Buffer | null): Promise<StoredTraceBytes | null> {
    return getTraceBytes(this.ch, projectId, traceId, lend);
  }

  /**
   * Its spans and its texts' bytes from its parts (ClickHouse finds a trace's parts by its primary
   * key); where a part lacks the bytes, they are counted from the spans within the span read's own
   * bounds (`trace-bounds.ts`), which the read finds again, so none are given.
   */
  override async traceSize(projectId: string, traceId: string): Promise<TraceSize> {
    const found = await traceExtent(this.sql, projectId, traceId);
    if (found === null) return { spans: 0, textBytes: 0, bounds: null };
    return { spans: found.spans, textBytes: found.textBytes ?? (await countTraceTextBytes(this.ch, projectId, traceId)), bounds: null };
  }

  getTraceSpans(projectId: string, traceId: string, spanIds: readonly string[], traceLogs: boolean): Promise<StoredTraceBytes> {
    return getTraceSpans(this.ch, projectId, traceId, spanIds, traceLogs);
  }

  getTreePage(projectId: string, traceId: string, after: TreeKey | null, limit: number): Promise<TreePage> {
    return getTreePage(this.ch, projectId, traceId, after, limit);
  }

  getTraceLogs(projectId: string, traceId: string): Promise<StoredLog[]> {
    return getTraceLogs(this.ch, projectId, traceId);
  }

  searchTrace(projectId: string, traceId: string, text: string, limit: number): Promise<string[]> {
    return searchTrace(this.sql, projectId, traceId, text, limit);
  }

  getTraceTimings(projectId: string, traceId: string): Promise<TraceTimings | null> {
    return getTraceTimings(this.ch, projectId, traceId);
  }

  recentSpanIds(perProject: number): Promise<Array<{ projectId: string; traceId: string; spanId: string }>> {
    return recentSpanIds(this.ch, perProject);
  }
}

export class ClickHouseLogReader implements LogReader {
  constructor(private readonly sql: ClickHouseSql) {}

  listLogs(query: LogQuery, after: TimeKey | null, limit: number): Promise<LogRecordData[]> {
    return listLogs(this.sql, query, after, limit);
  }
}

export class ClickHouseMetricReader extends SqlMetricReader {
  constructor(
    sql: ClickHouseSql,
    private readonly ch: ChClient,
  ) {
    super(sql);
  }

  listMetricPoints(query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]> {
    return listMetricPoints(this.ch, query, offset, limit);
  }

  readMetricPoints(projectId: string, names: readonly string[], range: TimeRange, service: string | null): Promise<MetricPointRecord[]> {
    return readMetricPoints(this.ch, projectId, names, range, service);
  }
}

export class ClickHouseAnalyticsReader extends SqlAnalyticsReader {
  constructor(protected override readonly sql: ClickHouseSql) {
    super(sql);
  }

  compareSpans(query: CompareQuery): Promise<CompareSideRecord[]> {
    return compareSpans(this.sql, query);
  }
}

export class ClickHouseErrorStore extends SqlErrorStore {
  constructor(
    sql: ClickHouseSql,
    private readonly ch: ChClient,
  ) {
    super(sql);
  }

  setErrorGroupStatus(projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void> {
    return setErrorGroupStatus(this.ch, projectId, fingerprint, status, nowUs);
  }
}

export class ClickHousePriceStore extends SqlPriceStore {
  constructor(
    sql: ClickHouseSql,
    private readonly ch: ChClient,
    private readonly layout: SchemaLayout,
  ) {
    super(sql);
  }

  listModelPrices(projectId: string): Promise<ModelPrice[]> {
    return listModelPrices(this.ch, projectId);
  }

  putModelPrice(projectId: string, price: ModelPrice, updatedUs: number): Promise<void> {
    return putModelPrice(this.ch, projectId, price, updatedUs);
  }

  deleteModelPrice(projectId: string, model: string): Promise<boolean> {
    return deleteModelPrice(this.ch, projectId, model);
  }

  setSpanCosts(projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult> {
    return setSpanCosts(this.ch, this.layout, projectId, costs);
  }
}

export class ClickHouseRetention implements Retention {
  constructor(
    private readonly ch: ChClient,
    private readonly layout: SchemaLayout,
  ) {}

  deleteOlderThan(records: RetainedRecords, cutoffUs: number): Promise<number> {
    return deleteOlderThan(this.ch, this.layout, records, cutoffUs);
  }
}

/** The write port over the store's writer (`ClickHouseWriter`), which has no transactions. */
export class ClickHouseStoreWriter implements StoreWriter {
  constructor(private readonly batches: ClickHouseWriter) {}

  append(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    return this.batches.append(batch, key);
  }

  commit(key: BatchKey | null): Promise<void> {
    return this.batches.commit(key);
  }

  rollback(): Promise<void> {
    return this.batches.rollback();
  }

  write(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    return appendAndCommit(this, batch, key);
  }

  readPosition(serverId: string): Promise<string | null> {
    return this.batches.readPosition(serverId);
  }
}
