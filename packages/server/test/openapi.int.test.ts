import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../src/api/app.js';
import { type TestServer, startTestServer } from './support/server.js';

/**
 * `GET /api/openapi.json` is made from the routes' declared schemas: it holds every route of the
 * router with its parameters and body, and the REST table of docs/api.md lists exactly its operations,
 * so neither the document nor the docs can drift from the code.
 */

interface Response {
  description: string;
  content?: Record<string, { schema?: Record<string, unknown> }>;
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  responses: Record<string, Response>;
  parameters?: Array<{ in: string; name: string; required: boolean; schema: Record<string, unknown> }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] } }> };
  security?: unknown[];
}
interface Document {
  openapi: string;
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
}

let server: TestServer;
let doc: Document;
beforeAll(async () => {
  // Keys required: the document is public all the same.
  server = await startTestServer({ auth: 'required' });
  const answer = await fetch(`${server.url}/api/openapi.json`);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  doc = (await answer.json()) as Document;
});
afterAll(async () => {
  await server?.stop();
});

/** `/api/traces/{traceId}` as the router writes it. */
const routePath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');
const operationsOf = (document: Document): string[] =>
  Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${routePath(path)}`));

/** Each `METHOD /path` in the first cell of the rows of the "REST API" table of docs/api.md (a query after `?` is not part of it). */
function readmeRoutes(): string[] {
  const readme = readFileSync(fileURLToPath(new URL('../../../docs/api.md', import.meta.url)), 'utf8');
  const section = readme.slice(readme.indexOf('\n## REST API\n'), readme.indexOf('\n## ', readme.indexOf('\n## REST API\n') + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => [...row.split(' | ', 1)[0]!.matchAll(/`([A-Z]+) (\/[^`?\s]*)[^`]*`/g)].map((m) => `${m[1]} ${m[2]}`));
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and holds every route of the router, and nothing else', () => {
    expect(doc.openapi).toBe('3.1.0');
    const routes = routesOf(server.app)
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`);
    expect(routes.length).toBeGreaterThan(50);
    expect(routes.filter((route) => !operationsOf(doc).includes(route))).toEqual([]);
    expect(operationsOf(doc).filter((operation) => !routes.includes(operation))).toEqual([]);
    // Every HEAD route is a GET route's, answered alike.
    for (const head of routesOf(server.app).filter((r) => r.method === 'HEAD')) expect(routes).toContain(`GET ${head.url}`);
  });

  it('declares the parameters the validator checks: their names, kinds and bounds', () => {
    const list = doc.paths['/api/traces']!.get!;
    const byName = new Map(list.parameters!.map((p) => [p.name, p]));
    expect([...byName.keys()]).toEqual([
      'from',
      'to',
      'service',
      'name',
      'text',
      'status',
      'minDurationMs',
      'maxDurationMs',
      'attr',
      'sessionId',
      'model',
      'origin',
      'score',
      'sort',
      'limit',
      'cursor',
    ]);
    expect(byName.get('sort')!.schema).toMatchObject({ anyOf: ['start', 'duration', 'cost', 'tokens'].map((value) => ({ type: 'string', enum: [value] })) });
    expect(byName.get('limit')).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } });
    expect(byName.get('attr')!.schema).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(byName.get('score')!.schema).toMatchObject({ type: 'array', items: { type: 'string', pattern: expect.stringContaining('<=') } });
    expect(doc.paths['/api/traces/{traceId}']!.get!.parameters).toEqual([
      expect.objectContaining({ in: 'query', name: 'spans', required: false, schema: expect.objectContaining({ pattern: expect.stringContaining(',') }) }),
      expect.objectContaining({ in: 'path', name: 'traceId', required: true, schema: expect.objectContaining({ pattern: '^[0-9a-fA-F]{32}$' }) }),
    ]);
    const points = doc.paths['/api/metrics/points']!.get!.parameters!;
    expect(points.find((p) => p.name === 'name')).toMatchObject({ required: true });
  });

  it('declares the bodies, and says what each operation needs', () => {
    const key = doc.paths['/api/keys']!.post!;
    const body = key.requestBody!.content['application/json']!.schema;
    expect(body).toMatchObject({ title: 'Key', additionalProperties: false, required: ['role'] });
    expect(Object.keys(body.properties!)).toEqual(['project', 'role', 'name']);
    expect(key.security).toEqual([{ key: [] }, { session: [] }]);
    expect(doc.paths['/api/openapi.json']!.get!.security).toEqual([]);
    expect(doc.paths['/health']!.get!.security).toEqual([]);
    // What a route declares it needs (an export's admin key) is said as the table's needs are.
    expect(doc.paths['/api/export']!.get!.description).toContain('Needs an admin key of the project.');
  });

  it('names every operation with an operationId of its own, and says where the server is', () => {
    const ids = Object.values(doc.paths).flatMap((operations) => Object.values(operations).map((operation) => operation.operationId));
    expect(ids.filter((id) => typeof id !== 'string' || !/^[a-z][A-Za-z0-9]*$/.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(doc.paths['/api/traces/{traceId}/tree']!.get!.operationId).toBe('getTracesByTraceIdTree');
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  it('declares a success answer of every operation, each body with its schema', () => {
    // The only operations that cannot succeed: MCP here is stateless, and answers these 405.
    const noSuccess = new Set(['GET /mcp', 'DELETE /mcp']);
    const lacking: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${routePath(path)}`;
        const successes = Object.entries(operation.responses).filter(([status]) => /^[23]/.test(status));
        if (successes.length === 0 && !noSuccess.has(name)) lacking.push(`${name}: no success answer`);
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const [type, media] of Object.entries(response.content ?? {})) {
            if (media.schema === undefined || Object.keys(media.schema).length === 0) lacking.push(`${name} ${status} ${type}: no schema`);
          }
        }
      }
    }
    expect(lacking).toEqual([]);
  });

  it('describes OTLP and MCP: a summary and the bodies they take', () => {
    for (const signal of ['traces', 'logs', 'metrics']) {
      const post = doc.paths[`/v1/${signal}`]!.post!;
      expect(post.summary).toContain('OTLP');
      expect(Object.keys(post.requestBody!.content).sort()).toEqual(['application/json', 'application/x-protobuf']);
      expect(Object.keys(post.responses['200']!.content!).sort()).toEqual(['application/json', 'application/x-protobuf']);
    }
    const mcp = doc.paths['/mcp']!.post!;
    expect(mcp.summary).toContain('MCP');
    expect(JSON.stringify(mcp.requestBody!.content['application/json']!.schema)).toContain('jsonrpc');
  });

  it("passes Redocly's recommended rules with no error", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spoor-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(doc));
      const redocly = fileURLToPath(new URL('../../../node_modules/@redocly/cli/bin/cli.js', import.meta.url));
      // No telemetry or update check: the test runs offline. The JSON report's exit code is 1 on any error.
      const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
      const run = await promisify(execFile)(
        process.execPath,
        [redocly, 'lint', file, '--extends', 'recommended', '--format', 'json', '--max-problems', '1000'],
        { env, cwd: dir, maxBuffer: 64 << 20 },
      ).catch((error: { stdout: string; stderr: string }) => error);
      const report = JSON.parse(run.stdout) as {
        totals: { errors: number; warnings: number };
        problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
      };
      const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
      expect(errors).toEqual([]);
      expect(report.totals.errors).toBe(0);
      // Warnings are reported, not failed on: the figure goes in the commit that changes it.
      const byRule = new Map<string, number>();
      for (const problem of report.problems) byRule.set(problem.ruleId, (byRule.get(problem.ruleId) ?? 0) + 1);
      console.info(
        `Redocly recommended: ${report.totals.errors} errors, ${report.totals.warnings} warnings (${[...byRule].map(([rule, n]) => `${rule} ${n}`).join(', ')})`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("is the REST table of docs/api.md: each row's methods and paths are the document's operations", () => {
    // `GET /` is a route only when the web UI is not built (it says how to build it): the dashboard, not the API.
    const documented = operationsOf(doc)
      .filter((operation) => operation !== 'GET /')
      .sort();
    const listed = readmeRoutes();
    expect(listed.filter((route, i) => listed.indexOf(route) !== i)).toEqual([]);
    expect(listed.sort()).toEqual(documented);
  });
});
