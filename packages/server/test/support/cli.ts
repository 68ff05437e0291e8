import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `spoor` CLI as a user runs it: its own process, started from the built `bin/spoor.js`. */

const SPOOR_BIN = fileURLToPath(new URL('../../bin/spoor.js', import.meta.url));
const LISTENING = /^Spoor is listening on http:\/\/([^:]+):(\d+) \(data: (.+)\)$/m;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpoorProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Once the process has exited (its output may still be arriving). */
  exited: Promise<Exit>;
}

export interface Listening extends SpoorProcess {
  url: string;
  host: string;
  port: number;
  dataDir: string;
}

/**
 * The environment of this process without any SPOOR_* setting (but the answer check every test
 * runs with) or OTLP endpoint, plus `extra`; OTLP/gRPC off unless `extra` says otherwise, so
 * servers started side by side do not contend for 4317.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const kept = (key: string): boolean => (!key.startsWith('SPOOR_') || key === 'SPOOR_CHECK_ANSWERS') && key !== 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => kept(key)));
  return { ...env, SPOOR_GRPC_PORT: '0', ...extra };
}

/**
 * The CLI run in the directory `cwd()` gives at each start, every process added to `children`
 * (for `killAll` after the tests): `spoor` starts one, `run` waits for a command that ends by
 * itself, `serve` resolves once `spoor serve` prints where it listens. None has a clock of its
 * own: each waits for its signal (the exit, the line), and a hang is the test's timeout. A fixed
 * 15 s failed `spoor serve` beside other work: alone it starts in about 1 s, on a machine at a
 * load of 19 (two cores) a test of two starts took 13.7 s.
 */
export function spoorCli(cwd: () => string, children: Set<ChildProcess>) {
  function spoor(args: string[], env: Record<string, string> = {}): SpoorProcess {
    const child = spawn(process.execPath, [SPOOR_BIN, ...args], { cwd: cwd(), env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    return { child, stdout: () => stdout, stderr: () => stderr, exited };
  }

  async function run(args: string[], env: Record<string, string> = {}): Promise<Exit & { stdout: string; stderr: string }> {
    const started = spoor(args, env);
    // 'close', not 'exit': the output is read to its end.
    const exit = await new Promise<Exit>((resolve) => started.child.once('close', (code, signal) => resolve({ code, signal })));
    return { ...exit, stdout: started.stdout(), stderr: started.stderr() };
  }

  async function serve(args: string[], env: Record<string, string> = {}): Promise<Listening> {
    const started = spoor(['serve', '--log-level', 'warn', ...args], env);
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const onData = (): void => {
        const found = LISTENING.exec(started.stdout());
        if (found === null) return;
        started.child.stdout!.off('data', onData);
        resolve(found);
      };
      started.child.stdout!.on('data', onData);
      void started.exited.then((exit) => reject(new Error(`spoor serve exited (${exit.code ?? exit.signal}) before listening; stderr: ${started.stderr()}`)));
    });
    const [, host, port, dataDir] = match as unknown as [string, string, string, string];
    return { ...started, url: `http://${host}:${port}`, host, port: Number(port), dataDir };
  }

  return { spoor, run, serve };
}
