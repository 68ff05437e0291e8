import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWriter } from '../../test/support/fake-writer.js';
import { StoreError } from '../store/store.js';
import { type CommitLoop, type CommitLoopOptions } from './commit-loop.js';
import { listQuarantine, readQuarantined } from './quarantine.js';
import { positionToString } from './spool.js';
import {
  accept,
  committedNames,
  dir,
  entryNames,
  errors,
  loopOver,
  namesOf,
  settled,
  spoolOnly,
  until,
  useCommitLoopHarness,
  within,
} from '../../test/support/commit-loop-harness.js';

/** The commit loop's quarantine: an entry the store refuses again and again is set aside, the rest committed. */

useCommitLoopHarness();

describe('CommitLoop: an entry the store keeps refusing', () => {
  const quarantineDir = (): string => join(dir, 'quarantine');
  const quarantined: string[] = [];
  const refusingLoop = (store: FakeWriter, options: Partial<CommitLoopOptions> = {}): CommitLoop =>
    loopOver(store, { quarantineDir: quarantineDir(), onQuarantine: (id) => quarantined.push(id), ...options });
  beforeEach(() => {
    quarantined.length = 0;
  });

  it('is quarantined after maxAttempts tries, and the entries around it are committed', async () => {
    const store = new FakeWriter().refuse((name) => name.startsWith('poison.'));
    const loop = refusingLoop(store, { maxRecordsPerCommit: 4 });
    const names = ['a', 'b', 'poison', 'c', 'd'];
    const positions = await accept(loop, names, 2);

    await within(loop.commitUpTo(5), 5000, 'commitUpTo');

    expect(committedNames(store)).toEqual(namesOf(['a', 'b', 'c', 'd'], 2));
    expect(await store.readPosition('server-1')).toBe(positionToString(positions[4]!));
    const [held] = listQuarantine(quarantineDir());
    expect(listQuarantine(quarantineDir())).toHaveLength(1);
    expect(held).toMatchObject({ records: 2, attempts: 3, signal: 'traces', projectId: 'default' });
    expect(held!.error).toContain('the store refuses this batch');
    expect(new TextDecoder().decode(readQuarantined(quarantineDir(), held!.id)!.body)).toBe('poison:2');
    expect(quarantined).toEqual([held!.id]);
  });

  it('is found by committing the suspects one by one when the store refuses it only at commit', async () => {
    const store = new FakeWriter().refuse((name) => name.startsWith('poison.'), 'commit');
    const loop = refusingLoop(store, { maxRecordsPerCommit: 1000 });
    const names = ['a', 'b', 'poison', 'c'];
    await accept(loop, names, 1);

    await within(loop.commitUpTo(4), 5000, 'commitUpTo');

    expect(committedNames(store)).toEqual(['a.0', 'b.0', 'c.0']);
    expect(listQuarantine(quarantineDir()).map((e) => e.records)).toEqual([1]);
    // Once past the suspects, entries share transactions again.
    await accept(loop, ['e', 'f', 'g'], 1);
    const commits = store.commits.length;
    await within(loop.commitUpTo(7), 1000, 'commitUpTo');
    expect(store.commits.length).toBe(commits + 1);
  });

  it('is quarantined at once when a replay finds it no longer decodes, and what follows is committed', async () => {
    // The receiver decoded it before spooling it; a spool written by another version may not decode now.
    const store = new FakeWriter();
    const positions = await spoolOnly(['a', 'garbled', 'b'], 1);
    const loop = refusingLoop(store);

    expect(await within(loop.replay(), 1000, 'replay')).toBe(3);

    expect(committedNames(store)).toEqual(['a.0', 'b.0']);
    expect(listQuarantine(quarantineDir())).toEqual([expect.objectContaining({ records: null, attempts: 1 })]);
    expect(listQuarantine(quarantineDir())[0]!.error).toContain('cannot decode a garbled entry');
    expect(await store.readPosition('server-1')).toBe(positionToString(positions[2]!));
  });

  it('is not quarantined while the store refuses every write, and is committed once it is back', async () => {
    const store = new FakeWriter().setDown(true);
    const loop = refusingLoop(store, { maxAttempts: 2 });
    await accept(loop, ['a', 'b'], 1);

    await until(() => errors.length >= 3, 'the writer has tried three times');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(listQuarantine(quarantineDir())).toEqual([]);
    store.setDown(false);

    await within(loop.commitUpTo(2), 6000, 'commitUpTo');
    expect(committedNames(store)).toEqual(['a.0', 'b.0']);
    expect(quarantined).toEqual([]);
  });

  it('is never quarantined when the store refuses it for lack of space, and is committed once there is room', async () => {
    // A full disk refuses a transaction with records in it, while the probe (an empty one) still fits.
    const noSpace = (): Error => new StoreError('DuckDB failed to commit: Could not write file "spoor.duckdb.wal": No space left on device');
    const store = new FakeWriter().refuse((name) => name.startsWith('big.'), 'commit', noSpace);
    const loop = refusingLoop(store, { maxAttempts: 2 });
    await accept(loop, ['a', 'big', 'b'], 1);
    const committed = loop.commitUpTo(3);

    await until(() => errors.length >= 3, 'the writer has tried three times');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(listQuarantine(quarantineDir())).toEqual([]);
    expect(errors.length).toBeGreaterThan(3);
    expect(committedNames(store)).toEqual(['a.0']);
    store.refuse(null);

    await within(committed, 3000, 'commitUpTo');
    expect(committedNames(store)).toEqual(['a.0', 'big.0', 'b.0']);
    expect(quarantined).toEqual([]);
  });

  it('is committed in pieces that fit when a transaction fails whole for lack of space, halving until one does', async () => {
    const noSpace = (): Error => new StoreError('DuckDB failed to commit: Could not write file "spoor.duckdb.wal": No space left on device');
    // Room for 25 records at a time: 80 fail, then 40, and pieces of 20 fit.
    const store = new FakeWriter().roomFor(25, noSpace);
    const loop = refusingLoop(store, { maxRecordsPerCommit: 1000 });
    await accept(loop, entryNames(8), 10);

    await within(loop.commitUpTo(8), 10_000, 'commitUpTo');
    expect(committedNames(store)).toEqual(namesOf(entryNames(8), 10));
    expect(store.commits.map((c) => c.records)).toEqual([20, 20, 20, 20]);
    expect(errors).toHaveLength(2);
    expect(quarantined).toEqual([]);
    expect(loop.recordsPerCommit()).toBe(1000);

    // Caught up, transactions are of the usual size again.
    store.roomFor(null);
    await accept(loop, entryNames(8, 'f'), 10);
    await within(loop.commitUpTo(16), 1000, 'commitUpTo');
    expect(store.commits.map((c) => c.records)).toEqual([20, 20, 20, 20, 80]);
  });

  it('is tried again at least once a second while the store lacks space, however long that lasts', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const noSpace = (): Error => new StoreError('DuckDB failed to commit: Could not write file "spoor.duckdb.wal": No space left on device');
    const store = new FakeWriter().refuse((name) => name.startsWith('big.'), 'commit', noSpace);
    const loop = refusingLoop(store, { maxAttempts: 2 });
    await accept(loop, ['a', 'big', 'b'], 1);
    const committed = loop.commitUpTo(3);
    await until(() => errors.length >= 1, 'the first try');

    // Ten seconds, past the 2 and 5 s waits of other failures, a tenth of a second at a time
    // (with a real turn between, for the spool reads of each try).
    for (let second = 1; second <= 10; second++) {
      const before = errors.length;
      for (let tenth = 0; tenth < 10; tenth++) {
        await vi.advanceTimersByTimeAsync(100);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(errors.length, `tries in second ${second}`).toBeGreaterThan(before);
    }
    store.refuse(null);
    await vi.advanceTimersByTimeAsync(1_000);
    await settled(committed, 'commitUpTo');
    expect(committedNames(store)).toEqual(['a.0', 'big.0', 'b.0']);
    expect(quarantined).toEqual([]);
  });

  it('is given up on by close, which stops the loop and leaves the entries in the spool for the next start', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const noSpace = (): Error => new StoreError('DuckDB failed to commit: Could not write file "spoor.duckdb.wal": No space left on device');
    const store = new FakeWriter().roomFor(0, noSpace);
    const loop = refusingLoop(store);
    await accept(loop, ['a', 'b'], 1);
    void loop.commitUpTo(2);
    await until(() => errors.length >= 1, 'the first try');
    expect(loop.lacksSpace()).toBe(true);

    await within(loop.close(), 5000, 'close');
    const tries = errors.length;
    // Ten seconds, ten times the longest wait between tries while the store lacks space.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(errors, 'tries after close').toHaveLength(tries);
    vi.useRealTimers();
    expect(committedNames(store)).toEqual([]);
    // The next start commits them from the spool.
    store.roomFor(null);
    expect(await within(refusingLoop(store).replay(), 5000, 'replay')).toBe(2);
    expect(committedNames(store)).toEqual(['a.0', 'b.0']);
  });

  it('is quarantined once when the spool is replayed after a crash', async () => {
    await spoolOnly(['a', 'poison', 'b'], 1);
    const store = new FakeWriter().refuse((name) => name.startsWith('poison.'));

    expect(await within(refusingLoop(store).replay(), 5000, 'replay')).toBe(3);
    expect(committedNames(store)).toEqual(['a.0', 'b.0']);
    // The store has moved past it: a second start replays nothing.
    expect(await refusingLoop(store).replay()).toBe(0);
    expect(quarantined).toHaveLength(1);
  });
});
