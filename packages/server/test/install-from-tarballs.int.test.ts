import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LlmCallDetail, type TraceDetail, type TraceListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type Listening, spoorCli } from './support/cli.js';
import { killAll } from './support/processes.js';
import { getJson } from './support/server.js';
import { until } from './support/wait.js';

/**
 * The packages as a user gets them: `scripts/pack.mjs` packs the build into tarballs, which are
 * installed with plain `npm i` into an empty directory outside the checkout (registry packages
 * from npm's cache, which `npm ci` filled; anything the tarballs named that was not packed would
 * be looked up in the registry and fail). From there: the SDK imported from ESM and required from
 * CommonJS, its types checked by TypeScript under node16, nodenext and bundler, and the installed
 * `spoor serve` given a trace by each, made with the real `openai` client against the loopback
 * fake LLM, then read back, and the dashboard fetched from it. About 30 s alone, 170 s at a load
 * of 16, most of it the install (`npm i` of 240 packages, DuckDB's among them) and the three type
 * checks (each reads @types/node and OpenTelemetry's types: libraries are checked, not skipped).
 */

const root = fileURLToPath(new URL('../../..', import.meta.url));
const children = new Set<ChildProcess>();
let work = '';
/** Where the tarballs are installed: the directory a user would start from. */
const app = () => join(work, 'app');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * npm's own settings stay (cache, registry, certificates); those `npm run`/`npm test` set for the
 * checkout (its prefix, the package running) would send the install back into the workspace.
 */
const NPM_KEPT = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_cafile', 'npm_config_userconfig', 'npm_config_globalconfig']);
const outsideEnv = () => Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || NPM_KEPT.has(key.toLowerCase())));

/** Runs a command to its end in `cwd`; the child is killed after the tests if it is still running. */
function run(command: string, args: string[], cwd: string): Promise<Ran> {
  const child = spawn(command, args, { cwd, env: outsideEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(command: string, args: string[], cwd: string): Promise<string> {
  const ran = await run(command, args, cwd);
  if (ran.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${ran.code}\n${ran.stdout}\n${ran.stderr}`);
  return ran.stdout;
}

/** The version of a package the checkout installed, so that the install finds it in npm's cache. */
async function installedVersion(name: string): Promise<string> {
  return (JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The bytes of a package's files, not counting the packages nested in its own node_modules. */
async function sizeOf(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (entry.isFile() && !path.slice(dir.length).includes('/node_modules/')) bytes += (await stat(path)).size;
  }
  return bytes;
}

/**
 * An app that sends one LLM call through the installed SDK, written for ESM or CommonJS; it prints
 * where `@spoor/sdk` resolved to and any export failure.
 */
function client(format: 'esm' | 'cjs'): string {
  const imports = {
    esm: [
      "import { OpenAI } from 'openai';",
      "import { init, instrumentOpenAI, shutdown, workflow } from '@spoor/sdk';",
      "const resolved = import.meta.resolve('@spoor/sdk');",
    ],
    cjs: [
      "const { OpenAI } = require('openai');",
      "const { init, instrumentOpenAI, shutdown, workflow } = require('@spoor/sdk');",
      "const resolved = require.resolve('@spoor/sdk');",
    ],
  }[format];
  return `${imports.join('\n')}
const [endpoint, llmUrl, service] = process.argv.slice(2);
const errors = [];
const onExportError = (e, signal) => errors.push(signal + ': ' + e.message);
init({ serviceName: service, endpoint, metricsIntervalMs: 60000, logDestination: { write: () => undefined }, onExportError });
const openai = instrumentOpenAI(new OpenAI({ baseURL: llmUrl + '/v1', apiKey: 'sk-test', maxRetries: 0 }), { captureContent: true });
void (async () => {
  await workflow('ask', () => openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi from ' + service }] }));
  await shutdown();
  process.stdout.write(JSON.stringify({ resolved, errors }));
})();
`;
}

/** Uses the SDK's types; the expected error fails the check if they resolved to `any`. */
const TYPED = `
const options: SpoorOptions = { serviceName: 'typed' };
init(options);
// @ts-expect-error serviceName is a string
init({ serviceName: 42 });
export const answer: Promise<number> = workflow('typed', async () => 1);
`;

let llm: FakeLlm;
let server: Listening;
const cli = spoorCli(app, children, () => join(app(), 'node_modules', '.bin', 'spoor'));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-install-'));
  const packed = (await ok(process.execPath, [join(root, 'scripts', 'pack.mjs'), join(work, 'release')], root)).trim().split('\n');
  await mkdir(app());
  const extras = [`openai@${await installedVersion('openai')}`, `@types/node@${await installedVersion('@types/node')}`];
  // Node 22 from the registry's `node` package (its binary comes as a package too), for the SDK's second runtime.
  await mkdir(join(work, 'node22'));
  await Promise.all([
    ok('npm', ['i', '--prefer-offline', '--no-audit', '--no-fund', ...packed, ...extras], app()),
    ok('npm', ['i', '--prefer-offline', '--no-audit', '--no-fund', 'node@22'], join(work, 'node22')),
  ]);
  llm = await startFakeLlm();
  server = await cli.serve(['--port', '0']);
  // A limit for a hung install, not a speed check: about 15 s alone, 90 s at a load of 16.
}, 300_000);

afterAll(async () => {
  await killAll(children);
  await llm?.close();
  if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('the packed tarballs, installed into an empty directory', () => {
  it('are one .tgz per package, nothing else, naming each other by the versions packed and no path', async () => {
    const files = (await readdir(join(work, 'release'))).sort();
    expect(files).toEqual(['spoor-model-0.1.0.tgz', 'spoor-sdk-0.1.0.tgz', 'spoor-server-0.1.0.tgz']);
    const manifests = await Promise.all(files.map((file) => ok('tar', ['-xzOf', join(work, 'release', file), 'package/package.json'], work)));
    const packed = new Map(manifests.map((text) => JSON.parse(text) as { name: string; version: string }).map((m) => [m.name, m.version]));
    for (const text of manifests) {
      expect(text).not.toMatch(/"(file|link|workspace):|packages\//);
      const { dependencies = {}, peerDependencies = {} } = JSON.parse(text) as Record<'dependencies' | 'peerDependencies', Record<string, string> | undefined>;
      for (const [name, range] of Object.entries({ ...dependencies, ...peerDependencies })) {
        if (name.startsWith('@spoor/')) expect(range, name).toBe(packed.get(name));
      }
    }
  });

  it('the SDK brings no server code and no DuckDB, and installs in under 45 MB', async () => {
    const tree = JSON.parse(await ok('npm', ['query', '#@spoor/sdk, #@spoor/sdk *'], app())) as { name: string; path: string }[];
    const names = tree.map((p) => p.name);
    expect(names).toContain('@opentelemetry/sdk-trace-base');
    expect(names.filter((name) => /^(@spoor\/server|@duckdb\/|fastify$)/.test(name))).toEqual([]);
    let bytes = 0;
    for (const { path } of tree) bytes += await sizeOf(path);
    // 38 MB with the lock of this commit, 35 MB of it OpenTelemetry's (BENCHMARKS.md)
    expect(bytes).toBeLessThan(45e6);
  });

  it.each(['node16', 'nodenext', 'bundler'])("type-check an app's ESM and CommonJS files under %s resolution, each with its build", async (resolution) => {
    await writeFile(join(app(), 'typed.mts'), `import { init, workflow, type SpoorOptions } from '@spoor/sdk';\n${TYPED}`);
    const required = "import sdk = require('@spoor/sdk');\nconst { init, workflow } = sdk;\ntype SpoorOptions = sdk.SpoorOptions;";
    await writeFile(join(app(), 'typed.cts'), `${required}\n${TYPED}`);
    const module = resolution === 'bundler' ? 'preserve' : resolution;
    const options = { module, moduleResolution: resolution, strict: true, noEmit: true, skipLibCheck: false, types: ['node'] };
    await writeFile(join(app(), `tsconfig.${resolution}.json`), JSON.stringify({ compilerOptions: options, files: ['typed.mts', 'typed.cts'] }));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const files = await ok(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`, '--listFiles'], app());
    const sdk = join(app(), 'node_modules', '@spoor', 'sdk', 'dist');
    expect(files).toContain(join(sdk, 'index.d.ts'));
    expect(files).toContain(join(sdk, 'cjs', 'index.d.ts'));
  });

  it('the installed spoor serve keeps its data in the directory it was started from', () => {
    expect(server.dataDir).toBe(join(app(), '.spoor'));
  });

  it.each([
    ['esm', 20],
    ['cjs', 20],
    ['esm', 22],
    ['cjs', 22],
  ] as const)('an app imports (ESM) or requires (CommonJS) the SDK and sends a priced LLM call with its messages: %s on Node %i', async (format, major) => {
    const service = `installed-${format}-${major}`;
    const file = format === 'esm' ? 'send.mjs' : 'send.cjs';
    await writeFile(join(app(), file), client(format));
    llm.script({ text: `Hello, ${format}.`, usage: { inputTokens: 100, outputTokens: 20 } });
    const node = major === 20 ? process.execPath : join(work, 'node22', 'node_modules', '.bin', 'node');
    expect((await ok(node, ['--version'], app())).trim()).toMatch(new RegExp(`^v${major}\\.`));
    const sent = JSON.parse(await ok(node, [file, server.url, llm.baseUrl, service], app())) as { resolved: string; errors: string[] };
    expect(sent.errors).toEqual([]);
    const sdk = join(app(), 'node_modules', '@spoor', 'sdk', 'dist');
    expect(sent.resolved.replace(/^file:\/\//, '')).toBe(format === 'esm' ? join(sdk, 'index.js') : join(sdk, 'cjs', 'index.js'));

    const listed = async () => (await getJson<TraceListResponse>(server.url, `/api/traces?service=${service}`)).body.traces[0]?.traceId;
    const traceId = await until(`the trace of ${service}`, listed);
    const trace = (await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`)).body;
    const call = trace.spans.find((span) => span.category === 'llm');
    expect(call?.llm).toMatchObject({ provider: 'openai', requestModel: 'gpt-4o', inputTokens: 100, outputTokens: 20, costSource: 'price_table' });
    // gpt-4o: 100 input × $2.50 + 20 output × $10 per million tokens
    expect(call?.llm?.costUsd).toBeCloseTo((100 * 2.5 + 20 * 10) / 1e6, 12);
    const detail = (await getJson<LlmCallDetail>(server.url, `/api/traces/${traceId}/spans/${call!.spanId}/llm`)).body;
    expect(detail.messages.input).toMatchObject([{ role: 'user', parts: [{ type: 'text', content: `hi from ${service}` }] }]);
    expect(detail.messages.output).toMatchObject([{ role: 'assistant', parts: [{ type: 'text', content: `Hello, ${format}.` }] }]);
  });

  it("serves the dashboard's page and its script", async () => {
    const page = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const js = await fetch(`${server.url}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('serves the docs it carries: the contents, a page, the README as the start page and a search', async () => {
    const contents = await fetch(`${server.url}/docs`);
    expect(contents.status).toBe(200);
    expect(await contents.text()).toContain('href="/docs/alerting"');
    const page = await fetch(`${server.url}/docs/alerting`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h3 id="rule-expressions">');
    expect(await (await fetch(`${server.url}/docs/start`)).text()).toContain('id="ten-minutes-with-spoor"');
    expect(await (await fetch(`${server.url}/docs?q=retention`)).text()).toContain('href="/docs/operations#configure"');
  });

  it('spoor demo from the installed package sends its runs to the installed server', async () => {
    const demo = await cli.run(['demo', '--endpoint', server.url, '--runs', '1']);
    expect(demo.code, demo.stderr).toBe(0);
    const services = await until('the demo traces', async () => {
      const { traces } = (await getJson<TraceListResponse>(server.url, '/api/traces')).body;
      const found = new Set(traces.map((t) => t.serviceName).filter((s) => !s.startsWith('installed-')));
      return found.size > 0 ? found : undefined;
    });
    expect(services.size).toBeGreaterThan(0);
  });
});
