import type { QueueEventRecord, QueueItemRecord, QueueRecord, QueueStore } from '../ports/queues.js';
import type { SqlEngine } from './dialect.js';
import * as sql from './queues.js';

/** The review queue port over the queries written once: an engine gives only how rows are appended. */
export abstract class SqlQueueStore implements QueueStore {
  constructor(protected readonly sql: SqlEngine) {}

  abstract putQueue(projectId: string, record: QueueRecord): Promise<void>;
  abstract addItems(projectId: string, items: readonly QueueItemRecord[]): Promise<void>;
  abstract addEvents(projectId: string, events: readonly QueueEventRecord[]): Promise<void>;

  latestQueue(projectId: string, name: string): Promise<QueueRecord | null> {
    return sql.latestQueue(this.sql, projectId, name);
  }

  listQueues(projectId: string): Promise<QueueRecord[]> {
    return sql.listQueues(this.sql, projectId);
  }

  queuesWithFilters(): Promise<(QueueRecord & { projectId: string })[]> {
    return sql.queuesWithFilters(this.sql);
  }

  listItems(projectId: string, queue: string, sinceUs: number, itemId?: string): Promise<QueueItemRecord[]> {
    return sql.listItems(this.sql, projectId, queue, sinceUs, itemId);
  }

  listEvents(projectId: string, queue: string, sinceUs: number, itemId?: string): Promise<QueueEventRecord[]> {
    return sql.listEvents(this.sql, projectId, queue, sinceUs, itemId);
  }

  nextItem(
    projectId: string,
    queue: string,
    sinceUs: number,
    ask: { reviewer: string; reviewersPerItem: number; nowUs: number },
  ): Promise<QueueItemRecord | null> {
    return sql.nextItem(this.sql, projectId, queue, sinceUs, ask);
  }

  allRows(projectId: string): Promise<{ queues: QueueRecord[]; items: QueueItemRecord[]; events: QueueEventRecord[] }> {
    return sql.allRows(this.sql, projectId);
  }
}
