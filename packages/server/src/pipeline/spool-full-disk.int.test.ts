import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mountTmpfs } from '../../test/support/tmpfs.js';
import { type SpoolEntry, Spool, readSpool } from './spool.js';

/** The spool on a real full disk: a 2 MiB tmpfs. */

let disk: Awaited<ReturnType<typeof mountTmpfs>>;
let spool: Spool | null = null;
beforeEach(async () => {
  disk = await mountTmpfs(2);
});
afterEach(async () => {
  await spool?.close();
  spool = null;
  await disk.unmount();
});

const body = new Uint8Array(16 * 1024).fill(65);
const entry = (n: number): SpoolEntry => ({ signal: 'traces', encoding: 'json', projectId: 'default', receivedUs: n, body });

describe('the spool on a full disk', () => {
  it('refuses appends while the disk is full, leaves no file behind for them, and takes appends again once there is room', async () => {
    const dir = join(disk.path, 'spool');
    spool = await Spool.open(dir, { maxSegmentBytes: 64 * 1024 });
    // Fill the disk with spooled entries until it refuses one.
    const acknowledged: number[] = [];
    for (let n = 0; ; n++) {
      try {
        await spool.append(entry(n));
        acknowledged.push(n);
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
        break;
      }
    }
    const filesWhenFull = (await readdir(dir)).sort();
    for (let n = 0; n < 25; n++) await expect(spool.append(entry(1000 + n))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect((await readdir(dir)).sort()).toEqual(filesWhenFull);

    // Room again: delete the first segments' files, as a released spool would.
    for (const name of filesWhenFull.slice(0, 3)) await rm(join(dir, name));
    await spool.append(entry(2000));
    await spool.close();
    spool = null;

    const read = [...readSpool(dir, null)];
    expect(read.filter((item) => 'tornBytes' in item || 'damaged' in item)).toEqual([]);
    const kept = read.flatMap((item) => ('entry' in item ? [item.entry.receivedUs] : []));
    // Everything acknowledged and not deleted reads back whole, then the append made after.
    expect(kept.at(-1)).toBe(2000);
    expect(kept.slice(0, -1)).toEqual(acknowledged.slice(acknowledged.length - (kept.length - 1)));
    for (const name of await readdir(dir)) expect((await stat(join(dir, name))).size, name).toBeGreaterThan(0);
  });
});
