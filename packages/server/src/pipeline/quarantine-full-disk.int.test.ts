import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeWriter } from '../../test/support/fake-writer.js';
import { namedSpan } from '../../test/support/named-entries.js';
import { fillDisk, mountTmpfs } from '../../test/support/tmpfs.js';
import { type WriteBatch, batchOf } from '../store/store.js';
import { CommitLoop } from './commit-loop.js';
import { isLackOfSpace } from './lack-of-space.js';
import { listQuarantine } from './quarantine.js';
import { type SpoolEntry, Spool } from './spool.js';

/** The quarantine on a real full disk (a 1 MiB tmpfs): the writer waits for room, it does not die. */

let disk: Awaited<ReturnType<typeof mountTmpfs>>;
let spoolDir: string;
let spool: Spool;
beforeEach(async () => {
  disk = await mountTmpfs(1);
  spoolDir = await mkdtemp(join(tmpdir(), 'spoor-quarantine-disk-'));
  spool = await Spool.open(spoolDir, { sync: false });
});
afterEach(async () => {
  await spool.close();
  await rm(spoolDir, { recursive: true, force: true });
  await disk.unmount();
});

/** An entry whose body is its span's name. */
const entry = (name: string): SpoolEntry => ({ signal: 'traces', encoding: 'json', projectId: 'default', receivedUs: 0, body: new TextEncoder().encode(name) });

function decode(spooled: SpoolEntry): WriteBatch {
  return batchOf({ spans: [namedSpan('default', new TextDecoder().decode(spooled.body))], logs: [], metricPoints: [] });
}

describe('the quarantine on a full disk', () => {
  it('keeps an entry the store refuses in the spool while its quarantine file finds no room, and quarantines it once there is', async () => {
    const quarantineDir = join(disk.path, 'quarantine');
    const filler = fillDisk(disk.path, 0);
    const store = new FakeWriter().refuse((name) => name === 'poison');
    const errors: unknown[] = [];
    const loop = new CommitLoop(store, { spoolDir, decode, quarantineDir, maxAttempts: 2, onCommit: () => {}, onError: (error) => errors.push(error) });
    let seq = 0;
    for (const name of ['a', 'poison', 'b']) loop.push(decode(entry(name)), await spool.append(entry(name)), ++seq);
    const committed = loop.commitUpTo(3);

    // The entry is the store's to refuse; writing it to the quarantine is refused for lack of space, time after time.
    const deadline = Date.now() + 10_000;
    while (errors.filter(isLackOfSpace).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors.filter(isLackOfSpace).length).toBeGreaterThanOrEqual(2);
    expect(store.committed.spans.map((s) => s.name)).toEqual(['a']);
    // No half-written file is left behind.
    expect((await readdir(quarantineDir).catch(() => [])).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    await rm(filler);
    await committed;
    expect(store.committed.spans.map((s) => s.name)).toEqual(['a', 'b']);
    expect(listQuarantine(quarantineDir)).toEqual([expect.objectContaining({ records: 1, bytes: 'poison'.length })]);
  }, 30_000);
});
