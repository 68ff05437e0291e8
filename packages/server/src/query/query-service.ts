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
  type TraceTree,
} from '@spoor/model';
import { AppError } from '../errors.js';
import { llmMessagesFrom } from '../normalize/messages.js';
import type { LogReader, MetricReader, ScoreStore, TraceReader } from '../store/store.js';
import type { StoredLog, StoredSpan } from '../store/stored-trace.js';
import { logFromData, metricPointFromRecord, scoreFromStored, scoreSummariesOf, traceSummaryFromRecord } from './convert.js';
import { decodeCursor, decodeOffsetCursor, encodeCursor, encodeOffsetCursor } from './cursor.js';
import type { JsonUtf8 } from '../json.js';
import { metricPointsJson } from './metric-points-json.js';
import { diffTraces } from './trace-diff.js';
import { spanDetailJson, traceDetailJson, traceDetailPageJson, traceTreeJson } from './trace-json.js';
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

export class QueryService {
  /** `maxDetailTextBytes`: the stored text bytes of the largest trace answered whole (default `MAX_DETAIL_TEXT_BYTES`). */
  constructor(
    private readonly store: TraceReader & LogReader & MetricReader & { readonly scores: ScoreStore },
    private readonly maxDetailTextBytes = MAX_DETAIL_TEXT_BYTES,
  ) {}

  /** A page of trace summaries, with the page's scores tallied in one query. */
  async listTraces(query: TraceQuery): Promise<TraceListResponse> {
    const after = query.cursor === null ? null : decodeCursor(query.cursor);
    const rows = await this.store.listTraces(query, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const tallies = await this.store.scores.tallyTraceScores(query.projectId, page.map((t) => t.traceId));
    return {
      traces: page.map((t) => traceSummaryFromRecord(t, scoreSummariesOf(tallies.get(t.traceId)))),
      nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor({ timeUs: last.startTimeUs, id: last.traceId }) : null,
    };
  }

  /**
   * `TraceDetail`: every span of a trace, in tree order, its logs and its scores; with `page`, a
   * page of them (`TraceDetailPage`). A trace of more than `MAX_DETAIL_SPANS` spans is answered
   * only in pages: its whole answer would pass what the server holds in memory and what a client
   * can parse (`trace-pages.ts`).
   */
  async getTrace(projectId: string, traceId: string, page: SpanPage | null = null): Promise<JsonUtf8<TraceDetail | TraceDetailPage>> {
    if (page !== null) return this.getTracePage(projectId, traceId, page);
    const [stored, textBytes] = await Promise.all([this.store.countTraceSpans(projectId, traceId), this.store.countTraceTextBytes(projectId, traceId)]);
    const pages = `ask for pages of it with ?spans=OFFSET,LIMIT (e.g. ?spans=0,${MAX_PAGE_SPANS})`;
    if (stored > MAX_DETAIL_SPANS) {
      throw new AppError('ERR_TRACE_TOO_LARGE', `trace ${traceId} has ${stored} spans, more than the ${MAX_DETAIL_SPANS} one answer holds: ${pages}`);
    }
    if (textBytes > this.maxDetailTextBytes) {
      throw new AppError(
        'ERR_TRACE_TOO_LARGE',
        `trace ${traceId} holds ${mib(textBytes)} MiB of span attributes, events and links, more than the ${mib(this.maxDetailTextBytes)} MiB one answer holds: ${pages}`,
      );
    }
    const [found, scores] = await Promise.all([this.store.getTraceBytes(projectId, traceId), this.scoresOf(projectId, traceId)]);
    if (found === null) throw new AppError('ERR_NOT_FOUND', `trace ${traceId} was not found`);
    return traceDetailJson(traceId, found, scores);
  }

  /** A page of a trace: ordered from its compact columns, then only the page's rows read. */
  private async getTracePage(projectId: string, traceId: string, page: SpanPage): Promise<JsonUtf8<TraceDetailPage>> {
    const [timings, scores] = await Promise.all([this.store.getTraceTimings(projectId, traceId), this.scoresOf(projectId, traceId)]);
    if (timings === null) throw new AppError('ERR_NOT_FOUND', `trace ${traceId} was not found`);
    const plan = pagePlan(timings, page);
    const first = page.offset === 0;
    // Past the end there is nothing to read; the first page reads the trace's own logs even with no span.
    const found = plan.ids.length === 0 && !first ? { spans: [], logs: [] } : await this.store.getTraceSpans(projectId, traceId, plan.ids, first);
    const kept = keptCopies(found.spans);
    const spans: StoredSpan[] = [];
    const depths: number[] = [];
    plan.ids.forEach((id, k) => {
      const span = kept.get(id);
      // A span deleted (retention) between the two reads is left out, not made up.
      if (span === undefined) return;
      spans.push(span);
      depths.push(plan.depths[k]!);
    });
    return traceDetailPageJson(
      traceId,
      { spans, depths, logs: found.logs, spanCount: plan.count, offset: page.offset, nextSpans: plan.next },
      pageScores(scores, timings, plan.ids, first),
    );
  }

  /** The scores of a trace and of its spans, in time order, as the API gives them. */
  private async scoresOf(projectId: string, traceId: string): Promise<Score[]> {
    return (await this.store.scores.scoresOfTraces(projectId, [traceId])).map(scoreFromStored);
  }

  /** `TraceDiff`: two traces of the project aligned span by span (`trace-diff.ts`). */
  async diffTraces(projectId: string, a: string, b: string): Promise<TraceDiff> {
    const [left, right] = await Promise.all([this.store.getTrace(projectId, a), this.store.getTrace(projectId, b)]);
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
    const [found, scores] = await Promise.all([this.store.getTraceTree(projectId, traceId), this.scoresOf(projectId, traceId)]);
    if (found === null) throw new AppError('ERR_NOT_FOUND', `trace ${traceId} was not found`);
    return traceTreeJson(traceId, found.tree, found.logs, scores);
  }

  /** Spans of a trace whose attributes, status message or events contain `text`. */
  async searchTrace(projectId: string, traceId: string, text: string, limit: number): Promise<TraceSearchResponse> {
    const ids = await this.store.searchTrace(projectId, traceId, text, limit + 1);
    // No match in a trace the project does not have is a 404, as for every other read of it. The
    // all-zero span id is invalid in OTLP, so asking for it reads no span, only whether the trace exists.
    if (ids.length === 0 && (await this.store.getTrace(projectId, traceId, NO_SPAN)) === null) {
      throw new AppError('ERR_NOT_FOUND', `trace ${traceId} was not found`);
    }
    return { spanIds: ids.slice(0, limit), truncated: ids.length > limit };
  }

  /** `SpanDetail`: one span and its logs, read alone: the rest of a big trace stays in the store. */
  async getSpan(projectId: string, traceId: string, spanId: string): Promise<JsonUtf8<SpanDetail>> {
    const { span, logs } = await this.oneSpan(projectId, traceId, spanId);
    return spanDetailJson(traceId, span, logs);
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
    const found = await this.store.getTrace(projectId, traceId, spanId);
    const span = found?.spans[0];
    if (found === null || span === undefined) throw new AppError('ERR_NOT_FOUND', `span ${spanId} of trace ${traceId} was not found`);
    return { span, logs: found.logs };
  }

  async listServices(projectId: string, range: TimeRange): Promise<ServiceListResponse> {
    const services = await this.store.listServices(projectId, range);
    return {
      services: services.map(({ lastSeenUs, ...counts }) => ({ ...counts, lastSeen: isoFromMicros(lastSeenUs) })),
    };
  }

  async listLogs(query: LogQuery): Promise<LogListResponse> {
    const after = query.cursor === null ? null : decodeCursor(query.cursor);
    const rows = await this.store.listLogs(query, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      logs: page.map(logFromData),
      nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor({ timeUs: last.timeUs, id: last.logId }) : null,
    };
  }

  async listMetrics(projectId: string, range: TimeRange): Promise<MetricListResponse> {
    const metrics = await this.store.listMetrics(projectId, range);
    return {
      metrics: metrics.map(({ lastSeenUs, ...m }) => ({ ...m, lastSeen: isoFromMicros(lastSeenUs) })),
    };
  }

  /** `MetricPointListResponse`, integer points' values written exactly (`metric-points-json.ts`). */
  async listMetricPoints(query: MetricPointQuery): Promise<JsonUtf8<MetricPointListResponse>> {
    const offset = query.cursor === null ? 0 : decodeOffsetCursor(query.cursor);
    const rows = await this.store.listMetricPoints(query, offset, query.limit + 1);
    return metricPointsJson(
      rows.slice(0, query.limit).map(metricPointFromRecord),
      rows.length > query.limit ? encodeOffsetCursor(offset + query.limit) : null,
    );
  }
}
