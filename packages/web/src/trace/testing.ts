import { SPAN_CATEGORIES, type SpanCategory, type TraceTree } from '@spoor/model';

/** A span for view-model tests: what the tree columns carry, with defaults. */
export interface TestSpan {
  id: string;
  parent: string | null;
  startMs: number;
  durationMs: number;
  name?: string;
  service?: string;
  error?: boolean;
  category?: SpanCategory;
  model?: string | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  costUsd?: number | null;
  events?: [offsetMs: number, name: string][];
  sessionId?: string | null;
}

export function spanOf(id: string, parent: string | null, startMs: number, durationMs: number, extra: Partial<TestSpan> = {}): TestSpan {
  return { id, parent, startMs, durationMs, ...extra };
}

/** The `GET /api/traces/:id/tree` answer for `spans`, starting 2026-11-22T10:00:00Z. */
export function traceOf(spans: readonly TestSpan[]): TraceTree {
  const services = [...new Set(spans.map((s) => s.service ?? 'agent'))];
  // As the server does: offsets count from the earliest start.
  const originMs = spans.length === 0 ? 0 : Math.min(...spans.map((s) => s.startMs));
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    startTime: '2026-11-22T10:00:00.000000Z',
    spanIds: spans.map((s) => s.id),
    parentSpanIds: spans.map((s) => s.parent),
    names: spans.map((s) => s.name ?? `span ${s.id}`),
    services,
    serviceIndexes: spans.map((s) => services.indexOf(s.service ?? 'agent')),
    startOffsetsUs: spans.map((s) => Math.round((s.startMs - originMs) * 1000)),
    durationsUs: spans.map((s) => Math.round(s.durationMs * 1000)),
    statusCodes: spans.map((s) => (s.error === true ? 2 : 0)),
    categories: spans.map((s) => SPAN_CATEGORIES.indexOf(s.category ?? 'other')),
    states: spans.map(() => 0),
    events: spans.flatMap((s, i) => (s.events ?? []).map(([offsetMs, name]): [number, number, string] => [i, Math.round((offsetMs - originMs) * 1000), name])),
    inputTokens: spans.map((s) => s.inputTokens ?? null),
    outputTokens: spans.map((s) => s.outputTokens ?? null),
    costUsd: spans.map((s) => s.costUsd ?? null),
    models: spans.map((s) => s.model ?? null),
    sessionId: spans.find((s) => s.sessionId != null)?.sessionId ?? null,
    logs: [],
    scores: [],
  };
}

/** The span ids of `rows`. */
export const idsOf = (tree: { spanIds: readonly string[] }, rows: ArrayLike<number>): string[] => Array.from(rows, (r) => tree.spanIds[r]!);
