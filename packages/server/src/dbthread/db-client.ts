import type { Worker } from 'node:worker_threads';
import type { CommitSink } from '../pipeline/ingest-queue.js';
import type { SpoolPosition } from '../pipeline/spool.js';
import type { WriteBatch } from '../store/tables.js';
import { StoreError } from '../store/store.js';
import { ThreadClient, startWorker } from '../threads/client.js';
import type { Receivers } from '../threads/protocol.js';
import { workerUrl } from '../worker-url.js';
import { DB_TRANSFERS, type DbClient } from './calls.js';
import { type DbEvents, type DbProtocol, type DbThreadConfig, type DbThreadReady, storeErrorOf } from './protocol.js';

/** What the main thread does with the database thread's events, and with its failure. */
export type DbThreadEvents = Receivers<Omit<DbEvents, 'ready' | 'startFailed'>> & {
  /** The thread died (not closed): nothing more will be committed or answered. */
  failed: (error: Error) => void;
};

/**
 * The main thread's handle on the database thread: the queries answered there, and the
 * `CommitSink` that spooled entries' batches go to.
 */
export class DbThread implements CommitSink {
  /** Every call the thread serves, typed by its registry. */
  readonly calls: DbClient;

  private constructor(
    private readonly worker: Worker,
    private readonly link: ThreadClient<DbProtocol>,
  ) {
    this.calls = link.calls;
  }

  /** Starts the thread: opens the store and replays the spool; retention then runs in it beside the server. */
  static async start(config: DbThreadConfig, events: DbThreadEvents): Promise<DbThreadReady & { thread: DbThread }> {
    const worker = startWorker<DbProtocol>(workerUrl(import.meta.url, 'dbthread/db-thread.js', 'database thread'), config);
    let started = false;
    // Until the thread is ready, what settles its start; messages cannot come before it is set.
    const starting = { ready: (_ready: DbThreadReady): void => {}, failed: (_error: Error): void => {} };
    const { failed, committed, ...others } = events;
    const link = new ThreadClient<DbProtocol>(worker, {
      what: 'database thread',
      events: {
        ...others,
        // Commits of the spool's replay, before the start ends, are in `replayed`.
        committed: (...args) => {
          if (started) committed(...args);
        },
        ready: (ready) => starting.ready(ready),
        startFailed: (message) => starting.failed(new StoreError(message)),
      },
      transfers: DB_TRANSFERS,
      errorOf: storeErrorOf,
      unavailable: (failure) => new StoreError(`the database thread failed: ${failure.message}`),
      onFailed: (error) => (started ? failed(error) : starting.failed(new StoreError(`${error.message} while starting`))),
    });
    const ready = await new Promise<DbThreadReady>((resolve, reject) => {
      starting.ready = resolve;
      starting.failed = reject;
    }).catch(async (error: unknown) => {
      link.closed();
      await worker.terminate();
      throw error;
    });
    started = true;
    return { ...ready, thread: new DbThread(worker, link) };
  }

  push(batch: WriteBatch | null, position: SpoolPosition, seq: number): void {
    // After a failure the entry stays in the spool and is replayed when the server restarts.
    this.link.post('batch', batch, position, seq);
  }

  commitUpTo(seq: number): Promise<void> {
    return this.link.calls.commitUpTo(seq);
  }

  /** Commits everything, closes the store and ends the thread. */
  async close(): Promise<void> {
    if (this.link.failed !== null) return;
    this.link.closed();
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    await this.link.calls.close();
    await exited;
  }
}
