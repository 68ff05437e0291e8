import {
  isoFromMicros,
  type CompareQuery,
  type CompareResponse,
  type CompareRow,
  type CompareSide,
  type CriticalPath,
  type MetricSeriesResponse,
  type RealtimeMetrics,
  type ScoreStatsQuery,
  type ScoreStatsResponse,
  type SessionDetail,
  type SessionListResponse,
  type UserListResponse,
  type SpanGroupBy,
  type SpanStats,
  type SpanStatsQuery,
  type SpanStatsResponse,
  type TimeRange,
  type TimeseriesQuery,
  type TimeseriesResponse,
} from '@spoor/model';
import { AppError } from '../errors.js';
import type { JsonUtf8 } from '../json.js';
import type { CompareSideRecord, ScoreCompareGroup, SpanStatsRecord, Store } from '../store/store.js';
import type { ScoreTallies } from '../store/ports/scores.js';
import { scoreFromStored, scoreSummariesOf } from './convert.js';
import { scoreComparison } from './score-comparison.js';
import { criticalPathJson } from './critical-path.js';
import { jsonUtf8Of } from './json-bytes.js';
import { decodeOffsetCursor, encodeOffsetCursor } from './cursor.js';
import { type MetricSeriesQuery as ChartQuery, fnMismatch, metricSeries } from './metric-series.js';
import { mannWhitneyFromRanks, twoProportionZ, welchT } from './significance.js';

const SECOND_US = 1_000_000;
const HOUR_US = 3_600 * SECOND_US;
/** The most scores of a session itself that its detail lists (newest kept): a session is scored a few times, not thousands. */
const SESSION_SCORES_MAX = 1000;
/** The significance level of the release comparison's tests. */
const ALPHA = 0.05;
/** The counters `cacheHitRate` reads when spans carry no `cache.hit`. */
const CACHE_COUNTERS = ['cache.hits', 'cache.misses'] as const;

/** `GET /api/metrics/series`: which metric, whose points, and the chart to compute of them. */
export interface MetricSeriesQuery extends ChartQuery {
  projectId: string;
  name: string;
  service: string | null;
}

const ms = (us: number): number => us / 1000;

/** How a group-by reads in a response: the column or the attribute key. */
function groupByText(by: SpanGroupBy): string {
  return 'column' in by ? by.column : by.attribute;
}

function statsFromRecord(r: Omit<SpanStatsRecord, 'key'>): SpanStats {
  return {
    count: r.count,
    errorCount: r.errorCount,
    errorRate: r.count === 0 ? 0 : r.errorCount / r.count,
    avgMs: ms(r.avgUs),
    p50Ms: ms(r.p50Us),
    p95Ms: ms(r.p95Us),
    p99Ms: ms(r.p99Us),
    maxMs: ms(r.maxUs),
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    totalTokens: r.totalTokens,
    cacheReadInputTokens: r.cacheReadInputTokens,
    cacheCreationInputTokens: r.cacheCreationInputTokens,
    reasoningTokens: r.reasoningTokens,
    costUsd: r.costUsd,
    unpricedCalls: r.unpricedCalls,
  };
}

/** Bucket starts from the one holding `fromUs` to the one holding the last instant before `toUs`. */
export function bucketStarts(fromUs: number, toUs: number, stepUs: number): number[] {
  const starts: number[] = [];
  for (let t = Math.floor(fromUs / stepUs) * stepUs; t < toUs; t += stepUs) starts.push(t);
  return starts;
}

/** Metrics whose empty buckets are 0 rather than "no value". */
const ADDITIVE = new Set(['count', 'errors', 'tokens', 'cost']);

/**
 * Statistics, charts, sessions, realtime numbers, app metric series, critical paths and release
 * comparisons, answered from the analytics port (and metric points and trace timings).
 */
export class AnalyticsService {
  constructor(private readonly store: Pick<Store, 'analytics' | 'scoreStats' | 'metrics' | 'traces' | 'scores' | 'runningSpans'>) {}

  async spanStats(query: SpanStatsQuery): Promise<SpanStatsResponse> {
    const rows = await this.store.analytics.spanStats(query);
    return { groupBy: groupByText(query.groupBy), groups: rows.map((r) => ({ key: r.key, ...statsFromRecord(r) })) };
  }

  async scoreStats(query: ScoreStatsQuery): Promise<ScoreStatsResponse> {
    return { by: query.by, groups: await this.store.scoreStats.stats(query) };
  }

  async timeseries(query: TimeseriesQuery): Promise<TimeseriesResponse> {
    const { fromUs, toUs } = query.filter.range as { fromUs: number; toUs: number };
    const starts = bucketStarts(fromUs, toUs, query.stepUs);
    const index = new Map(starts.map((t, i) => [t, i]));
    const rows = await this.store.analytics.spanTimeseries(query);
    const empty = ADDITIVE.has(query.metric) ? 0 : null;
    const latency = query.metric === 'avg' || query.metric.startsWith('p');
    const series = new Map<string | null, Array<number | null>>();
    for (const row of rows) {
      let values = series.get(row.key);
      if (values === undefined) series.set(row.key, (values = starts.map(() => empty)));
      const i = index.get(row.bucketUs);
      if (i !== undefined) values[i] = row.value === null ? null : latency ? ms(row.value) : row.value;
    }
    if (query.groupBy === null && series.size === 0)
      series.set(
        null,
        starts.map(() => empty),
      );
    return {
      metric: query.metric,
      groupBy: query.groupBy === null ? null : groupByText(query.groupBy),
      stepMs: ms(query.stepUs),
      times: starts.map(isoFromMicros),
      series: [...series].map(([key, values]) => ({ key, values })),
    };
  }

  async realtime(projectId: string, service: string | null, nowUs: number): Promise<RealtimeMetrics> {
    const window = 300 * SECOND_US;
    const r = await this.store.analytics.realtime(projectId, service, nowUs);
    // Spans that say whether they hit a cache give the rate; the counters are read only when no
    // span of the window does, so a dashboard polling this costs one query, not two.
    const seen = r.cacheHits + r.cacheMisses;
    const cacheHitRate = seen > 0 ? r.cacheHits / seen : await this.counterHitRate(projectId, service, nowUs, window);
    return {
      service,
      at: isoFromMicros(nowUs),
      requestsPerSecond: r.roots60 / 60,
      avgLatencyMs: r.roots300 === 0 ? null : ms(r.durationUs300 / r.roots300),
      errorRate: r.roots300 === 0 ? null : r.errors300 / r.roots300,
      tokensPerSecond: r.tokens60 / 60,
      costPerHourUsd: (r.cost300 * HOUR_US) / window,
      unpricedCalls: r.unpriced300,
      cacheHitRate,
    };
  }

  /** The cache hit rate from the `cache.hits` / `cache.misses` counters' increase over `window`. */
  private async counterHitRate(projectId: string, service: string | null, nowUs: number, window: number): Promise<number | null> {
    const counters = await this.store.metrics.readMetricPoints(projectId, CACHE_COUNTERS, { fromUs: nowUs - 2 * window, toUs: nowUs + 1 }, service);
    if (counters.length === 0) return null;
    const increase = (name: string): number => {
      const points = counters.filter((p) => p.name === name);
      const { series } = metricSeries(points, { fn: 'increase', fromUs: nowUs, toUs: nowUs, stepUs: 1, windowUs: window, groupBy: null });
      return series[0]?.values[0] ?? 0;
    };
    const hits = increase('cache.hits');
    const misses = increase('cache.misses');
    return hits + misses > 0 ? hits / (hits + misses) : null;
  }

  async listSessions(projectId: string, range: TimeRange, limit: number, cursor: string | null, user: string | null = null): Promise<SessionListResponse> {
    const offset = cursor === null ? 0 : decodeOffsetCursor(cursor);
    const rows = await this.store.analytics.listSessions(projectId, range, offset, limit + 1, user);
    const page = rows.slice(0, limit);
    const tallies = await this.store.scores.tallySessionScores(projectId, page, range);
    return {
      sessions: page.map(({ firstSeenUs, lastActivityUs, traceIds: _, ...s }) => ({
        ...s,
        firstSeen: isoFromMicros(firstSeenUs),
        lastActivity: isoFromMicros(lastActivityUs),
        scores: scoreSummariesOf(tallies.own.get(s.sessionId)),
        traceScores: scoreSummariesOf(tallies.traces.get(s.sessionId)),
      })),
      nextCursor: rows.length > limit ? encodeOffsetCursor(offset + limit) : null,
    };
  }

  async listUsers(projectId: string, range: TimeRange, limit: number, cursor: string | null): Promise<UserListResponse> {
    const offset = cursor === null ? 0 : decodeOffsetCursor(cursor);
    const rows = await this.store.analytics.listUsers(projectId, range, offset, limit + 1);
    const page = rows.slice(0, limit);
    const traces = await this.store.analytics.userTraces(
      projectId,
      page.map((u) => u.userId),
      range,
    );
    // Tallied per trace, in statements of at most 1,000 traces (a statement names each several times), then pooled per user.
    const all = [...new Set([...traces.values()].flat())];
    const tallies: ScoreTallies = new Map();
    for (let i = 0; i < all.length; i += 1_000)
      for (const [trace, tally] of await this.store.scores.tallyTraceScores(projectId, all.slice(i, i + 1_000))) tallies.set(trace, tally);
    return {
      users: page.map(({ firstSeenUs, lastSeenUs, ...u }) => ({
        ...u,
        firstSeen: isoFromMicros(firstSeenUs),
        lastSeen: isoFromMicros(lastSeenUs),
        traceScores: scoreSummariesOf(...(traces.get(u.userId) ?? []).map((trace) => tallies.get(trace))),
      })),
      nextCursor: rows.length > limit ? encodeOffsetCursor(offset + limit) : null,
    };
  }

  async getSession(projectId: string, sessionId: string, window: { fromUs: number; toUs: number }): Promise<SessionDetail> {
    const [records, own] = await Promise.all([
      this.store.analytics.listSessionRuns(projectId, sessionId, window),
      this.store.scores.listScores(
        { projectId, range: { fromUs: null, toUs: null }, traceId: null, spanId: null, sessionId, name: null, source: null },
        null,
        SESSION_SCORES_MAX,
      ),
    ]);
    const tallies = await this.store.scores.tallyTraceScores(
      projectId,
      records.map((r) => r.traceId),
    );
    const runs = records.map((r) => ({
      traceId: r.traceId,
      name: r.name,
      serviceName: r.serviceName,
      startTime: isoFromMicros(r.startTimeUs),
      durationMs: ms(Math.max(0, r.endTimeUs - r.startTimeUs)),
      status: r.failed ? ('error' as const) : ('ok' as const),
      spanCount: r.spanCount,
      errorCount: r.errorCount,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      costUsd: r.costUsd,
      unpricedCalls: r.unpricedCalls,
      userId: r.userId,
      scores: scoreSummariesOf(tallies.get(r.traceId)),
    }));
    const failed = runs.filter((r) => r.status === 'error').length;
    const durations = runs.map((r) => r.durationMs);
    const costs = runs.map((r) => r.costUsd).filter((c): c is number => c !== null);
    const totalCostUsd = costs.reduce((a, b) => a + b, 0);
    return {
      sessionId,
      from: isoFromMicros(window.fromUs),
      to: isoFromMicros(window.toUs),
      hours: (window.toUs - window.fromUs) / HOUR_US,
      userIds: [...new Set(records.flatMap((r) => (r.userId === null ? [] : [r.userId])))].sort(),
      runs,
      // The session's own: a score naming a trace or a response is its trace's, counted in `traceScores`.
      scores: own
        .filter((s) => s.traceId === null && s.responseId === null)
        .reverse()
        .map(scoreFromStored),
      traceScores: scoreSummariesOf(...records.map((r) => tallies.get(r.traceId))),
      summary: {
        totalRuns: runs.length,
        completedRuns: runs.length - failed,
        failedRuns: failed,
        errorRate: runs.length === 0 ? 0 : failed / runs.length,
        avgDurationMs: runs.length === 0 ? 0 : durations.reduce((a, b) => a + b, 0) / runs.length,
        maxDurationMs: runs.length === 0 ? 0 : Math.max(...durations),
        totalCostUsd,
        unpricedCalls: runs.reduce((sum, r) => sum + r.unpricedCalls, 0),
        avgCostUsd: costs.length === 0 ? 0 : totalCostUsd / costs.length,
      },
    };
  }

  async metricSeries(query: MetricSeriesQuery): Promise<MetricSeriesResponse> {
    // Points from one window before the range: a cumulative counter's first rate needs the point before it.
    const points = await this.store.metrics.readMetricPoints(
      query.projectId,
      [query.name],
      { fromUs: query.fromUs - query.windowUs, toUs: query.toUs + 1 },
      query.service,
    );
    const newest = points.at(-1);
    if (newest === undefined) throw new AppError('ERR_NOT_FOUND', `metric ${query.name} has no points in the range`);
    const mismatch = fnMismatch(query.fn, newest.type);
    if (mismatch !== null) throw new AppError('ERR_INVALID_PARAMETER', `'fn' ${mismatch}`);
    const { times, series, droppedSeries } = metricSeries(points, query);
    return {
      name: query.name,
      fn: query.fn,
      type: newest.type,
      unit: newest.unit,
      windowMs: ms(query.windowUs),
      stepMs: ms(query.stepUs),
      groupBy: query.groupBy,
      times: times.map(isoFromMicros),
      series,
      droppedSeries,
    };
  }

  /**
   * The chain of ended spans that decided the trace's duration. A trace whose spans all still run
   * has none yet: an empty path from its first span's start, not a 404 (the trace is there).
   */
  async criticalPath(projectId: string, traceId: string): Promise<JsonUtf8<CriticalPath>> {
    const timings = await this.store.traces.getTraceTimings(projectId, traceId);
    if (timings !== null && timings.count > 0) return criticalPathJson(traceId, timings);
    const running = await this.store.runningSpans.ofTraces(projectId, [traceId]);
    if (running.length === 0) throw new AppError('ERR_NOT_FOUND', `trace ${traceId} was not found`);
    const startUs = Math.min(...running.map((span) => span.startTimeUs));
    return jsonUtf8Of<CriticalPath>({ traceId, startTime: isoFromMicros(startUs), durationMs: 0, spans: [], segments: [] });
  }

  async compare(query: CompareQuery): Promise<CompareResponse> {
    // The two statements one after the other: side by side on DuckDB, the scores' join and rank
    // held memory the spans' duration lists then could not get (out of memory in 2 of 8
    // comparisons under a 250 MB limit in bench/compare-scores.mjs, once under the default
    // 384 MB on a loaded machine); apart, the comparison took 8% longer and failed in none. The
    // scores' statement starts once the spans' is done, beside the spans' ranking in JS (0.12 s
    // on the analytics benchmark), which holds no more memory than the lists read.
    const started: { scores?: Promise<ScoreCompareGroup[]> } = {};
    const records = await this.store.analytics.compareSpans(query, () => {
      started.scores = this.store.scoreStats.compare(query);
      // Awaited below; a ranking that fails first must not leave it rejected unheard.
      started.scores.catch(() => undefined);
    });
    const scoreGroups = await (started.scores ?? this.store.scoreStats.compare(query));
    const byName = new Map<string, { a?: CompareSideRecord; b?: CompareSideRecord }>();
    for (const r of records) {
      const entry = byName.get(r.name) ?? {};
      entry[r.side] = r;
      byName.set(r.name, entry);
    }
    const rows = [...byName].map(([name, { a, b }]) => compareRow(name, a, b));
    return { by: groupByText(query.by), a: query.a, b: query.b, alpha: ALPHA, rows, scores: scoreComparison(scoreGroups, query.limit, ALPHA) };
  }
}

function sideOf(r: CompareSideRecord | undefined): CompareSide | null {
  if (r === undefined) return null;
  return {
    count: r.count,
    errorRate: r.errorCount / r.count,
    avgMs: ms(r.avgUs),
    p50Ms: ms(r.p50Us),
    p95Ms: ms(r.p95Us),
    costPerCallUsd: r.costCount === 0 ? null : r.costMean,
  };
}

const relative = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined || a === 0 ? null : (b - a) / a;

function tested(test: string, pValue: number | null | undefined): CompareRow['latency'] {
  const p = pValue ?? null;
  return { test, pValue: p, significant: p !== null && p < ALPHA };
}

/**
 * One span name of a comparison. Durations: Mann-Whitney U (ranks, so a few outliers do not
 * decide it); error rates: a pooled two-proportion z-test; cost per call: Welch's t-test.
 */
function compareRow(name: string, ra: CompareSideRecord | undefined, rb: CompareSideRecord | undefined): CompareRow {
  const a = sideOf(ra);
  const b = sideOf(rb);
  const both = ra !== undefined && rb !== undefined;
  const latency = both ? mannWhitneyFromRanks({ n1: ra.count, n2: rb.count, rankSum1: ra.rankSum, tieTerm: ra.tieTerm }) : null;
  const errors = both ? twoProportionZ(ra.errorCount, ra.count, rb.errorCount, rb.count) : null;
  const cost =
    both && ra.costCount + rb.costCount > 0 && ra.costVariance !== null && rb.costVariance !== null
      ? welchT(ra.costMean, ra.costVariance, ra.count, rb.costMean, rb.costVariance, rb.count)
      : null;
  return {
    name,
    a,
    b,
    change: {
      p50: relative(a?.p50Ms, b?.p50Ms),
      p95: relative(a?.p95Ms, b?.p95Ms),
      errorRate: a === null || b === null ? null : b.errorRate - a.errorRate,
      costPerCall: relative(a?.costPerCallUsd, b?.costPerCallUsd),
    },
    latency: tested('mann-whitney-u', latency?.pValue),
    errors: tested('two-proportion-z', errors?.pValue),
    cost: tested('welch-t', cost?.pValue),
  };
}
