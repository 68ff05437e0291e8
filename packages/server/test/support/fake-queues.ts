import { givable, itemStates } from '../../src/queues/review-state.js';
import type { QueueEventRecord, QueueItemRecord, QueueRecord, QueueStore } from '../../src/store/ports/queues.js';

type Owned<T> = T & { projectId: string };

/** Review queues in memory, read as the engines read them (`store/sql/queues.ts`). */
export class FakeQueueStore implements QueueStore {
  readonly queues: Owned<QueueRecord>[] = [];
  readonly items: Owned<QueueItemRecord>[] = [];
  readonly events: Owned<QueueEventRecord>[] = [];

  putQueue(projectId: string, record: QueueRecord): Promise<void> {
    this.queues.push({ ...record, projectId });
    return Promise.resolve();
  }

  latestQueue(projectId: string, name: string): Promise<QueueRecord | null> {
    return Promise.resolve(this.newest(projectId, name));
  }

  listQueues(projectId: string): Promise<QueueRecord[]> {
    return Promise.resolve(
      this.live()
        .filter((q) => q.projectId === projectId)
        .map(({ projectId: _, ...q }) => q),
    );
  }

  queuesWithFilters(): Promise<(QueueRecord & { projectId: string })[]> {
    return Promise.resolve(this.live().filter((q) => q.filtered));
  }

  addItems(projectId: string, items: readonly QueueItemRecord[]): Promise<void> {
    for (const item of items) this.items.push({ ...item, projectId });
    return Promise.resolve();
  }

  listItems(projectId: string, queue: string, sinceUs: number, itemId?: string): Promise<QueueItemRecord[]> {
    const first = new Map<string, QueueItemRecord>();
    for (const { projectId: owner, ...item } of this.items) {
      if (owner !== projectId || item.queue !== queue || item.addedUs < sinceUs || (itemId !== undefined && item.itemId !== itemId)) continue;
      const seen = first.get(item.itemId);
      if (seen === undefined || item.addedUs < seen.addedUs) first.set(item.itemId, item);
    }
    return Promise.resolve([...first.values()].sort((a, b) => a.addedUs - b.addedUs || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0)));
  }

  addEvents(projectId: string, events: readonly QueueEventRecord[]): Promise<void> {
    for (const event of events) this.events.push({ ...event, projectId });
    return Promise.resolve();
  }

  listEvents(projectId: string, queue: string, sinceUs: number, itemId?: string): Promise<QueueEventRecord[]> {
    const key = (e: QueueEventRecord) => [e.timeUs, e.itemId, e.reviewer] as const;
    return Promise.resolve(
      this.events
        .filter((e) => e.projectId === projectId && e.queue === queue && e.timeUs >= sinceUs && (itemId === undefined || e.itemId === itemId))
        .map(({ projectId: _, ...e }) => e)
        .sort((a, b) => {
          const [x, y] = [key(a), key(b)];
          return x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0) || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
        }),
    );
  }

  /** As the service once worked it out: every item's state from its events, then the first it may give. */
  async nextItem(
    projectId: string,
    queue: string,
    sinceUs: number,
    ask: { reviewer: string; reviewersPerItem: number; nowUs: number },
  ): Promise<QueueItemRecord | null> {
    const [items, events] = await Promise.all([this.listItems(projectId, queue, sinceUs), this.listEvents(projectId, queue, sinceUs)]);
    const all = [...itemStates(items, events, ask.nowUs).values()];
    const chosen = all.find((s) => s.holder?.reviewer === ask.reviewer) ?? all.find((s) => givable(s, ask.reviewer, ask.reviewersPerItem));
    return chosen?.item ?? null;
  }

  allRows(projectId: string): Promise<{ queues: QueueRecord[]; items: QueueItemRecord[]; events: QueueEventRecord[] }> {
    const own = <T extends { projectId: string }>(rows: T[]) => rows.filter((r) => r.projectId === projectId).map(({ projectId: _, ...r }) => r);
    return Promise.resolve({ queues: own(this.queues), items: own(this.items), events: own(this.events) });
  }

  private newest(projectId: string, name: string): QueueRecord | null {
    let found: QueueRecord | null = null;
    for (const { projectId: owner, ...q } of this.queues) if (owner === projectId && q.name === name && (found === null || q.timeUs >= found.timeUs)) found = q;
    return found;
  }

  private live(): Owned<QueueRecord>[] {
    const keys = [...new Set(this.queues.map((q) => `${q.projectId}\0${q.name}`))].sort();
    return keys
      .map((key) => {
        const [projectId, name] = key.split('\0') as [string, string];
        return { ...this.newest(projectId, name)!, projectId };
      })
      .filter((q) => !q.deleted);
  }
}
