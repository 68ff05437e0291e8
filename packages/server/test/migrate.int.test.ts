import type { TraceDetail, TraceListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/cli/demo.js';
import { migrateCommand } from '../src/cli/migrate.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, getJson, startTestServer } from './support/server.js';

/** `spoor migrate`: an embedded store copied into ClickHouse, stopped halfway and resumed. */

let endpoint: ClickHouseEndpoint;
let dataDir: string;

beforeAll(async () => {
  endpoint = await startClickHouseEndpoint();
  const server = await startTestServer();
  dataDir = server.dataDir;
  await runDemo({ endpoint: server.url, runs: 12 });
  const rule = await fetch(`${server.url}/api/alerts/rules`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'slow', expr: 'p95(duration_ms)[5m] > 3s' }),
  });
  expect(rule.status).toBe(201);
  const evaluator = await fetch(`${server.url}/api/evaluators`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fast', kind: 'latency', target: 'trace', maxMs: 2000 }),
  });
  expect(evaluator.status).toBe(201);
  const json = { 'content-type': 'application/json' };
  expect((await fetch(`${server.url}/api/datasets`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'qa', description: 'moved' }) })).status).toBe(201);
  const added = await fetch(`${server.url}/api/datasets/qa/items`, { method: 'POST', headers: json, body: JSON.stringify({ items: [{ input: 'one' }, { input: 'two', expectedOutput: 2 }] }) });
  expect(added.status).toBe(201);
  const [first] = ((await added.json()) as { itemIds: string[] }).itemIds;
  expect((await fetch(`${server.url}/api/datasets/qa/items/${first}`, { method: 'DELETE' })).status).toBe(200);
  await server.stop({ keepData: true });
}, 60_000);

afterAll(async () => {
  await endpoint?.close();
});

function output(): { io: { out: (t: string) => void; err: (t: string) => void; tty: boolean }; text: () => string } {
  let text = '';
  return { io: { out: (t) => (text += t), err: (t) => (text += t), tty: false }, text: () => text };
}

describe('spoor migrate', () => {
  it('copies every record and setting, resumes after a stop without copying anything twice, and compares the counts', async () => {
    const to = `${endpoint.url.replace(/^http/, 'clickhouse')}/migrated`;
    // Stopped after the third chunk of 40 rows.
    const stop = new AbortController();
    let chunks = 0;
    const first = output();
    const io = { ...first.io, chunkRows: 40, signal: stop.signal, err: (t: string) => (first.io.err(t), /\d+%/.test(t) && ++chunks === 3 && stop.abort()) };
    expect(await migrateCommand(['--from', dataDir, '--to', to], io)).toBe(130);
    expect(first.text()).toMatch(/stopped; run the same command again/);

    const second = output();
    expect(await migrateCommand(["--from", dataDir, "--to", to], { ...second.io, chunkRows: 40 }), second.text()).toBe(0);
    expect(second.text()).toMatch(/Every row was copied/);
    expect(second.text()).not.toMatch(/differs/);
    expect(second.text()).toMatch(/spans +\d+ +\d+\n/);

    // Run again: everything is there already; nothing is copied twice.
    const third = output();
    expect(await migrateCommand(['--from', dataDir, '--to', to], third.io)).toBe(0);
    expect(third.text()).toMatch(/alert rules of default: copied before/);
    expect(third.text()).toMatch(/evaluators of default: copied before/);
    expect(third.text()).toMatch(/datasets of default: copied before/);
    expect(third.text()).not.toMatch(/differs/);
  });

  it('serves from ClickHouse what the embedded store served', async () => {
    let duck: TestServer | null = null;
    let click: TestServer | null = null;
    try {
      duck = await startTestServer({ data: dataDir });
      click = await startTestServer({ store: 'clickhouse', clickhouseUrl: `${endpoint.url}/migrated` });
      const [a, b] = await Promise.all([getJson<TraceListResponse>(duck.url, '/api/traces?limit=100'), getJson<TraceListResponse>(click.url, '/api/traces?limit=100')]);
      expect(b.body.traces).toHaveLength(12);
      expect(b.body).toEqual(a.body);
      const id = a.body.traces[0]!.traceId;
      expect((await getJson<TraceDetail>(click.url, `/api/traces/${id}`)).body).toEqual((await getJson<TraceDetail>(duck.url, `/api/traces/${id}`)).body);
      expect((await getJson<{ rules: Array<{ spec: { name: string } }> }>(click.url, '/api/alerts/rules')).body.rules.map((r) => r.spec.name)).toEqual(['slow']);
      const evaluators = (await getJson<{ evaluators: Array<{ name: string; version: number; spec: unknown }> }>(click.url, '/api/evaluators')).body.evaluators;
      expect(evaluators.map(({ name, version, spec }) => ({ name, version, spec }))).toEqual([{ name: 'fast', version: 1, spec: expect.objectContaining({ kind: 'latency', maxMs: 2000 }) }]);
      // Every version of a dataset reads as it did.
      for (const path of ['/api/datasets', '/api/datasets/qa?version=2', '/api/datasets/qa/items?version=2', '/api/datasets/qa/items']) {
        const [from, to] = [await getJson(duck.url, path), await getJson(click.url, path)];
        expect(to.status, path).toBe(200);
        expect(to.body, path).toEqual(from.body);
      }
      expect((await getJson<{ itemCount: number; version: number }>(click.url, '/api/datasets/qa')).body).toMatchObject({ version: 3, itemCount: 1 });
    } finally {
      await click?.stop();
      await duck?.stop({ keepData: true });
    }
  });
});
