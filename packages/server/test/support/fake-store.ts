import type {
  CompareQuery,
  ErrorGroupStatus,
  LogQuery,
  LogRecordData,
  MetricPointQuery,
  MetricPointRecord,
  ModelPrice,
  ScoreStatsQuery,
  ScoreStatsRow,
  SpanStatsQuery,
  TimeRange,
  TimeseriesQuery,
  TraceQuery,
  TraceSummaryRecord,
} from '@spoor/model';
import {
  type AlertSeriesQuery,
  type AlertSeriesRow,
  type BatchKey,
  type CompareSideRecord,
  type ErrorGroupQuery,
  type ErrorGroupRecord,
  type ErrorOccurrenceRow,
  type MetricDescriptorRecord,
  type RealtimeRecord,
  type RecordBatch,
  type RepriceResult,
  type RetainedRecords,
  type ScoreCompareGroup,
  type ServiceRecord,
  type SessionRecord,
  type SessionRunRecord,
  type SpanCost,
  type SpanStatsRecord,
  type SpanToPrice,
  type Store,
  type TimeKey,
  type TreeKey,
  type TreePage,
  type TimeseriesRow,
  type UnpricedModelRecord,
  type WriteBatch,
  appendAndCommit,
  comparePositionText,
} from '../../src/store/store.js';
import { type StoredLog, type StoredTrace, type StoredTraceBytes, storedTraceBytesOf } from '../../src/store/stored-trace.js';
import { type BatchRecords, recordsOf } from '../../src/store/table-records.js';
import type { TracePart } from '../../src/store/trace-parts.js';
import type { TraceTimings } from '../../src/store/trace-timings.js';
import * as admin from './fake-admin.js';
import * as series from './fake-alert-series.js';
import * as analytics from './fake-analytics.js';
import * as errors from './fake-errors.js';
import * as reads from './fake-reads.js';
import { FakeDatasetStore } from './fake-datasets.js';
import { FakeEvaluatorStore } from './fake-evaluators.js';
import { FakeExperimentStore } from './fake-experiments.js';
import { compareScores, scoreStats } from './fake-score-stats.js';
import { FakeRunningSpanStore } from './fake-running-spans.js';
import { FakeScoreStore } from './fake-scores.js';
import { FakeLiveStore } from './fake-live.js';
import { FakeRecordExport } from './fake-export.js';
import { FakeSamplingStore } from './fake-sampling.js';

/** One commit the fake store made durable. */
export interface FakeCommit {
  position: string | null;
  records: number;
}

export interface FakeStoreOptions {
  /** How long each commit takes to become durable. Default 0: the next turn of the event loop. */
  commitDelayMs?: number;
  /** The position committed before, for server `server-1` (what a crash left behind). */
  position?: string | null;
  /**
   * `false` makes the fake an engine without transactions (as ClickHouse): each table of an
   * appended batch is durable at once, as one block per table, and a block whose key and table
   * it has taken is skipped; `rollback` discards nothing. Default `true`.
   */
  transactions?: boolean;
}

/**
 * The `Store` port in memory, for testing what drives it, and a second engine for every store
 * contract suite. Reads are computed over what was committed (`fake-reads.ts`, `fake-analytics.ts`,
 * `fake-admin.ts`). On the write side, with transactions
 * (the default), appended records wait in the open write; `commit` takes them with it and makes
 * them durable after `commitDelayMs`, in call order, and like the DuckDB writer a failed commit
 * takes every commit asked for after it down with it until `rollback`, which waits for commits
 * in flight and then discards the open write. Without, see `FakeStoreOptions.transactions`.
 */
export class FakeStore implements Store {
  /** What was committed, read back from the batches' columns. */
  readonly committed: Required<Omit<RecordBatch, 'scores' | 'writtenUs' | 'runningSpans'>> = { spans: [], logs: [], metricPoints: [], errors: [] };
  /** The committed trace summary parts, as every engine keeps them. */
  private readonly parts: TracePart[] = [];
  private readonly errorStates = new Map<string, { status: ErrorGroupStatus; resolvedUs: number | null }>();
  private readonly prices = new admin.FakePrices();
  readonly alerts = new admin.FakeAlertStore();
  readonly access = new admin.FakeAccessStore();
  readonly masking = new admin.FakeProjectPolicies();
  readonly scores = new FakeScoreStore(() => this.committed.spans);
  readonly evaluators = new FakeEvaluatorStore(
    () => this.data,
    (projectId, filter) => this.scores.tracesMeeting(projectId, filter),
    (projectId, traceId) => this.sampling.slimmed(projectId, traceId),
    (projectId, after, upTo) => this.live.touched(projectId, after, upTo),
  );
  readonly datasets = new FakeDatasetStore();
  readonly experiments = new FakeExperimentStore();
  readonly live = new FakeLiveStore((query) => reads.listTraces(this.data, query, null, query.limit, (filter) => this.scores.tracesMeeting(query.projectId, filter)));
  readonly runningSpans = new FakeRunningSpanStore(() => this.committed.spans);
  /** Export: the rows every engine writes, made from the committed records. */
  readonly exports = new FakeRecordExport(() => ({ ...this.committed, scores: this.scores.rows }));
  /** Tail sampling: slimming changes the committed records in place. */
  readonly sampling = new FakeSamplingStore(() => this.data, (projectId, filter) => this.scores.tracesMeeting(projectId, filter), this.live);
  readonly commits: FakeCommit[] = [];
  /** Per trace, the span counts of its parts: what a trace summary adds up. */
  readonly traceParts = new Map<string, number[]>();
  appendCalls = 0;
  commitCalls = 0;
  rollbackCalls = 0;
  private readonly positions = new Map<string, string>();
  private pending: BatchRecords = emptyBatch();
  private lastCommit: Promise<void> = Promise.resolve();
  /** What commits wait for before they take their delay (`holdCommits`). */
  private gate: Promise<void> = Promise.resolve();
  private readonly failingAppends = new Set<number>();
  private readonly failingCommits = new Set<number>();
  private refusedSpans: ((name: string) => boolean) | null = null;
  private refusedAt: 'append' | 'commit' = 'append';
  private refusal: (() => Error) | null = null;
  private down = false;
  /** Records a commit finds room for (`roomFor`); `null`: any. */
  private room: { records: number; error: () => Error } | null = null;
  private readonly commitDelayMs: number;
  private readonly transactions: boolean;
  /** Without transactions: the blocks written, as `server/position/table`. */
  private readonly blocks = new Set<string>();
  /** With transactions: per server, the last position appended or committed (as the DuckDB writer keeps it). */
  private takenAt = new Map<string, string>();

  constructor(options: FakeStoreOptions = {}) {
    this.commitDelayMs = options.commitDelayMs ?? 0;
    this.transactions = options.transactions ?? true;
    if (options.position != null) this.positions.set('server-1', options.position);
  }

  /**
   * Makes the `n`th call of `append` (counting from 1) fail: with transactions after taking half
   * its spans, without after writing its spans and before the rest (a crash between two tables).
   */
  failAppend(n: number): this {
    this.failingAppends.add(n);
    return this;
  }

  /** Makes the `n`th call of `commit` (counting from 1) fail. */
  failCommit(n: number): this {
    this.failingCommits.add(n);
    return this;
  }

  /**
   * Refuses, every time, any batch holding a span whose name passes `test`: at `append`, or at
   * `commit` of the transaction holding it (as a store that checks a constraint at commit), with
   * `error()` when given (a full disk refuses a large transaction and takes an empty one).
   * `null` takes every batch again.
   */
  refuse(test: ((name: string) => boolean) | null, at: 'append' | 'commit' = 'append', error?: () => Error): this {
    this.refusedSpans = test;
    this.refusedAt = at;
    this.refusal = error ?? null;
    return this;
  }

  /**
   * Refuses, with `error()`, every commit of a transaction holding more than `records` records:
   * a disk with room for that much at a time. `null` takes any again.
   */
  roomFor(records: number | null, error: () => Error = () => new Error('No space left on device')): this {
    this.room = records === null ? null : { records, error };
    return this;
  }

  /** While set, every append and commit fails, as a store with a full disk. */
  setDown(down: boolean): this {
    this.down = down;
    return this;
  }

  /** Records appended and not yet taken by a commit. */
  pendingRecords(): number {
    return countOf(this.pending);
  }

  /** Spans of a trace as its summary counts them (the sum of its parts). */
  summarySpanCount(traceId: string): number {
    return (this.traceParts.get(traceId) ?? []).reduce((sum, n) => sum + n, 0);
  }

  async append(columns: WriteBatch, key: BatchKey | null): Promise<void> {
    const call = ++this.appendCalls;
    if (this.down) throw new Error('the store is down');
    const batch = recordsOf(columns);
    if (this.refusedAt === 'append' && this.refusedSpans !== null && batch.spans.some((span) => this.refusedSpans!(span.name))) {
      throw this.refusal?.() ?? new Error('the store refuses this batch');
    }
    if (!this.transactions) return this.appendBlocks(columns, batch, key, this.failingAppends.has(call) ? call : null);
    if (key !== null) {
      const taken = this.takenAt.get(key.serverId) ?? this.positions.get(key.serverId);
      if (taken !== undefined && comparePositionText(key.position, taken) <= 0) return;
      this.takenAt.set(key.serverId, key.position);
    }
    if (this.failingAppends.has(call)) {
      // A failing append may leave part of its rows in the transaction; rollback must drop them.
      this.pending.spans.push(...batch.spans.slice(0, Math.ceil(batch.spans.length / 2)));
      throw new Error(`append ${call} failed`);
    }
    this.pending.spans.push(...batch.spans);
    this.pending.logs.push(...batch.logs);
    this.pending.metricPoints.push(...batch.metricPoints);
    this.pending.errors.push(...batch.errors);
    this.pending.traceParts.push(...batch.traceParts);
    this.pending.scores.push(...batch.scores);
    this.pending.llmResponses.push(...batch.llmResponses);
    this.pending.runningSpans.push(...batch.runningSpans);
  }

  commit(key: BatchKey | null): Promise<void> {
    const call = ++this.commitCalls;
    const batch = this.pending;
    this.pending = emptyBatch();
    const durable = this.lastCommit.then(async () => {
      await this.gate;
      // setImmediate for no delay, so tests that fake setTimeout still see commits finish.
      await new Promise((resolve) => (this.commitDelayMs > 0 ? setTimeout(resolve, this.commitDelayMs) : setImmediate(resolve)));
      if (this.failingCommits.has(call)) throw new Error(`commit ${call} failed`);
      if (this.down) throw new Error('the store is down');
      if (this.room !== null && countOf(batch) > this.room.records) throw this.room.error();
      if (this.refusedAt === 'commit' && this.refusedSpans !== null && batch.spans.some((span) => this.refusedSpans!(span.name))) {
        throw this.refusal?.() ?? new Error('the store refuses this transaction');
      }
      this.committed.spans.push(...batch.spans);
      this.committed.logs.push(...batch.logs);
      this.committed.metricPoints.push(...batch.metricPoints);
      this.committed.errors.push(...batch.errors);
      this.scores.rows.push(...batch.scores);
      this.scores.responses.push(...batch.llmResponses);
      this.runningSpans.rows.push(...batch.runningSpans);
      for (const part of batch.traceParts) this.addPart(part);
      this.live.committed(batch.spans, batch.traceParts, batch.runningSpans, batch.logs);
      if (key !== null) this.positions.set(key.serverId, key.position);
      this.commits.push({ position: key?.position ?? null, records: countOf(batch) });
    });
    this.lastCommit = durable;
    return durable;
  }

  /**
   * Makes every commit not yet durable, and every later one, wait until the returned function is
   * called: a commit that takes as long as the test says (DuckDB checkpointing inside a commit).
   */
  holdCommits(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return release;
  }

  async rollback(): Promise<void> {
    this.rollbackCalls++;
    await this.lastCommit.catch(() => {
      // The failure was reported to whoever asked for that commit.
    });
    this.lastCommit = Promise.resolve();
    this.pending = emptyBatch();
    this.takenAt = new Map(this.positions);
  }

  write(batch: WriteBatch, key: BatchKey | null): Promise<void> {
    return appendAndCommit(this, batch, key);
  }

  async readPosition(serverId: string): Promise<string | null> {
    return this.positions.get(serverId) ?? null;
  }

  async close(): Promise<void> {
    await this.lastCommit.catch(() => {
      // As above: a failed commit was reported to its caller.
    });
  }

  /** Without transactions: each table of the batch is one block, durable at once, written once per key. */
  private appendBlocks(columns: WriteBatch, batch: BatchRecords, key: BatchKey | null, failingCall: number | null): void {
    for (const { table, rows } of columns.tables) {
      // An empty table is no block at all: nothing is inserted for it.
      if (rows === 0) continue;
      const id = key === null ? null : `${key.serverId}/${key.position}/${table}`;
      if (id !== null && this.blocks.has(id)) continue;
      if (table === 'spans') this.committed.spans.push(...batch.spans);
      else if (table === 'trace_parts') {
        for (const part of batch.traceParts) this.addPart(part);
        // Without transactions a batch's parts follow its spans: the commit that readers find a trace by.
        this.live.committed(batch.spans, batch.traceParts, batch.runningSpans);
      }
      else if (table === 'logs') {
        this.committed.logs.push(...batch.logs);
        this.live.committed([], [], [], batch.logs);
      }
      else if (table === 'metric_points') this.committed.metricPoints.push(...batch.metricPoints);
      else if (table === 'errors') this.committed.errors.push(...batch.errors);
      else if (table === 'scores') this.scores.rows.push(...batch.scores);
      else if (table === 'llm_responses') this.scores.responses.push(...batch.llmResponses);
      else if (table === 'running_spans') this.runningSpans.rows.push(...batch.runningSpans);
      if (id !== null) this.blocks.add(id);
      if (table === 'spans' && failingCall !== null) throw new Error(`append ${failingCall} failed`);
    }
  }

  private addPart(part: TracePart): void {
    this.parts.push(part);
    const parts = this.traceParts.get(part.traceId);
    if (parts === undefined) this.traceParts.set(part.traceId, [part.spanCount]);
    else parts.push(part.spanCount);
  }

  /** What the reads see: the committed records. */
  private get data(): analytics.FakeAnalyticsData {
    const { spans, logs, metricPoints, errors } = this.committed;
    return { spans, logs, metricPoints, errors, parts: this.parts, errorStates: this.errorStates };
  }

  async listTraces(query: TraceQuery, after: TimeKey | null, limit: number): Promise<TraceSummaryRecord[]> {
    return reads.listTraces(this.data, query, after, limit, (filter) => this.scores.tracesMeeting(query.projectId, filter), this.runningSpans.rows);
  }

  async getTrace(projectId: string, traceId: string, spanId?: string): Promise<StoredTrace | null> {
    return reads.getTrace(this.data, projectId, traceId, spanId);
  }

  async getTraceBytes(projectId: string, traceId: string): Promise<StoredTraceBytes | null> {
    const trace = reads.getTrace(this.data, projectId, traceId);
    return trace === null ? null : storedTraceBytesOf(trace);
  }

  async countTraceTextBytes(projectId: string, traceId: string): Promise<number> {
    const trace = reads.getTrace(this.data, projectId, traceId);
    let n = 0;
    for (const s of trace?.spans ?? []) n += Buffer.byteLength(s.attributesJson) + Buffer.byteLength(s.eventsJson) + Buffer.byteLength(s.linksJson);
    return n;
  }

  async countTraceSpans(projectId: string, traceId: string): Promise<number> {
    return reads.countTraceSpans(this.data, projectId, traceId);
  }

  async getTraceSpans(projectId: string, traceId: string, spanIds: readonly string[], traceLogs: boolean): Promise<StoredTraceBytes> {
    return storedTraceBytesOf(reads.getTraceSpans(this.data, projectId, traceId, spanIds, traceLogs));
  }

  async getTreePage(projectId: string, traceId: string, after: TreeKey | null, limit: number): Promise<TreePage> {
    return reads.getTreePage(this.data, projectId, traceId, after, limit);
  }

  async getTraceLogs(projectId: string, traceId: string): Promise<StoredLog[]> {
    return reads.getTraceLogs(this.data, projectId, traceId);
  }

  async searchTrace(projectId: string, traceId: string, text: string, limit: number): Promise<string[]> {
    return reads.searchTrace(this.data, projectId, traceId, text, limit);
  }

  async getTraceTimings(projectId: string, traceId: string): Promise<TraceTimings | null> {
    return reads.getTraceTimings(this.data, projectId, traceId);
  }

  async listServices(projectId: string, range: TimeRange): Promise<ServiceRecord[]> {
    return reads.listServices(this.data, projectId, range);
  }

  async listLogs(query: LogQuery, after: TimeKey | null, limit: number): Promise<LogRecordData[]> {
    return reads.listLogs(this.data, query, after, limit);
  }

  async listMetrics(projectId: string, range: TimeRange): Promise<MetricDescriptorRecord[]> {
    return reads.listMetrics(this.data, projectId, range);
  }

  async listMetricPoints(query: MetricPointQuery, offset: number, limit: number): Promise<MetricPointRecord[]> {
    return reads.listMetricPoints(this.data, query, offset, limit);
  }

  async readMetricPoints(projectId: string, names: readonly string[], range: TimeRange, service: string | null): Promise<MetricPointRecord[]> {
    return reads.readMetricPoints(this.data, projectId, names, range, service);
  }

  async spanStats(query: SpanStatsQuery): Promise<SpanStatsRecord[]> {
    return analytics.spanStats(this.data, query);
  }

  async spanTimeseries(query: TimeseriesQuery): Promise<TimeseriesRow[]> {
    return analytics.spanTimeseries(this.data, query);
  }

  async realtime(projectId: string, service: string | null, nowUs: number): Promise<RealtimeRecord> {
    return analytics.realtime(this.data, projectId, service, nowUs);
  }

  async listSessions(projectId: string, range: TimeRange, offset: number, limit: number): Promise<SessionRecord[]> {
    return analytics.listSessions(this.data, projectId, range, offset, limit);
  }

  async listSessionRuns(projectId: string, sessionId: string, range: TimeRange): Promise<SessionRunRecord[]> {
    return analytics.listSessionRuns(this.data, projectId, sessionId, range);
  }

  async compareSpans(query: CompareQuery): Promise<CompareSideRecord[]> {
    return analytics.compareSpans(this.data, query);
  }

  async listErrorGroups(query: ErrorGroupQuery, offset: number, limit: number): Promise<ErrorGroupRecord[]> {
    return errors.listErrorGroups(this.data, query, offset, limit);
  }

  async errorGroupHourly(projectId: string, fingerprints: readonly string[], range: TimeRange): Promise<Array<{ fingerprint: string; hourUs: number; count: number }>> {
    return errors.errorGroupHourly(this.data, projectId, fingerprints, range);
  }

  async listErrorOccurrences(projectId: string, fingerprint: string, range: TimeRange, limit: number): Promise<ErrorOccurrenceRow[]> {
    return errors.listErrorOccurrences(this.data, projectId, fingerprint, range, limit);
  }

  async setErrorGroupStatus(projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void> {
    errors.setErrorGroupStatus(this.data, projectId, fingerprint, status, nowUs);
  }

  compareScores(query: CompareQuery): Promise<ScoreCompareGroup[]> {
    return compareScores(this.committed.spans, this.scores, query);
  }

  scoreStats(query: ScoreStatsQuery): Promise<ScoreStatsRow[]> {
    return scoreStats(this.committed.spans, this.scores, query);
  }

  async alertSeries(query: AlertSeriesQuery): Promise<AlertSeriesRow[]> {
    if (query.source !== 'scores') return series.alertSeries(this.data, query);
    const range = { fromUs: query.startUs, toUs: query.startUs + query.buckets * query.stepUs };
    const scores = await this.scores.listScores({ projectId: query.projectId, range, traceId: null, spanId: null, sessionId: null, name: null, source: null }, null, Infinity);
    return series.alertSeries(this.data, query, scores);
  }

  async listModelPrices(projectId: string): Promise<ModelPrice[]> {
    return this.prices.list(projectId);
  }

  async putModelPrice(projectId: string, price: ModelPrice): Promise<void> {
    this.prices.put(projectId, price);
  }

  async deleteModelPrice(projectId: string, model: string): Promise<boolean> {
    return this.prices.delete(projectId, model);
  }

  async listUnpricedModels(projectId: string, range: TimeRange): Promise<UnpricedModelRecord[]> {
    return admin.listUnpricedModels(this.data, projectId, range);
  }

  async readSpansToPrice(projectId: string, range: TimeRange): Promise<SpanToPrice[]> {
    return admin.readSpansToPrice(this.data, projectId, range);
  }

  async setSpanCosts(projectId: string, costs: readonly SpanCost[]): Promise<RepriceResult> {
    return admin.setSpanCosts(this.data, projectId, costs);
  }

  async deleteOlderThan(records: RetainedRecords, cutoffUs: number): Promise<number> {
    if (records === 'scores' || records === 'llmResponses') return this.scores.deleteOlderThan(records, cutoffUs);
    if (records === 'evaluatorRuns') return this.evaluators.deleteOlderThan(cutoffUs);
    if (records === 'runningSpans') return this.runningSpans.deleteOlderThan(cutoffUs);
    if (records === 'samplingDecisions') return this.sampling.deleteOlderThan(cutoffUs);
    // This store keeps a sampled-out span slim in `spans`: it has no `span_stats`.
    if (records === 'spanStats') return 0;
    return admin.deleteOlderThan(this.data, this.alerts, records, cutoffUs);
  }
}

function emptyBatch(): BatchRecords {
  return { spans: [], logs: [], metricPoints: [], errors: [], traceParts: [], scores: [], llmResponses: [], runningSpans: [] };
}

function countOf(batch: RecordBatch): number {
  return batch.spans.length + batch.logs.length + batch.metricPoints.length;
}
