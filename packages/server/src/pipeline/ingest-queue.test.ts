import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { FakeWriter } from '../../test/support/fake-writer.js';
import { decode, entry as named } from '../../test/support/named-entries.js';
import { CommitLoop } from './commit-loop.js';
import { type CommitSink, IngestQueue } from './ingest-queue.js';
import type { WriteBatch } from '../store/tables.js';
import { type SpoolEntry, type SpoolPosition, Spool, readSpool } from './spool.js';

/** A commit sink that keeps what it is handed and commits when the test says so. */
class RecordingSink implements CommitSink {
  readonly pushed: Array<{ batch: WriteBatch | null; position: SpoolPosition; seq: number }> = [];
  readonly asked: number[] = [];
  private readonly waiting: Array<{ seq: number; resolve: () => void }> = [];
  private committedSeq = 0;

  push(batch: WriteBatch | null, position: SpoolPosition, seq: number): void {
    this.pushed.push({ batch, position, seq });
  }

  commitUpTo(seq: number): Promise<void> {
    this.asked.push(seq);
    if (seq <= this.committedSeq) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ seq, resolve }));
  }

  /** Commits everything up to `seq` and tells the queue, as the commit loop's onCommit does. */
  commit(queue: IngestQueue, seq: number): void {
    this.committedSeq = seq;
    queue.committed(seq, this.pushed.find((p) => p.seq === seq)!.position);
    for (const w of this.waiting.filter((w) => w.seq <= seq)) w.resolve();
  }
}

let dir: string;
let spool: Spool;
let spoolOpen: boolean;
let sink: RecordingSink;

beforeEach(async () => {
  nowUs = 1_700_000_000_000_000;
  dir = await mkdtemp(join(tmpdir(), 'spoor-ingest-queue-'));
  spool = await Spool.open(dir);
  spoolOpen = true;
  sink = new RecordingSink();
});

afterEach(async () => {
  if (spoolOpen) await closeSpool();
  await rm(dir, { recursive: true, force: true });
});

async function closeSpool(): Promise<void> {
  spoolOpen = false;
  await spool.close();
}

/** The tests' clock, in microseconds: entries are received at it, and the queue reads it. */
let nowUs = 1_700_000_000_000_000;
const clock = { nowUs: (): number => nowUs };

function entry(body = 'request'): SpoolEntry {
  return { signal: 'logs', encoding: 'json', projectId: 'shop', receivedUs: nowUs, body: new TextEncoder().encode(body) };
}

/** A batch of `count` records (the queue only counts them). */
function records(count: number): WriteBatch {
  return { records: count, tables: [] };
}

function spooledBodies(): string[] {
  return [...readSpool(dir, null)].flatMap((item) => ('entry' in item ? [new TextDecoder().decode(item.entry.body)] : []));
}

/** Waits on turns of the event loop until `condition` holds (2 s at most). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 2000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The error `promise` rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('IngestQueue', () => {
  it('resolves a submit once the body is in the spool, then hands it to the sink', async () => {
    const queue = new IngestQueue(spool, sink);

    const batch = records(3);
    await queue.submit(entry('first'), batch);

    const [spooled] = readSpool(dir, null);
    expect(spooledBodies()).toEqual(['first']);
    expect(sink.pushed).toEqual([{ batch, position: spooled && 'position' in spooled ? spooled.position : null, seq: 1 }]);
    expect(sink.pushed[0]!.batch).toBe(batch);
    expect(queue.queued()).toBe(3);
  });

  it('numbers entries in spool order, also when submitted together', async () => {
    const queue = new IngestQueue(spool, sink);

    const bodyOf = new Map<WriteBatch, string>();
    await Promise.all(
      ['a', 'b', 'c', 'd'].map((body) => {
        const batch = records(1);
        bodyOf.set(batch, body);
        return queue.submit(entry(body), batch);
      }),
    );

    expect(sink.pushed.map((p) => [bodyOf.get(p.batch!), p.seq])).toEqual(spooledBodies().map((body, i) => [body, i + 1]));
  });

  it('accepts nothing and spools nothing for a request without records', async () => {
    const queue = new IngestQueue(spool, sink);

    await queue.submit(entry('empty'), records(0));

    expect(spooledBodies()).toEqual([]);
    expect(sink.pushed).toEqual([]);
  });

  it('refuses a request with ERR_INGEST_QUEUE_FULL and Retry-After when it would overfill the queue', async () => {
    const queue = new IngestQueue(spool, sink, { maxQueuedRecords: 10, retryAfterSeconds: 7, ...clock });
    await queue.submit(entry('fits'), records(6));
    await queue.submit(entry('fills'), records(4));

    const error = await failureOf(queue.submit(entry('refused'), records(1)));

    expect(error).toMatchObject({ code: 'ERR_INGEST_QUEUE_FULL', status: 503, retryAfterSeconds: 7 });
    expect(spooledBodies()).toEqual(['fits', 'fills']);
    expect(queue.queued()).toBe(10);
  });

  it('accepts one request larger than the whole queue when the queue is empty', async () => {
    const queue = new IngestQueue(spool, sink, { maxQueuedRecords: 10, ...clock });

    await queue.submit(entry('huge'), records(50));
    const error = await failureOf(queue.submit(entry('next'), records(1)));

    expect(error.code).toBe('ERR_INGEST_QUEUE_FULL');
    expect(spooledBodies()).toEqual(['huge']);
  });

  it('takes requests again once the sink has committed what filled the queue', async () => {
    const queue = new IngestQueue(spool, sink, { maxQueuedRecords: 10, ...clock });
    await queue.submit(entry('one'), records(5));
    await queue.submit(entry('two'), records(5));
    await failureOf(queue.submit(entry('refused'), records(5)));

    sink.commit(queue, 1);
    expect(queue.queued()).toBe(5);
    await queue.submit(entry('three'), records(5));
    sink.commit(queue, 3);

    expect(queue.queued()).toBe(0);
    expect(spooledBodies()).toEqual(['one', 'two', 'three']);
  });

  it("refuses with ERR_SPOOL_FULL and the reserve's reason, spooling nothing, while what was acknowledged needs the room; gives up a stop once the store lacks space", async () => {
    // A reserve of 20 bytes of disk in all: a request fits while its bytes and those pending do.
    const asked: Array<[number, number]> = [];
    let spooled = 0;
    let refreshed = 0;
    const reserve = {
      refusal: (bytes: number, pending: number) => (asked.push([bytes, pending]), bytes + pending > 20 ? 'too little free space on the disk' : null),
      spooledBytes: (bytes: number) => void (spooled += bytes),
      refresh: () => void refreshed++,
    };
    const queue = new IngestQueue(spool, sink, { retryAfterSeconds: 2, reserve, ...clock });
    await queue.submit(entry('0123456789'), records(1));
    const error = await failureOf(queue.submit(entry('abcdefghijk'), records(1)));
    expect(error).toMatchObject({
      code: 'ERR_SPOOL_FULL',
      status: 503,
      retryAfterSeconds: 2,
      message: expect.stringMatching(/^too little free space on the disk; retry later/),
    });
    expect(asked).toEqual([
      [10, 0],
      [11, 10],
    ]);
    expect(spooled).toBe(10);
    expect(spooledBodies()).toEqual(['0123456789']);
    // Committed: its bytes are no longer pending, and free space is read again.
    sink.commit(queue, 1);
    expect(refreshed).toBe(1);
    await queue.submit(entry('abcdefghijk'), records(1));
    expect(asked.at(-1)).toEqual([11, 0]);

    // A stop waits for the commit, unless the store fails to commit for lack of space.
    let stopped = false;
    const stopping = queue.close().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    queue.setStoreHealthy(false, false, true);
    await stopping;
    expect(queue.allCommitted()).toBe(false);
  });

  it('acknowledges into the spool alone while the store takes no commits, up to maxSpoolBytes, then refuses with ERR_SPOOL_FULL', async () => {
    const queue = new IngestQueue(spool, sink, { maxQueuedRecords: 10, maxSpoolBytes: 12, retryAfterSeconds: 3, ...clock });
    await queue.submit(entry('in-ram'), records(4));
    queue.setStoreHealthy(false);
    // Past maxQueuedRecords, but the store is down: to disk, the batch not kept.
    await queue.submit(entry('disk'), records(40));
    expect(sink.pushed.map((p) => p.batch === null)).toEqual([false, true]);
    expect(queue.spoolBytes()).toBe(10);

    const error = await failureOf(queue.submit(entry('too-much'), records(1)));
    expect(error).toMatchObject({ code: 'ERR_SPOOL_FULL', status: 503, retryAfterSeconds: 3 });
    expect(spooledBodies()).toEqual(['in-ram', 'disk']);

    // The store is back; what piled up still goes first, so new requests keep going to disk until it is committed.
    queue.setStoreHealthy(true);
    sink.commit(queue, 1);
    await queue.submit(entry('next'), records(1));
    expect(sink.pushed.at(-1)!.batch).toBeNull();
    sink.commit(queue, 3);
    await queue.submit(entry('after'), records(1));
    expect(sink.pushed.at(-1)!.batch).not.toBeNull();
    expect(queue.spoolBytes()).toBe(5);
  });

  it("refuses requests while the store lacks room on the spool's disk, until what was accepted before is committed", async () => {
    const queue = new IngestQueue(spool, sink, { retryAfterSeconds: 2, ...clock });
    await queue.submit(entry('one'), records(1));
    await queue.submit(entry('two'), records(1));
    queue.setStoreHealthy(false, true);
    expect(queue.refusesForRoom()).toBe(true);

    const refused = await failureOf(queue.submit(entry('eats-the-room'), records(1)));
    expect(refused).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', status: 503, retryAfterSeconds: 2 });
    expect(refused.message).toMatch(/no space left/);
    // Taking commits again is not enough: what the lack of room held up goes first.
    queue.setStoreHealthy(true);
    sink.commit(queue, 1);
    await expect(queue.submit(entry('too-soon'), records(1))).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    sink.commit(queue, 2);
    expect(queue.refusesForRoom()).toBe(false);
    await queue.submit(entry('three'), records(1));
    // The spool started a new segment, and the one wholly committed went.
    await until(() => spooledBodies().length === 1);
    expect(spooledBodies()).toEqual(['three']);

    // A store down for another reason (ClickHouse away) still has requests acknowledged into the spool.
    queue.setStoreHealthy(false, false);
    await queue.submit(entry('four'), records(1));
    expect(queue.refusesForRoom()).toBe(false);
  });

  it('acknowledges into the spool alone while no commit has finished for stallMs and the queue is full', async () => {
    const spilled: string[] = [];
    const queue = new IngestQueue(spool, sink, { maxQueuedRecords: 10, stallMs: 2_000, ...clock, onSpilled: (reason) => spilled.push(reason) });
    await queue.submit(entry('one'), records(6));
    nowUs += 1_999_000;
    await queue.submit(entry('two'), records(4));
    // Full, and the oldest request has waited 1.999 s with no commit: the store is slower than the load.
    expect((await failureOf(queue.submit(entry('refused'), records(1)))).code).toBe('ERR_INGEST_QUEUE_FULL');

    // 2 s without a finished commit: a stall (DuckDB checkpointing inside a commit), waited for on disk.
    nowUs += 1_000;
    await queue.submit(entry('stalled'), records(3));
    expect(sink.pushed.map((p) => p.batch === null)).toEqual([false, false, true]);
    expect(spilled).toEqual(['store_stalled']);
    expect(queue.queued()).toBe(13);

    // The stall ends: room in memory takes the next request there, behind the one on disk, in order.
    sink.commit(queue, 1);
    await queue.submit(entry('after'), records(2));
    expect(sink.pushed.map((p) => [p.seq, p.batch === null])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [4, false],
    ]);
    expect(spooledBodies()).toEqual(['one', 'two', 'stalled', 'after']);
  });

  it('goes on taking the overflow to disk after a stall until what the stall left there is committed, then refuses', async () => {
    const queue = new IngestQueue(spool, sink, { maxQueuedRecords: 10, stallMs: 2_000, ...clock });
    await queue.submit(entry('full'), records(10));
    nowUs += 5_000_000;
    await queue.submit(entry('stalled'), records(4));
    // Commits finish again (the stall's entry is not committed yet); memory fills again.
    sink.commit(queue, 1);
    await queue.submit(entry('refill'), records(10));
    await queue.submit(entry('overflow'), records(4));
    expect(sink.pushed.map((p) => p.batch === null)).toEqual([false, true, false, true]);
    // At most maxQueuedRecords on disk: 8 there, 3 more would be 11.
    expect((await failureOf(queue.submit(entry('past the bound'), records(3)))).code).toBe('ERR_INGEST_QUEUE_FULL');

    // The stall's entry is committed: the overflow after it still waits on disk, but a full queue
    // while commits finish is refused again, however little is on disk.
    sink.commit(queue, 2);
    const error = await failureOf(queue.submit(entry('refused'), records(1)));
    expect(error).toMatchObject({ code: 'ERR_INGEST_QUEUE_FULL', status: 503 });
    expect(spooledBodies()).toEqual(['full', 'stalled', 'refill', 'overflow']);
  });

  it('never leaves on disk for a stall a request its body alone would not give again', async () => {
    const queue = new IngestQueue(spool, sink, { maxQueuedRecords: 10, stallMs: 2_000, ...clock });
    await queue.submit(entry('full'), records(10));
    nowUs += 5_000_000;
    // It held spans the receiver dropped as stored before: read back, they would be stored twice.
    expect((await failureOf(queue.submit(entry('resent'), records(2), false))).code).toBe('ERR_INGEST_QUEUE_FULL');
    await queue.submit(entry('fresh'), records(2));
    expect(spooledBodies()).toEqual(['full', 'fresh']);
    // With room in memory it is taken as any.
    sink.commit(queue, 2);
    await queue.submit(entry('resent'), records(2), false);
    expect(sink.pushed.at(-1)!.batch).not.toBeNull();
  });

  it('measures a stall from when the oldest entry was accepted, not when its request was received', async () => {
    const queue = new IngestQueue(spool, sink, { maxQueuedRecords: 10, stallMs: 2_000, ...clock });
    // Received long ago (a quarantined request replayed keeps its time), accepted now.
    await queue.submit({ ...entry('old'), receivedUs: nowUs - 3_600_000_000 }, records(10));
    expect((await failureOf(queue.submit(entry('next'), records(1)))).code).toBe('ERR_INGEST_QUEUE_FULL');
    expect(queue.waitingSeconds()).toBe(0);
    nowUs += 2_500_000;
    expect(queue.waitingSeconds()).toBe(2.5);
    await queue.submit(entry('stalled'), records(1));
    expect(sink.pushed.at(-1)!.batch).toBeNull();
  });

  it('tells the age of the oldest request not yet committed', async () => {
    const queue = new IngestQueue(spool, sink);
    expect(queue.oldestUnsentSeconds(10_000_000)).toBe(0);
    await queue.submit({ ...entry('old'), receivedUs: 1_000_000 }, records(1));
    await queue.submit({ ...entry('new'), receivedUs: 4_000_000 }, records(1));
    expect(queue.oldestUnsentSeconds(10_000_000)).toBe(9);
    sink.commit(queue, 1);
    expect(queue.oldestUnsentSeconds(10_000_000)).toBe(6);
  });

  it('releases spool segments the sink has committed', async () => {
    await closeSpool();
    spool = await Spool.open(dir, { maxSegmentBytes: 1 });
    spoolOpen = true;
    const queue = new IngestQueue(spool, sink);
    for (const body of ['a', 'b', 'c']) await queue.submit(entry(body), records(1));

    sink.commit(queue, 3);

    // The first segment was empty and closed; the segments of 'a' and 'b' held committed entries
    // only. They are unlinked off the event loop, soon after.
    await expect.poll(() => readdir(dir)).toEqual(['000000000004.spool']);
    expect(spooledBodies()).toEqual(['c']);
  });

  it('asks the sink to commit up to the last accepted request for whenVisible', async () => {
    const queue = new IngestQueue(spool, sink);
    for (const body of ['a', 'b', 'c']) await queue.submit(entry(body), records(1));

    let visible = false;
    const whenVisible = queue.whenVisible().then(() => (visible = true));
    expect(sink.asked).toEqual([3]);
    sink.commit(queue, 2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(visible).toBe(false);

    sink.commit(queue, 3);
    await whenVisible;
    expect(visible).toBe(true);
  });

  it('continues numbering after the entries replayed at start-up, taking them as committed', async () => {
    const queue = new IngestQueue(spool, sink);
    queue.startAfter(41);
    // Replayed entries were committed before the thread was ready: nothing to wait for, nothing left at a stop.
    expect(queue.allCommitted()).toBe(true);
    await queue.whenVisible();
    expect(sink.asked).toEqual([]);

    await queue.submit(entry('a'), records(1));
    await queue.submit(entry('b'), records(1));

    expect(sink.pushed.map((p) => p.seq)).toEqual([42, 43]);
    void queue.whenVisible();
    expect(sink.asked).toEqual([43]);
  });

  it('refuses requests with ERR_SHUTTING_DOWN once closing, and closes when everything accepted is committed', async () => {
    const queue = new IngestQueue(spool, sink, { retryAfterSeconds: 2 });
    await queue.submit(entry('accepted'), records(1));

    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    const error = await failureOf(queue.submit(entry('late'), records(1)));
    expect(error).toMatchObject({ code: 'ERR_SHUTTING_DOWN', status: 503, retryAfterSeconds: 2 });
    expect(closed).toBe(false);

    sink.commit(queue, 1);
    await closing;
    expect(spooledBodies()).toEqual(['accepted']);
  });

  it('answers a retryable 503 and frees its place in the queue when the spool cannot take the body', async () => {
    const queue = new IngestQueue(spool, sink, { maxQueuedRecords: 10, ...clock });
    await closeSpool();

    const error = await failureOf(queue.submit(entry('lost'), records(8)));

    expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', status: 503, retryAfterSeconds: 1 });
    expect(queue.queued()).toBe(0);
    expect(sink.pushed).toEqual([]);
  });

  it('absorbs a commit that stalls for seconds: past the queue, requests are acknowledged into the spool, then all are committed in order, each once', async () => {
    const store = new FakeWriter();
    let queue: IngestQueue | null = null;
    const loop = new CommitLoop(store, {
      spoolDir: dir,
      decode,
      lingerMs: 60_000,
      maxRecordsPerCommit: 4,
      onCommit: (seq, position) => queue!.committed(seq, position),
    });
    const spilled: string[] = [];
    queue = new IngestQueue(spool, loop, { maxQueuedRecords: 8, stallMs: 2_000, ...clock, onSpilled: (reason) => spilled.push(reason) });
    const submit = (name: string): Promise<void> => {
      const spooled = named(name, 2, nowUs);
      return queue!.submit(spooled, decode(spooled));
    };

    const release = store.holdCommits();
    for (const name of ['a', 'b', 'c', 'd']) await submit(name);
    // The queue is full while the first commit hangs; within stallMs that is a store slower than the load.
    expect((await failureOf(submit('refused'))).code).toBe('ERR_INGEST_QUEUE_FULL');
    nowUs += 2_000_000;
    for (const name of ['e', 'f', 'g']) await submit(name);
    expect(spilled).toEqual(['store_stalled', 'store_stalled', 'store_stalled']);

    // The commit finishes: the next requests go in memory behind those on disk, and all are committed in order.
    release();
    await until(() => store.commits.length > 0);
    for (const name of ['h', 'i']) await submit(name);
    await queue.whenVisible();
    expect(store.committed.spans.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].flatMap((name) => [`${name}.0`, `${name}.1`]));
    expect(queue.queued()).toBe(0);
    await loop.close();
  });
});
