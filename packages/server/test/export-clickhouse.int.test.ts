import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPORT_SIGNALS, type ExportFormat } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spoorCli } from './support/cli.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type ApiTrace, RANGE, TRACE, checkExportDir, sendKnownRecords } from './support/export-checks.js';
import { killAll } from './support/processes.js';
import { type TestServer, callJson, makeKey, startTestServer } from './support/server.js';

/**
 * Export on ClickHouse (the engine `chdb` embeds, behind the test endpoint's HTTP interface):
 * through `GET /api/export`, `spoor export --url` and `spoor export --clickhouse-url`, ClickHouse's
 * own Parquet and JSONEachRow read back with DuckDB and found whole, with the columns and types
 * an export from DuckDB has (`support/export-checks.ts` holds both to the one declared schema).
 */

let endpoint: ClickHouseEndpoint;
let server: TestServer;
let work: string;
let databaseUrl: string;
const keys: Record<string, string> = {};
let apiTrace: ApiTrace;
const children = new Set<ChildProcess>();
const { run } = spoorCli(() => work, children);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-export-ch-'));
  endpoint = await startClickHouseEndpoint();
  databaseUrl = `${endpoint.url}/export_test`;
  server = await startTestServer({ store: 'clickhouse', clickhouseUrl: databaseUrl });
  keys.root = await makeKey(server.url, '*', 'admin');
  for (const [name, project, role] of [
    ['shopAdmin', 'shop', 'admin'],
    ['shopRead', 'shop', 'read'],
    ['shopIngest', 'shop', 'ingest'],
    ['otherIngest', 'other', 'ingest'],
  ]) {
    keys[name!] = await makeKey(server.url, project!, role!, keys.root);
  }
  await sendKnownRecords(server.url, keys.shopIngest!, keys.otherIngest!);
  const trace = await callJson<ApiTrace>(server.url, 'GET', `/api/traces/${TRACE}`, undefined, { key: keys.shopRead });
  expect(trace.status).toBe(200);
  apiTrace = trace.body;
}, 90_000);

afterAll(async () => {
  await killAll(children);
  await server?.stop();
  await endpoint?.close();
  await rm(work, { recursive: true, force: true });
});

describe('export on ClickHouse', () => {
  it.each(['parquet', 'jsonl'] as const)('serves every signal as %s through GET /api/export, each read back whole by DuckDB', async (format: ExportFormat) => {
    const dir = await mkdtemp(join(work, `api-${format}-`));
    for (const signal of EXPORT_SIGNALS) {
      const answer = await fetch(`${server.url}/api/export?${new URLSearchParams({ signal, format, ...RANGE })}`, {
        headers: { authorization: `Bearer ${keys.shopAdmin}` },
      });
      expect(answer.status, await answer.clone().text()).toBe(200);
      expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="${signal}.${format}"`);
      await writeFile(join(dir, `${signal}.${format}`), Buffer.from(await answer.arrayBuffer()));
    }
    await checkExportDir(dir, format, apiTrace);
  });

  it('refuses a read key and a range backwards', async () => {
    const read = await fetch(`${server.url}/api/export?${new URLSearchParams({ signal: 'spans', format: 'parquet', ...RANGE })}`, {
      headers: { authorization: `Bearer ${keys.shopRead}` },
    });
    expect(read.status).toBe(403);
    const backwards = await fetch(`${server.url}/api/export?${new URLSearchParams({ signal: 'logs', format: 'jsonl', from: RANGE.to, to: RANGE.from })}`, {
      headers: { authorization: `Bearer ${keys.shopAdmin}` },
    });
    expect(backwards.status).toBe(400);
    expect(await backwards.text()).toContain("'from' must not be after 'to'");
  });

  it('writes a file per signal with spoor export --url and --clickhouse-url, in both formats', async () => {
    for (const format of ['parquet', 'jsonl'] as const) {
      const viaApi = join(work, `url-${format}`);
      const api = await run(['export', '--url', server.url, '--from', RANGE.from, '--to', RANGE.to, '--format', format, '--out', viaApi], {
        SPOOR_API_KEY: keys.shopAdmin!,
      });
      expect(api.code, api.stderr).toBe(0);
      await checkExportDir(viaApi, format, apiTrace);
      const direct = join(work, `clickhouse-${format}`);
      const done = await run([
        'export',
        '--clickhouse-url',
        databaseUrl,
        '--project',
        'shop',
        '--from',
        RANGE.from,
        '--to',
        RANGE.to,
        '--format',
        format,
        '--out',
        direct,
      ]);
      expect(done.code, done.stderr).toBe(0);
      await checkExportDir(direct, format, apiTrace);
    }
  });

  it('refuses a ClickHouse database that holds no Spoor store, creating nothing there', async () => {
    const missing = await run([
      'export',
      '--clickhouse-url',
      `${endpoint.url}/no_such_store`,
      '--from',
      RANGE.from,
      '--to',
      RANGE.to,
      '--format',
      'jsonl',
      '--out',
      join(work, 'none'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('there is no Spoor store in the ClickHouse database no_such_store');
    const [, password] = /default:([^@]+)@/.exec(endpoint.url)!;
    const databases = await fetch(`http://127.0.0.1:${endpoint.port}/`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`default:${password}`).toString('base64')}` },
      body: "SELECT count() FROM system.databases WHERE name = 'no_such_store' FORMAT TSV",
    });
    expect((await databases.text()).trim()).toBe('0');
  });
});
