import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENDPOINT = fileURLToPath(new URL('./clickhouse-endpoint.mjs', import.meta.url));

/** A ClickHouse HTTP endpoint in a process of its own (`clickhouse-endpoint.mjs`), on loopback. */
export interface ClickHouseEndpoint {
  /** `http://default:PASSWORD@127.0.0.1:PORT` (append `/DB`). */
  url: string;
  port: number;
  /** Stops answering: connections are refused, as with ClickHouse down. */
  stop(): Promise<void>;
  /** Answers again, on the same port. */
  resume(): Promise<void>;
  /** Ends the process and removes its data. */
  close(): Promise<void>;
}

/** `parent`: the folder its data goes under (a small tmpfs, to fill its disk). */
export async function startClickHouseEndpoint(password = 'spoor-test', parent = tmpdir()): Promise<ClickHouseEndpoint> {
  const dir = mkdtempSync(join(parent, 'spoor-ch-endpoint-'));
  const child: ChildProcess = spawn(process.execPath, [ENDPOINT, '--path', join(dir, 'data'), '--password', password], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Each step waits for the line that says it is done, or the process's end; a hang is the test's
  // timeout (chDB's start, seconds alone, is many times that beside other work).
  const next = (word: string, from: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = out
          .slice(from)
          .split('\n')
          .find((l) => l.startsWith(word));
        if (line === undefined) return;
        child.stdout!.off('data', check);
        resolve(line);
      };
      child.stdout!.on('data', check);
      check();
      void exited.then(() => reject(new Error(`the ClickHouse endpoint exited before it said '${word}'; stderr: ${err}`)));
    });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const port = Number((await next('listening', 0)).split(' ')[1]);
  return {
    url: `http://default:${password}@127.0.0.1:${port}`,
    port,
    stop: async () => {
      const at = out.length;
      child.kill('SIGUSR1');
      await next('stopped', at);
    },
    resume: async () => {
      const at = out.length;
      child.kill('SIGUSR2');
      await next('listening', at);
    },
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
