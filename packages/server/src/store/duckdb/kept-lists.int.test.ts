import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newKey } from '../../auth/keys.js';
import type { EvaluatorRecord } from '../ports/evaluators.js';
import { DuckDbStore } from './duckdb-store.js';

/**
 * The lists a server reads on timers (keys every 500 ms, evaluators and sampling policies every
 * 2 s), kept by a DuckDB store until it writes their table: read again after every kind of write,
 * and answered with no statement in between. (After the file is attached anew:
 * `full-disk.int.test.ts`.)
 */

let dir = '';
let store: DuckDbStore;
/** Statements given to DuckDB on any connection (`runAndReadAll` counted with the `run` it makes). */
let statements = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-kept-lists-'));
  store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
  statements = 0;
  const { run, runAndReadAll } = DuckDBConnection.prototype;
  vi.spyOn(DuckDBConnection.prototype, 'run').mockImplementation(function (this: DuckDBConnection, ...args: Parameters<typeof run>) {
    statements++;
    return run.apply(this, args);
  });
  vi.spyOn(DuckDBConnection.prototype, 'runAndReadAll').mockImplementation(function (this: DuckDBConnection, ...args: Parameters<typeof runAndReadAll>) {
    statements++;
    return runAndReadAll.apply(this, args);
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** `read`'s answer, and how many statements it gave DuckDB. */
async function counted<T>(read: () => Promise<T>): Promise<{ answer: T; statements: number }> {
  const before = statements;
  const answer = await read();
  return { answer, statements: statements - before };
}

const T0 = 1_700_000_000_000_000;

const evaluator = (overrides: Partial<EvaluatorRecord> = {}): EvaluatorRecord => ({
  name: 'polite',
  spec: '{"kind":"contains","text":"please"}',
  version: 1,
  state: 'active',
  pausedReason: null,
  createdUs: T0,
  updatedUs: T0,
  ...overrides,
});

describe("a DuckDB store's lists of keys, evaluators and policies", () => {
  it('reads the keys again after a key is made or revoked, and answers them with no statement in between', async () => {
    const keys = () => store.access.listKeys();
    expect(await keys()).toEqual([]);
    expect(await counted(keys)).toEqual({ answer: [], statements: 0 });

    const { record } = newKey({ projectId: 'shop', role: 'read', name: 'ci', createdBy: 'cli', nowUs: T0 });
    await store.access.putKey(record);
    expect(await keys()).toEqual([record]);
    expect(await counted(keys)).toEqual({ answer: [record], statements: 0 });

    expect(await store.access.revokeKey(record.id, T0 + 1)).toBe(true);
    expect(await keys()).toEqual([{ ...record, revokedUs: T0 + 1 }]);
    expect(await counted(keys)).toEqual({ answer: [{ ...record, revokedUs: T0 + 1 }], statements: 0 });
  });

  it("reads a project's evaluators again after one is made, paused or deleted, and answers them with no statement in between", async () => {
    const e = store.evaluators;
    const list = (projectId = 'default') => e.listEvaluators(projectId);
    expect(await list()).toEqual([]);
    expect(await list('p2')).toEqual([]);
    expect(await counted(list)).toEqual({ answer: [], statements: 0 });

    await e.putEvaluator('default', evaluator(), false);
    expect(await list()).toEqual([evaluator()]);
    // The runner's writes of other tables each round leave the list as it was read.
    expect(await e.takeLease('default', 'me', T0, 30_000_000)).toBe(true);
    await e.addRuns('default', [{ evaluator: 'polite', version: 1, traceId: 'a'.repeat(32), spanId: null, ok: true, error: null, costUsd: 0, timeUs: T0 }]);
    expect(await counted(list)).toEqual({ answer: [evaluator()], statements: 0 });
    // An answer is the caller's to change (the runner replaces the records it resumes).
    (await list()).pop();
    expect(await list()).toEqual([evaluator()]);

    const paused = evaluator({ state: 'paused', pausedReason: 'budget', updatedUs: T0 + 1 });
    await e.putEvaluator('default', paused, false);
    expect(await list()).toEqual([paused]);
    expect(await counted(list)).toEqual({ answer: [paused], statements: 0 });

    await e.putEvaluator('p2', evaluator({ name: 'other' }), false);
    expect(await list('p2')).toEqual([evaluator({ name: 'other' })]);

    await e.putEvaluator('default', { ...paused, updatedUs: T0 + 2 }, true);
    expect(await list()).toEqual([]);
    expect(await counted(list)).toEqual({ answer: [], statements: 0 });
  });

  it('reads the sampling and masking policies again after one is set, replaced or deleted, and answers them with no statement in between', async () => {
    for (const policies of [store.sampling.policies, store.masking]) {
      const list = () => policies.listPolicies();
      expect(await list()).toEqual([]);
      expect(await counted(list)).toEqual({ answer: [], statements: 0 });

      await policies.putPolicy('shop', '{"rate":0.5}', T0);
      expect(await list()).toEqual([{ projectId: 'shop', policy: '{"rate":0.5}', updatedUs: T0 }]);
      expect(await counted(list)).toEqual({ answer: [{ projectId: 'shop', policy: '{"rate":0.5}', updatedUs: T0 }], statements: 0 });

      await policies.putPolicy('shop', '{"rate":0.1}', T0 + 1);
      expect(await list()).toEqual([{ projectId: 'shop', policy: '{"rate":0.1}', updatedUs: T0 + 1 }]);
      expect(await counted(list)).toEqual({ answer: [{ projectId: 'shop', policy: '{"rate":0.1}', updatedUs: T0 + 1 }], statements: 0 });

      expect(await policies.deletePolicy('shop')).toBe(true);
      expect(await list()).toEqual([]);
      expect(await counted(list)).toEqual({ answer: [], statements: 0 });
    }
  });

  it('keeps no failed read: the next one reads again', async () => {
    const { record } = newKey({ projectId: 'shop', role: 'read', name: '', createdBy: 'cli', nowUs: T0 });
    await store.access.putKey(record);
    vi.mocked(DuckDBConnection.prototype.runAndReadAll).mockRejectedValueOnce(new Error('IO Error: could not read'));
    await expect(store.access.listKeys()).rejects.toThrow(/could not read/);
    expect(await store.access.listKeys()).toEqual([record]);
  });

  it('answers no read begun while a write ran after that write', async () => {
    for (let n = 0; n < 10; n++) {
      const { record } = newKey({ projectId: 'shop', role: 'read', name: '', createdBy: 'cli', nowUs: T0 + n });
      // Begun after the write, it may read the table before or after the write commits.
      const put = store.access.putKey(record);
      const during = store.access.listKeys();
      await Promise.all([put, during]);
      expect((await store.access.listKeys()).map((k) => k.id)).toContain(record.id);
    }
  });
});
