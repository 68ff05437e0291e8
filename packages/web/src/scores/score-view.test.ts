import type { Score, ScoreSummary } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import {
  ownVote,
  pooledText,
  scoreColumnNames,
  scoreFiltersOf,
  scoreNumberText,
  scoreValueText,
  scoresOfTarget,
  summaryText,
  summaryTitle,
  thumbOf,
  voteBody,
  withScore,
} from './score-view';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
let n = 10;
function score(fields: Partial<Score>): Score {
  n += 1;
  return {
    scoreId: String(n).padStart(32, '0'),
    time: `2026-11-22T10:00:${String(n).padStart(2, '0')}.000000Z`,
    traceId: TRACE,
    spanId: null,
    sessionId: null,
    responseId: null,
    name: 'faithfulness',
    value: 0.8,
    label: null,
    comment: null,
    source: 'evaluator',
    author: 'faith@1',
    ...fields,
  };
}

describe('scoreNumberText', () => {
  it.each([
    [1, '1'],
    [0, '0'],
    [0.8, '0.8'],
    [0.8333333, '0.83'],
    [0.05, '0.05'],
    [3.14159, '3.14'],
    [4.5, '4.5'],
    [123.456, '123.5'],
    [-0.25, '-0.25'],
  ])('shows %s as %s', (value, text) => expect(scoreNumberText(value)).toBe(text));
});

describe('scoreValueText', () => {
  it.each([
    [{ value: 0.9, label: null }, '0.9'],
    [{ value: null, label: 'down' }, 'down'],
    [{ value: 0.5, label: 'partial' }, 'partial · 0.5'],
    [{ value: null, label: null }, '–'],
  ])('shows %o as %s', (s, text) => expect(scoreValueText(s)).toBe(text));
});

describe('scoresOfTarget and ownVote', () => {
  const traceVote = score({ name: 'thumbs', source: 'human', author: 'key-1', value: 1, label: 'up', time: '2026-11-22T10:00:01.000000Z' });
  const newerTraceVote = score({
    scoreId: traceVote.scoreId,
    name: 'thumbs',
    source: 'human',
    author: 'key-1',
    value: 0,
    label: 'down',
    time: '2026-11-22T10:00:05.000000Z',
  });
  const otherPerson = score({ name: 'thumbs', source: 'human', author: 'key-2', value: 0, label: 'down' });
  const spanVote = score({ spanId: 'b7ad6b7169203331', name: 'thumbs', source: 'human', author: 'key-1', value: 0, label: 'down' });
  const apiThumbs = score({ name: 'thumbs', source: 'api', author: 'key-1', value: 1, label: 'up' });
  const judge = score({ spanId: 'b7ad6b7169203331' });
  const session = score({ traceId: null, sessionId: 's-1' });
  const all = [traceVote, otherPerson, spanVote, apiThumbs, judge, session];

  it('splits the trace’s own scores from a span’s, leaving out a session’s', () => {
    expect(scoresOfTarget(all, null)).toEqual([traceVote, otherPerson, apiThumbs]);
    expect(scoresOfTarget(all, 'b7ad6b7169203331')).toEqual([spanVote, judge]);
  });

  it('finds the person’s own human thumbs vote on each target, and no one else’s', () => {
    expect(ownVote(all, 'key-1', null)).toBe(traceVote);
    expect(ownVote(all, 'key-1', 'b7ad6b7169203331')).toBe(spanVote);
    expect(ownVote(all, 'key-3', null)).toBeNull();
    expect(ownVote([...all, newerTraceVote], 'key-1', null)).toBe(newerTraceVote);
  });

  it('reads a vote’s direction from its label, else its value', () => {
    expect(thumbOf(traceVote)).toBe('up');
    expect(thumbOf(score({ name: 'thumbs', label: null, value: 0 }))).toBe('down');
    expect(thumbOf(score({ name: 'thumbs', label: null, value: 0.5 }))).toBeNull();
    expect(thumbOf(null)).toBeNull();
  });

  it('puts a changed vote in its slot instead of adding a second', () => {
    const after = withScore(all, newerTraceVote);
    expect(after).toHaveLength(all.length);
    expect(after.filter((s) => s.scoreId === traceVote.scoreId)).toEqual([newerTraceVote]);
    const times = after.map((s) => s.time);
    expect(times).toEqual([...times].sort());
    expect(withScore([], traceVote)).toEqual([traceVote]);
  });
});

describe('the trace list’s score columns', () => {
  it('has one column per name on the page, sorted, and none for a page without scores', () => {
    const traces: { scores: Record<string, ScoreSummary> }[] = [
      { scores: { thumbs: { mean: 0, count: 1, labels: { down: 1 } } } },
      { scores: { faithfulness: { mean: 0.6, count: 2, labels: {} }, thumbs: { mean: 1, count: 1, labels: { up: 1 } } } },
      { scores: {} },
    ];
    expect(scoreColumnNames(traces)).toEqual(['faithfulness', 'thumbs']);
    expect(scoreColumnNames([{ scores: {} }])).toEqual([]);
  });

  it.each([
    [undefined, '–'],
    [{ mean: 0.625, count: 2, labels: {} }, '0.63'],
    [{ mean: 1, count: 2, labels: { up: 2 } }, 'up'],
    [{ mean: 0.25, count: 4, labels: { down: 3, up: 1 } }, 'down (3/4)'],
    [{ mean: 0.5, count: 3, labels: { pass: 1 } }, '0.5'],
    [{ mean: null, count: 1, labels: { toxic: 1 } }, 'toxic'],
    [{ mean: null, count: 3, labels: { clean: 1, toxic: 2 } }, 'toxic (2/3)'],
    [{ mean: null, count: 2, labels: { b: 1, a: 1 } }, 'a (1/2)'],
    [{ mean: null, count: 0, labels: {} }, '–'],
  ])('shows %o as %s', (summary, text) => expect(summaryText(summary)).toBe(text));

  it.each([
    [undefined, undefined],
    [{ mean: 1, count: 1, labels: { up: 1 } }, '1 score'],
    [{ mean: 0.6, count: 2, labels: {} }, '2 scores'],
  ])('titles %o as %s', (summary, title) => expect(summaryTitle(summary)).toBe(title));

  it.each([
    ['', []],
    ['   ', []],
    ['faithfulness<0.7', ['faithfulness<0.7']],
    ['  faithfulness<0.7   thumbs=down ', ['faithfulness<0.7', 'thumbs=down']],
  ])('reads the filter box %j as the score= parameters %j', (text, params) => expect(scoreFiltersOf(text)).toEqual(params));
});

describe('pooledText', () => {
  it.each<[ScoreSummary | undefined, string]>([
    [{ mean: 0.75, count: 4, labels: {} }, '0.75'],
    [{ mean: 0.6666666, count: 3, labels: {} }, '0.67'],
    // Thumbs votes: every one labelled, so the labels with their counts, most first.
    [{ mean: 0.75, count: 4, labels: { down: 1, up: 3 } }, 'up 3 · down 1'],
    [{ mean: null, count: 3, labels: { pass: 1, fail: 1, partial: 1 } }, 'fail 1 · partial 1 · pass 1'],
    [{ mean: null, count: 2, labels: { pass: 2 } }, 'pass 2'],
    // Values with a label on some only: the values' mean.
    [{ mean: 0.5, count: 3, labels: { odd: 1 } }, '0.5'],
    [{ mean: null, count: 0, labels: {} }, '–'],
    [undefined, '–'],
  ])('shows %o as %s', (summary, text) => expect(pooledText(summary)).toBe(text));
});

describe('voteBody', () => {
  it('posts a trace vote as the SDK’s feedback() does: thumbs, label and value, from a human', () => {
    expect(voteBody(TRACE, null, 'down', '  wrong city ')).toEqual({
      traceId: TRACE,
      name: 'thumbs',
      value: 0,
      label: 'down',
      source: 'human',
      comment: 'wrong city',
    });
  });
  it('names the span of a span vote and leaves a blank comment out', () => {
    expect(voteBody(TRACE, 'b7ad6b7169203331', 'up', ' ')).toEqual({
      traceId: TRACE,
      spanId: 'b7ad6b7169203331',
      name: 'thumbs',
      value: 1,
      label: 'up',
      source: 'human',
    });
  });
});
