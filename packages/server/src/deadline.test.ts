import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
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
    const started = performance.now();
    await expect(withDeadline(20, () => sleep(2000, 'ignored the signal'))).rejects.toMatchObject({ name: 'DeadlineError', timeoutMs: 20 });
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
