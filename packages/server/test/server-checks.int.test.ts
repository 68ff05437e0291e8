import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spoorCli } from './support/cli.js';
import { killAll } from './support/processes.js';

/**
 * Every part checks its files before any part starts: a file the server cannot use stops the
 * start, named, with nothing started (no debug line "started …") and nothing written to a new data
 * directory (its server id is made by the store's part, after every check).
 */

const children = new Set<ChildProcess>();
let work = '';
const { run } = spoorCli(() => work, children);

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-checks-'));
  await writeFile(join(work, 'prices.json'), JSON.stringify({ asOf: '2025-01-01', models: [] }));
  await writeFile(join(work, 'not-json.json'), '{');
  await writeFile(join(work, 'mask.json'), JSON.stringify({ detectors: ['email'] }));
});
afterEach(async () => {
  await killAll(children);
  await rm(work, { recursive: true, force: true });
});

describe("a server's checks before it starts", () => {
  it.each([
    ['--prices', ['--prices', 'not-json.json', '--mask', 'mask.json'], 'the price table'],
    ['--mask', ['--prices', 'prices.json', '--mask', 'not-json.json'], 'the masking file'],
  ])('refuses a %s file it cannot use before anything starts, writing nothing of the data directory', { timeout: 60_000 }, async (_flag, files, named) => {
    const data = join(work, 'data');
    const exit = await run(['serve', '--port', '0', '--data', data, '--log-level', 'debug', ...files]);
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toContain(`${named} ${join(work, 'not-json.json')} is not valid JSON`);
    expect(exit.stderr).not.toContain('"msg":"started ');
    expect(existsSync(join(data, 'server-id'))).toBe(false);
  });
});
