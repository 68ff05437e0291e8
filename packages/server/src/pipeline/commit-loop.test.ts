import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FakeWriter } from '../../test/support/fake-writer.js';
import { decode, entry } from '../../test/support/named-entries.js';
import { quarantineIdOf } from './quarantine.js';
import { positionToString } from './spool.js';
import {
  accept,
  committedNames,
  dir,
  entryNames,
  errors,
  lastSeq,
  loopOver,
  namesOf,
  nextSeq,
  numberAfter,
  reopenSpool,
  reports,
  settled,
  spool,
  spoolOnly,
  until,
  useCommitLoopHarness,
  within,
} from '../../test/support/commit-loop-harness.js';

useCommitLoopHarness();

describe('CommitLoop', () => {
  it('commits every pushed entry exactly once, in spool order', async () => {
    const store = new FakeWriter();
    const loop = loopOver(store, { maxRecordsPerCommit: 7 });
    const names = entryNames(12);
    const positions = await accept(loop, names, 3);

    await within(loop.commitUpTo(12), 1000, 'commitUpTo');

    expect(committedNames(store)).toEqual(namesOf(names, 3));
    expect(await store.readPosition('server-1')).toBe(positionToString(positions.at(-1)!));
    expect(store.pendingRecords()).toBe(0);
  });

  it('reads entries handed over without their batches back from the spool, in order, each once', async () => {
    const store = new FakeWriter();
    const loop = loopOver(store);
    const names = entryNames(6);
    for (const [i, name] of names.entries()) {
      const position = await spool.append(entry(name, 2));
      // Entries 3 to 5 were left on disk (the store was down when they came).
      loop.push(i >= 2 && i <= 4 ? null : decode(entry(name, 2)), position, nextSeq());
    }
    await loop.commitUpTo(lastSeq());
    expect(committedNames(store)).toEqual(namesOf(names, 2));
    expect(errors).toEqual([]);
  });

  it('commits as soon as the open transaction holds maxRecordsPerCommit records', async () => {
    const store = new FakeWriter();
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
    const store = new FakeWriter();
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

  it('lingers up to four times lingerMs for a whole row group once a quarter of one is in, lingerMs for less or more', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const store = new FakeWriter();
    const loop = loopOver(store, { lingerMs: 100, wholeRecords: 8 });
    // A quarter of a group (2 records): the transaction waits past lingerMs for the rest.
    await accept(loop, ['a'], 2);
    await until(() => store.appendCalls === 1, 'the first entry is appended');
    await vi.advanceTimersByTimeAsync(399);
    expect(store.commitCalls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => store.commits.length === 1, 'the lingering commit is durable');
    expect(store.commits[0]).toEqual(expect.objectContaining({ records: 2 }));

    // Fewer than a quarter: committed after lingerMs, as without a group to fill.
    await accept(loop, ['b'], 1);
    await until(() => store.appendCalls === 2, 'the second entry is appended');
    await vi.advanceTimersByTimeAsync(100);
    await until(() => store.commits.length === 2, 'the small commit is durable');

    // A whole group or more waits lingerMs alone, for up to maxRecordsPerCommit.
    await accept(loop, ['c'], 8);
    await until(() => store.appendCalls === 3, 'the third entry is appended');
    await vi.advanceTimersByTimeAsync(99);
    expect(store.commitCalls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => store.commits.length === 3, 'the whole group is durable');
    expect(store.commits[2]).toEqual(expect.objectContaining({ records: 8 }));
  });

  it('brings the linger forward when a lingering transaction fills its group, and leaves no long timer to the next', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const store = new FakeWriter();
    const loop = loopOver(store, { lingerMs: 100, wholeRecords: 8, maxRecordsPerCommit: 16 });
    await accept(loop, ['a'], 2);
    await until(() => store.appendCalls === 1, 'the first entry is appended');
    await vi.advanceTimersByTimeAsync(50);
    // The group filled: due at lingerMs from the first record, not four times that.
    await accept(loop, ['b'], 6);
    await until(() => store.appendCalls === 2, 'the second entry is appended');
    await vi.advanceTimersByTimeAsync(50);
    await until(() => store.commits.length === 1, 'the filled group is durable');

    // A lingering transaction committed for a reader: the next, small one is due after lingerMs.
    await accept(loop, ['c'], 2);
    await settled(loop.commitUpTo(lastSeq()), 'commitUpTo');
    await accept(loop, ['d'], 1);
    await until(() => store.appendCalls === 4, 'the fourth entry is appended');
    await vi.advanceTimersByTimeAsync(100);
    await until(() => store.commits.length === 3, 'the small commit is durable');
  });

  it('commits at once when a reader waits, without waiting for lingerMs or a full transaction', async () => {
    // On a clock that never moves: no timer fires, so nothing here waits for one.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const store = new FakeWriter();
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
    const store = new FakeWriter({ commitDelayMs: 2 });
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
    const store = new FakeWriter({ commitDelayMs: 3 }).failCommit(2);
    const loop = loopOver(store, { maxRecordsPerCommit: 4 });
    const names = entryNames(10);
    const positions = await accept(loop, names, 2);

    await within(loop.commitUpTo(10), 2000, 'commitUpTo');

    expect(committedNames(store)).toEqual(namesOf(names, 2));
    expect(await store.readPosition('server-1')).toBe(positionToString(positions.at(-1)!));
    expect(errors).toEqual([new Error('commit 2 failed')]);
    expect(store.rollbackCalls).toBe(1);
  });

  it('counts records as waiting from the push that found none waiting, through commits in flight and a failed one', async () => {
    const store = new FakeWriter({ commitDelayMs: 3 }).failCommit(2);
    const release = store.holdCommits();
    const loop = loopOver(store, { maxRecordsPerCommit: 4 });
    await accept(loop, entryNames(2), 2);
    const since = loop.waitingSince();
    // Pushed while the first commit is held in flight, then through a failed one read back from the spool: still waiting since then.
    await until(() => store.commitCalls === 1, 'the first commit is asked for');
    await accept(loop, entryNames(8, 'f'), 2);
    expect(loop.waitingSince()).toBe(since);
    release();
    await within(loop.commitUpTo(lastSeq()), 2000, 'commitUpTo');
    expect(errors).toEqual([new Error('commit 2 failed')]);
    expect(loop.waitingSince()).toBe(since);
    // Everything committed: the next push starts the clock again.
    await accept(loop, entryNames(1, 'g'), 2);
    expect(loop.waitingSince()).toBeGreaterThan(since);
    await within(loop.commitUpTo(lastSeq()), 2000, 'commitUpTo');
  });

  it('rolls back a failed append and commits the lost entries again from the spool, each once', async () => {
    const store = new FakeWriter().failAppend(5);
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
    const store = new FakeWriter({ transactions: false, commitDelayMs: 2 }).failAppend(3).failCommit(2);
    const loop = loopOver(store, { maxRecordsPerCommit: 4 });
    const names = entryNames(8);
    const positions = await accept(loop, names, 2);

    await within(loop.commitUpTo(8), 3000, 'commitUpTo');

    expect(committedNames(store)).toEqual(namesOf(names, 2));
    expect(store.summarySpanCount('a'.repeat(32))).toBe(16);
    expect(await store.readPosition('server-1')).toBe(positionToString(positions.at(-1)!));
  });

  it('resolves commitUpTo after a failed commit only once that entry is committed', async () => {
    const store = new FakeWriter({ commitDelayMs: 5 }).failCommit(1);
    const loop = loopOver(store, { maxRecordsPerCommit: 1000 });
    const names = entryNames(3);
    const positions = await accept(loop, names, 1);

    await within(loop.commitUpTo(3), 2000, 'commitUpTo');

    expect(committedNames(store)).toEqual(namesOf(names, 1));
    expect(reports.at(-1)).toMatchObject({ seq: 3, position: positions[2] });
  });

  it('replays the entries after the store position and nothing before it, then numbers on', async () => {
    const positions = await spoolOnly(entryNames(6), 2);
    const store = new FakeWriter({ position: positionToString(positions[2]!) });
    const loop = loopOver(store);

    expect(await within(loop.replay(), 1000, 'replay')).toBe(3);
    expect(committedNames(store)).toEqual(namesOf(['e4', 'e5', 'e6'], 2));
    expect(reports).toEqual([{ seq: 3, position: positions[5], records: 6 }]);

    numberAfter(3);
    await accept(loop, ['later'], 1);
    await within(loop.commitUpTo(4), 1000, 'commitUpTo');
    expect(committedNames(store)).toEqual([...namesOf(['e4', 'e5', 'e6'], 2), 'later.0']);
  });

  it('replays nothing when the store has committed the whole spool', async () => {
    const positions = await spoolOnly(entryNames(2), 1);
    const store = new FakeWriter({ position: positionToString(positions[1]!) });

    expect(await loopOver(store).replay()).toBe(0);
    expect(store.appendCalls).toBe(0);
    expect(store.commitCalls).toBe(0);
  });

  it('replays a new store from the start of the spool and skips a torn tail', async () => {
    const positions = await spoolOnly(entryNames(3), 1);
    await spool.close();
    await appendFile(join(dir, '000000000001.spool'), Buffer.from([7, 0, 0, 0, 0, 0]));
    await reopenSpool();
    const store = new FakeWriter();

    expect(await loopOver(store).replay()).toBe(3);
    expect(committedNames(store)).toEqual(['e1.0', 'e2.0', 'e3.0']);
    expect(await store.readPosition('server-1')).toBe(positionToString(positions[2]!));
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
    const store = new FakeWriter();

    const loop = loopOver(store, { quarantineDir, onDamaged: (segment, offset, bytes) => damaged.push([segment, offset, bytes]) });
    expect(await within(loop.replay(), 2000, 'replay')).toBe(19);

    expect(committedNames(store)).toEqual(
      namesOf(
        names.filter((n) => n !== 'e6'),
        1,
      ),
    );
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
    const store = new FakeWriter();

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
    const store = new FakeWriter({ commitDelayMs: 2 });
    const loop = loopOver(store, { maxRecordsPerCommit: 3 });
    const names = entryNames(5);
    const positions = await accept(loop, names, 2);

    await within(loop.close(), 1000, 'close');

    expect(committedNames(store)).toEqual(namesOf(names, 2));
    expect(store.commits.map((c) => c.records)).toEqual([4, 4, 2]);
    expect(await store.readPosition('server-1')).toBe(positionToString(positions.at(-1)!));
  });
});
