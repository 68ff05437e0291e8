import type { TraceQuery, TraceSummaryRecord, TraceTreeColumns } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { span } from '../../test/support/record-fixtures.js';
import { storedSpanOf } from '../../test/support/fake-reads.js';
import type { StoredRunningSpan } from '../store/store.js';
import { liveSpansOf, liveSummary, mergeNewestFirst, runningTraceFilterOf, traceStateOf, treeWithLiveSpans } from './running.js';

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
    const spans = [running({ startTimeUs: 100 * SEC, receivedUs: 300 * SEC }), running({ spanId: 'b'.repeat(16), startTimeUs: 150 * SEC, receivedUs: 200 * SEC })];
    const live = liveSpansOf(spans, 250 * SEC, clock);
    expect(live.map((l) => [l.state, l.durationUs])).toEqual([['abandoned', 200 * SEC], ['abandoned', 150 * SEC]]);
    expect(liveSpansOf(spans, 250 * SEC, { ...clock, nowUs: 9_000 * SEC }).map((l) => l.durationUs)).toEqual([200 * SEC, 150 * SEC]);
  });
});

describe('liveSummary', () => {
  const record = (over: Partial<TraceSummaryRecord>): TraceSummaryRecord => ({
    traceId: 't', rootName: 'r', serviceName: 's', startTimeUs: 100 * SEC, endTimeUs: 300 * SEC, spanCount: 2, errorCount: 0,
    inputTokens: null, outputTokens: null, costUsd: null, sessionId: null, userId: null, ...over,
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
    projectId: 'default', range: { fromUs: null, toUs: null }, service: null, spanName: null, text: null, status: null, minDurationMs: null,
    maxDurationMs: null, attributes: [], sessionId: null, model: null, scores: [], limit: 50, cursor: null,
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
    expect(mergeNewestFirst([t(9, 'a'), t(5, 'b'), t(1, 'c')], [t(7, 'x'), t(5, 'z'), t(0, 'y')], 5)).toEqual([t(9, 'a'), t(7, 'x'), t(5, 'z'), t(5, 'b'), t(1, 'c')]);
    expect(mergeNewestFirst([], [t(1, 'a')], 5)).toEqual([t(1, 'a')]);
  });
});

describe('treeWithLiveSpans', () => {
  const tree: TraceTreeColumns = {
    originUs: 100 * SEC, spanIds: ['a'], parentSpanIds: [null], names: ['root'], services: ['svc'], serviceIndexes: [0], startOffsetsUs: [0], durationsUs: [5 * SEC],
    statusCodes: [0], categories: [7], events: [[0, SEC, 'e']], inputTokens: [3], outputTokens: [4], costUsd: [0.1], models: ['m'], sessionId: null,
  };

  it('adds running spans after the ended ones, counting offsets from the earliest start, their tokens left out', () => {
    const live = liveSpansOf([running({ spanId: 'b'.repeat(16), parentSpanId: 'a', startTimeUs: 90 * SEC, receivedUs: 999 * SEC, serviceName: 'other', sessionId: 's',
      events: [{ timeUs: 95 * SEC, name: 'tick', attributes: {}, droppedAttributesCount: 0 }] })], 105 * SEC, clock);
    const merged = treeWithLiveSpans(tree, live)!;
    expect(merged.states).toEqual([0, 1]);
    expect(merged.tree).toMatchObject({
      originUs: 90 * SEC, spanIds: ['a', 'b'.repeat(16)], services: ['svc', 'other'], serviceIndexes: [0, 1], startOffsetsUs: [10 * SEC, 0],
      durationsUs: [5 * SEC, 910 * SEC], events: [[0, 11 * SEC, 'e'], [1, 5 * SEC, 'tick']], inputTokens: [3, null], costUsd: [0.1, null], sessionId: 's',
    });
    // The store's columns are left as they were.
    expect(tree.spanIds).toEqual(['a']);
  });

  it('makes the columns of a trace of running spans alone, and gives none for no span at all', () => {
    const live = liveSpansOf([running({ startTimeUs: 500 * SEC, receivedUs: 100 * SEC })], 0, clock);
    expect(treeWithLiveSpans(null, live)).toMatchObject({ states: [2], tree: { originUs: 500 * SEC, startOffsetsUs: [0], durationsUs: [0] } });
    expect(treeWithLiveSpans(null, [])).toBeNull();
    expect(treeWithLiveSpans(tree, [])).toEqual({ tree, states: [0] });
  });
});
