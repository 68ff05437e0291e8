import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { type Listening, spoorCli } from './support/cli.js';
import { type Answer, post, unreadable } from './support/large-traces.js';
import { metricValue, readiness } from './support/server.js';
import { fillDisk, mountTmpfs } from './support/tmpfs.js';
import { until } from './support/wait.js';

/**
 * The room a full disk gives back, kept for what was acknowledged: the data directory on a 40 MiB
 * tmpfs with a 12 MiB filler, a burst of 20 bodies of 1,000 spans, the rest of the disk filled under
 * it so their commits fail, then the filler deleted while a client posts as fast as it is answered.
 * Without `--disk-reserve` new acknowledgements took the room the backlog's commit needed, and
 * requests stayed in the spool for over a minute. And a stop while the disk is full: the store's
 * checkpoint at close finds no room, which must not fail the stop or lose anything.
 */

let disk: Awaited<ReturnType<typeof mountTmpfs>>;
let server: Listening | null = null;
const fills: string[] = [];
const children = new Set<ChildProcess>();
const { serve } = spoorCli(() => disk.path, children);
beforeEach(async () => {
  disk = await mountTmpfs(40);
});
afterEach(async () => {
  try {
    for (const file of fills.splice(0)) await rm(file, { force: true });
    if (server !== null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    server = null;
    children.clear();
  } finally {
    await disk.unmount();
  }
}, 120_000);

/** Starts `spoor serve` on the tmpfs, a 12 MiB filler beside its data directory. */
async function start(args: string[] = []): Promise<Listening> {
  const filler = join(disk.path, 'filler-12m');
  execFileSync('fallocate', ['-l', String(12 * 1024 * 1024), filler]);
  fills.push(filler);
  return serve(['--data', join(disk.path, 'data'), '--port', '0', '--host', '127.0.0.1', ...args]);
}

/**
 * A burst of 20 large requests, the rest of the disk filled as the first is acknowledged: the
 * store commits half a second after its first request, so what was acknowledged is not committed
 * yet and its commit finds no room (the reserve kept it for them, the fill took it). Filling at the
 * fifth was once too late on a loaded machine: everything was committed, and no commit failed. Waits until a commit has failed;
 * returns what was acknowledged.
 */
async function backlogOnAFullDisk(url: string): Promise<string[]> {
  const acknowledged: string[] = [];
  const burst = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const traceId = randomBytes(16).toString('hex');
      const answer = await post(url, traceId);
      if (answer.status === 200 && acknowledged.push(traceId) === 1) fills.push(fillDisk(disk.path, 0));
      return answer;
    }),
  );
  expect(acknowledged.length).toBeGreaterThanOrEqual(1);
  // Those after the fill are refused, saying why.
  for (const answer of burst) if (answer.status !== 200) expect(answer).toMatchObject({ status: 503, message: expect.stringMatching(/space/i) });
  await until('a commit failed for want of room', async () => ((await metricValue(url, 'spoor_store_commit_failures_total')) >= 1 ? true : undefined));
  const refused = await post(url, randomBytes(16).toString('hex'));
  expect(refused).toMatchObject({ status: 503, message: expect.stringMatching(/space/i) });
  expect((await readiness(url)).status).toBe(503);
  return acknowledged;
}

describe('Spoor keeping room for what it acknowledged', () => {
  it('commits every acknowledged trace within a minute of room coming back while a client posts at full speed', async () => {
    server = await start();
    const { url } = server;
    const log = (): string => server?.stderr().slice(-4000) ?? '';
    const before = await backlogOnAFullDisk(url);
    const acknowledged = [...before];

    await rm(fills.shift()!);
    const freedAt = Date.now();
    // A client that posts again as soon as it is answered, refused or not, until told to stop.
    let posting = true;
    let acknowledgedAfter = 0;
    const refusals: Answer[] = [];
    const client = (async () => {
      while (posting) {
        const traceId = randomBytes(16).toString('hex');
        const answer = await post(url, traceId);
        if (answer.status === 200) {
          acknowledged.push(traceId);
          acknowledgedAfter++;
        } else refusals.push(answer);
      }
    })();
    try {
      // The backlog is committed under the client's load, and new requests are taken again.
      const missing = await unreadable(url, before, freedAt + 60_000);
      expect(missing, `${missing.length} of ${before.length} traces acknowledged before the fill unreadable; the log ends: ${log()}`).toEqual([]);
      await until('requests are acknowledged again', () => (acknowledgedAfter >= 4 ? true : undefined), Math.max(0, freedAt + 60_000 - Date.now()));
    } finally {
      posting = false;
      await client;
    }
    const missing = await unreadable(url, acknowledged, freedAt + 60_000);
    expect(
      missing,
      `${missing.length} of ${acknowledged.length} acknowledged traces unreadable a minute after the room came back; the log ends: ${log()}`,
    ).toEqual([]);
    for (const refusal of refusals) expect(refusal).toMatchObject({ status: 503, message: expect.stringMatching(/space/i) });
    expect(await metricValue(url, 'spoor_spool_bytes')).toBe(0);
    expect((await readiness(url)).status).toBe(200);
  }, 240_000);

  it('stops cleanly on a full disk, and the next start reads back every acknowledged trace', async () => {
    server = await start();
    const acknowledged = await backlogOnAFullDisk(server.url);

    const stopping = server;
    server = null;
    stopping.child.kill('SIGTERM');
    const exit = await stopping.exited;
    expect(exit, stopping.stderr().slice(-4000)).toEqual({ code: 0, signal: null });
    expect(stopping.stderr()).not.toMatch(/shutdown failed/);

    for (const file of fills.splice(0)) await rm(file);
    server = await serve(['--data', join(disk.path, 'data'), '--port', '0', '--host', '127.0.0.1']);
    const missing = await unreadable(server.url, acknowledged);
    expect(missing, `${missing.length} of ${acknowledged.length} unreadable after the restart; its log ends: ${server.stderr().slice(-4000)}`).toEqual([]);
  }, 240_000);
});
