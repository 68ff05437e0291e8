import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnswerRegion, isShared } from './answer-region.js';

const MiB = 2 ** 20;

describe('AnswerRegion', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lends shared memory to one large answer at a time, the same memory again once given back', () => {
    const region = new AnswerRegion();
    const first = region.lease(3 * MiB)!;
    expect(isShared(first)).toBe(true);
    expect(first.length).toBeGreaterThanOrEqual(3 * MiB);
    expect(region.lease(2 * MiB)).toBeNull();
    region.release();
    expect(region.lease(2 * MiB)!.buffer).toBe(first.buffer);
  });

  it('lends memory of its own, not shared, for reads', () => {
    const region = new AnswerRegion({ shared: false });
    const lent = region.lease(3 * MiB)!;
    expect(isShared(lent)).toBe(false);
    expect(region.lease(3 * MiB)).toBeNull();
    region.release();
    expect(region.lease(2 * MiB)!.buffer).toBe(lent.buffer);
  });

  it('lends nothing to a small answer, or to one past its largest size', () => {
    const region = new AnswerRegion({ maxBytes: 16 * MiB });
    expect(region.lease(MiB - 1)).toBeNull();
    expect(region.lease(16 * MiB + 1)).toBeNull();
    expect(region.lease(16 * MiB)).not.toBeNull();
  });

  it('grows for a larger answer once free', () => {
    const region = new AnswerRegion();
    const small = region.lease(2 * MiB)!;
    region.release();
    const large = region.lease(20 * MiB)!;
    expect(large.buffer).not.toBe(small.buffer);
    expect(large.length).toBeGreaterThanOrEqual(20 * MiB);
  });

  it('tells the bytes it holds from a copy of them', () => {
    const region = new AnswerRegion();
    const bytes = region.lease(2 * MiB)!.subarray(0, 10);
    expect(region.holds(bytes)).toBe(true);
    expect(region.holds(Buffer.from(bytes))).toBe(false);
  });

  it('lets its memory go after ten seconds unused', () => {
    vi.useFakeTimers();
    const region = new AnswerRegion();
    const first = region.lease(2 * MiB)!;
    region.release();
    vi.advanceTimersByTime(9_999);
    const again = region.lease(2 * MiB)!;
    expect(again.buffer).toBe(first.buffer);
    region.release();
    vi.advanceTimersByTime(10_000);
    expect(region.lease(2 * MiB)!.buffer).not.toBe(first.buffer);
  });
});
