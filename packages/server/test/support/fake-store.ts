import type { ErrorGroupStatus } from '@spoor/model';
import type {
  AlertSeriesReader,
  AnalyticsReader,
  ErrorStore,
  FlowReader,
  LogReader,
  MetricReader,
  PriceStore,
  Retention,
  ScoreStatsReader,
  Store,
  TraceReader,
} from '../../src/store/store.js';
import { storedTraceBytesOf } from '../../src/store/stored-trace.js';
import * as admin from './fake-admin.js';
import * as series from './fake-alert-series.js';
import * as analytics from './fake-analytics.js';
import * as errors from './fake-errors.js';
import { flowSpans } from './fake-flows.js';
import * as reads from './fake-reads.js';
import { FakeDatasetStore } from './fake-datasets.js';
import { FakeQueueStore } from './fake-queues.js';
import { FakePromptStore } from './fake-prompts.js';
import { FakeDashboardStore } from './fake-dashboards.js';
import { FakeEvaluatorStore } from './fake-evaluators.js';
import { FakeExperimentStore } from './fake-experiments.js';
import { compareScores, scoreStats } from './fake-score-stats.js';
import { FakeRunningSpanStore } from './fake-running-spans.js';
import { FakeScoreStore } from './fake-scores.js';
import { FakeLiveStore } from './fake-live.js';
import { FakeRecordExport } from './fake-export.js';
import { FakeSamplingStore } from './fake-sampling.js';
import { type FakeStoreOptions, FakeWriter } from './fake-writer.js';

export type { FakeCommit, FakeStoreOptions } from './fake-writer.js';

/**
 * The `Store` port in memory, for testing what drives it, and a second engine for every store
 * contract suite. Reads are computed over what its writer (`FakeWriter`, which the tests drive
 * and inspect) committed (`fake-reads.ts`, `fake-analytics.ts`, `fake-admin.ts`).
 */
export class FakeStore implements Store {
  private readonly errorStates = new Map<string, { status: ErrorGroupStatus; resolvedUs: number | null }>();
  private readonly priceBook = new admin.FakePrices();
  readonly writer: FakeWriter;
  readonly alerts = new admin.FakeAlertStore();
  readonly access = new admin.FakeAccessStore();
  readonly masking = new admin.FakeProjectPolicies();
  readonly scores = new FakeScoreStore(() => this.writer.committed.spans);
  readonly evaluators = new FakeEvaluatorStore(
    () => this.data,
    (projectId, filter) => this.scores.tracesMeeting(projectId, filter),
    (projectId, traceId) => this.sampling.slimmed(projectId, traceId),
    (projectId, after, upTo) => this.live.touched(projectId, after, upTo),
  );
  readonly datasets = new FakeDatasetStore();
  readonly queues = new FakeQueueStore();
  readonly prompts = new FakePromptStore();
  readonly dashboards = new FakeDashboardStore();
  readonly experiments = new FakeExperimentStore();
  readonly live = new FakeLiveStore((query) =>
    reads.listTraces(this.data, query, null, query.limit, (filter) => this.scores.tracesMeeting(query.projectId, filter)),
  );
  readonly runningSpans = new FakeRunningSpanStore(() => this.writer.committed.spans);
  /** Export: the rows every engine writes, made from the committed records. */
  readonly exports = new FakeRecordExport(() => ({ ...this.writer.committed, scores: this.scores.rows }));
  /** Tail sampling: slimming changes the committed records in place. */
  readonly sampling = new FakeSamplingStore(
    () => this.data,
    (projectId, filter) => this.scores.tracesMeeting(projectId, filter),
    this.live,
  );

  readonly flows: FlowReader = { flowSpans: async (query) => flowSpans(this.data, query) };

  readonly traces: TraceReader = {
    listTraces: async (query, after, limit) =>
      reads.listTraces(this.data, query, after, limit, (filter) => this.scores.tracesMeeting(query.projectId, filter), this.runningSpans.rows),
    getTrace: async (projectId, traceId, spanId) => reads.getTrace(this.data, projectId, traceId, spanId),
    getTraceBytes: async (projectId, traceId) => {
      const trace = reads.getTrace(this.data, projectId, traceId);
      return trace === null ? null : storedTraceBytesOf(trace);
    },
    traceSize: async (projectId, traceId) => {
      let textBytes = reads.partsTextBytes(this.data, projectId, traceId);
      if (textBytes === null) {
        textBytes = 0;
        const trace = reads.getTrace(this.data, projectId, traceId);
        for (const s of trace?.spans ?? []) textBytes += Buffer.byteLength(s.attributesJson) + Buffer.byteLength(s.eventsJson) + Buffer.byteLength(s.linksJson);
      }
      return { spans: reads.countTraceSpans(this.data, projectId, traceId), textBytes, bounds: null };
    },
    getTraceSpans: async (projectId, traceId, spanIds, traceLogs) => storedTraceBytesOf(reads.getTraceSpans(this.data, projectId, traceId, spanIds, traceLogs)),
    getTreePage: async (projectId, traceId, after, limit) => reads.getTreePage(this.data, projectId, traceId, after, limit),
    getTraceLogs: async (projectId, traceId) => reads.getTraceLogs(this.data, projectId, traceId),
    searchTrace: async (projectId, traceId, text, limit) => reads.searchTrace(this.data, projectId, traceId, text, limit),
    getTraceTimings: async (projectId, traceId) => reads.getTraceTimings(this.data, projectId, traceId),
    listServices: async (projectId, range) => reads.listServices(this.data, projectId, range),
  };

  readonly logs: LogReader = {
    listLogs: async (query, after, limit) => reads.listLogs(this.data, query, after, limit),
  };

  readonly metrics: MetricReader = {
    listMetrics: async (projectId, range) => reads.listMetrics(this.data, projectId, range),
    listMetricPoints: async (query, offset, limit) => reads.listMetricPoints(this.data, query, offset, limit),
    readMetricPoints: async (projectId, names, range, service) => reads.readMetricPoints(this.data, projectId, names, range, service),
  };

  readonly analytics: AnalyticsReader = {
    spanStats: async (query) => analytics.spanStats(this.data, query),
    spanTimeseries: async (query) => analytics.spanTimeseries(this.data, query),
    realtime: async (projectId, service, nowUs) => analytics.realtime(this.data, projectId, service, nowUs),
    listSessions: async (projectId, range, offset, limit, user) => analytics.listSessions(this.data, projectId, range, offset, limit, user ?? null),
    listSessionRuns: async (projectId, sessionId, range) => analytics.listSessionRuns(this.data, projectId, sessionId, range),
    listUsers: async (projectId, range, offset, limit) => analytics.listUsers(this.data, projectId, range, offset, limit),
    userTraces: async (projectId, userIds, range) => analytics.userTraces(this.data, projectId, userIds, range),
    compareSpans: async (query) => analytics.compareSpans(this.data, query),
  };

  readonly errors: ErrorStore = {
    listErrorGroups: async (query, offset, limit) => errors.listErrorGroups(this.data, query, offset, limit),
    errorGroupHourly: async (projectId, fingerprints, range) => errors.errorGroupHourly(this.data, projectId, fingerprints, range),
    listErrorOccurrences: async (projectId, fingerprint, range, limit) => errors.listErrorOccurrences(this.data, projectId, fingerprint, range, limit),
    setErrorGroupStatus: async (projectId, fingerprint, status, nowUs) => errors.setErrorGroupStatus(this.data, projectId, fingerprint, status, nowUs),
  };

  readonly scoreStats: ScoreStatsReader = {
    compare: (query) => compareScores(this.writer.committed.spans, this.scores, query),
    stats: (query) => scoreStats(this.writer.committed.spans, this.scores, query),
  };

  readonly alertSeries: AlertSeriesReader = {
    read: async (query) => {
      if (query.source !== 'scores') return series.alertSeries(this.data, query);
      const range = { fromUs: query.startUs, toUs: query.startUs + query.buckets * query.stepUs };
      const scores = await this.scores.listScores(
        { projectId: query.projectId, range, traceId: null, spanId: null, sessionId: null, name: null, source: null },
        null,
        Infinity,
      );
      return series.alertSeries(this.data, query, scores);
    },
  };

  readonly prices: PriceStore = {
    listModelPrices: async (projectId) => this.priceBook.list(projectId),
    putModelPrice: async (projectId, price) => this.priceBook.put(projectId, price),
    deleteModelPrice: async (projectId, model) => this.priceBook.delete(projectId, model),
    listUnpricedModels: async (projectId, range) => admin.listUnpricedModels(this.data, projectId, range),
    readSpansToPrice: async (projectId, range) => admin.readSpansToPrice(this.data, projectId, range),
    setSpanCosts: async (projectId, costs) => admin.setSpanCosts(this.data, projectId, costs),
  };

  readonly retention: Retention = {
    deleteOlderThan: async (records, cutoffUs) => {
      if (records === 'scores' || records === 'llmResponses') return this.scores.deleteOlderThan(records, cutoffUs);
      if (records === 'evaluatorRuns') return this.evaluators.deleteOlderThan(cutoffUs);
      if (records === 'runningSpans') return this.runningSpans.deleteOlderThan(cutoffUs);
      if (records === 'samplingDecisions') return this.sampling.deleteOlderThan(cutoffUs);
      // This store keeps a sampled-out span slim in `spans`: it has no `span_stats`.
      if (records === 'spanStats') return 0;
      return admin.deleteOlderThan(this.data, this.alerts, records, cutoffUs);
    },
  };

  constructor(options: FakeStoreOptions = {}) {
    this.writer = new FakeWriter(options, {
      records: (table, batch) => {
        if (table === 'scores') this.scores.rows.push(...batch.scores);
        else if (table === 'llm_responses') this.scores.responses.push(...batch.llmResponses);
        else this.runningSpans.rows.push(...batch.runningSpans);
      },
      committed: (spans, parts, running, logs) => this.live.committed(spans, parts, running, logs),
    });
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  /** What the reads see: the committed records. */
  private get data(): analytics.FakeAnalyticsData {
    const { spans, logs, metricPoints, errors } = this.writer.committed;
    return { spans, logs, metricPoints, errors, parts: this.writer.parts, errorStates: this.errorStates };
  }
}
