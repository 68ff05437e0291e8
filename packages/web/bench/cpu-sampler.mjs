// @ts-check
// Who had this machine's cores, sampled from /proc every few tens of milliseconds: bench:web's
// long tasks are wall-clock, and on two cores a task of the page's is as long as the cores it
// did not get. Linux only; elsewhere the sampler finds no process and says so.
import { closeSync, openSync, readSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { cpus } from 'node:os';

/** Clock ticks a second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

/**
 * Samples the CPU time of each group of processes every `everyMs` until stopped. A group is a pid
 * or a test on a process's command line (for a browser's many processes); a process joins the
 * first group that names it.
 * @param {Record<string, number | ((commandLine: string) => boolean)>} groups @param {number} [everyMs]
 */
export async function startCpuSampler(groups, everyMs = 50) {
  /** @type {Array<{ atMs: number, ticks: Record<string, number> }>} */
  const samples = [];
  const entries = Object.entries(groups);
  // The processes are found once and their stat files kept open, each read again in place: a
  // sampler that opened files (or scanned /proc) at every sample cost more than it measured.
  /** @type {Array<{ fd: number, group: string }>} */
  const members = [];
  for (const pid of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(pid)) continue;
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
    if (commandLine === null) continue;
    const group = entries.find(([, test]) => (typeof test === 'number' ? test === Number(pid) : test(commandLine.replaceAll('\0', ' '))));
    if (group === undefined) continue;
    try {
      members.push({ fd: openSync(`/proc/${pid}/stat`, 'r'), group: group[0] });
    } catch {
      // Gone since it was listed.
    }
  }
  const buffer = Buffer.alloc(1024);
  const sample = () => {
    /** @type {Record<string, number>} */
    const ticks = Object.fromEntries(entries.map(([name]) => [name, 0]));
    for (const { fd, group } of members) {
      let stat;
      try {
        stat = buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
      } catch {
        continue; // The process ended.
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks[group] = (ticks[group] ?? 0) + Number(fields[11]) + Number(fields[12]);
    }
    samples.push({ atMs: Date.now(), ticks });
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    /** How many processes each group holds. */
    processes: Object.fromEntries(entries.map(([name]) => [name, members.filter((m) => m.group === name).length])),
    /** Stops sampling, with a last sample. */
    stop() {
      clearInterval(timer);
      sample();
      for (const { fd } of members) closeSync(fd);
    },
    /**
     * Each group's CPU milliseconds between two wall-clock times (epoch ms), from the samples
     * around them, as text (a process that ended inside the window drops out of the sum).
     * @param {number} fromMs @param {number} toMs
     */
    between(fromMs, toMs) {
      const before = samples.findLast((s) => s.atMs <= fromMs);
      const after = samples.find((s) => s.atMs >= toMs);
      if (before === undefined || after === undefined) return 'no CPU samples around it';
      const spanMs = after.atMs - before.atMs;
      const used = entries.map(([name]) => `${name} ${Math.round((((after.ticks[name] ?? 0) - (before.ticks[name] ?? 0)) * 1000) / TICKS_PER_S)} ms`);
      return `in the ${spanMs} ms around it (${cpus().length} cores: ${cpus().length * spanMs} ms): ${used.join(', ')}`;
    },
  };
}
