import { Worker } from 'node:worker_threads';
import type { CommitSink } from '../pipeline/ingest-queue.js';
import type { RetentionResult } from '../pipeline/retention.js';
import type { QuarantineReason } from '../pipeline/quarantine.js';
import type { SpoolPosition } from '../pipeline/spool.js';
import { type WriteBatch } from '../store/tables.js';
import { buffersOf } from '../store/columns.js';
import type { ModelPrice } from '@spoor/model';
import { AppError } from '../errors.js';
import { StoreError } from '../store/store.js';
import { workerUrl } from '../worker-url.js';
import { type DbClient, clientOver } from './calls.js';
import type { DbThreadConfig, FromDbThread, RecentSpanIds, ToDbThread } from './protocol.js';

export interface DbThreadEvents {
  onCommitted: (seq: number, position: SpoolPosition, records: number, commitMs: number) => void;
  onLog: (level: 'info' | 'error', message: string, data: Record<string, unknown>) => void;
  /** The writer gave up on an entry and put it in the quarantine (it is on disk there). */
  onQuarantined: (id: string, reason: QuarantineReason) => void;
  /** Replay found a damaged stretch of the spool, kept in the quarantine folder, and read on past it. */
  onDamaged: (segment: number, offset: number, bytes: number) => void;
  /** The store stopped taking commits, or took one again after failing. */
  onStoreHealth: (healthy: boolean) => void;
  /** A project's prices set through the API were loaded or changed. */
  onPrices: (projectId: string, models: ModelPrice[]) => void;
  /** The thread died (not closed): nothing more will be committed or answered. */
  onFailed: (error: Error) => void;
}

/**
 * The main thread's handle on the database thread: the queries answered there (as JSON text),
 * and the `CommitSink` that spooled entries' batches go to.
 */
export class DbThread implements CommitSink {
  /** Every call the thread serves, typed by its registry. */
  readonly calls: DbClient;
  private nextId = 0;
  private failed: Error | null = null;
  private closing = false;
  private readonly replies = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly worker: Worker,
    events: DbThreadEvents,
  ) {
    this.calls = clientOver((name, args) => this.request({ type: 'call', name, args }) as Promise<string | Uint8Array>);
    worker.on('message', (message: FromDbThread) => {
      if (message.type === 'committed') events.onCommitted(message.seq, message.position, message.records, message.commitMs);
      else if (message.type === 'log') events.onLog(message.level, message.message, message.data);
      else if (message.type === 'quarantined') events.onQuarantined(message.id, message.reason);
      else if (message.type === 'damaged') events.onDamaged(message.segment, message.offset, message.bytes);
      else if (message.type === 'storeHealth') events.onStoreHealth(message.healthy);
      else if (message.type === 'prices') events.onPrices(message.projectId, message.models);
      else if (message.type === 'reply') {
        const pending = this.replies.get(message.id);
        this.replies.delete(message.id);
        const { error } = message;
        if (error === undefined) pending?.resolve(message.result);
        else pending?.reject(error.code !== undefined ? new AppError(error.code, error.message) : new StoreError(error.message));
      }
    });
    const fail = (error: Error): void => {
      if (this.failed !== null) return;
      this.failed = error;
      for (const pending of this.replies.values()) pending.reject(new StoreError(`the database thread failed: ${error.message}`));
      this.replies.clear();
      events.onFailed(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closing) fail(new Error(`the database thread exited with code ${code}`));
    });
  }

  /** Starts the thread: opens the store, replays the spool, applies retention. */
  static async start(
    config: DbThreadConfig,
    events: DbThreadEvents,
  ): Promise<{ thread: DbThread; replayed: number; committedSegment: number; retention: RetentionResult[]; recentSpans: RecentSpanIds; store: { where: string; foundVersion: number | null; schemaVersion: number | null } }> {
    const worker = new Worker(workerUrl(import.meta.url, 'dbthread/db-thread.js', 'database thread'), { workerData: config });
    const ready = await new Promise<Extract<FromDbThread, { type: 'ready' }>>((resolve, reject) => {
      const onMessage = (message: FromDbThread): void => {
        if (message.type === 'ready') resolve(message);
        else if (message.type === 'startFailed') reject(new StoreError(message.message));
        else if (message.type === 'log') events.onLog(message.level, message.message, message.data);
        else if (message.type === 'quarantined') events.onQuarantined(message.id, message.reason);
        else if (message.type === 'damaged') events.onDamaged(message.segment, message.offset, message.bytes);
        else if (message.type === 'storeHealth') events.onStoreHealth(message.healthy);
        else if (message.type === 'prices') events.onPrices(message.projectId, message.models);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new StoreError(`the database thread exited with code ${code} while starting`)));
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    worker.removeAllListeners('message');
    worker.removeAllListeners('error');
    worker.removeAllListeners('exit');
    return {
      thread: new DbThread(worker, events),
      replayed: ready.replayed,
      committedSegment: ready.committedSegment,
      retention: ready.retention,
      recentSpans: ready.recentSpans,
      store: ready.store,
    };
  }

  push(batch: WriteBatch | null, position: SpoolPosition, seq: number): void {
    // After a failure the entry stays in the spool and is replayed when the server restarts.
    if (this.failed !== null) return;
    const message: ToDbThread = { type: 'batch', batch, position, seq };
    // The batch's typed arrays move to the thread uncopied (only its strings are copied).
    this.worker.postMessage(message, batch === null ? [] : buffersOf(batch.tables));
  }

  commitUpTo(seq: number): Promise<void> {
    return this.request({ type: 'commitUpTo', seq }) as Promise<void>;
  }

  /** Commits everything, closes the store and ends the thread. */
  async close(): Promise<void> {
    if (this.failed !== null) return;
    this.closing = true;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    await this.request({ type: 'close' });
    await exited;
  }

  private request(message: DistributiveOmit<ToDbThread, 'id'>): Promise<unknown> {
    if (this.failed !== null) return Promise.reject(new StoreError(`the database thread failed: ${this.failed.message}`));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
