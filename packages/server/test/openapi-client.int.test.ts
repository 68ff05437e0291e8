import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROWS, keyFor, seedRouteTable } from './support/route-table.js';
import { type TestServer, startTestServer } from './support/server.js';

/**
 * A client made from the running server's document, as an API user would make one: types by
 * openapi-typescript, calls through openapi-fetch. It calls every GET route and ten writes,
 * type-checks under `strict` with no cast (a success body typed `never` fails the typed reads),
 * then runs against a seeded server, whose answer check holds every answer to its schema.
 */

interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  schema?: { type?: string };
}
interface Operation {
  parameters?: Parameter[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

/** The writes the client makes first, each as the route table makes it (its body, its key); the backfill is one a GET reads. */
const WRITES = [
  'POST /v1/traces',
  'POST /api/scores',
  'PATCH /api/errors/:fingerprint',
  'POST /api/alerts/rules',
  'POST /api/evaluators/:name/backfill',
  'POST /api/alerts/silences',
  'POST /api/datasets',
  'PUT /api/prices/:model',
  'DELETE /api/scores/:scoreId',
  'POST /mcp',
];

const repo = fileURLToPath(new URL('../../../', import.meta.url));
// Under node_modules, so the client resolves openapi-fetch as a user's project would, and git ignores it.
const dir = join(repo, 'packages/server/node_modules/.cache', `openapi-client-${randomBytes(4).toString('hex')}`);
const run = promisify(execFile);

let server: TestServer;
let doc: Document;
beforeAll(async () => {
  server = await startTestServer({ rateLimit: 0 });
  await seedRouteTable(server);
  doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as Document;
  await mkdir(dir, { recursive: true });
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const literal = (value: unknown): string => JSON.stringify(value);
const routeOf = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/** The path and query parameters of a route table row's concrete path, typed as the document declares them. */
function paramsOf(path: string, operation: Operation, concrete: string): string {
  const [pathPart, queryPart = ''] = concrete.split('?', 2) as [string, string?];
  const names = path.split('/');
  const values = pathPart.split('/');
  const inPath = Object.fromEntries(names.flatMap((name, i) => (name.startsWith('{') ? [[name.slice(1, -1), values[i]!]] : [])));
  const declared = new Map((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema?.type]));
  const query: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(queryPart)) {
    const type = declared.get(name);
    query[name] = type === 'integer' || type === 'number' ? Number(value) : type === 'array' ? [value] : value;
  }
  const parts = [Object.keys(inPath).length > 0 ? `path: ${literal(inPath)}` : '', Object.keys(query).length > 0 ? `query: ${literal(query)}` : ''].filter(
    Boolean,
  );
  return parts.length === 0 ? '' : `params: { ${parts.join(', ')} }, `;
}

/** How openapi-fetch reads the success answer: JSON, text, or (an event stream, which never ends) the stream. */
function parseAsOf(operation: Operation): string {
  const content = Object.keys(Object.entries(operation.responses).find(([status]) => status.startsWith('2'))?.[1].content ?? {});
  if (content.includes('text/event-stream')) return `parseAs: 'stream', `;
  return content.length === 0 || content.includes('application/json') ? '' : `parseAs: 'text', `;
}

/** One call of the client: a block that makes it and records its status against what the route table expects. */
function callOf(method: string, path: string, operation: Operation): string {
  const name = `${method} ${routeOf(path)}`;
  const row = ROWS[name];
  if (row === undefined) throw new Error(`${name} has no row in test/support/route-table.ts`);
  const key = keyFor(row.need, 'right');
  const headers = key === undefined ? '' : `headers: { authorization: ${literal(`Bearer ${key}`)} }, `;
  const body = row.body === undefined ? '' : `body: ${literal(row.body('shop'))}, `;
  const init = `{ ${paramsOf(path, operation, row.path())}${body}${headers}${parseAsOf(operation)}}`;
  const expected = row.ok === undefined ? '[200, 201, 202, 204]' : `[${row.ok}]`;
  const stream = parseAsOf(operation).includes('stream') ? '\n  await answer.response.body?.cancel();' : '';
  return `{\n  const answer = await client.${method}(${literal(path)}, ${init});${stream}\n  record(${literal(name)}, answer.response.status, ${expected});\n}`;
}

function clientSource(baseUrl: string, calls: string[], readKey: string, traceId: string): string {
  const headers = `{ authorization: ${literal(`Bearer ${readKey}`)} }`;
  return `import createClient from 'openapi-fetch';
import type { paths } from './api.js';

const client = createClient<paths>({ baseUrl: ${literal(baseUrl)} });
const results: Array<{ call: string; status: number; expected: number[] }> = [];
function record(call: string, status: number, expected: number[]): void {
  results.push({ call, status, expected });
}

// Typed reads: each compiles only if the route's success body has its type.
const list = await client.GET('/api/traces', { headers: ${headers} });
const traceIds: string[] = (list.data?.traces ?? []).map((trace) => trace.traceId);
const trace = await client.GET('/api/traces/{traceId}', { params: { path: { traceId: ${literal(traceId)} } }, headers: ${headers} });
const spanNames: string[] = (trace.data?.spans ?? []).map((span) => span.name);
const health = await client.GET('/health');
const healthy: 'ok' | undefined = health.data?.status;
const stats = await client.GET('/api/stats/spans', { headers: ${headers} });
const groups: number = stats.data?.groups.length ?? -1;

${calls.join('\n')}

console.log(JSON.stringify({ traceIds, spanNames, healthy, groups, results }));
`;
}

describe('a TypeScript client made from the document', () => {
  it('type-checks under strict with no cast, and gets from every GET route and ten writes what the table expects', async () => {
    const gets = Object.entries(doc.paths).flatMap(([path, operations]) => (operations.get === undefined ? [] : [callOf('GET', path, operations.get)]));
    const writes = WRITES.map((name) => {
      const [method, route] = name.split(' ') as [string, string];
      const path = route.replace(/:(\w+)/g, '{$1}');
      return callOf(method, path, doc.paths[path]![method.toLowerCase()]!);
    });
    const readKey = keyFor('read', 'right')!;
    const source = clientSource(server.url, [...writes, ...gets], readKey, '5b0a1d3c7e9f4a2b8c6d0e1f2a3b4c5d');
    expect(source).not.toMatch(/\sas\s|<any>|: any\b|@ts-/);
    await writeFile(join(dir, 'api.d.ts'), astToString(await openapiTS(Buffer.from(JSON.stringify(doc)))));
    await writeFile(join(dir, 'client.mts'), source);
    const tsconfig = {
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023', 'DOM'],
        types: [],
        outDir: 'out',
        skipLibCheck: false,
      },
      files: ['client.mts', 'api.d.ts'],
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = join(repo, 'node_modules/typescript/bin/tsc');
    const compiled = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir }).catch((error: { stdout: string }) => error);
    expect(compiled.stdout).toBe('');

    const ran = await run(process.execPath, [join(dir, 'out/client.mjs')], { cwd: dir, maxBuffer: 16 << 20 });
    const report = JSON.parse(ran.stdout) as {
      traceIds: string[];
      spanNames: string[];
      healthy: string;
      groups: number;
      results: Array<{ call: string; status: number; expected: number[] }>;
    };
    expect(report.traceIds).toContain('5b0a1d3c7e9f4a2b8c6d0e1f2a3b4c5d');
    expect(report.spanNames).toContain('charge card');
    expect(report.healthy).toBe('ok');
    expect(report.groups).toBeGreaterThan(0);
    expect(report.results.filter((r) => !r.expected.includes(r.status)).map((r) => `${r.call}: ${r.status}`)).toEqual([]);
    expect(report.results.filter((r) => r.call.startsWith('GET ')).length).toBe(gets.length);
    expect(report.results.length).toBe(gets.length + 10);
  });
});
