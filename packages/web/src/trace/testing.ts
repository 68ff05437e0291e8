import { SPAN_CATEGORIES, type SpanCategory, type TraceTree } from '@spoor/model';
import { columnsFromTraceTree } from './span-batch';
import { buildSpanTree, spanIdAt, type SpanTree } from './span-tree';

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

/** The `GET /api/traces/:id/tree` answer for `spans`, starting 2026-11-22T10:00:00Z (at `origin` ms, by default the first start). */
export function traceOf(spans: readonly TestSpan[], origin?: number): TraceTree {
  const services = [...new Set(spans.map((s) => s.service ?? 'agent'))];
  // As the server does: offsets count from the earliest start (a batch of a live update gives its own).
  const originMs = origin ?? (spans.length === 0 ? 0 : Math.min(...spans.map((s) => s.startMs)));
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    startTime: '2026-11-22T10:00:00.000000Z',
    spanIds: spans.map((s) => hexId(s.id)),
    parentSpanIds: spans.map((s) => (s.parent === null ? null : hexId(s.parent))),
    names: spans.map((s) => s.name ?? `span ${s.id}`),
    services,
    serviceIndexes: spans.map((s) => services.indexOf(s.service ?? 'agent')),
    startOffsetsUs: spans.map((s) => Math.round((s.startMs - originMs) * 1000)),
    durationsUs: spans.map((s) => Math.round(s.durationMs * 1000)),
    statusCodes: spans.map((s) => (s.error === true ? 2 : 0)),
    states: spans.map(() => 0),
    categories: spans.map((s) => SPAN_CATEGORIES.indexOf(s.category ?? 'other')),
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

/** The waterfall's tree of `spans`. */
export const treeOf = (spans: readonly TestSpan[]): SpanTree => buildSpanTree(columnsFromTraceTree(traceOf(spans)));

const testIds = new Map<string, string>();

/**
 * A test's short span name as a span id (16 hex digits): hex text is padded with zeros (so `aaaa0002`
 * stays a prefix of its id), other text spelled in hex char codes. `idsOf` gives the names back.
 */
export function hexId(id: string): string {
  const hex = /^[0-9a-f]{1,16}$/.test(id)
    ? id.padEnd(16, '0')
    : Array.from(id, (c) => c.charCodeAt(0).toString(16).padStart(2, '0'))
        .join('')
        .slice(0, 16)
        .padEnd(16, '0');
  const held = testIds.get(hex);
  // 'a' and 'a0' pad to the same id: a test naming both would read one as the other.
  if (held !== undefined && held !== id) throw new Error(`test span names '${held}' and '${id}' make the same id ${hex}: rename one`);
  testIds.set(hex, id);
  return hex;
}

/** The test names of the spans of `rows`. */
export const idsOf = (tree: SpanTree, rows: ArrayLike<number>): string[] =>
  Array.from(rows, (r) => {
    const id = spanIdAt(tree, r);
    return testIds.get(id) ?? id;
  });
