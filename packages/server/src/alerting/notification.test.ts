import { describe, expect, it } from 'vitest';
import { deliveryDetail } from './notification.js';

describe('deliveryDetail', () => {
  it.each([
    [{ ok: true, attempts: 1, error: null }, 'delivered after 1 attempt'],
    [{ ok: true, attempts: 3, error: null }, 'delivered after 3 attempts'],
    [{ ok: false, attempts: 1, error: 'HTTP 500' }, 'gave up after 1 attempt: HTTP 500'],
    [{ ok: false, attempts: 5, error: null }, 'gave up after 5 attempts: unknown error'],
  ])('%j', (result, text) => {
    expect(deliveryDetail(result)).toBe(text);
  });
});
