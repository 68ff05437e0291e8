import { describe, expect, it } from 'vitest';
import type { QueueEventRecord, QueueItemRecord, QueueRecord, Store } from '../../src/store/store.js';
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
      // Every row as stored, for a copy to another store: the item added twice, and the one from before, too.
      const all = await qs.allRows('p2');
      expect(all).toEqual({ queues: [], items: [item('z', T0)], events: [event('z', 'r1', 'take', T0)] });
      expect((await qs.allRows('default')).items.map((i) => i.itemId).sort()).toEqual(['a', 'b', 'b', 'c', 'old', 'x']);
    });
  });
}
