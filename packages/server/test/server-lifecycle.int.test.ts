import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spoorCli } from './support/cli.js';
import { killAll } from './support/processes.js';

/**
 * The server's parts close in the reverse of the order they started, as `spoor serve` says at
 * debug level ("started …", "closed …"): after a SIGTERM, and after a start that fails once most
 * parts are up (its port taken).
 */

const children = new Set<ChildProcess>();
let work = '';
const { spoor, serve } = spoorCli(() => work, children);

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-lifecycle-'));
});
afterEach(async () => {
  await killAll(children);
  await rm(work, { recursive: true, force: true });
});

/** The parts the server's debug lines name as started, and as closed, each in order. */
function partsOf(stderr: string): { started: string[]; closed: string[] } {
  const lines = stderr.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as { msg?: string; part?: string }];
    } catch {
      return [];
    }
  });
  const named = (verb: string) => lines.filter((l) => l.part !== undefined && l.msg === `${verb} ${l.part}`).map((l) => l.part!);
  return { started: named('started'), closed: named('closed') };
}

describe('the parts of a server', () => {
  it('close in the reverse of their start when the server is stopped', { timeout: 120_000 }, async () => {
    const server = await serve(['--port', '0', '--data', join(work, 'data'), '--log-level', 'debug']);
    // An answer comes after the turn that printed the address and set the signal handlers.
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    const ended = new Promise((resolve) => server.child.once('close', resolve));
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    await ended;
    const { started, closed } = partsOf(server.stderr());
    expect(started[0]).toBe('the decode thread');
    expect(started.at(-1)).toBe('the HTTP receiver');
    // The judge's ingest starts before the evaluators, so a judgement finishing at the stop is stored.
    expect(started.indexOf('the ingest queue')).toBeLessThan(started.indexOf('the evaluators'));
    expect(closed).toEqual([...started].reverse());
  });

  it('close in the reverse of their start when the start fails midway', { timeout: 120_000 }, async () => {
    const first = await serve(['--port', '0', '--data', join(work, 'first')]);
    const second = spoor(['serve', '--port', String(first.port), '--data', join(work, 'second'), '--log-level', 'debug']);
    const ended = new Promise((resolve) => second.child.once('close', resolve));
    expect((await second.exited).code).not.toBe(0);
    await ended;
    const { started, closed } = partsOf(second.stderr());
    expect(started).toContain('the evaluators');
    expect(started.at(-1)).toBe('the HTTP receiver');
    expect(closed).toEqual([...started].reverse());
    expect(second.stderr()).toContain('EADDRINUSE');
  });
});
