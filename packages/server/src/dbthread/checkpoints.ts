import { statSync } from 'node:fs';

/**
 * How far past its threshold the write-ahead log may grow while ingest has a backlog before the
 * checkpoint runs all the same: it bounds the log's disk (ingest keeps as much again free,
 * `--disk-reserve`) and what a start replays.
 */
export const CHECKPOINT_HARD_FACTOR = 4;

export interface CheckpointScheduleOptions {
  /** The DuckDB file; its write-ahead log is beside it. */
  dbPath: string;
  /** The log's size past which a checkpoint is due. */
  bytes: number;
  /** Runs DuckDB's CHECKPOINT. */
  run: () => Promise<void>;
  /** Entries received and not yet handed to the store: ingest's backlog. */
  backlog: () => number;
  /** Told when a checkpoint starts, with the promise of its end: true when it checkpointed, false when DuckDB refused. */
  onRun: (done: Promise<boolean>) => void;
  onError: (error: unknown) => void;
}

/**
 * The store's checkpoints, run by the database thread instead of inside a commit. DuckDB holds
 * every commit while it checkpoints (measured: an append waited out a checkpoint made to last
 * 1.5 s, on another connection), and on its own it checkpoints inside whichever commit passes
 * the threshold, whatever waits behind it. Here a due checkpoint waits until ingest has no backlog
 * (the entries received are in the store's transactions), unless the log has grown to
 * `CHECKPOINT_HARD_FACTOR` times the threshold. Durability is the same: a commit is durable in the
 * log when it returns, checkpointed or not.
 */
export class CheckpointSchedule {
  private running: Promise<unknown> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: CheckpointScheduleOptions) {}

  /** Looks every `everyMs` as well as after commits: writes of other connections grow the log too. */
  start(everyMs = 1000): void {
    this.timer = setInterval(() => this.consider(), everyMs);
    this.timer.unref();
  }

  /** Starts a checkpoint if one is due and ingest can spare the store; called after every commit. */
  consider(): void {
    if (this.running !== null || this.timer === null) return;
    const wal = sizeOf(`${this.options.dbPath}.wal`);
    if (wal < this.options.bytes) return;
    if (this.options.backlog() > 0 && wal < this.options.bytes * CHECKPOINT_HARD_FACTOR) return;
    const done = this.options.run().then(
      () => true,
      (error: unknown) => {
        this.options.onError(error);
        return false;
      },
    );
    this.options.onRun(done);
    this.running = done.finally(() => (this.running = null));
  }

  /** Stops scheduling and waits for a checkpoint in progress (the store's close checkpoints). */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

/** A file's size, 0 when it does not exist (the log after a checkpoint). */
export function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
