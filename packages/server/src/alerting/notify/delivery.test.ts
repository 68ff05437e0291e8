import { describe, expect, it } from 'vitest';
import { backoffDelayMs, maxAttemptsFrom, parseRetryAfterMs, redactUrl, timeoutMsFrom } from './delivery.js';

describe('backoffDelayMs', () => {
  it.each([
    // attempt, random, expected: a uniform draw below min(60 s, 1 s * 2^(attempt-1))
    [1, 0, 0],
    [1, 0.5, 500],
    [1, 0.999, 999],
    [2, 0.5, 1000],
    [3, 0.5, 2000],
    [6, 0.999, 31_968],
    [7, 0.999, 59_940],
    [7, 0.5, 30_000],
    [30, 0.5, 30_000],
  ])('waits at most the capped exponential before attempt %i + 1 (random %d gives %i ms)', (attempt, random, expected) => {
    expect(backoffDelayMs(attempt, () => random)).toBe(expected);
  });

  it('takes another base and cap', () => {
    expect(backoffDelayMs(4, () => 0.5, 100, 500)).toBe(250);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    ['7', 7000],
    [' 0 ', 0],
    ['Wed, 01 Jan 2025 00:00:30 GMT', 30_000],
    ['Tue, 31 Dec 2024 23:59:00 GMT', 0],
    ['soon', null],
    ['-5', null],
    [null, null],
  ])('reads %j as %j ms', (value, expected) => {
    expect(parseRetryAfterMs(value, now)).toBe(expected);
  });
});

describe('redactUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T000/B000/XXXX', 'https://hooks.slack.com/…'],
    ['http://user:pass@127.0.0.1:8080/hook?token=abc', 'http://127.0.0.1:8080/…'],
    ['https://example.com', 'https://example.com/…'],
  ])('logs %s as %s', (url, expected) => {
    expect(redactUrl(new URL(url))).toBe(expected);
  });
});

describe('timeoutMsFrom and maxAttemptsFrom', () => {
  it('default to 10 s and 5 attempts', () => {
    expect(timeoutMsFrom(undefined, 'timeout')).toBe(10_000);
    expect(maxAttemptsFrom(undefined, 'maxAttempts')).toBe(5);
  });

  it.each([
    ['200ms', 200],
    ['10s', 10_000],
    ['1.5m', 90_000],
  ])('reads timeout %s as %i ms', (text, ms) => {
    expect(timeoutMsFrom(text, 'timeout')).toBe(ms);
  });

  it.each(['0s', 'soon', '', '-1s'])('rejects timeout %j, naming the field', (text) => {
    expect(() => timeoutMsFrom(text, 'receivers[0].webhook.timeout')).toThrow('receivers[0].webhook.timeout must be a duration');
  });

  it.each([0, 1.5, 21, Number.NaN])('rejects maxAttempts %d, naming the field', (value) => {
    expect(() => maxAttemptsFrom(value, 'receivers[0].webhook.maxAttempts')).toThrow('receivers[0].webhook.maxAttempts must be an integer from 1 to 20');
  });
});
