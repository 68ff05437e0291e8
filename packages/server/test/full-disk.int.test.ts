import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestServer, metricValue, readiness, startTestServer } from './support/server.js';
import { fillDisk, mountTmpfs } from './support/tmpfs.js';

/**
 * The whole server on a disk that fills up and then has room again: it refuses what it cannot
 * keep, and heals by itself once space returns (no restart), with every acknowledged trace kept.
 */

let disk: Awaited<ReturnType<typeof mountTmpfs>>;
let server: TestServer | null = null;
let filler: string | null = null;
beforeEach(async () => {
  disk = await mountTmpfs(32);
});
afterEach(async () => {
  try {
    // Room first: a server stops only once what it acknowledged is committed.
    if (filler !== null) await rm(filler, { force: true });
    filler = null;
    await server?.stop({ keepData: true });
    server = null;
  } finally {
    await disk.unmount();
  }
});

/** One trace of 40 spans with 1 KiB of attributes each: about 60 KiB of JSON. */
function traceBody(traceId: string): string {
  const start = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: 40 }, (_, i) => ({
    traceId,
    spanId: randomBytes(8).toString('hex'),
    name: `step ${i}`,
    startTimeUnixNano: String(start + BigInt(i)),
    endTimeUnixNano: String(start + BigInt(i) + 1_000_000n),
    attributes: [{ key: 'padding', value: { stringValue: randomBytes(512).toString('hex') } }],
  }));
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'disk-test' } }] }, scopeSpans: [{ spans }] }],
  });
}

async function post(url: string, traceId: string): Promise<number> {
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', body: traceBody(traceId), headers: { 'content-type': 'application/json' } });
  await response.arrayBuffer();
  return response.status;
}

async function spanCount(url: string, traceId: string): Promise<number> {
  const response = await fetch(`${url}/api/traces/${traceId}`);
  if (response.status !== 200) return -response.status;
  return ((await response.json()) as { spans: unknown[] }).spans.length;
}

describe('Spoor on a disk that fills up', () => {
  it('refuses what it cannot keep, then heals once there is room again: no restart, nothing acknowledged lost', async () => {
    server = await startTestServer({ data: join(disk.path, 'data') });
    const { url } = server;
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      const traceId = randomBytes(16).toString('hex');
      expect(await post(url, traceId)).toBe(200);
      acknowledged.push(traceId);
    }
    filler = fillDisk(disk.path, 512 * 1024);

    // Write until the disk refuses; every 200 is a promise kept below.
    const refusals: number[] = [];
    for (let i = 0; i < 200 && refusals.length < 5; i++) {
      const traceId = randomBytes(16).toString('hex');
      const status = await post(url, traceId);
      if (status === 200) acknowledged.push(traceId);
      else refusals.push(status);
    }
    expect(refusals.length).toBeGreaterThan(0);
    expect(new Set(refusals)).toEqual(new Set([503]));

    await rm(filler);
    filler = null;
    // Healing: the writer retries on its own and the store is attached anew after an invalidation.
    const deadline = Date.now() + 60_000;
    let ready = 0;
    while (Date.now() < deadline) {
      ready = (await fetch(`${url}/ready`)).status;
      if (ready === 200 && (await post(url, 'ab'.repeat(16))) === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(ready).toBe(200);
    acknowledged.push('ab'.repeat(16));

    for (const traceId of acknowledged) expect(await spanCount(url, traceId), traceId).toBe(40);
  }, 120_000);

  it("waits out a full disk under the store's commits: stays up, not ready, and resumes by itself with nothing acknowledged lost", async () => {
    // No reserve: it would refuse these requests before the disk is full, and the store's failures
    // on a disk something else fills are what this test is about.
    server = await startTestServer({ data: join(disk.path, 'data'), diskReserve: '0' });
    const { url } = server;
    let died: Error | null = null;
    void server.failed.then((error) => (died = error));
    const acknowledged: string[] = [];
    const send = async (): Promise<number> => {
      const traceId = randomBytes(16).toString('hex');
      const status = await post(url, traceId);
      if (status === 200) acknowledged.push(traceId);
      return status;
    };
    for (let i = 0; i < 5; i++) expect(await send()).toBe(200);
    filler = fillDisk(disk.path, 512 * 1024);
    // Requests go on being acknowledged into the spool until the disk refuses; meanwhile the store's
    // commits (its write-ahead log) find no room either.
    let refused = 0;
    for (let i = 0; i < 200 && refused < 5; i++) if ((await send()) !== 200) refused++;
    expect(refused).toBe(5);

    // Held full past the writer's tries of one entry (3, some 3 s apart at most): a lack of space is
    // no entry's fault, so none is quarantined and the server waits, not ready, for as long as it lasts.
    const fullUntil = Date.now() + 60_000;
    let failures = 0;
    while (failures < 6 && Date.now() < fullUntil) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      failures = await metricValue(url, 'spoor_store_commit_failures_total');
      expect(died).toBeNull();
      // From the first failed commit on, until space returns.
      if (failures > 0) expect(await readiness(url)).toMatchObject({ status: 503, body: expect.stringMatching(/store_unavailable/) });
    }
    expect(failures).toBeGreaterThanOrEqual(6);
    expect(died).toBeNull();
    expect(await readiness(url)).toMatchObject({ status: 503, body: expect.stringMatching(/store_unavailable/) });

    await rm(filler);
    filler = null;
    // Ready again with no restart: the writer goes on trying while space lacks (at least once a
    // second, commit-loop.test.ts holds that on fake timers).
    const deadline = Date.now() + 60_000;
    while ((await readiness(url)).status !== 200 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await readiness(url)).status).toBe(200);
    expect(died).toBeNull();
    expect(await send()).toBe(200);

    for (const traceId of acknowledged) expect(await spanCount(url, traceId), traceId).toBe(40);
    expect(await metricValue(url, 'spoor_ingest_quarantine_entries')).toBe(0);
  }, 120_000);
});
