import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceDetail } from '@spoor/model';
import { until } from '../../../server/test/support/wait.js';

/**
 * A real `spoor serve` process, as a user starts it: the built CLI, serving the built web UI, on
 * 127.0.0.1 and a port the system picks, with a fresh data directory.
 */

const SPOOR_BIN = fileURLToPath(new URL('../../../server/bin/spoor.js', import.meta.url));
const SERVER_BUILD = fileURLToPath(new URL('../../../server/dist/cli/main.js', import.meta.url));
const WEB_BUILD = fileURLToPath(new URL('../../dist/index.html', import.meta.url));
const LISTENING = /^Spoor is listening on (http:\/\/127\.0\.0\.1:\d+) /m;

export interface SpoorServer {
  url: string;
  dataDir: string;
  /** What the server wrote to stderr so far, for failure messages. */
  stderr: () => string;
  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and deletes the data directory. */
  stop: () => Promise<void>;
}

/** `flags` are added to `spoor serve`'s, e.g. `['--alerts', path, '--alert-interval', '1s']`. */
export async function startSpoorServer(flags: readonly string[] = []): Promise<SpoorServer> {
  for (const [file, what] of [
    [SERVER_BUILD, 'the server'],
    [WEB_BUILD, 'the web UI'],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${what} is not built (${file} is missing): run 'npm run build' first (npm test does)`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'spoor-web-'));
  // The server's own settings come from the flags only, whatever this shell exports.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SPOOR_')));
  // No OTLP/gRPC unless asked: 4317 may be taken by another server on the machine.
  const grpc = flags.includes('--grpc-port') ? [] : ['--grpc-port', '0'];
  const child = spawn(
    process.execPath,
    [SPOOR_BIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...grpc, '--data', dataDir, '--log-level', 'warn', ...flags],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    await stopChild(child, exited);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await until('spoor serve to print where it listens', () => {
      if (child.exitCode !== null) throw new Error(`spoor serve exited with code ${child.exitCode}: ${stderr}`);
      return LISTENING.exec(stdout)?.[1];
    });
    await until('spoor serve to answer /ready', async () => ((await fetch(`${url}/ready`)).status === 200 ? true : undefined));
    return { url, dataDir, stderr: () => stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Waits until `GET /api/traces/<id>` returns at least `spanCount` spans; returns the trace. */
export async function waitForTrace(url: string, traceId: string, spanCount: number, timeoutMs = 30_000): Promise<TraceDetail> {
  return until(
    `trace ${traceId} to have ${spanCount} spans`,
    async () => {
      const response = await fetch(`${url}/api/traces/${traceId}`);
      if (response.status !== 200) return undefined;
      const trace = (await response.json()) as TraceDetail;
      return trace.spans.length >= spanCount ? trace : undefined;
    },
    timeoutMs,
  );
}
