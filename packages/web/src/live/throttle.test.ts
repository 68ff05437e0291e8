import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createThrottle } from './throttle';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createThrottle', () => {
  it('runs at once on the first signal', () => {
    const run = vi.fn();
    createThrottle(run, 1000).signal();
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('makes the signals of one second one call at the end of that second', () => {
    const run = vi.fn();
    const throttle = createThrottle(run, 1000);
    throttle.signal();
    vi.advanceTimersByTime(200);
    throttle.signal();
    vi.advanceTimersByTime(300);
    throttle.signal();
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(499);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(10_000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('runs at once again once a whole interval has passed', () => {
    const run = vi.fn();
    const throttle = createThrottle(run, 1000);
    throttle.signal();
    vi.advanceTimersByTime(1500);
    throttle.signal();
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('drops a waiting call when cancelled', () => {
    const run = vi.fn();
    const throttle = createThrottle(run, 1000);
    throttle.signal();
    throttle.signal();
    throttle.cancel();
    vi.advanceTimersByTime(5000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
