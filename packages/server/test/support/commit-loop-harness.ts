import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, vi } from 'vitest';
import { CommitLoop, type CommitLoopOptions } from '../../src/pipeline/commit-loop.js';
import { type SpoolPosition, Spool } from '../../src/pipeline/spool.js';
import type { FakeWriter } from './fake-writer.js';
import { decode, entry } from './named-entries.js';

/** What the commit-loop tests share: a spool per test, a loop over a fake store, and waits on real turns. */

export function namesOf(names: string[], spans: number): string[] {
  return names.flatMap((name) => Array.from({ length: spans }, (_, i) => `${name}.${i}`));
}

export function entryNames(count: number, prefix = 'e'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

export interface Report {
  seq: number;
  position: SpoolPosition;
  records: number;
}

export let dir: string;
export let spool: Spool;
let seq: number;
export let reports: Report[];
export let errors: unknown[];

/**
 * Registers the hooks of a commit-loop test file: a spool in a temporary directory for each test,
 * the loop's reports and errors collected afresh, real timers back after each.
 */
export function useCommitLoopHarness(): void {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spoor-commit-loop-'));
    spool = await Spool.open(dir, { sync: false });
    seq = 0;
    reports = [];
    errors = [];
  });

  afterEach(async () => {
    vi.useRealTimers();
    await spool.close();
    await rm(dir, { recursive: true, force: true });
  });
}

/** The sequence number of the next entry handed to a loop by hand. */
export function nextSeq(): number {
  return ++seq;
}

/** The sequence number of the last entry handed to a loop. */
export function lastSeq(): number {
  return seq;
}

/** Numbers the next accepted entries after `last`, as a server does once it has replayed. */
export function numberAfter(last: number): void {
  seq = last;
}

/** Opens the test's spool again (after a test closed and changed its files). */
export async function reopenSpool(): Promise<void> {
  spool = await Spool.open(dir, { sync: false });
}

export function loopOver(store: FakeWriter, options: Partial<CommitLoopOptions> = {}): CommitLoop {
  return new CommitLoop(store, {
    spoolDir: dir,
    decode,
    lingerMs: 60_000,
    onCommit: (s, position, records) => reports.push({ seq: s, position, records }),
    onError: (error) => errors.push(error),
    ...options,
  });
}

/** Spools entries as ingest does and pushes them to the loop in spool order; returns their positions. */
export async function accept(loop: CommitLoop, names: string[], spans: number): Promise<SpoolPosition[]> {
  const positions = await Promise.all(names.map((name) => spool.append(entry(name, spans))));
  positions.forEach((position, i) => loop.push(decode(entry(names[i]!, spans)), position, ++seq));
  return positions;
}

/** Spools entries without handing them to a loop: what a crash leaves behind. */
export async function spoolOnly(names: string[], spans: number): Promise<SpoolPosition[]> {
  return Promise.all(names.map((name) => spool.append(entry(name, spans))));
}

/** Waits on real turns of the event loop (not timers, which some tests fake). */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 2000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Waits on real turns of the event loop (not timers) until `promise` has settled. */
export async function settled(promise: Promise<unknown>, what: string): Promise<void> {
  let done = false;
  const settle = (): void => {
    done = true;
  };
  promise.then(settle, settle);
  await until(() => done, `${what} has settled`);
  await promise;
}

/** Fails instead of hanging when `promise` does not settle within `ms` of real time. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref())]);
}

export const committedNames = (store: FakeWriter): string[] => store.committed.spans.map((s) => s.name);
