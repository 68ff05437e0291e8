import type { QueueEventRecord, QueueItemRecord, QueueRecord } from '../ports/queues.js';
import { SqlQueueStore } from '../sql/queue-store.js';
import { eventRow, itemRow, queueRow } from '../sql/queues.js';
import type { ClickHouseSql } from './dialect.js';

/** Review queues in their three `MergeTree` tables: rows are only appended. */
export class ClickHouseQueueStore extends SqlQueueStore {
  constructor(private readonly clickhouse: ClickHouseSql) {
    super(clickhouse);
  }

  async putQueue(projectId: string, record: QueueRecord): Promise<void> {
    const ch = this.clickhouse.ch;
    await ch.insertRows('save a review queue', ch.tables.review_queues, [{ project_id: projectId, ...queueRow(record) }]);
  }

  async addItems(projectId: string, items: readonly QueueItemRecord[]): Promise<void> {
    const ch = this.clickhouse.ch;
    await ch.insertRows(
      'add review items',
      ch.tables.review_items,
      items.map((i) => ({ project_id: projectId, ...itemRow(i) })),
    );
  }

  async addEvents(projectId: string, events: readonly QueueEventRecord[]): Promise<void> {
    const ch = this.clickhouse.ch;
    await ch.insertRows(
      'record review events',
      ch.tables.review_events,
      events.map((e) => ({ project_id: projectId, ...eventRow(e) })),
    );
  }
}
