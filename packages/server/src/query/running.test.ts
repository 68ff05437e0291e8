import type { TraceQuery, TraceSummaryRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { span } from '../../test/support/record-fixtures.js';
import { storedSpanOf } from '../../test/support/fake-reads.js';
import type { StoredRunningSpan } from '../store/store.js';
import { liveSpansOf, liveSummary, mergeNewestFirst, runningTraceFilterOf, runningTreeColumns, traceStateOf, withRunningRoot } from './running.js';

const SEC = 1_000_000;
const clock = { nowUs: 1_000 * SEC, staleAfterUs: 600 * SEC };
const running = (over: Partial<Parameters<typeof span>[0]> & { receivedUs: number }): StoredRunningSpan => {
  const { receivedUs, ...fields } = over;
  return { ...storedSpanOf(span({ endTimeUs: 0, ...fields })), receivedUs };
};

describe('traceStateOf', () => {
  it.each([
    ['heard from just now', 1_000 * SEC, 'running'],
    ['heard from a moment short of --stale-after ago', 400 * SEC + 1, 'running'],
    ['heard from --stale-after ago', 400 * SEC, 'abandoned'],
    ['heard from long ago', 0, 'abandoned'],
  ])('a trace %s is %s', (_label, lastHeardUs, state) => {
    expect(traceStateOf(lastHeardUs, clock)).toBe(state);
  });
});

describe('liveSpansOf', () => {
  it('gives running spans their duration to now, while their trace is heard from', () => {
    const live = liveSpansOf([running({ startTimeUs: 900 * SEC, receivedUs: 950 * SEC })], 0, clock);
    expect(live.map((l) => [l.state, l.durationUs])).toEqual([['running', 100 * SEC]]);
  });

  it('counts a span of the trace ending as hearing from it', () => {
    const live = liveSpansOf([running({ startTimeUs: 100 * SEC, receivedUs: 200 * SEC })], 500 * SEC, clock);
    expect(live.map((l) => l.state)).toEqual(['running']);
  });

  it('gives abandoned spans their duration to when their trace was last heard from, however late it is read', () => {
    const spans = [
      running({ startTimeUs: 100 * SEC, receivedUs: 300 * SEC }),
      running({ spanId: 'b'.repeat(16), startTimeUs: 150 * SEC, receivedUs: 200 * SEC }),
    ];
    const live = liveSpansOf(spans, 250 * SEC, clock);
    expect(live.map((l) => [l.state, l.durationUs])).toEqual([
      ['abandoned', 200 * SEC],
      ['abandoned', 150 * SEC],
    ]);
    expect(liveSpansOf(spans, 250 * SEC, { ...clock, nowUs: 9_000 * SEC }).map((l) => l.durationUs)).toEqual([200 * SEC, 150 * SEC]);
  });
});

describe('liveSummary', () => {
  const record = (over: Partial<TraceSummaryRecord>): TraceSummaryRecord => ({
    traceId: 't',
    rootName: 'r',
    serviceName: 's',
    startTimeUs: 100 * SEC,
    endTimeUs: 300 * SEC,
    spanCount: 2,
    errorCount: 0,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    unpricedCalls: 0,
    sessionId: null,
    userId: null,
    ...over,
  });
  it.each([
    ['without running spans: as stored', undefined, { endTimeUs: 300 * SEC, running: false }],
    ['with a running span heard from lately: running, to now', 900 * SEC, { endTimeUs: 1_000 * SEC, running: true }],
    ['with a running span abandoned: to when last heard from', 350 * SEC, { endTimeUs: 350 * SEC, running: false }],
  ])('a trace %s', (_label, heardUs, expected) => {
    expect(liveSummary(record({}), heardUs, clock)).toEqual(expected);
  });
});

describe('runningTraceFilterOf', () => {
  const base: TraceQuery = {
    projectId: 'default',
    range: { fromUs: null, toUs: null },
    service: null,
    spanName: null,
    text: null,
    status: null,
    minDurationMs: null,
    maxDurationMs: null,
    attributes: [],
    sessionId: null,
    model: null,
    scores: [],
    limit: 50,
    cursor: null,
  };
  it('holds a trace of running spans alone to service, span name and session', () => {
    expect(runningTraceFilterOf({ ...base, service: 'a', spanName: 'b', sessionId: 'c' })).toEqual({ service: 'a', spanName: 'b', sessionId: 'c' });
  });
  it.each([
    ['status', { status: 'ok' as const }],
    ['duration', { minDurationMs: 1 }],
    ['text', { text: 'x' }],
    ['attributes', { attributes: [{ key: 'k', value: 'v' }] }],
    ['model', { model: 'gpt-4o' }],
    ['scores', { scores: [{ name: 'q', op: '<' as const, value: 1 }] }],
  ])('lists none when the query filters on %s', (_label, over: Partial<TraceQuery>) => {
    expect(runningTraceFilterOf({ ...base, ...over })).toBeNull();
  });
});

describe('mergeNewestFirst', () => {
  it('merges two newest-first pages by start then trace id, up to the limit', () => {
    const t = (startTimeUs: number, traceId: string) => ({ startTimeUs, traceId });
    expect(mergeNewestFirst([t(9, 'a'), t(5, 'b'), t(1, 'c')], [t(7, 'x'), t(5, 'z'), t(0, 'y')], 5)).toEqual([
      t(9, 'a'),
      t(7, 'x'),
      t(5, 'z'),
      t(5, 'b'),
      t(1, 'c'),
    ]);
    expect(mergeNewestFirst([], [t(1, 'a')], 5)).toEqual([t(1, 'a')]);
  });
});

describe('runningTreeColumns', () => {
  it("makes a chunk of the tree's columns of running spans: their state, duration so far and events, their tokens left out", () => {
    const live = liveSpansOf(
      [
        running({
          spanId: 'b'.repeat(16),
          parentSpanId: 'a',
          startTimeUs: 90 * SEC,
          receivedUs: 999 * SEC,
          serviceName: 'other',
          events: [{ timeUs: 95 * SEC, name: 'tick', attributes: {}, droppedAttributesCount: 0 }],
        }),
      ],
      105 * SEC,
      clock,
    );
    const columns = runningTreeColumns(live);
    expect(Array.from(columns.states!)).toEqual([1]);
    expect(columns).toMatchObject({
      spanIds: ['b'.repeat(16)],
      parentSpanIds: ['a'],
      services: ['other'],
      startsUs: [90 * SEC],
      durationsUs: [910 * SEC],
      events: [[0, 95 * SEC, 'tick']],
      inputTokens: [null],
      outputTokens: [null],
      costUsd: [null],
    });
    // A trace not heard from for --stale-after: abandoned, its duration to when it was last heard from.
    const abandoned = runningTreeColumns(liveSpansOf([running({ startTimeUs: 50 * SEC, receivedUs: 100 * SEC })], 0, clock));
    expect([Array.from(abandoned.states!), abandoned.durationsUs]).toEqual([[2], [50 * SEC]]);
  });
});

describe('withRunningRoot', () => {
  const stored: TraceSummaryRecord = {
    traceId: 'a'.repeat(32),
    rootName: 'plan',
    serviceName: 'tools',
    startTimeUs: 100 * SEC,
    endTimeUs: 110 * SEC,
    spanCount: 1,
    errorCount: 0,
    inputTokens: 5,
    outputTokens: 1,
    costUsd: 0.01,
    unpricedCalls: 0,
    sessionId: null,
    userId: 'from-a-child',
  };
  it.each([
    ['no running root: the stored summary as it is', undefined, { rootName: 'plan', serviceName: 'tools', sessionId: null, userId: 'from-a-child' }],
    [
      "a running root: its name, service and session, its counts still the ended spans'",
      running({ name: 'research', serviceName: 'agent', sessionId: 's-1', userId: 'ada', receivedUs: 0 }),
      { rootName: 'research', serviceName: 'agent', sessionId: 's-1', userId: 'ada', spanCount: 1, costUsd: 0.01 },
    ],
    [
      "a running root without a session or user: the ended spans' kept",
      running({ name: 'research', serviceName: 'agent', sessionId: null, userId: null, receivedUs: 0 }),
      { rootName: 'research', sessionId: null, userId: 'from-a-child' },
    ],
  ])('%s', (_label, root, expected) => {
    expect(withRunningRoot(stored, root)).toMatchObject(expected);
  });
});
