import type { ErrorParts } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { fingerprintOf } from './error-fingerprint.js';

describe('fingerprintOf', () => {
  const base: ErrorParts = {
    exceptionType: 'RateLimitError',
    messageKey: 'Rate limit reached for <id>',
    frame: 'run (agent/run.py)',
    provider: 'openai',
    httpStatus: 429,
    errorType: 'RateLimitError',
    finishReason: null,
    toolName: null,
  };

  it('is 16 lowercase hex digits and the same for the same parts', () => {
    expect(fingerprintOf(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintOf({ ...base })).toBe(fingerprintOf(base));
  });

  it.each<[string, Partial<ErrorParts>]>([
    ['exception type', { exceptionType: 'APIConnectionError' }],
    ['message', { messageKey: 'Connection error.' }],
    ['frame', { frame: 'plan (agent/plan.py)' }],
    ['no frame', { frame: null }],
    ['provider', { provider: 'azure.ai.openai' }],
    ['HTTP status', { httpStatus: 529 }],
    ['error type', { errorType: '429' }],
    ['finish reason', { finishReason: 'length' }],
    ['tool', { toolName: 'web_search' }],
  ])('changes with the %s', (_label, change) => {
    expect(fingerprintOf({ ...base, ...change })).not.toBe(fingerprintOf(base));
  });

  it('gives the values stored groups are keyed by (a change here splits every group in two)', () => {
    const none: ErrorParts = {
      exceptionType: '',
      messageKey: '',
      frame: null,
      provider: null,
      httpStatus: null,
      errorType: null,
      finishReason: null,
      toolName: null,
    };
    expect([fingerprintOf(base), fingerprintOf(none), fingerprintOf({ ...base, messageKey: 'naïve ✓ 😀' })]).toEqual([
      'a99ac8acc5c3d5b4',
      '0d9e00ab12dd4ff6',
      'ce9289e780cebd75',
    ]);
  });

  it('changes with the algorithm version', () => {
    expect(fingerprintOf(base, 2)).not.toBe(fingerprintOf(base));
  });
});
