import { describe, expect, it, vi } from 'vitest';
import { KeyRing } from './key-ring.js';
import { type KeyRecord, newKey } from './keys.js';

/** A store's key list whose reads the test answers one by one, with the keys stored when each began. */
function keyStore(): { stored: KeyRecord[]; reads: Array<() => void>; loads: number; failNext: boolean; load: () => Promise<KeyRecord[]> } {
  const store = {
    stored: [] as KeyRecord[],
    reads: [] as Array<() => void>,
    loads: 0,
    failNext: false,
    load: () => {
      store.loads++;
      if (store.failNext) {
        store.failNext = false;
        return Promise.reject(new Error('the store is down'));
      }
      const seen = [...store.stored];
      return new Promise<KeyRecord[]>((resolve) => store.reads.push(() => resolve(seen)));
    },
  };
  return store;
}

const key = (): KeyRecord => newKey({ projectId: 'shop', role: 'ingest', name: '', createdBy: 'open', nowUs: 1 }).record;

/** Answers every read asked for so far, and those they lead to, until none is left. */
async function answerReads(store: ReturnType<typeof keyStore>): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    const pending = store.reads.splice(0);
    if (pending.length === 0) return;
    for (const answer of pending) answer();
  }
}

describe('the key ring', () => {
  it('knows a key made while the timer’s read was running once the refresh after it settles', async () => {
    const store = keyStore();
    const starting = KeyRing.start(store.load, { refreshMs: 3_600_000, onError: () => {} });
    await answerReads(store);
    const ring = await starting;
    // The timer's read begins, then a key is made and its route refreshes the ring.
    const timers = ring.refresh();
    const made = key();
    store.stored.push(made);
    const refreshed = ring.refresh();
    await answerReads(store);
    await Promise.all([timers, refreshed]);
    expect(ring.byKeyId(made.id)).toEqual(made);
    ring.close();
  });

  it('reads once more for all the calls made while a read runs', async () => {
    const store = keyStore();
    const starting = KeyRing.start(store.load, { refreshMs: 3_600_000, onError: () => {} });
    await answerReads(store);
    const ring = await starting;
    const running = ring.refresh();
    const after = [ring.refresh(), ring.refresh(), ring.refresh()];
    await answerReads(store);
    await Promise.all([running, ...after]);
    // The start's read, the one running, and one after it for the three calls.
    expect(store.loads).toBe(3);
    ring.close();
  });

  it('reads again after a failed read, for the calls that waited on it', async () => {
    const store = keyStore();
    const starting = KeyRing.start(store.load, { refreshMs: 3_600_000, onError: () => {} });
    await answerReads(store);
    const ring = await starting;
    store.failNext = true;
    const running = ring.refresh();
    const made = key();
    store.stored.push(made);
    const refreshed = ring.refresh();
    await expect(running).rejects.toThrow('the store is down');
    await answerReads(store);
    await refreshed;
    expect(ring.byKeyId(made.id)).toEqual(made);
    ring.close();
  });

  it('reports a failed timed read, but not one that fails after the ring is closed', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const fails: Array<(error: Error) => void> = [];
      let first = true;
      const load = (): Promise<KeyRecord[]> => {
        if (first) {
          first = false;
          return Promise.resolve([]);
        }
        return new Promise<KeyRecord[]>((_, reject) => fails.push(reject));
      };
      const errors: Error[] = [];
      const ring = await KeyRing.start(load, { refreshMs: 500, onError: (error) => errors.push(error) });
      await vi.advanceTimersByTimeAsync(500);
      fails.shift()?.(new Error('the store is down'));
      await vi.advanceTimersByTimeAsync(500);
      expect(errors.map((e) => e.message)).toEqual(['the store is down']);
      // The read the last tick began fails as the server stops: the store closed after the ring.
      ring.close();
      fails.shift()?.(new Error('the database thread is closed'));
      await vi.advanceTimersByTimeAsync(0);
      expect(errors.map((e) => e.message)).toEqual(['the store is down']);
    } finally {
      vi.useRealTimers();
    }
  });
});
