import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolReadBack } from './read-back.js';
import { type SpoolEntry, type SpoolPosition, Spool } from './spool.js';

let dir: string;
let spool: Spool;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-read-back-'));
});

afterEach(async () => {
  await spool.close();
  await rm(dir, { recursive: true, force: true });
});

function entry(body: string): SpoolEntry {
  return { signal: 'logs', encoding: 'json', projectId: 'shop', receivedUs: 1, body: new TextEncoder().encode(body) };
}

const bodyOf = (found: SpoolEntry | null): string | null => (found === null ? null : new TextDecoder().decode(found.body));

/** Appends entries in order; their positions (each the end of its entry). */
async function append(bodies: string[]): Promise<SpoolPosition[]> {
  const positions: SpoolPosition[] = [];
  for (const body of bodies) positions.push(await spool.append(entry(body)));
  return positions;
}

describe('SpoolReadBack', () => {
  it('reads each entry after the one before it, also entries appended since the last read of the segment', async () => {
    spool = await Spool.open(dir, { sync: false });
    const reader = new SpoolReadBack(dir);
    const [a, b] = await append(['a', 'b']);
    expect(bodyOf(reader.read(a!, null))).toBe('a');
    expect(bodyOf(reader.read(b!, a!))).toBe('b');
    // The segment being written grows: the next entry is read as it is now.
    const [c, d] = await append(['c', 'd']);
    expect(bodyOf(reader.read(c!, b!))).toBe('c');
    expect(bodyOf(reader.read(d!, c!))).toBe('d');
  });

  it('reads the first entry of a segment, and one past an entry it was not asked for', async () => {
    // Every entry in a segment of its own.
    spool = await Spool.open(dir, { sync: false, maxSegmentBytes: 1 });
    const reader = new SpoolReadBack(dir);
    const [a, b, , d] = await append(['a', 'b', 'c', 'd']);
    expect(a!.segment).not.toBe(b!.segment);
    expect(bodyOf(reader.read(b!, a!))).toBe('b');
    expect(bodyOf(reader.read(d!, b!))).toBe('d');
  });

  it('reads an entry past one in the same segment it was not asked for', async () => {
    spool = await Spool.open(dir, { sync: false });
    const reader = new SpoolReadBack(dir);
    const [a, , c] = await append(['a', 'b', 'c']);
    expect(bodyOf(reader.read(c!, a!))).toBe('c');
  });

  it('answers null, without throwing, for an entry whose segment the spool has released', async () => {
    spool = await Spool.open(dir, { sync: false, maxSegmentBytes: 1 });
    const reader = new SpoolReadBack(dir);
    const [a, b, c] = await append(['a', 'b', 'c']);
    // What comes before the segment of `c` is gone.
    await spool.release(c!);
    expect(reader.read(b!, a!)).toBeNull();
    expect(bodyOf(reader.read(c!, b!))).toBe('c');
  });
});
