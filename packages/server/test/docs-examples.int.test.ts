import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type Listening, cleanEnv, spoorCli } from './support/cli.js';
import { type DocExample, consoleCommands, docExamples, withServer } from './support/doc-examples.js';
import { killAll } from './support/processes.js';
import { HANG_MS } from './support/wait.js';

/**
 * Every fenced example of README.md and docs/*.md, run as a user would paste it: per page, a
 * server from a clean data directory (the built CLI, on a free port, no key made, and the loopback
 * fake LLM as its `openai` and `anthropic` providers), and the page's examples in order, in one working
 * directory, each a test of its own. How each language runs:
 *
 * - `sh`, `bash`, `console` (its `$ ` lines): bash -euo pipefail, after doc-examples-prelude.sh
 *   (`spoor`/`npx spoor` the checkout's CLI, `spoor serve` a server of the example's own, started
 *   and stopped, curl failing on an error status), `127.0.0.1:4318` the page's server.
 * - `ts`: transpiled and run by Node against the built packages; all of them also type-checked
 *   together at the end (strict), as an app would compile them.
 * - `yaml`: an alert rules file (`receivers`, `defaults`, `rules`) or an evaluators file
 *   (`evaluators`), given to `spoor serve --alerts` or `--evaluators`, which must start.
 * - `json`: a request body, sent to the route named by `<!-- request: METHOD /path -->` on the
 *   line before the fence, which must answer 2xx.
 * - `text`: not an example (a diagram, a grammar): not run, not counted.
 *
 * A fence right after `<!-- not-runnable: reason -->` is listed, not run; a fence with no
 * language the test knows, or `sql`/`xml` unmarked, fails.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SPOOR_CLI = join(ROOT, 'packages/server/bin/spoor.js');
const PRELUDE = fileURLToPath(new URL('./support/doc-examples-prelude.sh', import.meta.url));
/** TypeScript examples are written under the checkout, so `@spoor/sdk` and the rest resolve as in an app. */
const TS_DIR = join(ROOT, 'node_modules/.cache/spoor-doc-examples');

/** What the examples send where the docs say "an admin key". */
const DOCS_KEY = 'spoor_admin_docsexample_0000000000000000';

const PAGES = [
  'README.md',
  ...(existsSync(join(ROOT, 'docs'))
    ? readdirSync(join(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => `docs/${f}`)
    : []),
];

const tally = { run: [] as string[], marked: [] as string[], mcp: [] as string[] };
/** The TypeScript examples that run, type-checked together once all pages have run. */
const typescriptExamples: DocExample[] = [];

afterAll(() => {
  const lines = tally.marked.map((m) => `  ${m}`).join('\n');
  console.log(
    `docs examples: ${tally.run.length} run, ${tally.marked.length} marked not runnable, ${tally.mcp.length} run by mcp-readme.int.test.ts\n${lines}`,
  );
});

interface Page {
  url: string;
  hostPort: string;
  cwd: string;
  scratch: string;
  env: NodeJS.ProcessEnv;
  /** The examples' processes, each leading a process group of its own: one that hung is killed with what it started. */
  examples: Set<ChildProcess>;
}

for (const page of PAGES) {
  const examples = docExamples(page, readFileSync(join(ROOT, page), 'utf8')).filter((e) => e.kind !== 'text');
  const runnable = examples.filter((e) => e.notRunnable === undefined && e.mcpConfig === undefined);
  // A page of prose and diagrams (the contents page) has nothing to run.
  if (examples.length === 0) continue;

  describe(page, () => {
    const children = new Set<ChildProcess>();
    let fake: FakeLlm | undefined;
    let root = '';
    let server: Listening | undefined;
    let ctx: Page | undefined;

    beforeAll(async () => {
      if (runnable.length === 0) return;
      root = await mkdtemp(join(tmpdir(), 'spoor-doc-examples-'));
      const cwd = join(root, 'work');
      const scratch = join(root, 'scratch');
      const data = join(root, 'data');
      await Promise.all([mkdir(cwd), mkdir(scratch)]);
      fake = await startFakeLlm();
      const llmEnv = { OPENAI_API_KEY: 'sk-fake', OPENAI_BASE_URL: `${fake.baseUrl}/v1`, ANTHROPIC_API_KEY: 'fake', ANTHROPIC_BASE_URL: fake.baseUrl };
      const cli = spoorCli(() => cwd, children);
      const providers = [
        '--provider',
        `openai=env:OPENAI_API_KEY,base=${fake.baseUrl}/v1`,
        '--provider',
        `anthropic=env:ANTHROPIC_API_KEY,base=${fake.baseUrl}`,
      ];
      server = await cli.serve(['--port', '0', '--data', data, ...providers], llmEnv);
      const hostPort = `${server.host}:${server.port}`;
      const env = cleanEnv({
        ...llmEnv,
        SPOOR_CLI,
        SPOOR_HOST_PORT: hostPort,
        SPOOR_URL: server.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: server.url,
        // A fresh server requires no key (until one is made) and takes any; the docs' examples send these.
        SPOOR_API_KEY: DOCS_KEY,
        ADMIN_KEY: DOCS_KEY,
        KEY: DOCS_KEY,
        READ_KEY: DOCS_KEY,
        SPOOR_EXAMPLE_TMP: scratch,
        // Secrets the docs' examples read from the environment; nothing is sent to them.
        SPOOR_WEBHOOK_SECRET: 'docs-example-secret',
        DD_API_KEY: 'docs-example',
        PR_NUMBER: '1',
      });
      ctx = { url: server.url, hostPort, cwd, scratch, env, examples: new Set() };
    });

    afterAll(async () => {
      for (const child of ctx?.examples ?? []) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const gone = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid!, 'SIGKILL');
        await gone;
      }
      await killAll(children);
      await fake?.close();
      if (root !== '') await rm(root, { recursive: true, force: true });
    });

    for (const example of examples) {
      const title = `${example.lang || '(no language)'} at line ${example.line}`;
      const where = `${page}:${example.line}`;
      if (example.mcpConfig !== undefined) {
        tally.mcp.push(where);
        // Listed, not skipped: the MCP test runs these with a client of its own.
        it(`${title}: run by mcp-readme.int.test.ts (${example.mcpConfig})`, () => {
          expect(example.mcpConfig).toMatch(/\S/);
        });
      } else if (example.notRunnable !== undefined) {
        tally.marked.push(`${where} (${example.lang}): ${example.notRunnable}`);
        // Listed, not skipped: a mark must say why the example cannot run here.
        it(`${title}: not runnable: ${example.notRunnable}`, () => {
          expect(example.notRunnable!.trim().split(/\s+/).length, 'a reason of a few words').toBeGreaterThanOrEqual(3);
        });
      } else {
        tally.run.push(where);
        if (example.kind === 'typescript') typescriptExamples.push(example);
        it(
          title,
          async () => {
            await runExample(example, ctx!);
          },
          HANG_MS,
        );
      }
    }
  });
}

describe('TypeScript examples', () => {
  it(
    'type-check as strict TypeScript against the built packages, as an app would compile them',
    async () => {
      const dir = await mkdtemp(join((await mkdir(TS_DIR, { recursive: true }), TS_DIR), 'check-'));
      try {
        const files = await Promise.all(
          typescriptExamples.map(async (example, i) => {
            const file = join(dir, `example-${i}.mts`);
            await writeFile(file, example.code);
            return file;
          }),
        );
        const program = ts.createProgram(files, {
          strict: true,
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          skipLibCheck: true,
          noEmit: true,
          types: ['node'],
        });
        const problems = ts.getPreEmitDiagnostics(program).map((d) => {
          const example = d.file === undefined ? undefined : typescriptExamples[files.indexOf(d.file.fileName)];
          const line = d.file === undefined || d.start === undefined ? 0 : d.file.getLineAndCharacterOfPosition(d.start).line;
          const where = example === undefined ? (d.file?.fileName ?? 'the program') : `${example.page}:${example.line + 1 + line}`;
          return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
        });
        expect(problems).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    HANG_MS,
  );
});

async function runExample(example: DocExample, page: Page): Promise<void> {
  const where = `${example.page}:${example.line}`;
  switch (example.kind) {
    case undefined:
      throw new Error(`${where}: the fence's language '${example.lang}' is not one the docs examples test knows; name one (sh, ts, yaml, json, text, …)`);
    case 'unrunnable':
      throw new Error(`${where}: the test has no runner for ${example.lang}; put <!-- not-runnable: reason --> on the line before the fence`);
    case 'shell':
      return runShell(where, example.lang === 'console' ? consoleCommands(example.code) : example.code, page);
    case 'typescript':
      return runTypeScript(where, example.code, page);
    case 'yaml':
      return runYaml(where, example.code, page);
    case 'json':
      return sendJson(where, example, page);
    case 'text':
      return;
  }
}

async function runShell(where: string, code: string, page: Page): Promise<void> {
  const script = join(page.scratch, `example-${where.replace(/\W+/g, '-')}.sh`);
  await writeFile(script, `source ${JSON.stringify(PRELUDE)}\n${withServer(code, '${SPOOR_HOST_PORT}')}\n`);
  await expectExit(
    where,
    page,
    spawn('bash', ['-euo', 'pipefail', script], { cwd: page.cwd, env: page.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }),
  );
}

async function runTypeScript(where: string, code: string, page: Page): Promise<void> {
  const dir = await mkdtemp(join((await mkdir(TS_DIR, { recursive: true }), TS_DIR), 'example-'));
  try {
    const js = ts.transpileModule(withServer(code, page.hostPort), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      reportDiagnostics: true,
    });
    const file = join(dir, 'example.mjs');
    await writeFile(file, js.outputText);
    await expectExit(where, page, spawn(process.execPath, [file], { cwd: page.cwd, env: page.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runYaml(where: string, code: string, page: Page): Promise<void> {
  const top = Object.keys((await import('yaml')).parse(code) ?? {});
  const flag =
    top.length > 0 && top.every((k) => ['receivers', 'defaults', 'rules'].includes(k)) ? '--alerts' : top.join() === 'evaluators' ? '--evaluators' : undefined;
  if (flag === undefined)
    throw new Error(`${where}: not an alert rules file or an evaluators file (top keys: ${top.join(', ')}); mark it not-runnable or say how it is used`);
  const file = `example-${where.replace(/\W+/g, '-')}.yaml`;
  await writeFile(join(page.cwd, file), code);
  await runShell(where, `spoor serve ${flag} ./${file} --data ./.spoor-${file}`, page);
}

/** A JSON example is a request body: sent to the route its `<!-- request: … -->` line names, which must take it. */
async function sendJson(where: string, example: DocExample, page: Page): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(example.code);
  } catch (error) {
    throw new Error(`${where}: not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (example.request === undefined)
    throw new Error(`${where}: say where this body goes (<!-- request: METHOD /path --> on the line before), or mark it not-runnable`);
  const { method, path } = example.request;
  const answer = await fetch(`${page.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${DOCS_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!answer.ok) throw new Error(`${where}: ${method} ${path} answered ${answer.status}: ${await answer.text()}`);
}

/** Waits for the example's process to end; anything but exit 0 fails the test with its output. */
async function expectExit(where: string, page: Page, child: ChildProcess): Promise<void> {
  page.examples.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  if (code !== 0) throw new Error(`${where} exited ${code}:\n${out.slice(-4000)}`);
}
