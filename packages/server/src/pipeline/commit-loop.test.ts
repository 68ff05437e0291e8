import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeStore } from '../../test/support/fake-store.js';
import { decode, entry } from '../../test/support/named-entries.js';
import { StoreError } from '../store/store.js';
import { CommitLoop, type CommitLoopOptions } from './commit-loop.js';
import { listQuarantine, quarantineIdOf, readQuarantined } from './quarantine.js';
import { type SpoolPosition, Spool, positionToString } from './spool.js';

/** The span names `entries` decode to, in order. */
function namesOf(names: string[], spans: number): string[] {
  return names.flatMap((name) => Array.from({ length: spans }, (_, i) => `${name}.${i}`));
}

function entryNames(count: number, prefix = 'e'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

interface Report {
  seq: number;
  position: SpoolPosition;
  records: number;
}

let dir: string;
let spool: Spool;
let seq: number;
let reports: Report[];
let errors: unknown[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-commit-loop-'));
  spool = await Spool.open(dir, { sync: false });
  seq = 0;
  reports = [];
  errors = [];
});

afterEach(async () => {
  vi.useRealTimers();
  await spool.close();
  await rm(dir, { recursive: true, force: true });
});

function loopOver(store: FakeStore, options: Partial<CommitLoopOptions> = {}): CommitLoop {
  return new CommitLoop(store, {
    spoolDir: dir,
    decode,
    lingerMs: 60_000,
    onCommit: (s, position, records) => reports.push({ seq: s, position, records }),
    onError: (error) => errors.push(error),
    ...options,
  });
}

/** Spools entries as ingest does and pushes them to the loop in spool order; returns their positions. */
async function accept(loop: CommitLoop, names: string[], spans: number): Promise<SpoolPosition[]> {
  const positions = await Promise.all(names.map((name) => spool.append(entry(name, spans))));
  positions.forEach((position, i) => loop.push(decode(entry(names[i]!, spans)), position, ++seq));
  return positions;
}

/** Spools entries without handing them to a loop: what a crash leaves behind. */
async function spoolOnly(names: string[], spans: number): Promise<SpoolPosition[]> {
  return Promise.all(names.map((name) => spool.append(entry(name, spans))));
}

/** Waits on real turns of the event loop (not timers, which some tests fake). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 2000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Waits on real turns of the event loop (not timers) until `promise` has settled. */
async function settled(promise: Promise<unknown>, what: string): Promise<void> {
  let done = false;
  const settle = (): void => {
    done = true;
  };
  promise.then(settle, settle);
  await until(() => done, `${what} has settled`);
  await promise;
}

/** Fails instead of hanging when `promise` does not settle within `ms` of real time. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref())]);
}

const committedNames = (store: FakeStore): string[] => store.committed.spans.map((s) => s.name);

describe('CommitLoop', () => {
  it('commits every pushed entry exactly once, in spool order', async () => {
    const store = new FakeStore();
    const loop = loopOver(store, { maxRecordsPerCommit: 7 });
    const names = entryNames(12);
    const positions = await accept(loop, names, 3);

    await within(loop.commitUpTo(12), 1000, 'commitUpTo');

    expect(committedNames(store)).toEqual(namesOf(names, 3));
    expect(await store.readPosition('server-1')).toBe(positionToString(positions.at(-1)!));
    expect(store.pendingRecords()).toBe(0);
  });

  it('reads entries handed over without their batches back from the spool, in order, each once', async () => {
    const store = new FakeStore();
    const loop = loopOver(store);
    const names = entryNames(6);
    for (const [i, name] of names.entries()) {
      const position = await spool.append(entry(name, 2));
      // Entries 3 to 5 were left on disk (the store was down when they came).
      loop.push(i >= 2 && i <= 4 ? null : decode(entry(name, 2)), position, ++seq);
    }
    await loop.commitUpTo(seq);
    expect(committedNames(store)).toEqual(namesOf(names, 2));
    expect(errors).toEqual([]);
  });

  it('commits as soon as the open transaction holds maxRecordsPerCommit records', async () => {
    const store = new FakeStore();
    const loop = loopOver(store, { maxRecordsPerCommit: 6 });
    const positions = await accept(loop, entryNames(7), 2);

    await until(() => store.appendCalls === 7 && store.commits.length === 2, 'two commits are durable');

    expect(store.commits).toEqual([
      { position: positionToString(positions[2]!), records: 6 },
      { position: positionToString(positions[5]!), records: 6 },
    ]);
    // The seventh entry waits in the open transaction for more records, the linger time or a reader.
    expect(store.pendingRecords()).toBe(2);
    expect(reports.map((r) => r.seq)).toEqual([3, 6]);
  });

  it('commits a transaction lingerMs after its first record, with what arrived meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const store = new FakeStore();
    const loop = loopOver(store, { lingerMs: 1000 });
    await accept(loop, ['first'], 1);
    await until(() => store.appendCalls === 1, 'the first entry is appended');

    await vi.advanceTimersByTimeAsync(600);
    await accept(loop, ['second'], 1);
    await until(() => store.appendCalls === 2, 'the second entry is appended');
    await vi.advanceTimersByTimeAsync(399);
    expect(store.commitCalls).toBe(0);

    await vi.advanceTimersByTimeAsync(1);
    await until(() => store.commits.length === 1, 'the commit is durable');
    expect(committedNames(store)).toEqual(['first.0', 'second.0']);
    expect(reports).toEqual([expect.objectContaining({ seq: 2, records: 2 })]);
  });

  it('commits at once when a reader waits, without waiting for lingerMs or a full transaction', async () => {
    // On a clock that never moves: no timer fires, so nothing here waits for one.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const store = new FakeStore();
    const loop = loopOver(store, { maxRecordsPerCommit: 1000 });
    await accept(loop, entryNames(3), 2);

    await settled(loop.commitUpTo(3), 'commitUpTo');
    expect(committedNames(store)).toEqual(namesOf(entryNames(3), 2));
    // The entries the reader waits for share one transaction.
    expect(store.commits).toHaveLength(1);

    const calls = store.commitCalls;
    await settled(loop.commitUpTo(2), 'commitUpTo of a committed entry');
    expect(store.commitCalls).toBe(calls);
  });

  it('reports each commit with a rising sequence number and position, ending at the last entry', async () => {
    const store = new FakeStore({ commitDelayMs: 2 });
    const loop = loopOver(store, { maxRecordsPerCommit: 5 });
    const positions = await accept(loop, entryNames(10), 2);

    await within(loop.commitUpTo(10), 1000, 'commitUpTo');

    expect(reports.length).toBeGreaterThan(2);
    for (const report of reports) expect(report.position).toEqual(positions[report.seq - 1]);
    const seqs = reports.map((r) => r.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(reports.at(-1)).toMatchObject({ seq: 10, position: positions[9] });
    expect(reports.reduce((sum, r) => sum + r.records, 0)).toBe(20);
  });

  it('rolls back a failed commit and commits the lost entries again from the spool, each once', async () => {
    // Commits are pipelined: when the second fails, the ones asked for after it fail with it.
    const store = new FakeStore({ commitDelayMs: 3 }).failCommit(2);
    const loop = loopOver(store, { maxRecordsPerCommit: 4 });
    const names = entryNames(10);
    const positions = await accept(loop, names, 2);

    await within(loop.commitUpTo(10), 2000, 'commitUpTo');

    expect(committedNames(store)).toEqual(namesOf(names, 2));
    expect(await store.readPosition('server-1')).toBe(positionToString(positions.at(-1)!));
    expect(errors).toEqual([new Error('commit 2 failed')]);
    expect(store.rollbackCalls).toBe(1);
  });

  it('rolls back a failed append and commits the lost entries again from the spool, each once', async () => {
    const store = new FakeStore().failAppend(5);
    const loop = loopOver(store, { maxRecordsPerCommit: 4 });
    const names = entryNames(8);
    const positions = await accept(loop, names, 3);

    await within(loop.commitUpTo(8), 2000, 'commitUpTo');

    expect(committedNames(store)).toEqual(namesOf(names, 3));
    expect(await store.readPosition('server-1')).toBe(positionToString(positions.at(-1)!));
    expect(errors).toEqual([new Error('append 5 failed')]);
  });

  it('commits each entry once over a store without transactions, when an append is cut short between tables and a commit fails', async () => {
    // What stayed of a failed append or commit is durable there: only the batch keys keep the
    // entries read back from the spool from being stored twice.
    const store = new FakeStore({ transactions: false, commitDelayMs: 2 }).failAppend(3).failCommit(2);
    const loop = loopOver(store, { maxRecordsPerCommit: 4 });
    const names = entryNames(8);
    const positions = await accept(loop, names, 2);

    await within(loop.commitUpTo(8), 3000, 'commitUpTo');

    expect(committedNames(store)).toEqual(namesOf(names, 2));
    expect(store.summarySpanCount('a'.repeat(32))).toBe(16);
    expect(await store.readPosition('server-1')).toBe(positionToString(positions.at(-1)!));
  });

  it('resolves commitUpTo after a failed commit only once that entry is committed', async () => {
    const store = new FakeStore({ commitDelayMs: 5 }).failCommit(1);
    const loop = loopOver(store, { maxRecordsPerCommit: 1000 });
    const names = entryNames(3);
    const positions = await accept(loop, names, 1);

    await within(loop.commitUpTo(3), 2000, 'commitUpTo');

    expect(committedNames(store)).toEqual(namesOf(names, 1));
    expect(reports.at(-1)).toMatchObject({ seq: 3, position: positions[2] });
  });

  it('replays the entries after the store position and nothing before it, then numbers on', async () => {
    const positions = await spoolOnly(entryNames(6), 2);
    const store = new FakeStore({ position: positionToString(positions[2]!) });
    const loop = loopOver(store);

    expect(await within(loop.replay(), 1000, 'replay')).toBe(3);
    expect(committedNames(store)).toEqual(namesOf(['e4', 'e5', 'e6'], 2));
    expect(reports).toEqual([{ seq: 3, position: positions[5], records: 6 }]);

    seq = 3;
    await accept(loop, ['later'], 1);
    await within(loop.commitUpTo(4), 1000, 'commitUpTo');
    expect(committedNames(store)).toEqual([...namesOf(['e4', 'e5', 'e6'], 2), 'later.0']);
  });

  it('replays nothing when the store has committed the whole spool', async () => {
    const positions = await spoolOnly(entryNames(2), 1);
    const store = new FakeStore({ position: positionToString(positions[1]!) });

    expect(await loopOver(store).replay()).toBe(0);
    expect(store.appendCalls).toBe(0);
    expect(store.commitCalls).toBe(0);
  });

  it('replays a new store from the start of the spool and skips a torn tail', async () => {
    const positions = await spoolOnly(entryNames(3), 1);
    await spool.close();
    await appendFile(join(dir, '000000000001.spool'), Buffer.from([7, 0, 0, 0, 0, 0]));
    spool = await Spool.open(dir, { sync: false });
    const store = new FakeStore();

    expect(await loopOver(store).replay()).toBe(3);
    expect(committedNames(store)).toEqual(['e1.0', 'e2.0', 'e3.0']);
    expect(await store.readPosition('server-1')).toBe(positionToString(positions[2]!));
  });

  describe('an entry the store keeps refusing', () => {
    const quarantineDir = (): string => join(dir, 'quarantine');
    const quarantined: string[] = [];
    const refusingLoop = (store: FakeStore, options: Partial<CommitLoopOptions> = {}): CommitLoop =>
      loopOver(store, { quarantineDir: quarantineDir(), onQuarantine: (id) => quarantined.push(id), ...options });
    beforeEach(() => {
      quarantined.length = 0;
    });

    it('is quarantined after maxAttempts tries, and the entries around it are committed', async () => {
      const store = new FakeStore().refuse((name) => name.startsWith('poison.'));
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
      const store = new FakeStore().refuse((name) => name.startsWith('poison.'), 'commit');
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
      const store = new FakeStore();
      const positions = await spoolOnly(['a', 'garbled', 'b'], 1);
      const loop = refusingLoop(store);

      expect(await within(loop.replay(), 1000, 'replay')).toBe(3);

      expect(committedNames(store)).toEqual(['a.0', 'b.0']);
      expect(listQuarantine(quarantineDir())).toEqual([expect.objectContaining({ records: null, attempts: 1 })]);
      expect(listQuarantine(quarantineDir())[0]!.error).toContain('cannot decode a garbled entry');
      expect(await store.readPosition('server-1')).toBe(positionToString(positions[2]!));
    });

    it('is not quarantined while the store refuses every write, and is committed once it is back', async () => {
      const store = new FakeStore().setDown(true);
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
      const store = new FakeStore().refuse((name) => name.startsWith('big.'), 'commit', noSpace);
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
      const store = new FakeStore().roomFor(25, noSpace);
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
      const store = new FakeStore().refuse((name) => name.startsWith('big.'), 'commit', noSpace);
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
      const store = new FakeStore().roomFor(0, noSpace);
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
      const store = new FakeStore().refuse((name) => name.startsWith('poison.'));

      expect(await within(refusingLoop(store).replay(), 5000, 'replay')).toBe(3);
      expect(committedNames(store)).toEqual(['a.0', 'b.0']);
      // The store has moved past it: a second start replays nothing.
      expect(await refusingLoop(store).replay()).toBe(0);
      expect(quarantined).toHaveLength(1);
    });
  });

  it('replays every intact entry after a damaged one, and keeps the damaged bytes', async () => {
    const names = entryNames(20);
    const positions = await spoolOnly(names, 1);
    const file = join(dir, '000000000001.spool');
    const data = await readFile(file);
    data[positions[5]!.offset - 1]! ^= 0x40; // the last byte of the sixth entry's body
    await writeFile(file, data);
    const quarantineDir = join(dir, 'quarantine');
    const damaged: Array<[number, number, number]> = [];
    const store = new FakeStore();

    const loop = loopOver(store, { quarantineDir, onDamaged: (segment, offset, bytes) => damaged.push([segment, offset, bytes]) });
    expect(await within(loop.replay(), 2000, 'replay')).toBe(19);

    expect(committedNames(store)).toEqual(namesOf(names.filter((n) => n !== 'e6'), 1));
    expect(damaged).toEqual([[1, positions[4]!.offset, positions[5]!.offset - positions[4]!.offset]]);
    const kept = await readFile(join(quarantineDir, `${quarantineIdOf(positions[4]!)}.damaged`));
    expect(kept).toEqual(data.subarray(positions[4]!.offset, positions[5]!.offset));
    expect(await store.readPosition('server-1')).toBe(positionToString(positions[19]!));
  });

  it('counts 64 KiB zeroed in the spool as damaged bytes, all of them, and replays every intact entry around them', async () => {
    const names = entryNames(6000);
    const positions = await spoolOnly(names, 1);
    const file = join(dir, '000000000001.spool');
    const data = await readFile(file);
    // Zeroed from where an entry starts: twenty zero bytes there once read as an empty entry.
    const from = positions[1999]!.offset;
    const to = from + 64 * 1024;
    data.fill(0, from, to);
    await writeFile(file, data);
    const damaged: number[] = [];
    const store = new FakeStore();

    const loop = loopOver(store, { quarantineDir: join(dir, 'quarantine'), onDamaged: (_segment, _offset, bytes) => damaged.push(bytes) });
    await within(loop.replay(), 10_000, 'replay');

    const starts = [0, ...positions.map((p) => p.offset)];
    const intact = names.filter((_, i) => starts[i + 1]! <= from || starts[i]! >= to);
    expect(committedNames(store)).toEqual(namesOf(intact, 1));
    const firstAfter = starts.find((start) => start >= to)!;
    expect(damaged).toEqual([firstAfter - from]);
    expect(damaged[0]).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('commits everything pushed when it is closed', async () => {
    const store = new FakeStore({ commitDelayMs: 2 });
    const loop = loopOver(store, { maxRecordsPerCommit: 3 });
    const names = entryNames(5);
    const positions = await accept(loop, names, 2);

    await within(loop.close(), 1000, 'close');

    expect(committedNames(store)).toEqual(namesOf(names, 2));
    expect(store.commits.map((c) => c.records)).toEqual([4, 4, 2]);
    expect(await store.readPosition('server-1')).toBe(positionToString(positions.at(-1)!));
  });
});
