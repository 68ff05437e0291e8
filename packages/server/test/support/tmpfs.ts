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
 * free is read again and the fill tried again when it shrank between the reading and the fill:
 * a ClickHouse writing on the disk meanwhile made `fallocate` fail with ENOSPC under load.
 */
export function fillDisk(dir: string, leaveBytes: number): string {
  const file = join(dir, 'filler');
  for (let attempt = 1; ; attempt++) {
    const free = Number(execFileSync('df', ['-B1', '--output=avail', dir]).toString().trim().split('\n').at(-1));
    try {
      execFileSync('fallocate', ['-l', String(Math.max(0, free - leaveBytes)), file], { stdio: 'pipe' });
      return file;
    } catch (error) {
      if (attempt === 5 || !String((error as { stderr?: Buffer }).stderr).includes('No space left')) throw error;
    }
  }
}
