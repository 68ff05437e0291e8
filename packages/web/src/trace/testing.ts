import type { Span } from '@spoor/model';

/** Test spans: `[id, parent, startMs, durationMs]` after 2026-11-22T10:00:00Z, plus overrides. */
export function spanOf(id: string, parent: string | null, startMs: number, durationMs: number, extra: Partial<Span> = {}): Span {
  const startUs = Date.parse('2026-11-22T10:00:00Z') * 1000 + Math.round(startMs * 1000);
  const seconds = Math.floor(startUs / 1e6);
  const startTime = `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(startUs - seconds * 1e6).padStart(6, '0')}Z`;
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: id,
    parentSpanId: parent,
    traceState: '',
    flags: 1,
    name: `span ${id}`,
    kind: 'internal',
    serviceName: 'agent',
    startTime,
    endTime: startTime,
    durationMs,
    status: { code: 'unset', message: '' },
    attributes: {},
    resource: { 'service.name': 'agent' },
    scope: { name: 'test', version: '', attributes: {}, droppedAttributesCount: 0 },
    events: [],
    links: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    llm: null,
    sessionId: null,
    userId: null,
    category: 'other',
    depth: 0,
    ...extra,
  };
}

/** The row order of a tree as span ids. */
export const idsOf = (spans: readonly Span[], rows: ArrayLike<number>): string[] => Array.from(rows as ArrayLike<number>, (r) => spans[r]!.spanId);
