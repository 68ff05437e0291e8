import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { type Listening, spoorCli } from './support/cli.js';
import { metricValue, readiness } from './support/server.js';
import { defaultSegmentBytes } from '../src/pipeline/spool.js';
import { type Answer, post, unreadable } from './support/large-traces.js';
import { fillDisk, mountTmpfs } from './support/tmpfs.js';

/**
 * A full disk with a backlog of large requests behind it: the data directory on a 40 MiB tmpfs
 * with a 12 MiB filler, a burst of 20 bodies of 1,000 spans (about 0.5 MB each), the rest of the
 * disk filled before the store has committed them, held full, then the 12 MiB filler deleted while
 * clients go on posting. Before, the freed room went to new acknowledgements, the spool's one
 * 64 MiB segment kept what was committed, and the backlog never fitted: 9 of 28 acknowledged
 * traces stayed unreadable. (Posting until refused instead of filling the rest at once, as the
 * issue did, makes how much is still to commit at the fill a matter of timing.)
 */

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let disk: Awaited<ReturnType<typeof mountTmpfs>>;
let server: Listening | null = null;
let filler: string | null = null;
/** What fills the rest of the disk while it is full. */
let rest: string | null = null;
const children = new Set<ChildProcess>();
// `spoor serve` from dist/ in its own process, as a user runs it: its log is there to read when a test fails.
const { serve } = spoorCli(() => disk.path, children);
beforeEach(async () => {
  disk = await mountTmpfs(40);
});
afterEach(async () => {
  try {
    for (const file of [filler, rest]) if (file !== null) await rm(file, { force: true });
    filler = null;
    rest = null;
    // A server that never healed never finishes stopping (it commits what it acknowledged first):
    // it is killed, and the mount goes all the same.
    if (server !== null) {
      const { child, exited } = server;
      child.kill('SIGTERM');
      if ((await Promise.race([exited, pause(30_000).then(() => null)])) === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    server = null;
    children.clear();
  } finally {
    await disk.unmount();
  }
}, 60_000);

describe('Spoor healing from a full disk with a backlog of large requests', () => {
  it('refuses with 503 and is not ready while the store cannot commit, then commits the backlog in pieces that fit: every acknowledged trace reads back', async () => {
    filler = join(disk.path, 'filler-12m');
    execFileSync('fallocate', ['-l', String(12 * 1024 * 1024), filler]);
    // Spool segments a 32nd of the disk: committed requests are deleted a segment at a time.
    expect(defaultSegmentBytes(disk.path)).toBe((40 * 1024 * 1024) / 32);
    server = await serve(['--data', join(disk.path, 'data'), '--port', '0', '--host', '127.0.0.1']);
    const { url } = server;
    const log = (): string => server?.stderr().slice(-4000) ?? '';
    const acknowledged: string[] = [];
    const send = async (): Promise<Answer> => {
      const traceId = randomBytes(16).toString('hex');
      const answer = await post(url, traceId);
      if (answer.status === 200) acknowledged.push(traceId);
      return answer;
    };

    // A burst of large requests, and the disk full under them before the store has committed
    // them: its commits find no room for their write-ahead log.
    const burst = await Promise.all(Array.from({ length: 20 }, () => send()));
    expect(burst.map((answer) => answer.status)).toEqual(burst.map(() => 200));
    rest = fillDisk(disk.path, 0);

    // Held full until the store has failed to commit a few times. The spool gives back the room of
    // what the store committed, so a request may still be taken now and then; every refusal is a
    // 503 that says why, and once commits fail /ready says the store is unavailable.
    const fullUntil = Date.now() + 60_000;
    let failures = 0;
    const refusals: Answer[] = [];
    const readyWhileFailing: string[] = [];
    while (failures < 4 && Date.now() < fullUntil) {
      const answer = await send();
      if (answer.status !== 200) refusals.push(answer);
      failures = await metricValue(url, 'spoor_store_commit_failures_total');
      if (failures > 0) {
        const ready = await readiness(url);
        readyWhileFailing.push(`${ready.status} ${ready.body}`);
      }
      await pause(200);
    }
    expect(failures).toBeGreaterThanOrEqual(4);
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) expect(refusal).toMatchObject({ status: 503, message: expect.stringMatching(/space/i) });
    expect(readyWhileFailing).toContainEqual(expect.stringMatching(/^503 .*store_unavailable/));

    // 12 MiB of room again (the rest of the disk stays full), and clients go on posting as fast as
    // they are answered (pausing after a refusal): the backlog's write-ahead log needs 9 MB of it.
    await rm(filler);
    filler = null;
    const freedAt = Date.now();
    let acknowledgedAfter = 0;
    while (Date.now() - freedAt < 20_000 && acknowledgedAfter < 8) {
      if ((await send()).status === 200) acknowledgedAfter++;
      else await pause(200);
    }
    expect(acknowledgedAfter).toBeGreaterThan(0);

    // Every acknowledged trace reads back whole within a minute (a generous deadline: on an idle
    // machine it takes seconds).
    const missing = await unreadable(url, acknowledged);
    expect(missing, `${missing.length} of ${acknowledged.length} acknowledged traces unreadable; the server's log ends: ${log()}`).toEqual([]);
    expect((await readiness(url)).status).toBe(200);
    expect(await metricValue(url, 'spoor_ingest_quarantine_entries')).toBe(0);
  }, 240_000);
});
