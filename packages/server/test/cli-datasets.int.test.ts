import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset, DatasetItemsResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spoorCli } from './support/cli.js';
import { killAll } from './support/processes.js';
import { makeKey } from './support/server.js';

/**
 * `spoor datasets import` and `export` against a real `spoor serve` (its own process, DuckDB in a
 * temporary directory): JSONL and CSV in and out, a bad line refused by its line with nothing
 * imported, the key sent from SPOOR_API_KEY.
 */

const children = new Set<ChildProcess>();
let work = '';
let url = '';
const { run, serve } = spoorCli(() => work, children);

async function api<T>(path: string, key: string): Promise<T> {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

let ingestKey = '';
let readKey = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-cli-datasets-'));
  url = (await serve(['--port', '0', '--data', join(work, 'data')])).url;
  const admin = await makeKey(url, '*', 'admin');
  ingestKey = await makeKey(url, 'default', 'ingest', admin);
  readKey = await makeKey(url, 'default', 'read', admin);
}, 30_000);

afterAll(async () => {
  await killAll(children);
  await rm(work, { recursive: true, force: true });
});

describe('spoor datasets', () => {
  it('imports a JSONL file into a dataset it makes, and exports it again as it was', async () => {
    const lines = [
      { input: 'two plus two', expectedOutput: '4', metadata: { topic: 'sums' } },
      { input: { question: 'capital of France' }, expectedOutput: null, metadata: {} },
      { input: 'from a run', expectedOutput: 'ok', metadata: {}, source: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) } },
    ];
    await writeFile(join(work, 'qa.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const imported = await run(['datasets', 'import', 'qa', 'qa.jsonl', '--url', url], { SPOOR_API_KEY: ingestKey });
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toBe('Imported 3 items into qa: version 2.\n');
    expect(imported.code).toBe(0);
    expect(await api<Dataset>('/api/datasets/qa', readKey)).toMatchObject({ version: 2, itemCount: 3 });

    const exported = await run(['datasets', 'export', 'qa', '--url', url], { SPOOR_API_KEY: readKey });
    expect(exported.code, exported.stderr).toBe(0);
    expect(
      exported.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(lines.map((l) => (l.source === undefined ? l : { ...l, source: l.source })));

    // A second import adds to the dataset as its next version; the export of version 2 stays as it was.
    await writeFile(join(work, 'more.jsonl'), `${JSON.stringify({ input: 'later' })}\n`);
    expect((await run(['datasets', 'import', 'qa', 'more.jsonl'], { SPOOR_API_KEY: ingestKey, SPOOR_URL: url })).stdout).toBe(
      'Imported 1 items into qa: version 3.\n',
    );
    const v2 = await run(['datasets', 'export', 'qa', '--version', '2', '--url', url], { SPOOR_API_KEY: readKey });
    expect(v2.stdout).toBe(exported.stdout);
  });

  it('imports a CSV file with metadata columns and exports CSV that imports back the same', async () => {
    const csv =
      'input,expectedOutput,metadata.topic,metadata.level\n"say ""hi"", then\nleave",hello,greeting,1\n42,"""42""",numbers,\nplain,,,\n"=cmd|\' /C calc\'!A0",-5,@SUM(A1),\n';
    await writeFile(join(work, 'greet.csv'), csv);
    const imported = await run(['datasets', 'import', 'greet', 'greet.csv', '--url', url], { SPOOR_API_KEY: ingestKey });
    expect(imported.code, imported.stderr).toBe(0);
    const items = (await api<DatasetItemsResponse>('/api/datasets/greet/items', readKey)).items;
    expect(items.map(({ input, expectedOutput, metadata }) => ({ input, expectedOutput, metadata }))).toEqual([
      { input: 'say "hi", then\nleave', expectedOutput: 'hello', metadata: { topic: 'greeting', level: 1 } },
      { input: 42, expectedOutput: '42', metadata: { topic: 'numbers' } },
      { input: 'plain', expectedOutput: null, metadata: {} },
      { input: "=cmd|' /C calc'!A0", expectedOutput: -5, metadata: { topic: '@SUM(A1)' } },
    ]);
    const exported = await run(['datasets', 'export', 'greet', '--format', 'csv', '--url', url], { SPOOR_API_KEY: readKey });
    expect(exported.code, exported.stderr).toBe(0);
    // What end users typed is no formula in a spreadsheet: each such cell starts with a quote.
    expect(exported.stdout).toContain("\n'=cmd|' /C calc'!A0,'-5,,'@SUM(A1)\n");
    await writeFile(join(work, 'again.csv'), exported.stdout);
    expect((await run(['datasets', 'import', 'greet-again', 'again.csv', '--url', url], { SPOOR_API_KEY: ingestKey })).code).toBe(0);
    const again = (await api<DatasetItemsResponse>('/api/datasets/greet-again/items', readKey)).items;
    expect(again.map(({ input, expectedOutput, metadata }) => ({ input, expectedOutput, metadata }))).toEqual(
      items.map(({ input, expectedOutput, metadata }) => ({ input, expectedOutput, metadata })),
    );
  });

  it('refuses a file with a bad line naming the line, and imports nothing of it', async () => {
    await writeFile(join(work, 'bad.jsonl'), '{"input":"fine"}\n{"input":"fine too"}\n\n{"expectedOutput":"no input"}\n');
    const bad = await run(['datasets', 'import', 'bad', 'bad.jsonl', '--url', url], { SPOOR_API_KEY: ingestKey });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('spoor: bad.jsonl line 4: input: an item needs an input (or fromTrace); nothing was imported\n');
    expect((await fetch(`${url}/api/datasets/bad`, { headers: { authorization: `Bearer ${readKey}` } })).status).toBe(404);

    // A line the server refuses (a trace it does not have) is named by its line too.
    await writeFile(join(work, 'trace.jsonl'), `{"input":"fine"}\n{"fromTrace":{"traceId":"${'ef'.repeat(16)}"}}\n`);
    const missing = await run(['datasets', 'import', 'qa-traces', 'trace.jsonl', '--url', url], { SPOOR_API_KEY: ingestKey });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `spoor: POST /api/datasets/qa-traces/items answered 404: trace.jsonl line 2: fromTrace: trace ${'ef'.repeat(16)} was not found; nothing was imported\n`,
    );
    expect(await api<Dataset>('/api/datasets/qa-traces', readKey)).toMatchObject({ version: 1, itemCount: 0 });

    const reader = await run(['datasets', 'import', 'qa', 'qa.jsonl', '--url', url], { SPOOR_API_KEY: readKey });
    expect(reader.code).toBe(1);
    expect(reader.stderr).toMatch(/answered 403: .*needs an? ingest key/);
  });
});
