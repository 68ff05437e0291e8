import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { DeadlineError, withDeadline } from './deadline.js';

describe('withDeadline', () => {
  it("settles with the call's result or error when it ends in time", async () => {
    await expect(withDeadline(1000, async () => 'answer')).resolves.toBe('answer');
    await expect(withDeadline(1000, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });

  it('aborts the signal at the deadline and rejects with a DeadlineError', async () => {
    let seen: AbortSignal | undefined;
    const call = withDeadline(20, (signal) => {
      seen = signal;
      return sleep(10_000, 'late', { signal });
    });
    await expect(call).rejects.toBeInstanceOf(DeadlineError);
    expect(seen!.aborted).toBe(true);
    expect(seen!.reason).toBeInstanceOf(DeadlineError);
  });

  it('answers at the deadline even when the call ignores its signal', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let settled: unknown = null;
      // A call that never settles and never looks at its signal.
      void withDeadline(20, () => new Promise<never>(() => {})).catch((error: unknown) => (settled = error));
      await vi.advanceTimersByTimeAsync(19);
      expect(settled).toBeNull();
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toMatchObject({ name: 'DeadlineError', timeoutMs: 20 });
    } finally {
      vi.useRealTimers();
    }
  });
});
