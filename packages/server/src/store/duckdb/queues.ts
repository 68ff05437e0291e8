import type { QueueEventRecord, QueueItemRecord, QueueRecord } from '../ports/queues.js';
import { SqlQueueStore } from '../sql/queue-store.js';
import { eventRow, itemRow } from '../sql/queues.js';
import type { DuckDbSql } from './dialect.js';

const ITEM_TYPES = `'[{"queue":"VARCHAR","item_id":"VARCHAR","kind":"VARCHAR","trace_id":"VARCHAR","span_id":"VARCHAR","session_id":"VARCHAR",
  "origin":"VARCHAR","added_us":"BIGINT"}]'`;
const EVENT_TYPES = `'[{"queue":"VARCHAR","item_id":"VARCHAR","reviewer":"VARCHAR","kind":"VARCHAR","time_us":"BIGINT","until_us":"BIGINT","review":"VARCHAR"}]'`;

/** Review queues in their three tables, each write one statement, its rows as one JSON array. */
export class DuckDbQueueStore extends SqlQueueStore {
  constructor(private readonly duckdb: DuckDbSql) {
    super(duckdb);
  }

  async putQueue(projectId: string, q: QueueRecord): Promise<void> {
    await this.duckdb.on('save a review queue', (c) =>
      c.run('INSERT INTO review_queues VALUES ($1, $2, $3, $4, $5, $6, $7)', [projectId, q.name, q.spec, q.filtered, q.createdUs, q.timeUs, q.deleted]),
    );
  }

  async addItems(projectId: string, items: readonly QueueItemRecord[]): Promise<void> {
    if (items.length === 0) return;
    await this.duckdb.on('add review items', (c) =>
      c.run(
        `INSERT INTO review_items
         SELECT $1, r.queue, r.item_id, r.kind, r.trace_id, r.span_id, r.session_id, r.origin, r.added_us
         FROM (SELECT unnest(from_json($2::JSON, ${ITEM_TYPES}), recursive := true)) r`,
        [projectId, JSON.stringify(items.map(itemRow))],
      ),
    );
  }

  async addEvents(projectId: string, events: readonly QueueEventRecord[]): Promise<void> {
    if (events.length === 0) return;
    await this.duckdb.on('record review events', (c) =>
      c.run(
        `INSERT INTO review_events
         SELECT $1, r.queue, r.item_id, r.reviewer, r.kind, r.time_us, r.until_us, r.review
         FROM (SELECT unnest(from_json($2::JSON, ${EVENT_TYPES}), recursive := true)) r`,
        [projectId, JSON.stringify(events.map(eventRow))],
      ),
    );
  }
}
