import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskReserve, defaultReserveBytes, diskReserveOf } from './disk-reserve.js';
import { defaultSegmentBytes } from './spool.js';

let dir: string;
let reserve: DiskReserve | null = null;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-disk-reserve-'));
});
afterEach(async () => {
  reserve?.close();
  reserve = null;
  await rm(dir, { recursive: true, force: true });
});

describe('DiskReserve', () => {
  it("keeps as much again as the store's write-ahead log holds, for its checkpoint", async () => {
    const wal = join(dir, 'spoor.duckdb.wal');
    await writeFile(wal, Buffer.alloc(64 * 1024));
    reserve = diskReserveOf(dir, 1024, join(dir, 'spoor.duckdb'), () => {});
    expect(reserve!.needed(1000)).toBe(1024 + 1000 + 64 * 1024);
    expect(reserve!.refusal(reserve!.free(), 0)).toMatch(/0\.1 MiB of write-ahead log/);
  });

  it('refuses a request when what would be left is below the floor plus what committing it and those pending needs, naming the flag', () => {
    reserve = new DiskReserve(dir, { floorBytes: 1024 ** 2 });
    const free = reserve.free();
    // Room for a request of `bytes` with `pending` before it: free - bytes >= floor + pending + bytes.
    const fits = Math.floor((free - 1024 ** 2) / 2);
    expect(reserve.refusal(fits - 4096, 0)).toBeNull();
    expect(reserve.refusal(fits + 4096, 0)).toMatch(/too little free space on the disk of the data directory: .* \(--disk-reserve 1\.0 MiB plus/);
    // Pending bytes are on the disk already: they count once, as what committing them needs.
    expect(reserve.refusal(1, 2 * fits)).toMatch(/too little free space/);
  });

  it('takes what was spooled since free space was last read off it', () => {
    reserve = new DiskReserve(dir, { floorBytes: 0, perPendingByte: 0 });
    const free = reserve.free();
    reserve.spooledBytes(free);
    expect(reserve.free()).toBe(0);
    expect(reserve.refusal(1, 0)).toMatch(/too little free space/);
  });

  it('keeps only the floor for a store on another disk, and is none at a floor of 0', () => {
    reserve = diskReserveOf(dir, 1024, null, () => {});
    const free = reserve!.free();
    expect(reserve!.refusal(1, free * 10)).toBeNull();
    expect(diskReserveOf(dir, 0, join(dir, 'spoor.duckdb'), () => {})).toBeNull();
    expect(defaultReserveBytes(dir)).toBe(2 * defaultSegmentBytes(dir));
  });
});
