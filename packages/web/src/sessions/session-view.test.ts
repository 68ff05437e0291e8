import type { SessionRun } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import {
  hoursCovering,
  hoursFrom,
  runsInTimeOrder,
  runsTokens,
  sessionScoreNames,
  sessionScoreText,
  sessionScoreTitle,
  sessionSpanMs,
  totalTokens,
  windowLabel,
} from './session-view';

const run = (traceId: string, startTime: string, inputTokens: number | null = null, outputTokens: number | null = null): SessionRun => ({
  traceId,
  name: 'chat',
  serviceName: 'agent',
  startTime,
  durationMs: 10,
  status: 'ok',
  spanCount: 3,
  errorCount: 0,
  inputTokens,
  outputTokens,
  costUsd: null,
  unpricedCalls: 0,
  userId: null,
  scores: {},
});

const now = Date.parse('2026-11-22T12:00:00.000Z');

describe('runsInTimeOrder', () => {
  it.each([
    { name: 'puts the oldest run first', runs: [run('b', '2026-11-22T10:00:01Z'), run('a', '2026-11-22T10:00:00Z')], want: ['a', 'b'] },
    { name: 'orders runs that started together by trace id', runs: [run('d', '2026-11-22T10:00:00Z'), run('c', '2026-11-22T10:00:00Z')], want: ['c', 'd'] },
    { name: 'compares instants, not text', runs: [run('x', '2026-11-22T10:00:00.5Z'), run('y', '2026-11-22T10:00:00.25Z')], want: ['y', 'x'] },
    { name: 'keeps an empty list empty', runs: [], want: [] },
  ])('$name', ({ runs, want }) => {
    expect(runsInTimeOrder(runs).map((r) => r.traceId)).toEqual(want);
  });
});

describe('tokens', () => {
  it.each([
    { input: null, output: null, want: null },
    { input: 10, output: null, want: 10 },
    { input: 10, output: 5, want: 15 },
  ])('totals $input + $output as $want', ({ input, output, want }) => {
    expect(totalTokens({ inputTokens: input, outputTokens: output })).toBe(want);
  });

  it.each([
    {
      name: 'sums the runs that reported tokens',
      runs: [run('a', '2026-01-01T00:00:00Z', 10, 5), run('b', '2026-01-01T00:00:00Z'), run('c', '2026-01-01T00:00:00Z', 1, 1)],
      want: 17,
    },
    { name: 'is unknown when no run reported any', runs: [run('a', '2026-01-01T00:00:00Z')], want: null },
  ])('$name', ({ runs, want }) => {
    expect(runsTokens(runs)).toBe(want);
  });
});

describe('session windows', () => {
  it.each([
    { firstSeen: '2026-11-22T11:30:00Z', want: 24 },
    { firstSeen: '2026-11-19T12:00:00Z', want: 73 },
    { firstSeen: '2020-01-01T00:00:00Z', want: 8760 },
    { firstSeen: 'not a time', want: 24 },
  ])('covers a session first seen at $firstSeen with $want hours', ({ firstSeen, want }) => {
    expect(hoursCovering(firstSeen, now)).toBe(want);
  });

  it.each([
    { value: null, want: 24 },
    { value: '72', want: 72 },
    { value: '0.5', want: 0.5 },
    { value: '0', want: 24 },
    { value: '9000', want: 24 },
    { value: 'week', want: 24 },
    { value: '', want: 24 },
  ])('reads hours=$value as $want', ({ value, want }) => {
    expect(hoursFrom(value)).toBe(want);
  });

  it.each([
    { hours: 24, want: 'Last 24 hours' },
    { hours: 72, want: 'Last 3 days' },
    { hours: 5, want: 'Last 5 hours' },
  ])('names a window of $hours hours "$want"', ({ hours, want }) => {
    expect(windowLabel(hours)).toBe(want);
  });

  it('measures a session from first record to last activity', () => {
    expect(sessionSpanMs({ firstSeen: '2026-11-22T10:00:00Z', lastActivity: '2026-11-22T10:01:30Z' })).toBe(90_000);
  });
});

describe('the scores of sessions', () => {
  const thumbs = { mean: 0.67, count: 3, labels: { up: 2, down: 1 } };
  const session = {
    scores: { thumbs: { mean: 0, count: 1, labels: { down: 1 } }, resolved: { mean: null, count: 1, labels: { yes: 1 } } },
    traceScores: { faithfulness: { mean: 0.75, count: 2, labels: {} }, thumbs },
  };

  it('makes a column of each name of the page, the sessions’ own and their runs’', () => {
    expect(sessionScoreNames([session, { scores: {}, traceScores: { length: { mean: 1, count: 1, labels: {} } } }, { scores: {}, traceScores: {} }])).toEqual([
      'faithfulness',
      'length',
      'resolved',
      'thumbs',
    ]);
    expect(sessionScoreNames([])).toEqual([]);
  });

  it.each([
    ['faithfulness', '0.75', '2 scores of its runs'],
    ['thumbs', 'up 2 · down 1 · session: down', '3 scores of its runs, 1 of the session'],
    ['resolved', 'session: yes', '1 of the session'],
    ['length', '–', undefined],
  ])('shows %s as %j (%s)', (name, text, title) => {
    expect(sessionScoreText(session, name)).toBe(text);
    expect(sessionScoreTitle(session, name)).toBe(title);
  });
});
