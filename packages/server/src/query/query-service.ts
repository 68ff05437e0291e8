import {
  type Attributes,
  isoFromMicros,
  type LlmCallDetail,
  type LlmFields,
  type LlmMessages,
  type LogListResponse,
  type LogQuery,
  type MetricListResponse,
  type MetricPointListResponse,
  type MetricPointQuery,
  type SamplingCount,
  type Score,
  type ServiceListResponse,
  type SpanDetail,
  type TimeRange,
  type TraceDetail,
  type TraceDetailPage,
  type TraceDiff,
  type TraceListResponse,
  type TraceSearchResponse,
  type TraceQuery,
  type TraceSummary,
  type TraceSummaryRecord,
  type TraceTree,
  traceSortKey,
} from '@spoor/model';
import { AppError } from '../errors.js';
import { llmMessagesFrom } from '../normalize/messages.js';
import type { RunningTraceRecord, Store, StoredRunningSpan } from '../store/store.js';
import { NO_SPAN_TEXTS, type StoredLog, type StoredSpan } from '../store/stored-trace.js';
import { boundsOf } from '../store/sql/trace-bounds.js';
import { logFromData, metricPointFromRecord, scoreFromStored, scoreSummariesOf, traceSummaryFromRecord } from './convert.js';
import { decodeCursor, decodeOffsetCursor, decodeTraceCursor, encodeCursor, encodeOffsetCursor, encodeTraceCursor } from './cursor.js';
import type { JsonUtf8 } from '../json.js';
import { metricPointsJson } from './metric-points-json.js';
import { type LiveClock, liveSpansOf, liveSummary, mergeNewestFirst, runningTraceFilterOf, withRunningRoot } from './running.js';
import { diffTraces } from './trace-diff.js';
import { AnswerRegion } from './answer-region.js';
import { spanDetailJson, traceDetailJson, traceDetailPageJson } from './trace-json.js';
import { TreeStreams, type TreeStreamOptions } from './tree-stream.js';
import { keptCopies, MAX_PAGE_SPANS, pagePlan, pageScores, type SpanPage } from './trace-pages.js';

/**
 * The most spans `GET /api/traces/:id` answers without `spans=`, counted from the trace's parts
 * before anything else is read. The agent spans of the benchmark are some 1,000 bytes of answer
 * each (20,001 of them 19.8 MB; the server peaked at 543 MiB serving them). A count does not bound
 * bytes: spans of 2.9 KB each (bench:detail's heavy shape) took DuckDB past its memory limit at
 * 50,000, hence `MAX_DETAIL_TEXT_BYTES` too.
 */
export const MAX_DETAIL_SPANS = 50_000;

/**
 * The most bytes of stored span attributes, events and links `GET /api/traces/:id` answers
 * without `spans=`, summed before anything else is read: the answer is these bytes and some 700
 * more a span, held at once with the answer (which moves to the HTTP thread without a copy). The
 * bench's heavy shape (20,001 spans, about 41 MiB of such text, a 58 MB answer) took a DuckDB
 * server from the 906 MiB its ingest peaked at to 960 MiB answering it (1,453 MiB when the
 * texts were decoded to strings): some 3 bytes held a stored byte, so 64 MiB keeps an answer to
 * about 200 MiB over what the server holds at rest.
 */
export const MAX_DETAIL_TEXT_BYTES = 64 * 2 ** 20;

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** Answers the read API from a `Store`. Knows nothing of HTTP or of how records arrived. */
const NO_SPAN = '0000000000000000';

/** When `spans` are a replay of a span of trace `of`: that span's id and the replay's root. */
function replayedSpan(of: string, spans: readonly StoredSpan[]): { of: string; root: string } | null {
  for (const span of spans) {
    if (span.parentSpanId !== null || !span.attributesJson.includes('spoor.replay.of')) continue;
    const target = (JSON.parse(span.attributesJson) as Attributes)['spoor.replay.of'];
    if (typeof target === 'string' && target.startsWith(`${of}/`)) return { of: target.slice(of.length + 1), root: span.spanId };
  }
  return null;
}

/** A recorded LLM call as `POST /api/replay` reads it. */
export interface ReplaySource {
  name: string;
  durationMs: number;
  llm: LlmFields | null;
  messages: LlmMessages;
  /** Its `gen_ai.request.*` attributes: temperature, top_p, max_tokens. */
  parameters: Attributes;
}

/** How the answers show running spans: when one is abandoned, and the clock (epoch ms). */
export interface LiveOptions {
  /** A running span whose trace heard nothing for this long is abandoned (`--stale-after`). Default 10 minutes. */
  staleAfterMs?: number;
  now?: () => number;
}

/** How large a trace `GET /api/traces/:id` answers whole. */
export interface TraceDetailOptions {
  /** The stored text bytes of the largest trace answered whole. Default `MAX_DETAIL_TEXT_BYTES` (64 MiB). */
  maxDetailTextBytes?: number;
}

/** `--stale-after`'s default: 10 minutes. */
export const DEFAULT_STALE_AFTER_MS = 600_000;

/** About the bytes a span's plain columns take in a read's answer, beside its texts. */
const READ_ROW_BYTES = 512;

export class QueryService {
  private readonly staleAfterUs: number;
  private readonly now: () => number;
  private readonly maxDetailTextBytes: number;
  /**
   * Memory a whole trace is read into when its store asks (`TraceReader.getTraceBytes`), lent to
   * one read at a time until its answer is written (the answer copies the texts).
   */
  private readonly readRegion = new AnswerRegion({ shared: false });
  /** `/tree`'s binary streams, and the pages its JSON form is written from. */
  readonly treeStreams: TreeStreams;

  constructor(
    private readonly store: Pick<Store, 'traces' | 'logs' | 'metrics' | 'scores' | 'runningSpans' | 'sampling'>,
    options: LiveOptions & TreeStreamOptions & TraceDetailOptions = {},
  ) {
    this.maxDetailTextBytes = options.maxDetailTextBytes ?? MAX_DETAIL_TEXT_BYTES;
    this.staleAfterUs = (options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS) * 1000;
    this.now = options.now ?? Date.now;
    this.treeStreams = new TreeStreams(store, options, async (projectId, traceId, endedUs) =>
      liveSpansOf(await store.runningSpans.ofTraces(projectId, [traceId]), endedUs, this.clock()),
    );
  }

  /** What decides a running span's state now (the live hub's checks ask it too). */
  clock(): LiveClock {
    return { nowUs: this.now() * 1000, staleAfterUs: this.staleAfterUs };
  }

  /**
   * A page of trace summaries, with the page's scores tallied in one query. Traces of running
   * spans alone (no span ended yet) are merged in by the same order and cursor, where the query's
   * filters can hold them (`runningTraceFilterOf`); a trace with a running span is `running`.
   */
  async listTraces(query: TraceQuery): Promise<TraceListResponse> {
    const sort = query.sort ?? 'start';
    const after = query.cursor === null ? null : decodeTraceCursor(query.cursor, sort);
    // A trace of running spans alone has no duration, tokens or cost yet: newest first lists it, another order does not.
    const runningFilter = sort === 'start' ? runningTraceFilterOf(query) : null;
    const [ended, runningOnly, sampling] = await Promise.all([
      this.store.traces.listTraces(query, after, query.limit + 1),
      runningFilter === null ? [] : this.store.runningSpans.listRunningTraces(query.projectId, query.range, runningFilter, after, query.limit + 1),
      after === null ? this.samplingCount(query) : null,
    ]);
    const rows = runningOnly.length === 0 ? ended : mergeNewestFirst<TraceSummaryRecord | RunningTraceRecord>(ended, runningOnly, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      traces: await this.summariesOf(query.projectId, page),
      nextCursor: rows.length > query.limit && last !== undefined ? encodeTraceCursor(sort, { timeUs: traceSortKey(sort, last), id: last.traceId }) : null,
      ...(sampling === null ? {} : { sampling }),
    };
  }

  /**
   * Tail sampling's "kept N of M" of a first page's range and filters, `null` when no
   * trace of the range was sampled out: one look at the decisions first, so a project that
   * samples nothing pays one small read, not a count of every trace.
   */
  private async samplingCount(query: TraceQuery): Promise<SamplingCount | null> {
    const sampling = this.store.sampling;
    if (!(await sampling.anySampledOut(query.projectId, query.range))) return null;
    const { total, sampledOut } = await sampling.countSampledOut(query);
    return { kept: total - sampledOut, total };
  }

  /**
   * Trace summaries as the list gives them: their scores tallied in one query, and what their
   * running spans change (`running`, the duration so far). The live list's events are these too.
   */
  async summariesOf(projectId: string, records: readonly (TraceSummaryRecord | RunningTraceRecord)[]): Promise<TraceSummary[]> {
    if (records.length === 0) return [];
    const ids = records.map((t) => t.traceId);
    const [tallies, heard, decisions] = await Promise.all([
      this.store.scores.tallyTraceScores(projectId, ids),
      this.store.runningSpans.lastHeard(projectId, ids),
      // Decisions start within the listed traces' times (`SamplingStore.decisionsOf`).
      this.store.sampling.decisionsOf(projectId, ids, boundsOf(records.map((t) => ({ startUs: t.startTimeUs, endUs: t.endTimeUs })))!),
    ]);
    const roots = await this.runningRootsOf(
      projectId,
      records.filter((t) => t.spanCount > 0 && heard.has(t.traceId)).map((t) => t.traceId),
    );
    const clock = this.clock();
    return records.map((t) => {
      const summary = traceSummaryFromRecord(withRunningRoot(t, roots.get(t.traceId)), scoreSummariesOf(tallies.get(t.traceId)));
      const live = liveSummary(t, heard.get(t.traceId), clock);
      if (live.endTimeUs !== t.endTimeUs) summary.durationMs = Math.max(0, live.endTimeUs - t.startTimeUs) / 1000;
      if (live.running) summary.running = true;
      if (decisions.get(t.traceId) === false) summary.sampledOut = true;
      return summary;
    });
  }

  /**
   * The running roots (newest snapshots) of these traces with ended spans, by trace: read only
   * for traces that have running spans, so a page of finished traces costs nothing more.
   */
  private async runningRootsOf(projectId: string, traceIds: readonly string[]): Promise<Map<string, StoredRunningSpan>> {
    if (traceIds.length === 0) return new Map();
    const running = await this.store.runningSpans.ofTraces(projectId, traceIds);
    return new Map(running.filter((s) => s.parentSpanId === null).map((s) => [s.traceId, s]));
  }

  /**
   * `TraceDetail`: every span of a trace, running ones included, in tree order, its logs and its
   * scores; with `page`, a page of its stored spans (`TraceDetailPage`). A trace of more than
   * `MAX_DETAIL_SPANS` spans is answered only in pages: its whole answer would pass what the
   * server holds in memory and what a client can parse (`trace-pages.ts`). With `region`, a large
   * whole answer may be written into it, and its caller gives it back once the answer is sent.
   */
  async getTrace(
    projectId: string,
    traceId: string,
    page: SpanPage | null = null,
    region: AnswerRegion | null = null,
  ): Promise<JsonUtf8<TraceDetail | TraceDetailPage>> {
    if (page !== null) return this.getTracePage(projectId, traceId, page);
    const { spans: stored, textBytes, bounds } = await this.store.traces.traceSize(projectId, traceId);
    const pages = `ask for pages of it with ?spans=OFFSET,LIMIT (e.g. ?spans=0,${MAX_PAGE_SPANS})`;
    // Both counted from the trace's parts, which stay when tail sampling moves its spans out: a
    // sampled-out trace past a bound is answered with none of its spans (asked only of such a trace),
    // and none are read, as spans not moved yet or arriving after the move could be any number.
    const tooLarge = stored > MAX_DETAIL_SPANS || textBytes > this.maxDetailTextBytes;
    const slimPastBound = tooLarge && (await this.store.sampling.decisionsOf(projectId, [traceId])).get(traceId) === false;
    if (tooLarge && !slimPastBound) {
      if (stored > MAX_DETAIL_SPANS) {
        throw new AppError('ERR_TRACE_TOO_LARGE', `trace ${traceId} has ${stored} spans, more than the ${MAX_DETAIL_SPANS} one answer holds: ${pages}`);
      }
      throw new AppError(
        'ERR_TRACE_TOO_LARGE',
        `trace ${traceId} holds ${mib(textBytes)} MiB of span attributes, events and links, more than the ${mib(this.maxDetailTextBytes)} MiB one answer holds: ${pages}`,
      );
    }
    // Leased when the store asks, once: a read's answer holds the texts and each span's other columns (a few hundred bytes).
    let lent: Buffer | null = null;
    const lend = (): Buffer | null => (lent ??= this.readRegion.lease(textBytes + stored * READ_ROW_BYTES));
    try {
      const [found, scores, running, decisions] = await Promise.all([
        // The bounds just found, not found again; a trace with none yet (its first commit may land now) is looked up by the read.
        slimPastBound ? null : this.store.traces.getTraceBytes(projectId, traceId, lend, bounds),
        this.scoresOf(projectId, traceId),
        this.store.runningSpans.ofTraces(projectId, [traceId]),
        // Tail sampling: the detail says a sampled-out trace is slim, as the list and /tree do.
        this.store.sampling.decisionsOf(projectId, [traceId]),
      ]);
      // A sampled-out trace's spans are statistics only (`sql/span-stats.ts`): its detail has none.
      const sampledOut = decisions.get(traceId) === false;
      if (found === null && running.length === 0 && !sampledOut) throw new AppError('ERR_NOT_FOUND', `trace ${traceId} was not found`);
      const trace = found ?? { spans: [], texts: NO_SPAN_TEXTS, logs: [] };
      let endedUs = 0;
      for (const span of trace.spans) endedUs = Math.max(endedUs, span.endTimeUs);
      // Written before the region is given back: the answer copies the texts.
      return traceDetailJson(traceId, trace, scores, liveSpansOf(running, endedUs, this.clock()), sampledOut, region);
    } finally {
      if (lent !== null) this.readRegion.release();
    }
  }

  /** A page of a trace: ordered from its compact columns, then only the page's rows read. */
  private async getTracePage(projectId: string, traceId: string, page: SpanPage): Promise<JsonUtf8<TraceDetailPage>> {
    const [timings, scores] = await Promise.all([this.store.traces.getTraceTimings(projectId, traceId), this.scoresOf(projectId, traceId)]);
    if (timings === null) throw new AppError('ERR_NOT_FOUND', `trace ${traceId} was not found`);
    const plan = pagePlan(timings, page);
    const first = page.offset === 0;
    // Past the end there is nothing to read; the first page reads the trace's own logs even with no span.
    const found =
      plan.ids.length === 0 && !first
        ? { spans: [], texts: NO_SPAN_TEXTS, logs: [] }
        : await this.store.traces.getTraceSpans(projectId, traceId, plan.ids, first);
    const kept = keptCopies(found.spans);
    const rows: number[] = [];
    const depths: number[] = [];
    plan.ids.forEach((id, k) => {
      const i = kept.get(id);
      // A span deleted (retention) between the two reads is left out, not made up.
      if (i === undefined) return;
      rows.push(i);
      depths.push(plan.depths[k]!);
    });
    return traceDetailPageJson(
      traceId,
      { trace: found, rows, depths, spanCount: plan.count, offset: page.offset, nextSpans: plan.next },
      pageScores(scores, timings, plan.ids, first),
    );
  }

  /** The scores of a trace and of its spans, in time order, as the API gives them. */
  private async scoresOf(projectId: string, traceId: string): Promise<Score[]> {
    return (await this.store.scores.scoresOfTraces(projectId, [traceId])).map(scoreFromStored);
  }

  /** `TraceDiff`: two traces of the project aligned span by span (`trace-diff.ts`). */
  async diffTraces(projectId: string, a: string, b: string): Promise<TraceDiff> {
    const [left, right] = await Promise.all([this.store.traces.getTrace(projectId, a), this.store.traces.getTrace(projectId, b)]);
    if (left === null) throw new AppError('ERR_NOT_FOUND', `trace ${a} was not found`);
    if (right === null) throw new AppError('ERR_NOT_FOUND', `trace ${b} was not found`);
    const replayed = replayedSpan(a, right.spans);
    if (replayed !== null) {
      // A replay of one call against its original: the call it replays against the replayed call.
      const original = left.spans.filter((span) => span.spanId === replayed.of).map((span) => ({ ...span, parentSpanId: null }));
      const calls = right.spans.filter((span) => span.parentSpanId === replayed.root).map((span) => ({ ...span, parentSpanId: null }));
      if (original.length > 0) return diffTraces(a, original, b, calls);
    }
    return diffTraces(a, left.spans, b, right.spans);
  }

  /** `TraceTree`: what the waterfall draws of every span, as columns, the trace's logs and its scores. */
  async getTraceTree(projectId: string, traceId: string): Promise<JsonUtf8<TraceTree>> {
    // Read a page at a time: never a million rows at once (`TreeStreams.json`).
    const json = await this.treeStreams.json(projectId, traceId);
    if (json === null) throw new AppError('ERR_NOT_FOUND', `trace ${traceId} was not found`);
    return json;
  }

  /** Spans of a trace whose attributes, status message or events contain `text`. */
  async searchTrace(projectId: string, traceId: string, text: string, limit: number): Promise<TraceSearchResponse> {
    const ids = await this.store.traces.searchTrace(projectId, traceId, text, limit + 1);
    // No match in a trace the project does not have is a 404, as for every other read of it. The
    // all-zero span id is invalid in OTLP, so asking for it reads no span, only whether the trace exists.
    if (ids.length === 0 && (await this.store.traces.getTrace(projectId, traceId, NO_SPAN)) === null) {
      throw new AppError('ERR_NOT_FOUND', `trace ${traceId} was not found`);
    }
    return { spanIds: ids.slice(0, limit), truncated: ids.length > limit };
  }

  /** `SpanDetail`: one span and its logs, read alone: the rest of a big trace stays in the store. */
  async getSpan(projectId: string, traceId: string, spanId: string): Promise<JsonUtf8<SpanDetail>> {
    const [found, running] = await Promise.all([
      this.store.traces.getTrace(projectId, traceId, spanId),
      this.store.runningSpans.ofTraces(projectId, [traceId], spanId),
    ]);
    const span = found?.spans[0];
    if (span !== undefined) return spanDetailJson(traceId, span, found!.logs);
    if (running.length === 0) throw new AppError('ERR_NOT_FOUND', `span ${spanId} of trace ${traceId} was not found`);
    // Running: its state by when its trace was last heard from, its ended spans' ends included.
    const [heard, ended] = await Promise.all([this.store.runningSpans.lastHeard(projectId, [traceId]), this.store.traces.getTraceTimings(projectId, traceId)]);
    let endedUs = heard.get(traceId) ?? 0;
    for (let i = 0; i < (ended?.count ?? 0); i++) endedUs = Math.max(endedUs, ended!.endUs[i]!);
    return spanDetailJson(traceId, running[0]!, found?.logs ?? [], liveSpansOf(running, endedUs, this.clock())[0]);
  }

  /** One LLM call for the inspector: its canonical fields and its prompt and completion. */
  async getLlmCall(projectId: string, traceId: string, spanId: string): Promise<LlmCallDetail> {
    const { span } = await this.oneSpan(projectId, traceId, spanId);
    return { traceId, spanId, llm: span.llm, messages: llmMessagesFrom(JSON.parse(span.attributesJson) as Attributes) };
  }

  /** What a replay needs of a recorded call: its name, duration, LLM fields, messages and request parameters. */
  async getReplaySource(projectId: string, traceId: string, spanId: string): Promise<ReplaySource> {
    const { span } = await this.oneSpan(projectId, traceId, spanId);
    const attributes = JSON.parse(span.attributesJson) as Attributes;
    const parameters: Attributes = {};
    for (const [key, value] of Object.entries(attributes)) if (key.startsWith('gen_ai.request.')) parameters[key] = value;
    return {
      name: span.name,
      durationMs: Math.max(0, span.endTimeUs - span.startTimeUs) / 1000,
      llm: span.llm,
      messages: llmMessagesFrom(attributes),
      parameters,
    };
  }

  private async oneSpan(projectId: string, traceId: string, spanId: string): Promise<{ span: StoredSpan; logs: StoredLog[] }> {
    const found = await this.store.traces.getTrace(projectId, traceId, spanId);
    const span = found?.spans[0];
    if (found === null || span === undefined) throw new AppError('ERR_NOT_FOUND', `span ${spanId} of trace ${traceId} was not found`);
    return { span, logs: found.logs };
  }

  async listServices(projectId: string, range: TimeRange): Promise<ServiceListResponse> {
    const services = await this.store.traces.listServices(projectId, range);
    return {
      services: services.map(({ lastSeenUs, ...counts }) => ({ ...counts, lastSeen: isoFromMicros(lastSeenUs) })),
    };
  }

  async listLogs(query: LogQuery): Promise<LogListResponse> {
    const after = query.cursor === null ? null : decodeCursor(query.cursor);
    const rows = await this.store.logs.listLogs(query, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      logs: page.map(logFromData),
      nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor({ timeUs: last.timeUs, id: last.logId }) : null,
    };
  }

  async listMetrics(projectId: string, range: TimeRange): Promise<MetricListResponse> {
    const metrics = await this.store.metrics.listMetrics(projectId, range);
    return {
      metrics: metrics.map(({ lastSeenUs, ...m }) => ({ ...m, lastSeen: isoFromMicros(lastSeenUs) })),
    };
  }

  /** `MetricPointListResponse`, integer points' values written exactly (`metric-points-json.ts`). */
  async listMetricPoints(query: MetricPointQuery): Promise<JsonUtf8<MetricPointListResponse>> {
    const offset = query.cursor === null ? 0 : decodeOffsetCursor(query.cursor);
    const rows = await this.store.metrics.listMetricPoints(query, offset, query.limit + 1);
    return metricPointsJson(rows.slice(0, query.limit).map(metricPointFromRecord), rows.length > query.limit ? encodeOffsetCursor(offset + query.limit) : null);
  }
}
