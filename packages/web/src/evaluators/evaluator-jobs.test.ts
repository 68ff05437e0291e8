import type { EvaluatorBackfill } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { backfillBody, backfillDefaults, backfillProgressText, errorTargetPath, isBackfillFinished, localInputValue, retryOutcomeText } from './evaluator-jobs';

/** 2026-11-22 09:05:30 in the browser's (the test's) time zone. */
const NOW = new Date(2026, 10, 22, 9, 5, 30).getTime();

describe('the backfill form', () => {
  it('opens on the last 24 hours up to now, in local time to the minute', () => {
    expect(localInputValue(NOW)).toBe('2026-11-22T09:05');
    expect(backfillDefaults(NOW)).toEqual({ from: '2026-11-21T09:05', to: '' });
  });

  it.each([
    [
      { from: '2026-11-21T09:05', to: '' },
      { ok: true, body: { from: new Date(2026, 10, 21, 9, 5).toISOString() } },
    ],
    [
      { from: '2026-11-21T09:05', to: '2026-11-22T00:00' },
      { ok: true, body: { from: new Date(2026, 10, 21, 9, 5).toISOString(), to: new Date(2026, 10, 22).toISOString() } },
    ],
    [
      { from: '', to: '' },
      { ok: false, problem: 'From: pick when the range starts' },
    ],
    [
      { from: 'yesterday', to: '' },
      { ok: false, problem: 'From: pick when the range starts' },
    ],
    [
      { from: '2026-11-21T09:05', to: 'soon' },
      { ok: false, problem: 'To: pick when the range ends, or leave it empty for now' },
    ],
    [
      { from: '2026-11-22T09:05', to: '2026-11-21T09:05' },
      { ok: false, problem: 'From must not be after To' },
    ],
  ])('sends %j as %j', (form, expected) => {
    expect(backfillBody(form)).toEqual(expected);
  });
});

describe('a backfill’s progress', () => {
  const job = (change: Partial<EvaluatorBackfill>): EvaluatorBackfill => ({
    evaluator: 'priced',
    version: 1,
    state: 'running',
    from: '2026-11-21T09:05:00.000000Z',
    to: '2026-11-22T09:05:00.000000Z',
    traces: 12,
    sampled: 10,
    judged: 8,
    skipped: 2,
    errors: 0,
    notApplicable: 0,
    startedAt: '2026-11-22T09:05:01.000000Z',
    finishedAt: null,
    error: null,
    ...change,
  });

  it.each([
    [job({}), 'Running: 12 traces, 10 sampled in, 8 judged, 2 judged before so far…', false],
    [
      job({ state: 'done', errors: 1, finishedAt: '2026-11-22T09:05:09.000000Z' }),
      'Done: 12 traces, 10 sampled in, 8 judged (1 failed), 2 judged before.',
      true,
    ],
    [
      job({ state: 'done', errors: 1, notApplicable: 3, finishedAt: '2026-11-22T09:05:09.000000Z' }),
      'Done: 12 traces, 10 sampled in, 8 judged (1 failed, 3 with nothing to judge), 2 judged before.',
      true,
    ],
    [
      job({ state: 'done', traces: 1, sampled: 1, judged: 1, skipped: 0, finishedAt: '2026-11-22T09:05:09.000000Z' }),
      'Done: 1 trace, 1 sampled in, 1 judged, 0 judged before.',
      true,
    ],
    [
      job({ state: 'failed', error: 'the daily budget is spent: the evaluator was paused', finishedAt: '2026-11-22T09:05:09.000000Z' }),
      'Stopped: the daily budget is spent: the evaluator was paused. 12 traces, 10 sampled in, 8 judged, 2 judged before.',
      true,
    ],
  ])('reads %j as %s', (backfill, text, finished) => {
    expect(backfillProgressText(backfill)).toBe(text);
    expect(isBackfillFinished(backfill)).toBe(finished);
  });
});

describe('retryOutcomeText', () => {
  it.each([
    [{ retried: 0, ok: 0, errors: 0, notApplicable: 0 }, 'Nothing to retry: no target’s last judging failed.'],
    [{ retried: 1, ok: 1, errors: 0, notApplicable: 0 }, 'Judged 1 target again: 1 ok, 0 failed again.'],
    [{ retried: 3, ok: 1, errors: 2, notApplicable: 0 }, 'Judged 3 targets again: 1 ok, 2 failed again.'],
    [{ retried: 4, ok: 1, errors: 2, notApplicable: 1 }, 'Judged 4 targets again: 1 ok, 2 failed again, 1 with nothing to judge.'],
  ])('says what %j did', (outcome, text) => {
    expect(retryOutcomeText(outcome)).toBe(text);
  });
});

describe('errorTargetPath', () => {
  it('opens the trace, at the span when the target is one', () => {
    expect(errorTargetPath({ traceId: 'a'.repeat(32), spanId: null })).toBe(`/traces/${'a'.repeat(32)}`);
    expect(errorTargetPath({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) })).toBe(`/traces/${'a'.repeat(32)}?span=${'b'.repeat(16)}`);
  });
});
