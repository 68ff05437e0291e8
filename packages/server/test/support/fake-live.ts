import { SPAN_CATEGORIES, STATUS_CODES, type LiveSpan, type SpanRecord, type TraceQuery, type TraceSummaryRecord } from '@spoor/model';
import { type LiveCursor, positionOf } from '../../src/store/live-cursor.js';
import type { LiveSpanRow, LiveStore, LiveTraceFilter, TouchedTrace } from '../../src/store/store.js';
import type { TracePart } from '../../src/store/trace-parts.js';

/** The fake's one writer, as cursors name it. */
const WRITER = 'fake';

/**
 * The live port in memory: each commit of the fake store numbered, as DuckDB numbers its
 * transactions, and its spans and trace parts kept with the number.
 */
export class FakeLiveStore implements LiveStore {
  private seq = 0;
  private readonly spans: Array<{ span: SpanRecord; seq: number; running: boolean }> = [];
  private readonly parts: Array<{ projectId: string; traceId: string; seq: number; endUs: number }> = [];
  private readonly logTraces: Array<{ projectId: string; traceId: string; seq: number }> = [];

  constructor(private readonly listTraces: (query: TraceQuery) => TraceSummaryRecord[]) {}

  /** A commit made durable: its spans, running snapshots, parts and logs get its number. */
  committed(
    spans: readonly SpanRecord[],
    parts: readonly TracePart[],
    running: readonly SpanRecord[] = [],
    logs: ReadonlyArray<{ projectId: string; traceId: string | null }> = [],
  ): void {
    const seq = ++this.seq;
    // Tail sampling: the traces of the logs, for its late sweep (`logTracesAfter`).
    for (const log of logs) if (log.traceId !== null) this.logTraces.push({ projectId: log.projectId, traceId: log.traceId, seq });
    for (const span of spans) this.spans.push({ span, seq, running: false });
    for (const span of running) this.spans.push({ span, seq, running: true });
    for (const part of parts) this.parts.push({ projectId: part.projectId, traceId: part.traceId, seq, endUs: part.endUs });
    // A snapshot touches its trace too: one whose spans all still run is listed.
    for (const span of running) this.parts.push({ projectId: span.projectId, traceId: span.traceId, seq, endUs: Number.MAX_SAFE_INTEGER });
  }

  async head(): Promise<LiveCursor> {
    return this.seq === 0 ? [] : [{ writer: WRITER, major: this.seq, minor: 0 }];
  }

  async spansAfter(projectId: string, traceIds: readonly string[], after: LiveCursor, upTo: LiveCursor): Promise<LiveSpanRow[]> {
    const [from, to] = range(after, upTo);
    const wanted = new Set(traceIds);
    // A snapshot of a span stored ended is never sent, as the engines leave it out.
    const ended = new Set(this.spans.filter((s) => !s.running && s.span.projectId === projectId).map((s) => `${s.span.traceId}/${s.span.spanId}`));
    return this.spans
      .filter(
        ({ span, seq, running }) =>
          seq > from && seq <= to && span.projectId === projectId && wanted.has(span.traceId) && !(running && ended.has(`${span.traceId}/${span.spanId}`)),
      )
      .sort(
        (a, b) => a.seq - b.seq || Number(b.running) - Number(a.running) || a.span.startTimeUs - b.span.startTimeUs || (a.span.spanId < b.span.spanId ? -1 : 1),
      )
      .map(({ span, seq, running }) => ({ traceId: span.traceId, span: liveSpanOf(span, running), at: { writer: WRITER, major: seq, minor: 0 } }));
  }

  /** The traces of the logs commits after `after` up to `upTo` wrote (tail sampling's late logs, `FakeSamplingStore`). */
  logTracesAfter(projectId: string, after: LiveCursor, upTo: LiveCursor): Set<string> {
    const [from, to] = range(after, upTo);
    return new Set(this.logTraces.filter((l) => l.projectId === projectId && l.seq > from && l.seq <= to).map((l) => l.traceId));
  }

  /** The project's traces commits after `after` up to `upTo` wrote a part or a running snapshot of (what completeness is measured by, `FakeEvaluatorStore`). */
  touched(projectId: string, after: LiveCursor, upTo: LiveCursor): Set<string> {
    const [from, to] = range(after, upTo);
    return new Set(this.parts.filter((p) => p.projectId === projectId && p.seq > from && p.seq <= to).map((p) => p.traceId));
  }

  async tracesAfter(projectId: string, after: LiveCursor, upTo: LiveCursor, limit: number): Promise<TouchedTrace[]> {
    const [from, to] = range(after, upTo);
    const last = new Map<string, number>();
    for (const part of this.parts) {
      if (part.projectId === projectId && part.seq > from && part.seq <= to) last.set(part.traceId, Math.max(last.get(part.traceId) ?? 0, part.seq));
    }
    return [...last]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([traceId, seq]) => ({ traceId, at: { writer: WRITER, major: seq, minor: 0 } }));
  }

  async traceSummaries(filter: LiveTraceFilter, traceIds: readonly string[]): Promise<TraceSummaryRecord[]> {
    const wanted = new Set(traceIds);
    return this.listTraces({ ...filter, limit: Number.MAX_SAFE_INTEGER, cursor: null }).filter((t) => wanted.has(t.traceId));
  }
}

function range(after: LiveCursor, upTo: LiveCursor): [number, number] {
  return [positionOf(after, WRITER)?.major ?? 0, positionOf(upTo, WRITER)?.major ?? 0];
}

function liveSpanOf(span: SpanRecord, running: boolean): LiveSpan {
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    service: span.serviceName,
    startUs: span.startTimeUs,
    endUs: running ? null : span.endTimeUs,
    statusCode: STATUS_CODES.indexOf(span.status.code),
    category: SPAN_CATEGORIES.indexOf(span.category),
    state: running ? 'running' : 'ended',
    inputTokens: span.llm?.inputTokens ?? null,
    outputTokens: span.llm?.outputTokens ?? null,
    costUsd: span.llm?.costUsd ?? null,
    model: span.llm?.responseModel ?? span.llm?.requestModel ?? null,
    events: span.events.map((event) => [event.timeUs, event.name]),
  };
}
