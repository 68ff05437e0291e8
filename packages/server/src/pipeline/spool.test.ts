import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type SpoolEntry,
  type SpoolPosition,
  Spool,
  comparePositions,
  defaultSegmentBytes,
  positionFromString,
  positionToString,
  readSpool,
  readSpoolRange,
} from './spool.js';

const HEADER_BYTES = 20;

let dir: string;
let spool: Spool | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-spool-'));
});

afterEach(async () => {
  await spool?.close();
  spool = null;
  await rm(dir, { recursive: true, force: true });
});

async function open(options: { maxSegmentBytes?: number } = {}): Promise<Spool> {
  spool = await Spool.open(dir, options);
  return spool;
}

async function closeSpool(): Promise<void> {
  await spool!.close();
  spool = null;
}

function entry(overrides: Partial<SpoolEntry> = {}): SpoolEntry {
  return { signal: 'traces', encoding: 'json', projectId: 'default', receivedUs: 1_700_000_000_000_000, body: text('{}'), ...overrides };
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

/** Every byte value, to show bodies are kept as bytes. */
const BINARY = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256);

function read(from: SpoolPosition | null = null) {
  return [...readSpool(dir, from)];
}

function entriesOf(items: ReturnType<typeof read>): SpoolEntry[] {
  return items.flatMap((item) => ('entry' in item ? [plain(item.entry)] : []));
}

/** Bodies come back as Buffers over the segment file; compare their bytes. */
function plain(e: SpoolEntry): SpoolEntry {
  return { ...e, body: new Uint8Array(e.body) };
}

function entryBytes(e: SpoolEntry): number {
  return HEADER_BYTES + Buffer.byteLength(e.projectId) + e.body.byteLength;
}

async function segmentFiles(): Promise<string[]> {
  return (await readdir(dir)).sort();
}

describe('Spool', () => {
  const mixed: SpoolEntry[] = [
    entry({ signal: 'traces', encoding: 'protobuf', projectId: 'default', receivedUs: 1, body: BINARY }),
    entry({ signal: 'logs', encoding: 'json', projectId: 'shop-eu', receivedUs: 1_700_000_000_123_456, body: text('{"resourceLogs":[]}') }),
    entry({ signal: 'metrics', encoding: 'protobuf', projectId: 'projet-é', receivedUs: 2 ** 52 + 1, body: new Uint8Array([0, 0, 0]) }),
    entry({ signal: 'traces', encoding: 'json', projectId: 'p'.repeat(255), receivedUs: 0, body: new Uint8Array(0) }),
  ];

  it('reads back every entry in the order it was appended, with the position after each', async () => {
    const s = await open();
    const positions: SpoolPosition[] = [];
    for (const e of mixed) positions.push(await s.append(e));

    const items = read();
    expect(entriesOf(items)).toEqual(mixed);
    expect(items.map((item) => ('position' in item ? item.position : null))).toEqual(positions);
    let end = 0;
    for (const [i, position] of positions.entries()) {
      end += entryBytes(mixed[i]!);
      expect(position).toEqual({ segment: 1, offset: end });
    }
  });

  it('keeps an entry with an empty body readable, and the entries after it', async () => {
    const s = await open();
    const entries = [entry({ body: text('before') }), entry({ body: new Uint8Array(0) }), entry({ body: text('after') })];
    for (const e of entries) await s.append(e);

    expect(entriesOf(read())).toEqual(entries);
  });

  it('reads only the entries after a position', async () => {
    const s = await open();
    const positions = [];
    for (const e of mixed) positions.push(await s.append(e));

    expect(entriesOf(read(positions[1]!))).toEqual(mixed.slice(2));
    expect(read(positions.at(-1)!)).toEqual([]);
  });

  it('writes appends made in the same tick together and resolves them all at once', async () => {
    const s = await open();
    const appends = Array.from({ length: 50 }, (_, i) => s.append(entry({ body: text(`request ${i}`) })));
    let settled = 0;
    for (const append of appends) void append.then(() => settled++);
    // Entries written by separate writes would settle in separate turns of the event loop.
    const settledWithFirst = await appends[0]!.then(() => new Promise<number>((resolve) => setImmediate(() => resolve(settled))));
    expect(settledWithFirst).toBe(50);

    const positions = await Promise.all(appends);
    expect(positions.map((p) => p.offset)).toEqual([...positions.map((p) => p.offset)].sort((a, b) => a - b));
    expect(entriesOf(read()).map((e) => new TextDecoder().decode(e.body))).toEqual(Array.from({ length: 50 }, (_, i) => `request ${i}`));
  });

  it('rolls to a new segment past maxSegmentBytes and reads across segments in order', async () => {
    const s = await open({ maxSegmentBytes: 100 });
    const bodies = Array.from({ length: 5 }, (_, i) => new Uint8Array(120).fill(i));
    const positions = [];
    for (const body of bodies) positions.push(await s.append(entry({ body })));

    expect(positions.map((p) => p.segment)).toEqual([1, 2, 3, 4, 5]);
    expect(await segmentFiles()).toEqual([1, 2, 3, 4, 5].map((n) => `${String(n).padStart(12, '0')}.spool`));
    expect(entriesOf(read()).map((e) => e.body[0])).toEqual([0, 1, 2, 3, 4]);
    expect(entriesOf(read(positions[1]!)).map((e) => e.body[0])).toEqual([2, 3, 4]);
  });

  it('keeps a segment open until an append finds it past maxSegmentBytes', async () => {
    const s = await open({ maxSegmentBytes: 100 });
    const small = await Promise.all([s.append(entry()), s.append(entry())]);
    const next = await s.append(entry());
    const after = await s.append(entry({ body: new Uint8Array(200) }));
    const rolled = await s.append(entry());

    expect([...small, next, after].map((p) => p.segment)).toEqual([1, 1, 1, 1]);
    expect(rolled).toEqual({ segment: 2, offset: entryBytes(entry()) });
  });

  it('starts a new segment when asked, once all of the current one is committed, and releases that one at once', async () => {
    const s = await open();
    const first = await s.append(entry());
    const second = await s.append(entry());
    s.rollSoon();
    // Not all of it committed: the segment stays, and so does the wish for a new one.
    await s.release(first);
    expect(await segmentFiles()).toEqual(['000000000001.spool']);
    // All of it: a new segment is started and the committed one goes, with no append needed.
    await s.release(second);
    expect(await segmentFiles()).toEqual(['000000000002.spool']);
    expect(await s.append(entry())).toEqual({ segment: 2, offset: entryBytes(entry()) });
    // Asked once: the next appends share the segment again.
    expect((await s.append(entry())).segment).toBe(2);
  });

  it('makes segments 64 MiB by default where it cannot tell the size of the disk', () => {
    // A 40 MiB disk's (a 32nd of it) is in full-disk-backlog.int.test.ts.
    expect(defaultSegmentBytes(join(dir, 'missing'))).toBe(64 * 1024 * 1024);
  });

  it('releases only whole segments before the position and never the one it writes to', async () => {
    const s = await open({ maxSegmentBytes: 10 });
    const positions = [];
    for (let i = 0; i < 4; i++) positions.push(await s.append(entry({ body: new Uint8Array([i]) })));

    await s.release(positions[2]!);
    expect(await segmentFiles()).toEqual(['000000000003.spool', '000000000004.spool']);
    expect(entriesOf(read()).map((e) => e.body[0])).toEqual([2, 3]);

    await s.release({ segment: 99, offset: 0 });
    expect(await segmentFiles()).toEqual(['000000000004.spool']);
    expect(entriesOf(read()).map((e) => e.body[0])).toEqual([3]);

    // The spool goes on past what it released.
    await s.append(entry({ body: new Uint8Array([4]) }));
    expect(entriesOf(read()).map((e) => e.body[0])).toEqual([3, 4]);
  });

  it.each([
    ['inside the header', (_e: SpoolEntry) => HEADER_BYTES - 3],
    ['inside the project id', (e: SpoolEntry) => HEADER_BYTES + Buffer.byteLength(e.projectId) - 1],
    ['inside the body', (e: SpoolEntry) => entryBytes(e) - 1],
  ])('ends a segment at a tail torn %s and keeps the entries before it', async (_where, keep) => {
    const s = await open();
    const entries = [entry({ body: text('first') }), entry({ body: text('second') }), entry({ projectId: 'shop', body: text('torn') })];
    const positions = [];
    for (const e of entries) positions.push(await s.append(e));
    await closeSpool();
    const kept = keep(entries[2]!);
    await truncate(join(dir, '000000000001.spool'), positions[1]!.offset + kept);

    const items = read();
    expect(entriesOf(items)).toEqual(entries.slice(0, 2));
    expect(items.at(-1)).toEqual({ tornBytes: kept, segment: 1 });
  });

  it.each([
    ['its body', (end: number) => end - 2],
    ['its header (the received time)', (end: number, e: SpoolEntry) => end - entryBytes(e) + 9],
  ])('reports an entry with a flipped byte in %s as damage and reads the entries after it', async (_where, at) => {
    const s = await open();
    const entries = [entry({ body: text('first') }), entry({ body: text('second') }), entry({ body: text('third') }), entry({ body: text('fourth') })];
    const positions = [];
    for (const e of entries) positions.push(await s.append(e));
    await closeSpool();
    const file = join(dir, '000000000001.spool');
    const data = await readFile(file);
    data[at(positions[1]!.offset, entries[1]!)]! ^= 0x01;
    await writeFile(file, data);

    const items = read();
    expect(items).toEqual([
      expect.objectContaining({ position: positions[0] }),
      { damaged: data.subarray(positions[0]!.offset, positions[1]!.offset), segment: 1, offset: positions[0]!.offset },
      expect.objectContaining({ position: positions[2] }),
      expect.objectContaining({ position: positions[3] }),
    ]);
    expect(entriesOf(items).map((e) => new TextDecoder().decode(e.body))).toEqual(['first', 'third', 'fourth']);
  });

  it('ends a segment at a damaged tail with nothing readable after it, and reads the next segment', async () => {
    let s = await open();
    const positions = [await s.append(entry({ body: text('first') })), await s.append(entry({ body: text('second') }))];
    await closeSpool();
    const file = join(dir, '000000000001.spool');
    const data = await readFile(file);
    data[positions[1]!.offset - 2]! ^= 0x01;
    await writeFile(file, data);
    s = await open();
    await s.append(entry({ body: text('after restart') }));

    const items = read();
    expect(items[1]).toEqual({ tornBytes: data.length - positions[0]!.offset, segment: 1 });
    expect(entriesOf(items).map((e) => new TextDecoder().decode(e.body))).toEqual(['first', 'after restart']);
  });

  it('reads entries of the format before the header was checksummed', async () => {
    // Format 0: byte 7 is 0 and the CRC covers the project id and the body only.
    const project = Buffer.from('default');
    const body = Buffer.from('old entry');
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(body.length, 0);
    header.writeUInt8(0, 4);
    header.writeUInt8(1, 5);
    header.writeUInt8(project.length, 6);
    header.writeDoubleLE(42, 8);
    header.writeUInt32LE(crc32(body, crc32(project)), 16);
    await writeFile(join(dir, '000000000001.spool'), Buffer.concat([header, project, body]));

    expect(entriesOf(read())).toEqual([{ signal: 'traces', encoding: 'json', projectId: 'default', receivedUs: 42, body: new Uint8Array(body) }]);
  });

  it.each([
    ['where an entry starts', 0],
    ['inside an entry', 37],
  ])('counts 64 KiB zeroed %s as damage, every byte of it, and reads every intact entry around it', async (_where, into) => {
    const s = await open();
    const entries = Array.from({ length: 3000 }, (_, i) => entry({ body: text(`entry ${i} `.padEnd(40 + (i % 50), '.')) }));
    const positions = await Promise.all(entries.map((e) => s.append(e)));
    await closeSpool();
    const file = join(dir, '000000000001.spool');
    const data = await readFile(file);
    const from = positions[999]!.offset + into;
    const to = from + 64 * 1024;
    data.fill(0, from, to);
    await writeFile(file, data);

    const items = read();
    const starts = [0, ...positions.map((p) => p.offset)];
    const intact = entries.filter((_, i) => starts[i + 1]! <= from || starts[i]! >= to);
    expect(entriesOf(items)).toEqual(intact);
    const damaged = items.flatMap((item) => ('damaged' in item ? [item] : []));
    // From the start of the first entry the zeros reach to the start of the first one after them.
    const firstHit = starts.findLast((start) => start <= from)!;
    const firstAfter = starts.find((start) => start >= to)!;
    expect(damaged.map((d) => [d.offset, d.damaged.length])).toEqual([[firstHit, firstAfter - firstHit]]);
    expect(damaged[0]!.damaged.length).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('takes twenty zero bytes at the end of a segment for a torn tail, not for an entry', async () => {
    const s = await open();
    await s.append(entry({ body: text('last') }));
    await closeSpool();
    await writeFile(join(dir, '000000000001.spool'), Buffer.alloc(HEADER_BYTES), { flag: 'a' });

    const items = read();
    expect(entriesOf(items).map((e) => new TextDecoder().decode(e.body))).toEqual(['last']);
    expect(items.at(-1)).toEqual({ tornBytes: HEADER_BYTES, segment: 1 });
  });

  it('refuses appends while the next segment cannot be opened, and never writes elsewhere', async () => {
    spool = await Spool.open(dir, { maxSegmentBytes: 64 });
    await spool.append(entry({ body: text('first'.padEnd(80, '.')) }));
    // The next segment's name is taken by a directory, so rolling to it fails.
    const blocker = join(dir, '000000000002.spool');
    await mkdir(blocker);
    await expect(spool.append(entry({ body: text('second') }))).rejects.toThrow();
    await expect(spool.append(entry({ body: text('third') }))).rejects.toThrow();
    await rm(blocker, { recursive: true });
    const position = await spool.append(entry({ body: text('fourth') }));
    expect(position.segment).toBe(2);
    await closeSpool();
    const bodies = entriesOf(read()).map((e) => new TextDecoder().decode(e.body).replace(/\.+$/, ''));
    expect(bodies).toEqual(['first', 'fourth']);
  });

  it('appends to a new segment after the old ones when it is reopened', async () => {
    let s = await open();
    await s.append(entry({ body: text('before') }));
    await closeSpool();
    await writeFile(join(dir, 'notes.txt'), 'not a segment');

    s = await open();
    expect(await s.append(entry({ body: text('after') }))).toEqual({ segment: 2, offset: entryBytes(entry({ body: text('after') })) });
    expect(await segmentFiles()).toEqual(['000000000001.spool', '000000000002.spool', 'notes.txt']);
    expect(entriesOf(read()).map((e) => new TextDecoder().decode(e.body))).toEqual(['before', 'after']);
  });

  it('skips empty segments when reading', async () => {
    await open();
    await closeSpool();
    const s = await open();
    await s.append(entry());

    expect(await segmentFiles()).toEqual(['000000000001.spool', '000000000002.spool']);
    expect(read().map((item) => ('position' in item ? item.position.segment : null))).toEqual([2]);
  });

  it('rejects an append after close and waits for appends in progress before closing', async () => {
    const s = await open();
    const inProgress = s.append(entry({ body: text('in progress') }));
    await closeSpool();

    expect(await inProgress).toEqual({ segment: 1, offset: entryBytes(entry({ body: text('in progress') })) });
    await expect(s.append(entry())).rejects.toThrow('the spool is closed');
    expect(entriesOf(read())).toHaveLength(1);
  });
});

describe('a reader besides the store (forwarding)', () => {
  it("keeps the segments it holds past the store's commit, and releases them once it moves on", async () => {
    const s = await open({ maxSegmentBytes: 10 });
    const positions = [];
    for (let i = 0; i < 4; i++) positions.push(await s.append(entry({ body: new Uint8Array([i]) })));
    let held: SpoolPosition | null = positions[0]!;
    s.hold(() => held);

    await s.release(positions[3]!);
    expect(await segmentFiles()).toEqual(['000000000001.spool', '000000000002.spool', '000000000003.spool', '000000000004.spool']);
    held = positions[1]!;
    await s.release(positions[3]!);
    expect(await segmentFiles()).toEqual(['000000000002.spool', '000000000003.spool', '000000000004.spool']);
    held = null;
    await s.release(positions[3]!);
    expect(await segmentFiles()).toEqual(['000000000004.spool']);
  });

  it('says where the acknowledged end is, once per group written', async () => {
    const s = await open();
    expect(s.durableEnd()).toEqual({ segment: 1, offset: 0 });
    const ends: SpoolPosition[] = [];
    s.onDurable((end) => ends.push(end));
    const [, second] = await Promise.all([s.append(entry({ body: text('a') })), s.append(entry({ body: text('b') }))]);
    expect(ends).toEqual([second]);
    expect(s.durableEnd()).toEqual(second);
  });

  it('reads a piece of a segment from a position up to an end, whole entries only, at least one', async () => {
    const s = await open();
    const bodies = ['one', 'two', 'three', 'a much longer fourth body'].map(text);
    const positions = [];
    for (const body of bodies) positions.push(await s.append(entry({ body })));
    const bodiesOf = (items: ReturnType<typeof readSpoolRange>['items']) =>
      items.map((item) => ('entry' in item ? Buffer.from(item.entry.body).toString() : '?'));

    const all = readSpoolRange(dir, 1, 0, positions[3]!.offset, 1 << 20);
    expect(bodiesOf(all.items)).toEqual(['one', 'two', 'three', 'a much longer fourth body']);
    expect(all.next).toBe(positions[3]!.offset);
    // Up to an end before the file's: an entry written after the end is not read yet.
    expect(bodiesOf(readSpoolRange(dir, 1, 0, positions[1]!.offset, 1 << 20).items)).toEqual(['one', 'two']);
    // About maxBytes: the entries that fit; a first entry larger than that is read whole.
    const two = readSpoolRange(dir, 1, positions[0]!.offset, Infinity, positions[2]!.offset - positions[0]!.offset);
    expect([bodiesOf(two.items), two.next]).toEqual([['two', 'three'], positions[2]!.offset]);
    expect(bodiesOf(readSpoolRange(dir, 1, positions[2]!.offset, Infinity, 1).items)).toEqual(['a much longer fourth body']);
    expect(readSpoolRange(dir, 1, positions[3]!.offset, Infinity, 1 << 20)).toEqual({ items: [], next: positions[3]!.offset });
  });

  it('reports a torn tail and a damaged stretch as a reading of the whole segment does', async () => {
    const s = await open();
    const positions = [];
    for (const body of ['one', 'two', 'three']) positions.push(await s.append(entry({ body: text(body) })));
    await closeSpool();
    const file = join(dir, '000000000001.spool');
    const bytes = await readFile(file);
    bytes[positions[0]!.offset + 2]! ^= 0xff; // the second entry's length
    await writeFile(file, Buffer.concat([bytes, Buffer.from('torn')]));

    const damaged = readSpoolRange(dir, 1, positions[0]!.offset, Infinity, 1 << 20);
    expect(damaged.items).toEqual([{ damaged: expect.any(Buffer), segment: 1, offset: positions[0]!.offset }]);
    expect(damaged.next).toBe(positions[1]!.offset);
    expect(readSpoolRange(dir, 1, positions[2]!.offset, Infinity, 1 << 20)).toEqual({ items: [{ tornBytes: 4, segment: 1 }], next: positions[2]!.offset + 4 });
  });
});

describe('spool positions', () => {
  it('round-trip through their text form and order by segment, then offset', () => {
    const a = { segment: 3, offset: 1024 };
    expect(positionToString(a)).toBe('3:1024');
    expect(positionFromString('3:1024')).toEqual(a);
    expect(positionFromString(null)).toBeNull();
    expect(positionFromString('3-1024')).toBeNull();
    expect(comparePositions(a, { segment: 4, offset: 0 })).toBeLessThan(0);
    expect(comparePositions(a, { segment: 3, offset: 1000 })).toBeGreaterThan(0);
    expect(comparePositions(a, { ...a })).toBe(0);
  });
});
