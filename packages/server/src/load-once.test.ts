import { describe, expect, it } from 'vitest';
import { loadOnce } from './load-once.js';

describe('loadOnce', () => {
  it('loads once for every caller, also for callers at the same time', async () => {
    let loads = 0;
    const get = loadOnce(async () => ++loads);
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    expect(await get()).toBe(1);
    expect(loads).toBe(1);
  });

  it('gives a failure to the callers of that load, and loads again on the next call', async () => {
    let loads = 0;
    const get = loadOnce(async () => {
      if (++loads === 1) throw new Error('not there yet');
      return loads;
    });
    const [first, second] = await Promise.allSettled([get(), get()]);
    expect(first).toMatchObject({ status: 'rejected', reason: { message: 'not there yet' } });
    expect(second).toMatchObject({ status: 'rejected', reason: { message: 'not there yet' } });
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
    expect(loads).toBe(2);
  });
});
