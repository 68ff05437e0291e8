import { describe, expect, it } from 'vitest';
import type { QueueEventRecord, QueueItemRecord, QueueRecord, Store } from '../../src/store/store.js';
import { givable, itemStates } from '../../src/queues/review-state.js';
import { T0 } from '../support/record-fixtures.js';
import { openForEachTest } from './per-test-store.js';

const queue = (name: string, timeUs: number, overrides: Partial<QueueRecord> = {}): QueueRecord => ({
  name,
  spec: JSON.stringify({ rubric: [], at: timeUs }),
  filtered: false,
  createdUs: T0,
  timeUs,
  deleted: false,
  ...overrides,
});

const item = (itemId: string, addedUs: number, overrides: Partial<QueueItemRecord> = {}): QueueItemRecord => ({
  queue: 'q',
  itemId,
  kind: 'trace',
  traceId: itemId.padEnd(32, '0'),
  spanId: null,
  sessionId: null,
  origin: 'hand',
  addedUs,
  ...overrides,
});

const event = (
  itemId: string,
  reviewer: string,
  kind: QueueEventRecord['kind'],
  timeUs: number,
  overrides: Partial<QueueEventRecord> = {},
): QueueEventRecord => ({
  queue: 'q',
  itemId,
  reviewer,
  kind,
  timeUs,
  untilUs: 0,
  review: '',
  ...overrides,
});

/** The contract of `store.queues`: queues by their newest row, items each once as first added, events in time order, per project. */
export function describeQueueContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Queue store contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    it('reads a queue as its newest row, lists the live ones by name, and the filtered ones of every project', async () => {
      const qs = store.queues;
      expect(await qs.latestQueue('default', 'q')).toBeNull();
      await qs.putQueue('default', queue('q', T0));
      await qs.putQueue('default', queue('q', T0 + 5, { filtered: true }));
      await qs.putQueue('default', queue('a-gone', T0));
      await qs.putQueue('default', queue('a-gone', T0 + 1, { deleted: true }));
      await qs.putQueue('p2', queue('other', T0, { filtered: true }));
      await qs.putQueue('p2', queue('plain', T0));
      expect(await qs.latestQueue('default', 'q')).toEqual(queue('q', T0 + 5, { filtered: true }));
      expect((await qs.latestQueue('default', 'a-gone'))?.deleted).toBe(true);
      expect((await qs.listQueues('default')).map((q) => [q.name, q.timeUs])).toEqual([['q', T0 + 5]]);
      expect((await qs.listQueues('p2')).map((q) => q.name)).toEqual(['other', 'plain']);
      expect((await qs.queuesWithFilters()).map((q) => [q.projectId, q.name])).toEqual([
        ['default', 'q'],
        ['p2', 'other'],
      ]);
    });

    it('reads each item once as first added, since a time, by when added; and the events in time order', async () => {
      const qs = store.queues;
      await qs.addItems('default', [item('b', T0 + 2), item('a', T0 + 2, { kind: 'span', spanId: 'ab'.repeat(8) }), item('old', T0 - 1)]);
      await qs.addItems('default', [item('b', T0 + 9, { origin: 'filter' }), item('c', T0 + 1, { kind: 'session', traceId: null, sessionId: 's-1' })]);
      await qs.addItems('p2', [item('z', T0)]);
      await qs.addItems('default', [item('x', T0, { queue: 'other' })]);
      expect(await qs.listItems('default', 'q', T0)).toEqual([
        item('c', T0 + 1, { kind: 'session', traceId: null, sessionId: 's-1' }),
        item('a', T0 + 2, { kind: 'span', spanId: 'ab'.repeat(8) }),
        item('b', T0 + 2),
      ]);
      await qs.addEvents('default', [event('a', 'r1', 'take', T0 + 3, { untilUs: T0 + 100 }), event('a', 'r1', 'submit', T0 + 4, { review: '{"scores":[]}' })]);
      await qs.addEvents('default', [event('b', 'r2', 'take', T0 + 1), event('b', 'r2', 'skip', T0 + 2), event('old', 'r2', 'take', T0 - 5)]);
      await qs.addEvents('p2', [event('z', 'r1', 'take', T0)]);
      expect(await qs.listEvents('default', 'q', T0)).toEqual([
        event('b', 'r2', 'take', T0 + 1),
        event('b', 'r2', 'skip', T0 + 2),
        event('a', 'r1', 'take', T0 + 3, { untilUs: T0 + 100 }),
        event('a', 'r1', 'submit', T0 + 4, { review: '{"scores":[]}' }),
      ]);
      expect(await qs.listEvents('p2', 'q', 0)).toEqual([event('z', 'r1', 'take', T0)]);
      // One item's rows alone, for a reviewer's submit or skip of it.
      expect(await qs.listItems('default', 'q', T0, 'b')).toEqual([item('b', T0 + 2)]);
      expect(await qs.listItems('default', 'q', T0, 'nope')).toEqual([]);
      expect(await qs.listEvents('default', 'q', T0, 'b')).toEqual([event('b', 'r2', 'take', T0 + 1), event('b', 'r2', 'skip', T0 + 2)]);
      // Every row as stored, for a copy to another store: the item added twice, and the one from before, too.
      const all = await qs.allRows('p2');
      expect(all).toEqual({ queues: [], items: [item('z', T0)], events: [event('z', 'r1', 'take', T0)] });
      expect((await qs.allRows('default')).items.map((i) => i.itemId).sort()).toEqual(['a', 'b', 'b', 'c', 'old', 'x']);
    });

    it('gives a reviewer the item they hold, else the first no one holds that lacks reviews and they neither reviewed nor skipped', async () => {
      const qs = store.queues;
      const ask = (reviewer: string, nowUs: number, reviewersPerItem = 2) => qs.nextItem('default', 'q', T0, { reviewer, reviewersPerItem, nowUs });
      expect(await ask('r1', T0)).toBeNull();
      await qs.addItems('default', [item('a', T0 + 1), item('b', T0 + 1), item('c', T0 + 2), item('d', T0 + 3), item('old', T0 - 1)]);
      await qs.addItems('default', [item('a', T0 + 9, { origin: 'filter' }), item('e', T0 + 1, { queue: 'other' })]);
      await qs.addItems('p2', [item('z', T0)]);
      await qs.addEvents('default', [
        // a: r1 submitted, r2 submitted: two reviews, done for a queue of two.
        event('a', 'r1', 'take', T0 + 10, { untilUs: T0 + 1000 }),
        event('a', 'r1', 'submit', T0 + 11, { review: '{}' }),
        event('a', 'r2', 'take', T0 + 12, { untilUs: T0 + 1000 }),
        event('a', 'r2', 'submit', T0 + 13, { review: '{}' }),
        // b: r3 holds it until T0 + 500; r1 released an earlier hold.
        event('b', 'r1', 'take', T0 + 14, { untilUs: T0 + 1000 }),
        event('b', 'r1', 'release', T0 + 15),
        event('b', 'r3', 'take', T0 + 16, { untilUs: T0 + 500 }),
        // c: r1 skipped it; r2 took it and let the lease end (T0 + 20).
        event('c', 'r1', 'take', T0 + 17, { untilUs: T0 + 1000 }),
        event('c', 'r1', 'skip', T0 + 18),
        event('c', 'r2', 'take', T0 + 19, { untilUs: T0 + 20 }),
        // old: before the queue was made; z: another project's.
        event('old', 'r4', 'take', T0 - 1, { untilUs: T0 + 1000 }),
      ]);
      await qs.addEvents('p2', [event('z', 'r1', 'take', T0, { untilUs: T0 + 1000 })]);
      expect((await ask('r3', T0 + 100))?.itemId).toBe('b');
      expect((await ask('r1', T0 + 100))?.itemId).toBe('d');
      expect((await ask('r2', T0 + 100))?.itemId).toBe('c');
      // r3's lease ends: b is anyone's; a queue of one review per item has a and nothing of r1's.
      expect((await ask('r1', T0 + 500))?.itemId).toBe('b');
      expect((await ask('r4', T0 + 100, 1))?.itemId).toBe('c');
      expect(await ask('r4', T0 + 100, 3)).toEqual(item('a', T0 + 1));
      expect((await ask('r1', T0 + 100, 1))?.itemId).toBe('d');
    });

    it('gives out items as the events read one by one would, over many events', async () => {
      const qs = store.queues;
      // A fixed walk (a small linear congruential generator), the same on every engine.
      let seed = 7;
      const random = (n: number): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return Math.floor(seed / 65_536) % n;
      };
      const items = Array.from({ length: 8 }, (_, i) => item(`i${String(i).padStart(2, '0')}`, T0 + 1 + random(6)));
      await qs.addItems('default', items);
      const reviewers = ['r1', 'r2', 'r3', 'r4'];
      const kinds = ['take', 'take', 'release', 'skip', 'submit', 'submit'] as const;
      const events = Array.from({ length: 300 }, (_, i) => {
        const kind = kinds[random(kinds.length)]!;
        return event(items[random(items.length)]!.itemId, reviewers[random(reviewers.length)]!, kind, T0 + 10 + i, {
          untilUs: kind === 'take' ? T0 + 10 + i + random(200) : 0,
          review: kind === 'submit' ? '{"scores":[],"comment":null}' : '',
        });
      });
      await qs.addEvents('default', events);
      // In the order items are given out: by when added, then id.
      const ordered = [...items].sort((a, b) => a.addedUs - b.addedUs || (a.itemId < b.itemId ? -1 : 1));
      let asked = 0;
      for (const nowUs of [T0 + 150, T0 + 320, T0 + 500])
        for (const reviewersPerItem of [1, 2, 3])
          for (const reviewer of [...reviewers, 'r5']) {
            const all = [...itemStates(ordered, events, nowUs).values()];
            const want = all.find((s) => s.holder?.reviewer === reviewer) ?? all.find((s) => givable(s, reviewer, reviewersPerItem));
            expect(await qs.nextItem('default', 'q', T0, { reviewer, reviewersPerItem, nowUs }), `${reviewer} at ${nowUs}, ${reviewersPerItem}`).toEqual(
              want?.item ?? null,
            );
            asked += want === undefined ? 0 : 1;
          }
      // The walk gives items to some and leaves others with none.
      expect(asked, `${asked} of 45 asks given an item`).toBeGreaterThan(5);
      expect(asked).toBeLessThan(40);
    });
  });
}
