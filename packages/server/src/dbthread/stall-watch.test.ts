import { afterEach, describe, expect, it, vi } from 'vitest';
import { type StallMarker, StallWatch } from './stall-watch.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('StallWatch', () => {
  it('marks no second while the writer holds its transaction open for more records, and marks them once it does not', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const marks: StallMarker[] = [];
    let lingering = true;
    const watch = new StallWatch({ dbPath: null, waiting: () => 3, lingering: () => lingering, emit: (marker) => marks.push(marker), stallMs: 1000 });
    watch.start();
    try {
      await vi.advanceTimersByTimeAsync(3000);
      expect(marks).toEqual([]);

      // Records wait and the writer no longer lingers: each second without a commit is a stall.
      lingering = false;
      await vi.advanceTimersByTimeAsync(2000);
      expect(marks.map((m) => [m.kind, m.cause])).toEqual([
        ['second', 'waiting'],
        ['second', 'waiting'],
      ]);
    } finally {
      watch.stop();
    }
  });

  it('counts a second from when the records came, not from the last second that found none', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const marks: StallMarker[] = [];
    let waiting = 0;
    let since = 0;
    const watch = new StallWatch({ dbPath: null, waiting: () => waiting, waitingSince: () => since, emit: (marker) => marks.push(marker), stallMs: 1000 });
    watch.start();
    try {
      await vi.advanceTimersByTimeAsync(1000);
      // Records come 700 ms after a tick that found none: at the next tick they have waited 300 ms.
      await vi.advanceTimersByTimeAsync(700);
      waiting = 5;
      since = performance.now();
      await vi.advanceTimersByTimeAsync(300);
      expect(marks).toEqual([]);
      // Still no commit a second after they came: that second is a stall.
      await vi.advanceTimersByTimeAsync(1000);
      expect(marks.map((m) => [m.kind, m.cause])).toEqual([['second', 'waiting']]);
    } finally {
      watch.stop();
    }
  });
});
