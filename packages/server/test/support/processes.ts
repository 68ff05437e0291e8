import type { ChildProcess } from 'node:child_process';

/** Kills (SIGKILL) every child that is still running and waits for each to exit; empties the set. */
export async function killAll(children: Set<ChildProcess>): Promise<void> {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
  }
  children.clear();
}
