import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, metricValue, readiness, startTestServer } from './support/server.js';
import { defaultSegmentBytes } from '../src/pipeline/spool.js';
import { mountTmpfs } from './support/tmpfs.js';

/**
 * A full disk with a backlog of large requests behind it: the data directory on a 40 MiB tmpfs
 * with a 12 MiB filler, 1,000-span bodies (about 0.5 MB each) posted until they are refused, held
 * full, then the filler deleted while clients go on posting. Before, the freed room went to new
 * acknowledgements and the backlog's commit (one transaction of every request acknowledged during
 * the outage) needed more than was left: commits failed for minutes and acknowledged traces stayed
 * unreadable.
 */

const SPANS = 1000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let disk: Awaited<ReturnType<typeof mountTmpfs>>;
let server: TestServer | null = null;
let filler: string | null = null;
beforeAll(async () => {
  disk = await mountTmpfs(40);
});
afterAll(async () => {
  try {
    if (filler !== null) await rm(filler, { force: true });
    // A server that never healed never finishes stopping (it commits what it acknowledged first):
    // the mount goes all the same.
    await Promise.race([server?.stop({ keepData: true }), pause(30_000)]);
  } finally {
    await disk.unmount();
  }
}, 60_000);

/** One trace of 1,000 spans, each with 200 random characters of prompt: about 470 KB of JSON. */
function traceBody(traceId: string): string {
  const start = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    traceId,
    spanId: randomBytes(8).toString('hex'),
    name: `step ${i % 20}`,
    startTimeUnixNano: String(start + BigInt(i) * 1000n),
    endTimeUnixNano: String(start + BigInt(i) * 1000n + 500_000n),
    attributes: [{ key: 'gen_ai.prompt', value: { stringValue: randomBytes(100).toString('hex') } }],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'backlog-test' } }] }, scopeSpans: [{ spans }] }] });
}

interface Answer {
  status: number;
  message: string;
}

async function post(url: string, traceId: string): Promise<Answer> {
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', body: traceBody(traceId), headers: { 'content-type': 'application/json' } });
  const text = await response.text();
  let message = '';
  if (response.status !== 200) message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
  return { status: response.status, message };
}

async function spanCount(url: string, traceId: string): Promise<number> {
  const response = await fetch(`${url}/api/traces/${traceId}`);
  if (response.status !== 200) {
    await response.arrayBuffer();
    return -response.status;
  }
  return ((await response.json()) as { spans: unknown[] }).spans.length;
}

describe('Spoor healing from a full disk with a backlog of large requests', () => {
  it('refuses with 503 and is not ready while the store cannot commit, then commits the backlog in pieces that fit: every acknowledged trace reads back', async () => {
    filler = join(disk.path, 'filler');
    execFileSync('fallocate', ['-l', String(12 * 1024 * 1024), filler]);
    // Spool segments a 32nd of the disk: committed requests are deleted a segment at a time.
    expect(defaultSegmentBytes(disk.path)).toBe((40 * 1024 * 1024) / 32);
    server = await startTestServer({ data: join(disk.path, 'data') });
    const { url } = server;
    const acknowledged: string[] = [];
    const send = async (): Promise<Answer> => {
      const traceId = randomBytes(16).toString('hex');
      const answer = await post(url, traceId);
      if (answer.status === 200) acknowledged.push(traceId);
      return answer;
    };

    // Until the disk refuses (some 60 bodies fill the 28 MiB left).
    let first: Answer | null = null;
    for (let i = 0; i < 200 && first === null; i++) {
      const answer = await send();
      if (answer.status !== 200) first = answer;
    }
    expect(first?.status).toBe(503);
    const acknowledgedWhenFull = acknowledged.length;
    expect(acknowledgedWhenFull).toBeGreaterThan(10);

    // Held full until the store has failed to commit a few times: every request is refused with a
    // 503 that says why, and /ready says the store is unavailable.
    const fullUntil = Date.now() + 60_000;
    let failures = 0;
    const refusals: Answer[] = [];
    while (failures < 4 && Date.now() < fullUntil) {
      refusals.push(await send());
      failures = await metricValue(url, 'spoor_store_commit_failures_total');
      await pause(200);
    }
    expect(failures).toBeGreaterThanOrEqual(4);
    expect(acknowledged.length).toBe(acknowledgedWhenFull);
    for (const refusal of refusals) expect(refusal).toMatchObject({ status: 503, message: expect.stringMatching(/space/i) });
    expect(await readiness(url)).toMatchObject({ status: 503, body: expect.stringMatching(/store_unavailable/) });

    // Room again, and clients go on posting as fast as they are answered (pausing after a refusal).
    await rm(filler);
    filler = null;
    const freedAt = Date.now();
    let acknowledgedAfter = 0;
    while (Date.now() - freedAt < 15_000 && acknowledgedAfter < 15) {
      if ((await send()).status === 200) acknowledgedAfter++;
      else await pause(200);
    }
    expect(acknowledgedAfter).toBeGreaterThan(0);

    // Every acknowledged trace reads back whole within a minute (a generous deadline: on an idle
    // machine it takes seconds).
    const deadline = Date.now() + 60_000;
    let missing = [...acknowledged];
    while (missing.length > 0 && Date.now() < deadline) {
      const still: string[] = [];
      for (const traceId of missing) if ((await spanCount(url, traceId)) !== SPANS) still.push(traceId);
      missing = still;
      if (missing.length > 0) await pause(500);
    }
    expect(missing, `${missing.length} of ${acknowledged.length} acknowledged traces unreadable`).toEqual([]);
    expect((await readiness(url)).status).toBe(200);
    expect(await metricValue(url, 'spoor_ingest_quarantine_entries')).toBe(0);
  }, 240_000);
});
