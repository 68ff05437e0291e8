import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

/**
 * The real Prometheus tools, for tests: `promtool check metrics` on an exposition text, and a
 * Prometheus server on loopback that scrapes a Spoor server and answers PromQL. Both come from
 * Debian's `prometheus` package (`scripts/ensure-system-deps.mjs` installs it).
 */

const INSTALL_HINT = 'install the Debian package prometheus (apt-get install prometheus)';

/** Runs `promtool check metrics` with `text` on stdin; `output` holds every problem it reports. */
export function promtoolCheckMetrics(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(`promtool is not on PATH; ${INSTALL_HINT}`) : error));
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.on('error', () => {
      // promtool stopped reading; the 'error' or 'close' handler above says why.
    });
    child.stdin.end(text);
  });
}

/** `name{labels}` → value, for every sample line of an exposition text; fails on a duplicate series. */
export function samplesOf(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const duplicates: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    const series = line.slice(0, at);
    if (out.has(series)) duplicates.push(series);
    out.set(series, Number(line.slice(at + 1)));
  }
  expect(duplicates).toEqual([]);
  return out;
}

/** One series of an instant-query answer. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusServer {
  /** `http://127.0.0.1:port` of Prometheus' own HTTP API. */
  url: string;
  /** Runs an instant PromQL query through `/api/v1/query`. */
  query: (expr: string) => Promise<PromSample[]>;
  /**
   * Queries until the answer has at least one series (and satisfies `accept`), or fails after
   * `timeoutMs` naming the last answer and the scrape target's health and last error.
   */
  waitFor: (expr: string, accept?: (samples: PromSample[]) => boolean, timeoutMs?: number) => Promise<PromSample[]>;
  /** Stops Prometheus (SIGTERM, then SIGKILL) and deletes its config and TSDB. Idempotent. */
  stop: () => Promise<void>;
}

export interface PrometheusOptions {
  /** `http://host:port` of the server to scrape; its `/metrics` is scraped every second. */
  target: string;
  /** Path scraped on the target. Default `/metrics`. */
  metricsPath?: string;
  /** The job's `sample_limit`: a scrape with more samples fails whole (the target is down). Default none. */
  sampleLimit?: number;
}

/** Starts `/usr/bin/prometheus` on 127.0.0.1 and a free port with a temp TSDB; resolves once it is ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'spoor-prometheus-'));
  const port = await freePort();
  const target = new URL(options.target).host;
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: spoor',
    `    metrics_path: ${JSON.stringify(options.metricsPath ?? '/metrics')}`,
    ...(options.sampleLimit === undefined ? [] : [`    sample_limit: ${options.sampleLimit}`]),
    '    static_configs:',
    `      - targets: [${JSON.stringify(target)}]`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);

  const child = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await terminate(child);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    await whenReady(url, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }

  const query = async (expr: string): Promise<PromSample[]> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success' || body.data === undefined) throw new Error(`query ${expr} failed: ${body.error ?? response.status}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };

  const waitFor = async (expr: string, accept: (samples: PromSample[]) => boolean = () => true, timeoutMs = 30_000): Promise<PromSample[]> => {
    const deadline = Date.now() + timeoutMs;
    let last: PromSample[] = [];
    while (Date.now() < deadline) {
      last = await query(expr);
      if (last.length > 0 && accept(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`Prometheus never answered ${expr} as expected; last answer ${JSON.stringify(last)}; targets: ${await targetHealth(url)}`);
  };

  return { url, query, waitFor, stop };
}

/** A port that was free a moment ago on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

async function whenReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  let exited: string | null = null;
  child.once('error', (error: NodeJS.ErrnoException) => {
    exited = error.code === 'ENOENT' ? `prometheus is not on PATH; ${INSTALL_HINT}` : error.message;
  });
  child.once('exit', (code, signal) => (exited ??= `prometheus exited (${code ?? signal}): ${log()}`));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(exited);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`prometheus was not ready within 30 s: ${log()}`);
}

/** The scrape targets' health and last error, for a failure message. */
async function targetHealth(url: string): Promise<string> {
  try {
    const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as {
      data?: { activeTargets?: Array<{ scrapeUrl: string; health: string; lastError: string }> };
    };
    return JSON.stringify((body.data?.activeTargets ?? []).map(({ scrapeUrl, health, lastError }) => ({ scrapeUrl, health, lastError })));
  } catch (error) {
    return `unavailable (${(error as Error).message})`;
  }
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
