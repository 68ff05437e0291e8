import type { TraceSummary } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { withLiveTraces } from './live-traces';

/** A summary named `id`, started at second `second` of 10:00, with `spanCount` spans. */
const trace = (id: string, second: number, spanCount = 1): TraceSummary => ({
  traceId: id,
  rootName: `run ${id}`,
  serviceName: 'agent',
  startTime: `2026-11-22T10:00:${String(second).padStart(2, '0')}.000000Z`,
  durationMs: 10,
  spanCount,
  errorCount: 0,
  inputTokens: null,
  outputTokens: null,
  costUsd: null,
  unpricedCalls: 0,
  sessionId: null,
  userId: null,
  scores: {},
});
const changes = (...traces: TraceSummary[]) => new Map(traces.map((t) => [t.traceId, t]));
const shown = (rows: TraceSummary[]) => rows.map((t) => `${t.traceId}:${t.spanCount}`);

describe('withLiveTraces', () => {
  it.each([
    { name: 'keeps the list as it is without changes', listed: [trace('b', 2), trace('a', 1)], changed: [], hasMore: false, want: ['b:1', 'a:1'] },
    { name: 'puts a new run on top', listed: [trace('b', 2), trace('a', 1)], changed: [trace('c', 3)], hasMore: false, want: ['c:1', 'b:1', 'a:1'] },
    { name: 'updates a listed trace in place', listed: [trace('b', 2), trace('a', 1)], changed: [trace('a', 1, 5)], hasMore: false, want: ['b:1', 'a:5'] },
    {
      name: 'puts new traces in start order among the listed ones',
      listed: [trace('d', 40), trace('b', 20)],
      changed: [trace('e', 50), trace('c', 30), trace('f', 55)],
      hasMore: false,
      want: ['f:1', 'e:1', 'd:1', 'c:1', 'b:1'],
    },
    {
      name: 'orders traces that start together by trace id, newest first as the API does',
      listed: [trace('b', 2)],
      changed: [trace('a', 2), trace('c', 2)],
      hasMore: false,
      want: ['c:1', 'b:1', 'a:1'],
    },
    {
      name: 'adds an older trace at the end when every page is loaded',
      listed: [trace('b', 20)],
      changed: [trace('a', 10)],
      hasMore: false,
      want: ['b:1', 'a:1'],
    },
    { name: 'leaves an older trace to the pages not loaded yet', listed: [trace('b', 20)], changed: [trace('a', 10)], hasMore: true, want: ['b:1'] },
    { name: 'lists new traces in an empty list', listed: [], changed: [trace('a', 1), trace('b', 2)], hasMore: false, want: ['b:1', 'a:1'] },
  ])('$name', ({ listed, changed, hasMore, want }) => {
    expect(shown(withLiveTraces(listed, changes(...changed), hasMore))).toEqual(want);
  });
});
