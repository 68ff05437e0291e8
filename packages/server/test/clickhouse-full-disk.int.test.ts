import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { TraceListResponse } from '@spoor/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, getJson, metricValue, readiness, startTestServer } from './support/server.js';
import { fillDisk, mountTmpfs } from './support/tmpfs.js';
import { eventually, traceBody } from './support/trace-bodies.js';

/**
 * A ClickHouse server whose disk fills up (its data on a 256 MiB tmpfs), under a Spoor whose own
 * disk has room: an outage of a kind, in which ClickHouse still takes the small writes that probe
 * it. Spoor acknowledges into its spool, says it is not ready, quarantines nothing (a lack of space
 * is no request's fault), and commits everything once ClickHouse has room again.
 */

let disk: Awaited<ReturnType<typeof mountTmpfs>>;
let endpoint: ClickHouseEndpoint | null = null;
let server: TestServer | null = null;
let filler: string | null = null;
beforeEach(async () => {
  disk = await mountTmpfs(256);
});
afterEach(async () => {
  try {
    // Room first: a server stops only once what it acknowledged is committed.
    if (filler !== null) await rm(filler, { force: true });
    filler = null;
    await server?.stop();
    server = null;
  } finally {
    await endpoint?.close();
    endpoint = null;
    await disk.unmount();
  }
});

describe('ClickHouse on a full disk', () => {
  it('is waited out: acknowledged into the spool, not ready, nothing quarantined, all committed once there is room', async () => {
    endpoint = await startClickHouseEndpoint('spoor-test', disk.path);
    server = await startTestServer({ store: 'clickhouse', clickhouseUrl: `${endpoint.url}/full_disk` });
    const { url } = server;
    let died: Error | null = null;
    void server.failed.then((error) => (died = error));
    const acknowledged: string[] = [];
    const send = async (): Promise<void> => {
      const traceId = randomBytes(16).toString('hex');
      const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: traceBody(traceId, 20) });
      await response.arrayBuffer();
      // Spoor's own disk has room: every request is acknowledged, into the spool.
      expect(response.status).toBe(200);
      acknowledged.push(traceId);
    };
    for (let i = 0; i < 5; i++) await send();
    // A little is left: ClickHouse takes the probe's one row, and refuses every commit of records.
    filler = fillDisk(disk.path, 64 * 1024);

    // Past the writer's 3 tries of one entry, which used to quarantine it.
    const fullUntil = Date.now() + 60_000;
    let failures = 0;
    while (failures < 6 && Date.now() < fullUntil) {
      await send();
      await new Promise((resolve) => setTimeout(resolve, 250));
      failures = await metricValue(url, 'spoor_store_commit_failures_total');
      expect(died).toBeNull();
      if (failures > 0) expect(await readiness(url)).toMatchObject({ status: 503, body: expect.stringMatching(/store_unavailable/) });
    }
    expect(failures).toBeGreaterThanOrEqual(6);
    expect(await metricValue(url, 'spoor_ingest_quarantine_entries')).toBe(0);

    await rm(filler);
    filler = null;
    // Ready again with no restart: the writer goes on trying while space lacks (at least once a
    // second, commit-loop.test.ts holds that on fake timers).
    await eventually(
      '/ready to answer 200',
      async () => (await readiness(url)).status,
      (status) => status === 200,
      30_000,
    );
    await send();

    const listed = await eventually(
      'every acknowledged trace to be listed',
      () => getJson<TraceListResponse>(url, '/api/traces?limit=1000'),
      (r) => acknowledged.every((id) => r.body.traces.some((t) => t.traceId === id)),
    );
    expect(listed.body.traces).toHaveLength(acknowledged.length);
    for (const trace of listed.body.traces) expect(trace.spanCount).toBe(20);
    expect(await metricValue(url, 'spoor_ingest_quarantine_entries')).toBe(0);
    expect(died).toBeNull();
  }, 120_000);
});
