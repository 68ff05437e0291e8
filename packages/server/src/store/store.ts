import type {
  LlmFields,
  LogQuery,
  LogRecordData,
  MetricPointQuery,
  MetricPointRecord,
  MetricType,
  ModelPrice,
  SpanRecord,
  TimeRange,
  TraceQuery,
  TraceSummaryRecord,
} from '@spoor/model';

/** Records to commit together: one transaction, all or nothing. */
export interface WriteBatch {
  spans: SpanRecord[];
  logs: LogRecordData[];
  metricPoints: MetricPointRecord[];
}

/** Where a page of newest-first results continues: strictly older than this key. */
export interface TimeKey {
  timeUs: number;
  id: string;
}

export interface ServiceRecord {
  name: string;
  spanCount: number;
  errorCount: number;
  lastSeenUs: number;
}

export interface MetricDescriptorRecord {
  name: string;
  type: MetricType;
  unit: string;
  description: string;
  pointCount: number;
  lastSeenUs: number;
}

export type Signal = 'traces' | 'logs' | 'metrics';

/** A model whose LLM spans carry tokens but no cost: not in the price table. */
export interface UnpricedModelRecord {
  provider: string | null;
  model: string;
  spanCount: number;
  inputTokens: number;
  outputTokens: number;
  lastSeenUs: number;
}

/** What a re-pricing changed. */
export interface RepriceResult {
  /** LLM spans whose cost changed. */
  spans: number;
  /** Traces whose summaries were brought up to date with them. */
  traces: number;
}

/**
 * The read side of the storage port: what the query service needs. Every method takes the
 * project id (inside its query object where there is one); no method returns another project's
 * records.
 */
export interface StoreReader {
  /** Trace summaries matching the query, newest first, after `after`, at most `limit`. */
  listTraces(query: TraceQuery, after: TimeKey | null, limit: number): Promise<TraceSummaryRecord[]>;
  /** A trace's spans (any order) and logs, or `null` when the project has no such trace. */
  getTrace(projectId: string, traceId: string): Promise<{ spans: SpanRecord[]; logs: LogRecordData[] } | null>;
  listServices(projectId: string, range: TimeRange): Promise<ServiceRecord[]>;
  /** Log records matching the query, newest first, after `after`, at most `limit`. */
  listLogs(query: LogQuery, after: TimeKey | null, limit: number): Promise<LogRecordData[]>;
  listMetrics(projectId: string, range: TimeRange): Promise<MetricDescriptorRecord[]>;
  /** Points of one metric, newest first, skipping `offset`, at most `limit`. */
  listMetricPoints(query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]>;
  /** Models of LLM spans in the range that have tokens and no cost, most spans first. */
  listUnpricedModels(projectId: string, range: TimeRange): Promise<UnpricedModelRecord[]>;
  /** Prices set through the API, as stored. */
  listModelPrices(projectId: string): Promise<ModelPrice[]>;
}

/**
 * The storage port: reads, and writes through one open transaction. Adapters wrap driver errors
 * in `StoreError`. Every adapter passes the contract suite in `store-contract.ts`.
 */
export interface Store extends StoreReader {
  /**
   * Adds records to the open write. They become visible and durable only at `commit`. Appends
   * and commits are applied in call order.
   */
  append(batch: WriteBatch): Promise<void>;
  /**
   * Commits everything appended since the last commit, together with `position`: the ingest
   * spool position it brings the store up to, which `readPosition` returns after a restart.
   */
  commit(position: string | null): Promise<void>;
  /** Discards everything appended since the last commit. */
  rollback(): Promise<void>;
  /** `append` then `commit`, rolled back if either fails. */
  write(batch: WriteBatch, position: string | null): Promise<void>;
  /** The last position committed with `write` or `commit`, or `null` for a new store. */
  readPosition(): Promise<string | null>;
  /** Adds or replaces a price set through the API. */
  putModelPrice(projectId: string, price: ModelPrice, updatedUs: number): Promise<void>;
  /** Removes a price set through the API; false when there was none. */
  deleteModelPrice(projectId: string, model: string): Promise<boolean>;
  /**
   * Recomputes the cost of the LLM spans that started in the range, except those whose cost was
   * reported by their instrumentation: `price` gives each span's new cost (`null` for none). The
   * summaries of the traces they belong to change with them, in the same transaction.
   */
  repriceSpans(projectId: string, range: TimeRange, price: (llm: LlmFields) => number | null): Promise<RepriceResult>;
  /** Deletes every project's records of a signal older than `cutoffUs`; returns how many. */
  deleteOlderThan(signal: Signal, cutoffUs: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * `Store.write` for any adapter: append, then commit with `position`, rolling back if either
 * fails.
 */
export async function appendAndCommit(store: Store, batch: WriteBatch, position: string | null): Promise<void> {
  try {
    await store.append(batch);
    await store.commit(position);
  } catch (error) {
    await store.rollback();
    throw error;
  }
}

/** A failure inside a store adapter; the driver's error is the `cause`. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
