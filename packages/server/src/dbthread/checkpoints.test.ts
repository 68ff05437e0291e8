import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_HARD_FACTOR, CheckpointSchedule } from './checkpoints.js';

/** The schedule against a write-ahead log of the size each case writes (a real file, as DuckDB's). */
describe('CheckpointSchedule', () => {
  let dir = '';
  let schedule: CheckpointSchedule | null = null;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spoor-checkpoints-'));
  });
  afterEach(async () => {
    await schedule?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function scheduled(backlog: { entries: number }) {
    const runs: Array<() => void> = [];
    schedule = new CheckpointSchedule({
      dbPath: join(dir, 'spoor.duckdb'),
      bytes: 1000,
      run: () => new Promise<void>((resolve) => runs.push(resolve)),
      backlog: () => backlog.entries,
      onRun: () => undefined,
      onError: (error) => {
        throw error;
      },
    });
    // A long period: the test calls `consider` itself, as a commit does.
    schedule.start(3_600_000);
    return runs;
  }
  const walOf = (bytes: number) => writeFile(join(dir, 'spoor.duckdb.wal'), Buffer.alloc(bytes));

  it('checkpoints once the log passes its threshold, one at a time', async () => {
    const runs = scheduled({ entries: 0 });
    await walOf(999);
    schedule!.consider();
    expect(runs).toHaveLength(0);
    await walOf(1000);
    schedule!.consider();
    schedule!.consider();
    expect(runs).toHaveLength(1);
    runs[0]!();
    await truncate(join(dir, 'spoor.duckdb.wal'), 0);
    await new Promise((resolve) => setImmediate(resolve));
    schedule!.consider();
    expect(runs).toHaveLength(1);
  });

  it('holds no commit while ingest has a backlog, until the log reaches its hard bound', async () => {
    const backlog = { entries: 12 };
    const runs = scheduled(backlog);
    await walOf(1000 * CHECKPOINT_HARD_FACTOR - 1);
    schedule!.consider();
    expect(runs).toHaveLength(0);
    // Caught up: the due checkpoint runs.
    backlog.entries = 0;
    schedule!.consider();
    expect(runs).toHaveLength(1);
    runs[0]!();
    await new Promise((resolve) => setImmediate(resolve));
    // A log grown to the bound is checkpointed even behind a backlog: its disk and a start's replay stay bounded.
    backlog.entries = 12;
    await walOf(1000 * CHECKPOINT_HARD_FACTOR);
    schedule!.consider();
    expect(runs).toHaveLength(2);
    runs[1]!();
  });

  it('tells a refused checkpoint from one that ran, and tries again at the next look', async () => {
    const outcomes: Array<Promise<boolean>> = [];
    const errors: unknown[] = [];
    let refuse = true;
    schedule = new CheckpointSchedule({
      dbPath: join(dir, 'spoor.duckdb'),
      bytes: 1000,
      run: () => (refuse ? Promise.reject(new Error('Cannot CHECKPOINT: there are other write transactions active')) : Promise.resolve()),
      backlog: () => 0,
      onRun: (done) => outcomes.push(done),
      onError: (error) => errors.push(error),
    });
    schedule.start(3_600_000);
    await walOf(1000);
    schedule.consider();
    expect(await outcomes[0]).toBe(false);
    expect(String(errors[0])).toMatch(/other write transactions/);
    await new Promise((resolve) => setImmediate(resolve));
    refuse = false;
    schedule.consider();
    expect(await outcomes[1]).toBe(true);
  });
});
