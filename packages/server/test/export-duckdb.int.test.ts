import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPORT_SIGNALS, type ExportFormat } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../src/export/cli.js';
import { spoorCli } from './support/cli.js';
import { type ApiTrace, OTHER_MARK, RANGE, TRACE, checkExportDir, sendKnownRecords } from './support/export-checks.js';
import { killAll } from './support/processes.js';
import { type TestServer, callJson, makeKey, startTestServer } from './support/server.js';

/**
 * Export on the embedded store (DuckDB): through `GET /api/export`, `spoor export --url` and
 * `spoor export --data` (once the server has stopped), every file read back with DuckDB and found
 * whole; a read key, a range backwards and unknown names refused; another project's records never
 * in a file.
 */

let server: TestServer;
let work: string;
const keys: Record<string, string> = {};
let apiTrace: ApiTrace;
const children = new Set<ChildProcess>();
const { run } = spoorCli(() => work, children);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-export-'));
  server = await startTestServer();
  keys.root = await makeKey(server.url, '*', 'admin');
  for (const [name, project, role] of [
    ['shopAdmin', 'shop', 'admin'],
    ['shopRead', 'shop', 'read'],
    ['shopIngest', 'shop', 'ingest'],
    ['otherAdmin', 'other', 'admin'],
    ['otherIngest', 'other', 'ingest'],
  ]) {
    keys[name!] = await makeKey(server.url, project!, role!, keys.root);
  }
  await sendKnownRecords(server.url, keys.shopIngest!, keys.otherIngest!);
  const trace = await callJson<ApiTrace>(server.url, 'GET', `/api/traces/${TRACE}`, undefined, { key: keys.shopRead });
  expect(trace.status).toBe(200);
  apiTrace = trace.body;
}, 60_000);

let stopped = false;

afterAll(async () => {
  await killAll(children);
  if (!stopped) await server?.stop();
  await rm(work, { recursive: true, force: true });
});

/** GET /api/export with `key`, and its answer. */
function exportOf(key: string, query: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/export?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${key}`, ...headers } });
}

async function newDir(name: string): Promise<string> {
  const dir = join(work, name);
  await rm(dir, { recursive: true, force: true });
  return dir;
}

describe('export on DuckDB', () => {
  it.each(['parquet', 'jsonl'] as const)('serves every signal as %s through GET /api/export, each read back whole by DuckDB', async (format: ExportFormat) => {
    const dir = await mkdtemp(join(work, `api-${format}-`));
    for (const signal of EXPORT_SIGNALS) {
      const answer = await exportOf(keys.shopAdmin!, { signal, format, ...RANGE });
      expect(answer.status, await answer.clone().text()).toBe(200);
      expect(answer.headers.get('content-type')).toBe(format === 'parquet' ? 'application/vnd.apache.parquet' : 'application/jsonl; charset=utf-8');
      expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="${signal}.${format}"`);
      await writeFile(join(dir, `${signal}.${format}`), Buffer.from(await answer.arrayBuffer()));
    }
    await checkExportDir(dir, format, apiTrace);
  });

  it("gives another project's admin key its own records only, and refuses it this project", async () => {
    const own = await exportOf(keys.otherAdmin!, { signal: 'spans', format: 'jsonl', ...RANGE });
    expect(own.status).toBe(200);
    const text = await own.text();
    expect(text).toContain(OTHER_MARK);
    expect(text).not.toContain(TRACE);
    // Asking for `shop` by name with `other`'s key: refused before anything is read.
    const asked = await exportOf(keys.otherAdmin!, { signal: 'spans', format: 'jsonl', ...RANGE }, { 'spoor-project': 'shop' });
    expect(asked.status).toBe(403);
  });

  it('refuses a read key, a range backwards and unknown names, saying what it takes', async () => {
    const read = await exportOf(keys.shopRead!, { signal: 'spans', format: 'parquet', ...RANGE });
    expect(read.status).toBe(403);
    expect(await read.text()).toContain('needs an admin key');
    const backwards = await exportOf(keys.shopAdmin!, { signal: 'spans', format: 'parquet', from: RANGE.to, to: RANGE.from });
    expect(backwards.status).toBe(400);
    expect(await backwards.text()).toContain("'from' must not be after 'to'");
    const signal = await exportOf(keys.shopAdmin!, { signal: 'traces', format: 'parquet', ...RANGE });
    expect(signal.status).toBe(400);
    expect(await signal.text()).toContain("'signal' must be one of spans, logs, metrics, scores, not 'traces'");
    const format = await exportOf(keys.shopAdmin!, { signal: 'spans', format: 'csv', ...RANGE });
    expect(format.status).toBe(400);
    expect(await format.text()).toContain("'format' must be one of parquet, jsonl, not 'csv'");
    const open = await exportOf(keys.shopAdmin!, { signal: 'spans', format: 'jsonl', from: RANGE.from });
    expect(open.status).toBe(400);
    expect(await open.text()).toContain("'to' is required");
  });

  it('writes a file per signal with spoor export --url, in both formats', async () => {
    for (const format of ['parquet', 'jsonl'] as const) {
      const out = await newDir(`url-${format}`);
      const done = await run(['export', '--url', server.url, '--from', RANGE.from, '--to', RANGE.to, '--format', format, '--out', out], {
        SPOOR_API_KEY: keys.shopAdmin!,
      });
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain(join(out, `spans.${format}`));
      await checkExportDir(out, format, apiTrace);
      // Nothing half-written is left beside them.
      expect((await readdir(out)).sort()).toEqual(EXPORT_SIGNALS.map((s) => `${s}.${format}`).sort());
    }
  });

  it('refuses what the command line gets wrong, saying what it takes', async () => {
    // In this process: the same command, without a process's start per case.
    const exportNow = async (args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> => {
      let stderr = '';
      const saved = process.env.SPOOR_API_KEY;
      if (env.SPOOR_API_KEY === undefined) delete process.env.SPOOR_API_KEY;
      else process.env.SPOOR_API_KEY = env.SPOOR_API_KEY;
      try {
        const code = await exportCommand(args, { out: () => {}, err: (text) => (stderr += text) });
        return { code, stderr };
      } finally {
        if (saved === undefined) delete process.env.SPOOR_API_KEY;
        else process.env.SPOOR_API_KEY = saved;
      }
    };
    const base = ['--url', server.url, '--format', 'parquet'];
    const never = join(work, 'never');
    const backwards = await exportNow([...base, '--from', RANGE.to, '--to', RANGE.from, '--out', never]);
    expect(backwards).toEqual({ code: 2, stderr: expect.stringContaining('must not be after --to') });
    const noOut = await exportNow([...base, '--from', RANGE.from, '--to', RANGE.to]);
    expect(noOut).toEqual({ code: 2, stderr: expect.stringContaining('--out DIR is required') });
    const signal = await exportNow([...base, '--from', RANGE.from, '--to', RANGE.to, '--out', never, '--signals', 'spans,traces']);
    expect(signal).toEqual({ code: 2, stderr: expect.stringContaining("--signals takes spans, logs, metrics, scores (comma-separated), not 'traces'") });
    const format = await exportNow(['--url', server.url, '--format', 'csv', '--from', RANGE.from, '--to', RANGE.to, '--out', never]);
    expect(format).toEqual({ code: 2, stderr: expect.stringContaining("--format must be one of parquet, jsonl, not 'csv'") });
    const time = await exportNow([...base, '--from', 'May 3', '--to', RANGE.to, '--out', never]);
    expect(time).toEqual({
      code: 2,
      stderr: expect.stringContaining("--from must be an ISO-8601 time (2026-05-01T00:00:00Z) or epoch milliseconds between 1970 and 9999, not 'May 3'"),
    });
    const noSource = await exportNow(['--format', 'jsonl', '--from', RANGE.from, '--to', RANGE.to, '--out', never]);
    expect(noSource).toEqual({ code: 2, stderr: expect.stringContaining('name one place to export from: --url URL') });
    const twoSources = await exportNow([...base, '--data', work, '--from', RANGE.from, '--to', RANGE.to, '--out', never]);
    expect(twoSources.code).toBe(2);
    const readKey = await exportNow([...base, '--from', RANGE.from, '--to', RANGE.to, '--out', never], { SPOOR_API_KEY: keys.shopRead! });
    expect(readKey).toEqual({ code: 1, stderr: expect.stringContaining('GET /api/export answered 403') });
    // Nothing, not even a part of a file, was left.
    await expect(readdir(never)).resolves.toEqual([]);
  });

  it('names --url when spoor export --data finds a server holding the directory', async () => {
    const held = await run([
      'export',
      '--data',
      server.dataDir,
      '--project',
      'shop',
      '--from',
      RANGE.from,
      '--to',
      RANGE.to,
      '--format',
      'parquet',
      '--out',
      join(work, 'held'),
    ]);
    expect(held.code, held.stdout).toBe(1);
    expect(held.stderr).toContain(`a running Spoor server holds ${server.dataDir}`);
    expect(held.stderr).toContain('--url');
  });

  it('reads a data directory no server holds with spoor export --data, in both formats', async () => {
    await server.stop({ keepData: true });
    stopped = true;
    try {
      for (const format of ['parquet', 'jsonl'] as const) {
        const out = await newDir(`data-${format}`);
        const done = await run([
          'export',
          '--data',
          server.dataDir,
          '--project',
          'shop',
          '--from',
          RANGE.from,
          '--to',
          RANGE.to,
          '--format',
          format,
          '--out',
          out,
        ]);
        expect(done.code, done.stderr).toBe(0);
        await checkExportDir(out, format, apiTrace);
      }
    } finally {
      await rm(server.dataDir, { recursive: true, force: true });
    }
  });
});
