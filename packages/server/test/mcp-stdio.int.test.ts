import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from './support/cli.js';
import { callTool, expectEveryTool, expectPagedTrace, expectToolList, seed } from './support/mcp.js';
import { type TestServer, makeKey, startTestServer } from './support/server.js';

/**
 * `spoor mcp` as an agent starts it: the built CLI in its own process, spoken to over standard
 * input and output by the MCP SDK's own client. With `--url` it reads a running server with
 * `SPOOR_API_KEY` (the project of that key); with `--data` the data directory of a stopped one,
 * read-only, and a clear refusal naming `--url` while a server holds it.
 */

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

let server: TestServer;
let shopRead = '';
const clients: Client[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const root = await makeKey(server.url, '*', 'admin');
  shopRead = await makeKey(server.url, 'shop', 'read', root);
  await seed(server.url, await makeKey(server.url, 'shop', 'ingest', root));
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.close();
  await server?.stop();
});

/** `spoor mcp ARGS` started by the SDK's stdio client, its standard error kept. */
async function spoorMcp(args: string[], env: Record<string, string> = {}): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN, 'mcp', ...args],
    env: cleanEnv(env) as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'spoor-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return { client, stderr: () => stderr };
}

describe('spoor mcp (stdio)', () => {
  it('--url: lists the tools and answers every one of them with the key of SPOOR_API_KEY', async () => {
    const { client, stderr } = await spoorMcp(['--url', server.url], { SPOOR_API_KEY: shopRead });
    await expectToolList(client);
    await expectEveryTool(client);
    await expectPagedTrace(client);
    expect(stderr()).toContain(`reading the Spoor at ${server.url}`);
  });

  it('--url: without SPOOR_API_KEY, a tool is told to set it; an unknown argument is named', async () => {
    const none = await spoorMcp(['--url', server.url]);
    const refused = await callTool(none.client, 'search_traces');
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/set SPOOR_API_KEY to a read key of the project \(401 ERR_UNAUTHENTICATED\)$/);
    const unknown = await callTool(none.client, 'search_traces', { services: 'x' });
    expect(unknown.text).toMatch(/^'services' is not a parameter of the tool search_traces \(known: from, to, last, service,/);
  });

  it('--data: refuses a directory a running server holds, naming --url; reads it read-only once the server is stopped', async () => {
    const held = await runToEnd(['mcp', '--data', server.dataDir]);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain(`a running Spoor server holds ${server.dataDir}`);
    expect(held.stderr).toContain('spoor mcp --url');
    await server.stop({ keepData: true });
    const { client, stderr } = await spoorMcp(['--data', server.dataDir, '--project', 'shop']);
    expect(stderr()).toContain(`reading ${server.dataDir}, read-only (project shop)`);
    // Found because --project named `shop`: without it, project `default` is read, which holds nothing here.
    await expectEveryTool(client);
  });
});

/** A command that ends by itself (15 s at most): its exit code and output. */
function runToEnd(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
