import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spoorCli } from './support/cli.js';
import { killAll } from './support/processes.js';
import { until } from './support/wait.js';

/**
 * What `spoor` loads before it is needed: a command loads its own modules only, and a server loads
 * neither the OpenTelemetry SDK (`@spoor/sdk`, for replays and judges), nor the MCP SDK (for
 * `POST /mcp`), nor OTLP/gRPC's or the other store engine's client until it uses them (a server
 * with a `--provider` loads the recorder right after it listens, ahead of its first call). Each was
 * loaded at every start before, some 0.8 s of the 1.5 s a server took to load (BENCHMARKS.md).
 * `support/report-loads.mjs`, given to every thread of the process through NODE_OPTIONS, says on
 * stderr which watched package a thread resolved first.
 */

const REPORT_LOADS = fileURLToPath(new URL('./support/report-loads.mjs', import.meta.url));
const LAZY = ['@spoor/sdk', '@opentelemetry/otlp-transformer', '@modelcontextprotocol/sdk', '@grpc/grpc-js', '@clickhouse/client'];

let work = '';
const children = new Set<ChildProcess>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-loads-'));
});

afterAll(async () => {
  await killAll(children);
  await rm(work, { recursive: true, force: true });
});

const { run, serve } = spoorCli(() => work, children);
const watching = (packages: readonly string[]) => ({ NODE_OPTIONS: `--import=${REPORT_LOADS}`, SPOOR_TEST_REPORT_LOADS: packages.join(',') });
const loaded = (stderr: string): string[] => [...stderr.matchAll(/^spoor-test loaded (\S+)$/gm)].map((m) => m[1]!).sort();

describe('spoor loads what it needs when it needs it', () => {
  it('answers --help and refuses a bad flag without loading the server', async () => {
    const env = watching(['fastify', '@duckdb/node-api', ...LAZY]);
    const help = await run(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage:');
    expect(loaded(help.stderr)).toEqual([]);
    const refused = await run(['serve', '--port', 'abc'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("port must be an integer from 0 to 65535, not 'abc'");
    expect(loaded(refused.stderr)).toEqual([]);
  });

  it('starts a server without the SDKs and clients it has not used, and loads the MCP SDK on the first POST /mcp', async () => {
    const server = await serve(['--port', '0', '--data', join(work, 'data')], watching(['@duckdb/node-api', '@sinclair/typebox', ...LAZY]));
    try {
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      // Each thread reports for itself: the store's own engine in the database thread (so the watch
      // works there), TypeBox in the HTTP thread alone (the routes' schemas; the database thread,
      // whose start every server waits for, is handed resolved sampling policies), nothing else.
      expect(loaded(server.stderr())).toEqual(['@duckdb/node-api', '@sinclair/typebox']);

      const initialize = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'spoor-test', version: '1' } },
      };
      const answer = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify(initialize),
      });
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name).toBeTruthy();
      expect(loaded(server.stderr())).toEqual(['@duckdb/node-api', '@modelcontextprotocol/sdk', '@sinclair/typebox']);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('loads the recorder of replays and judges right after it listens when it has a --provider, not the provider clients', async () => {
    const server = await serve(['--port', '0', '--data', join(work, 'with-provider'), '--provider', 'openai=env:SPOOR_TEST_OPENAI_KEY'], {
      SPOOR_TEST_OPENAI_KEY: 'sk-test-not-used',
      ...watching(['@spoor/sdk', 'openai']),
    });
    try {
      await until('the recorder to load', () => (loaded(server.stderr()).includes('@spoor/sdk') ? true : undefined), 10_000);
      expect(loaded(server.stderr())).toEqual(['@spoor/sdk']);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
