import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from './support/cli.js';
import { RUN_B, TOOL_NAMES, answerOf, seed } from './support/mcp.js';
import { type TestServer, makeKey, startTestServer } from './support/server.js';

/**
 * The docs' MCP configurations (docs/api.md) are what is tested: its blocks for Claude Code, `.mcp.json` and
 * the MCP Inspector are read from the file, and each is connected as it says, with the key and
 * address of a server on a free port in place of `spoor_…` and `http://127.0.0.1:4318`. A
 * command (`npx spoor mcp …`) is run as written, from the checkout (where `npx spoor` is the
 * built CLI), by the MCP SDK's stdio client; a URL is reached by its Streamable HTTP client with
 * the header given. The Inspector's `--cli` lines are run by the Inspector's CLI.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PAGE = readFileSync(`${ROOT}docs/api.md`, 'utf8');
const HERE = fileURLToPath(new URL('.', import.meta.url));
const INSPECTOR_CLI = `${ROOT}node_modules/.bin/mcp-inspector-cli`;
/** `npx spoor` runs the checkout's CLI; were it missing, npx fails rather than fetch a package of that name. */
const OFFLINE = { npm_config_offline: 'true' };

/** The fenced block after `<!-- mcp-config: NAME -->`. */
function block(name: string): string {
  const match = new RegExp(`<!-- mcp-config: ${name.replace('.', '\\.')} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(PAGE);
  expect(match, `docs/api.md has no block marked mcp-config: ${name}`).not.toBeNull();
  return match![1]!;
}

/** A line split as a POSIX shell splits words: spaces, double quotes. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** Where the client connects: a command with its environment, or a URL with its headers. */
type Target = { command: string; args: string[]; env: Record<string, string> } | { url: string; headers: Record<string, string> };

const headerOf = (text: string): [string, string] => {
  const at = text.indexOf(':');
  return [text.slice(0, at).trim(), text.slice(at + 1).trim()];
};

/** `claude mcp add [-e K=V] [--transport http] [--header H] NAME [URL] [-- COMMAND ARGS…]`. */
function claudeTarget(line: string): Target {
  const [claude, mcp, add, ...rest] = words(line);
  expect([claude, mcp, add]).toEqual(['claude', 'mcp', 'add']);
  const env: Record<string, string> = {};
  const headers: Record<string, string> = {};
  const positional: string[] = [];
  let transport = 'stdio';
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word === '--') return { command: rest[i + 1]!, args: rest.slice(i + 2), env };
    if (word === '-e') {
      const [key, ...value] = rest[++i]!.split('=');
      env[key!] = value.join('=');
    } else if (word === '--transport') transport = rest[++i]!;
    else if (word === '--header') {
      const [name, value] = headerOf(rest[++i]!);
      headers[name] = value;
    } else positional.push(word);
  }
  expect(transport).toBe('http');
  return { url: positional[1]!, headers };
}

/**
 * An Inspector line as its launcher reads it: its own options (`--cli`, `-e`, `--transport`,
 * `--server-url`, `--header`), and the rest in order, the command and its arguments or the URL
 * (then, with `--cli`, the CLI's own options, which it tells from the command's itself).
 */
function inspectorLine(line: string): { cli: boolean; target: Target } {
  const [npx, inspector, ...words_] = words(line);
  expect([npx, inspector]).toEqual(['npx', '@modelcontextprotocol/inspector']);
  let cli = false;
  const env: Record<string, string> = {};
  const headers: Record<string, string> = {};
  let serverUrl: string | null = null;
  const rest: string[] = [];
  for (let i = 0; i < words_.length; i++) {
    const word = words_[i]!;
    if (word === '--cli') cli = true;
    else if (word === '-e') {
      const [key, ...value] = words_[++i]!.split('=');
      env[key!] = value.join('=');
    } else if (word === '--server-url') serverUrl = words_[++i]!;
    else if (word === '--transport') i++;
    else if (word === '--header') {
      const [name, value] = headerOf(words_[++i]!);
      headers[name] = value;
    } else rest.push(word);
  }
  const url = serverUrl ?? (rest[0]!.startsWith('http') ? rest[0]! : null);
  return { cli, target: url === null ? { command: rest[0]!, args: rest.slice(1), env } : { url, headers } };
}

let server: TestServer;
let key = '';
const clients: Client[] = [];

/** The docs' placeholders made this server's: its address and a read key. */
const local = (text: string): string => text.replaceAll('http://127.0.0.1:4318', server.url).replaceAll('spoor_…', key);

beforeAll(async () => {
  server = await startTestServer();
  const admin = await makeKey(server.url, '*', 'admin');
  key = await makeKey(server.url, 'default', 'read', admin);
  await seed(server.url, await makeKey(server.url, 'default', 'ingest', admin));
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.close();
  await server?.stop();
});

function transportOf(target: Target): Transport {
  if ('url' in target)
    return new StreamableHTTPClientTransport(new URL(local(target.url)), {
      requestInit: { headers: Object.fromEntries(Object.entries(target.headers).map(([n, v]) => [n, local(v)])) },
    });
  const env = Object.fromEntries(Object.entries(target.env).map(([n, v]) => [n, local(v)]));
  return new StdioClientTransport({
    command: target.command,
    args: target.args.map(local),
    env: cleanEnv({ ...OFFLINE, ...env }) as Record<string, string>,
    cwd: ROOT,
    stderr: 'pipe',
  });
}

/** Connects as `target` says, lists the tools and asks for the slowest run of the last hour: the seeded run B (900 ms, and the greater id of the two). */
async function expectConnects(target: Target): Promise<void> {
  const client = new Client({ name: 'spoor-readme', version: '1.0.0' });
  await client.connect(transportOf(target));
  clients.push(client);
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual(TOOL_NAMES);
  const answer = await answerOf(client, 'search_traces', { last: '1h', sort: 'duration', limit: 1 });
  expect(answer.traces).toEqual([expect.objectContaining({ traceId: RUN_B, durationMs: 900 })]);
}

/**
 * Runs an Inspector `--cli` line with the arguments as written: `mcp-inspector-cli` is the
 * Inspector's launcher and CLI (the same launcher `npx @modelcontextprotocol/inspector` runs,
 * without the web UI's packages, which ask for Node 22).
 */
function inspectorCli(line: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Run one folder below a package.json: this CLI reads its own version from `../package.json` when the working directory has one (else from a path found only inside the Inspector's package).
  const child = spawn(INSPECTOR_CLI, words(line).slice(2).map(local), { cwd: HERE, env: cleanEnv(OFFLINE), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('the MCP configurations of docs/api.md', () => {
  it('Claude Code: claude mcp add over stdio and over HTTP', async () => {
    const lines = block('claude-code').split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) await expectConnects(claudeTarget(line));
  });

  it('.mcp.json: each server it names', async () => {
    const config = JSON.parse(block('mcp.json')) as {
      mcpServers: Record<
        string,
        { command?: string; args?: string[]; env?: Record<string, string>; type?: string; url?: string; headers?: Record<string, string> }
      >;
    };
    expect(Object.keys(config.mcpServers)).toEqual(['spoor', 'spoor-http']);
    for (const entry of Object.values(config.mcpServers)) {
      if (entry.type === 'http') await expectConnects({ url: entry.url!, headers: entry.headers ?? {} });
      else await expectConnects({ command: entry.command!, args: entry.args ?? [], env: entry.env ?? {} });
    }
  });

  it("the MCP Inspector: its UI's targets with the SDK's client, its --cli lines with the Inspector's CLI", async () => {
    const lines = block('inspector').split('\n');
    const read = lines.map(inspectorLine);
    expect(read.map((l) => [l.cli, 'url' in l.target])).toEqual([
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ]);
    for (const [i, line] of lines.entries()) {
      if (!read[i]!.cli) {
        await expectConnects(read[i]!.target);
        continue;
      }
      const run = await inspectorCli(line);
      expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
      const result = JSON.parse(run.stdout) as { tools?: Array<{ name: string }>; content?: Array<{ text: string }> };
      if (result.tools !== undefined) expect(result.tools.map((t) => t.name)).toEqual(TOOL_NAMES);
      else expect(JSON.parse(result.content![0]!.text).traces).toEqual([expect.objectContaining({ traceId: RUN_B, durationMs: 900 })]);
    }
  });
});
