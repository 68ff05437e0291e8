import type { QueueItemKind, QueueItemOrigin } from '@spoor/model';

/** A queue as stored: its definition as JSON text (checked by `queues/`, not by the store). */
export interface QueueRecord {
  name: string;
  spec: string;
  /** Whether the spec adds traces by a filter (what the runner reads). */
  filtered: boolean;
  createdUs: number;
  /** When this row was written: the newest row of a name is the queue. */
  timeUs: number;
  deleted: boolean;
}

/** An item of a queue: a trace, a span of one, or a session. */
export interface QueueItemRecord {
  queue: string;
  itemId: string;
  kind: QueueItemKind;
  traceId: string | null;
  spanId: string | null;
  sessionId: string | null;
  origin: QueueItemOrigin;
  addedUs: number;
}

/** What a reviewer did with an item: took it (until `untilUs`), released, skipped or submitted it. */
export const QUEUE_EVENT_KINDS = ['take', 'release', 'skip', 'submit'] as const;
export type QueueEventKind = (typeof QUEUE_EVENT_KINDS)[number];

export interface QueueEventRecord {
  queue: string;
  itemId: string;
  reviewer: string;
  kind: QueueEventKind;
  timeUs: number;
  /** A take's lease end; 0 for the others. */
  untilUs: number;
  /** A submit's review as JSON text (scores and comment); '' for the others. */
  review: string;
}

/**
 * Review queues, append-only: a queue's rows (the newest of a name is it), its items (an item id
 * added twice is read once, as first added), and what reviewers did with them, in time order.
 * Who holds which item is worked out from the events by `queues/`, one call of a queue at a time.
 */
export interface QueueStore {
  /** Appends a queue's row (a change, or with `deleted` its deletion). */
  putQueue(projectId: string, record: QueueRecord): Promise<void>;
  /** The newest row of a queue, a deletion included, or `null` when the name was never used. */
  latestQueue(projectId: string, name: string): Promise<QueueRecord | null>;
  /** The project's queues, deleted ones left out, by name. */
  listQueues(projectId: string): Promise<QueueRecord[]>;
  /** Every project's queues that add traces by a filter (spec's `filter` not null), deleted ones left out. */
  queuesWithFilters(): Promise<(QueueRecord & { projectId: string })[]>;
  /** Appends items; an item id already in the queue (since `createdUs`) is read as it was first added. */
  addItems(projectId: string, items: readonly QueueItemRecord[]): Promise<void>;
  /** The queue's items added at or after `sinceUs` (the queue's `createdUs`), each once, by when added then id; with `itemId`, that one's alone. */
  listItems(projectId: string, queue: string, sinceUs: number, itemId?: string): Promise<QueueItemRecord[]>;
  /** Appends reviewers' events. */
  addEvents(projectId: string, events: readonly QueueEventRecord[]): Promise<void>;
  /** The queue's events at or after `sinceUs`, in time order; with `itemId`, that item's alone. */
  listEvents(projectId: string, queue: string, sinceUs: number, itemId?: string): Promise<QueueEventRecord[]>;
  /**
   * The item `reviewer` is given next, as the service reads the events (`queues/review-state.ts`):
   * the one they hold (a take of theirs, the last of the item, its lease not ended at `nowUs`, not
   * released, skipped or submitted by them since), else the first, by when added then id, that no
   * one holds, that fewer than `reviewersPerItem` reviewers submitted and they neither submitted nor
   * skipped; `null` when none is left for them. Items and events read are those since `sinceUs`.
   */
  nextItem(
    projectId: string,
    queue: string,
    sinceUs: number,
    ask: { reviewer: string; reviewersPerItem: number; nowUs: number },
  ): Promise<QueueItemRecord | null>;
  /** Every row of the project's queues, as stored, each table in the order written (for `spoor migrate`, which appends them as they are). */
  allRows(projectId: string): Promise<{ queues: QueueRecord[]; items: QueueItemRecord[]; events: QueueEventRecord[] }>;
}
