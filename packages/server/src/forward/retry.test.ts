import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, MAX_RETRY_AFTER_MS, answerKind, backoffMs, retryAfterMs } from './retry.js';

describe('answerKind', () => {
  it.each([
    [200, 'sent'],
    [204, 'sent'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [504, 'retry'],
    [400, 'refused'],
    [401, 'refused'],
    [403, 'refused'],
    [404, 'refused'],
    [408, 'refused'],
    [413, 'refused'],
    [301, 'refused'],
  ])('%i is %s', (status, kind) => {
    expect(answerKind(status)).toBe(kind);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['seconds', '2', 2000],
    ['fractional seconds', '0.5', 500],
    ['zero', '0', 0],
    ['spaces around', ' 3 ', 3000],
    ['an HTTP date', 'Thu, 01 Jan 2026 00:00:07 GMT', 7000],
    ['a date in the past', 'Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['more than the cap', '86400', MAX_RETRY_AFTER_MS],
    ['a negative number', '-1', null],
    ['garbage', 'soon', null],
    ['none', null, null],
  ])('reads %s', (_, header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms);
  });
});

describe('backoffMs', () => {
  it('doubles from 250 ms to 5 s, drawn between half and all of it', () => {
    expect([0, 1, 2, 3, 4, 5, 30].map((attempt) => backoffMs(attempt, 0.999999))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect([0, 1, 5].map((attempt) => backoffMs(attempt, 0))).toEqual([125, 250, 2500]);
    expect(backoffMs(1e9, 0.5)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
  });
});
