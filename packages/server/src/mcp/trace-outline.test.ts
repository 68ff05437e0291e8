import type { LogRecord, Score, TraceTree } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { errorRowsOf, traceOutline } from './trace-outline.js';

interface SpanSpec {
  id: string;
  parent?: string;
  name: string;
  startUs: number;
  durationUs: number;
  service?: number;
  error?: boolean;
  llm?: { model: string; input: number; output: number; cost: number | null };
  state?: number;
  category?: number;
}

/** A `/tree` answer of these spans, columns given in the order listed (any order: the outline sorts). */
function treeOf(spans: SpanSpec[], extra: { services?: string[]; logs?: Partial<LogRecord>[]; scores?: Partial<Score>[] } = {}): TraceTree {
  return {
    traceId: 'f'.repeat(32),
    startTime: '2026-01-01T00:00:00.000000Z',
    spanIds: spans.map((s) => s.id),
    parentSpanIds: spans.map((s) => s.parent ?? null),
    names: spans.map((s) => s.name),
    services: extra.services ?? ['agent'],
    serviceIndexes: spans.map((s) => s.service ?? 0),
    startOffsetsUs: spans.map((s) => s.startUs),
    durationsUs: spans.map((s) => s.durationUs),
    statusCodes: spans.map((s) => (s.error === true ? 2 : 0)),
    categories: spans.map((s) => s.category ?? (s.llm === undefined ? 7 : 3)),
    states: spans.map((s) => s.state ?? 0),
    events: [],
    inputTokens: spans.map((s) => s.llm?.input ?? null),
    outputTokens: spans.map((s) => s.llm?.output ?? null),
    costUsd: spans.map((s) => s.llm?.cost ?? null),
    models: spans.map((s) => s.llm?.model ?? null),
    sessionId: 'sess-1',
    logs: (extra.logs ?? []) as LogRecord[],
    scores: (extra.scores ?? []) as Score[],
  };
}

const id = (n: number): string => n.toString(16).padStart(16, '0');

const RUN: SpanSpec[] = [
  { id: id(3), parent: id(1), name: 'lookup', startUs: 500_000, durationUs: 250_000, error: true, service: 1 },
  { id: id(1), name: 'answer', startUs: 0, durationUs: 900_500 },
  { id: id(2), parent: id(1), name: 'chat gpt-4o', startUs: 10_000, durationUs: 390_000, llm: { model: 'gpt-4o', input: 120, output: 30, cost: 0.0006 } },
  { id: id(4), parent: id(2), name: 'tool call', startUs: 20_000, durationUs: 1_000, state: 1, category: 4 },
];

describe('traceOutline', () => {
  const all = { offset: 0, limit: 10_000, maxChars: 40_000 };

  it('gives the headline of the whole trace and its rows in tree order, saying nothing a row lacks', () => {
    const tree = treeOf(RUN, {
      services: ['agent', 'orders'],
      logs: [
        { time: 't1', spanId: id(3), severityNumber: 17, body: 'x'.repeat(1000) },
        { time: 't0', spanId: null, severityNumber: 9, body: 'fine' },
      ],
      scores: [{ name: 'helpful', value: 0.5, label: null, spanId: null, source: 'api', comment: 'not in the outline' }],
    });
    const outline = traceOutline(tree, all);
    expect(outline.trace).toEqual({
      traceId: 'f'.repeat(32),
      rootName: 'answer',
      startTime: '2026-01-01T00:00:00.000000Z',
      durationMs: 900.5,
      spanCount: 4,
      errorCount: 1,
      running: 1,
      services: ['agent', 'orders'],
      sessionId: 'sess-1',
      inputTokens: 120,
      outputTokens: 30,
      costUsd: 0.0006,
      models: ['gpt-4o'],
      logCount: 2,
      errorLogs: [{ time: 't1', spanId: id(3), body: `${'x'.repeat(300)}…` }],
      scores: [{ name: 'helpful', value: 0.5, label: null, spanId: null, source: 'api' }],
    });
    expect(outline.spans).toEqual([
      { spanId: id(1), depth: 0, name: 'answer', service: 'agent', startMs: 0, durationMs: 900.5 },
      {
        spanId: id(2),
        depth: 1,
        name: 'chat gpt-4o',
        service: 'agent',
        startMs: 10,
        durationMs: 390,
        category: 'llm',
        model: 'gpt-4o',
        inputTokens: 120,
        outputTokens: 30,
        costUsd: 0.0006,
      },
      { spanId: id(4), depth: 2, name: 'tool call', service: 'agent', startMs: 20, durationMs: 1, category: 'tool', state: 'running' },
      { spanId: id(3), depth: 1, name: 'lookup', service: 'orders', startMs: 500, durationMs: 250, status: 'error' },
    ]);
    expect(outline.nextSpans).toBeNull();
    expect(outline.note).toMatch(/^spans 0 to 3 of 4 are shown, in tree order: that is the rest of the trace\. get_span/);
  });

  it("names no service on rows of a one-service trace, and a failed row's message once the caller read it", () => {
    const plain = RUN.map(({ service: _s, ...span }) => span);
    const outline = traceOutline(treeOf(plain), { ...all, messages: new Map([[id(3), 'order 42 not found']]) });
    expect(outline.spans.every((row) => row.service === undefined)).toBe(true);
    expect(outline.spans[3]).toMatchObject({ status: 'error', error: 'order 42 not found' });
    expect(errorRowsOf(outline)).toEqual([]);
    expect(errorRowsOf(traceOutline(treeOf(plain), all))).toEqual([id(3)]);
  });

  const wide: SpanSpec[] = [
    { id: id(1), name: 'batch', startUs: 0, durationUs: 1000 },
    ...Array.from({ length: 99 }, (_, i) => ({ id: id(i + 2), parent: id(1), name: `item ${i + 1}`, startUs: i + 1, durationUs: 10 })),
  ];

  it.each([
    { spans: { offset: 0, limit: 10_000 }, maxChars: 40_000, shown: 100, next: null },
    { spans: { offset: 0, limit: 10 }, maxChars: 40_000, shown: 10, next: '10,10' },
    { spans: { offset: 90, limit: 50 }, maxChars: 40_000, shown: 10, next: null },
    { spans: { offset: 20, limit: 10_000 }, maxChars: 3000, shown: 'some', next: 'from the last' },
  ])('pages rows $spans.offset on (limit $spans.limit) within $maxChars characters', ({ spans, maxChars, shown, next }) => {
    const outline = traceOutline(treeOf(wide), { ...spans, maxChars });
    expect(outline.offset).toBe(spans.offset);
    expect(outline.spans[0]!.spanId).toBe(id(spans.offset + 1));
    expect(JSON.stringify(outline).length).toBeLessThanOrEqual(maxChars);
    if (typeof shown === 'number') expect(outline.spans).toHaveLength(shown);
    else expect(outline.spans.length).toBeGreaterThan(5);
    const end = spans.offset + outline.spans.length;
    expect(outline.nextSpans).toBe(next === null ? null : `${end},${spans.limit}`);
    if (next !== null)
      expect(outline.note).toContain(`${100 - end} after them are left out: call get_trace with traceId="${'f'.repeat(32)}" and spans="${end},${spans.limit}"`);
    if (spans.offset > 0) expect(outline.note).toContain(`rows before ${spans.offset} are on earlier pages`);
  });

  it('shows one row at least, however small maxChars, so that paging always moves on', () => {
    const outline = traceOutline(treeOf(wide), { offset: 5, limit: 10_000, maxChars: 10 });
    expect(outline.spans).toHaveLength(1);
    expect(outline.nextSpans).toBe('6,10000');
  });

  it('says where the trace ends when asked past it, and what a trace of no spans is', () => {
    expect(traceOutline(treeOf(wide), { offset: 500, limit: 10, maxChars: 40_000 }).note).toBe(
      'the trace has 100 spans: row 500 is past its last; ask with spans="0,10"',
    );
    const empty = traceOutline(treeOf([]), all);
    expect(empty.spans).toEqual([]);
    expect(empty.trace).toMatchObject({ rootName: '', spanCount: 0, inputTokens: null, costUsd: null });
    expect(empty.note).toBe('the trace has no ended or running span (only logs or scores)');
  });

  it('says how many calls its cost leaves out for want of a price', () => {
    const unpriced: SpanSpec = {
      id: id(5),
      parent: id(1),
      name: 'chat mystery-1',
      startUs: 600_000,
      durationUs: 10_000,
      llm: { model: 'mystery-1', input: 9, output: 3, cost: null },
    };
    const outline = traceOutline(treeOf([...RUN, unpriced]), all);
    expect(outline.trace).toMatchObject({ inputTokens: 129, costUsd: 0.0006, unpricedCalls: 1 });
    expect(traceOutline(treeOf(RUN), all).trace).not.toHaveProperty('unpricedCalls');
  });
});
