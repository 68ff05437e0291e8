import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small tmpfs for tests that fill a disk for real. Mounting needs root, as CI and the
 * developers' machines have; where it cannot, the test fails saying so (it is never skipped).
 */
export async function mountTmpfs(sizeMiB: number): Promise<{ path: string; unmount: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'spoor-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`this test mounts a ${sizeMiB} MiB tmpfs to fill it, which needs root: ${(error as Error).message}`, { cause: error });
  }
  return {
    path,
    unmount: async () => {
      // Lazily: a file still open must not leave the mount behind.
      execFileSync('umount', ['-l', path]);
      await rm(path, { recursive: true, force: true });
    },
  };
}

/**
 * Fills the filesystem at `dir` but for `leaveBytes`, with one file; returns its path. What is
 * free is read again and the file grown by what is left when it shrank between the reading and the
 * fill: a ClickHouse writing on the disk meanwhile made `fallocate` fail with ENOSPC under load,
 * and a Spoor taking a burst of large requests failed five fills in a row.
 */
export function fillDisk(dir: string, leaveBytes: number): string {
  const file = join(dir, 'filler');
  let size = 0;
  for (let attempt = 1; ; attempt++) {
    const free = Number(execFileSync('df', ['-B1', '--output=avail', dir]).toString().trim().split('\n').at(-1));
    const grow = free - leaveBytes;
    // Filled, to within a page (tmpfs allocates whole pages).
    if ((grow < 4096 && attempt > 1) || attempt > 50) return file;
    try {
      execFileSync('fallocate', ['-o', String(size), '-l', String(Math.max(0, grow)), file], { stdio: 'pipe' });
      size += Math.max(0, grow);
    } catch (error) {
      if (attempt >= 50 || !String((error as { stderr?: Buffer }).stderr).includes('No space left')) throw error;
    }
  }
}
