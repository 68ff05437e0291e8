import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { type DeclaredNeed, needOf } from '../auth/access-control.js';
import { SESSION_COOKIE } from '../auth/sessions.js';
import { OpenApiAnswer } from '../http/answers/service.js';
import { ErrorAnswer } from '../http/answers/errors.js';
import { McpBody } from '../mcp/answers.js';
import { otlpBody } from '../http/answers/otlp.js';

/**
 * The OpenAPI document of every route, made by `@fastify/swagger` from the same schemas the
 * validator checks: `GET /api/openapi.json`. Each operation says what it needs (from the access
 * check's `needOf`) and the error answer every route shares.
 */

const ERROR_ANSWER = { description: ErrorAnswer.description, content: { 'application/json': { schema: ErrorAnswer } } };

/**
 * The operation's name when its route declares none: the method and the path's words, `/api`
 * left out and parameters as `By…` (`GET /api/traces/:traceId/tree` is `getTracesByTraceIdTree`).
 * Stable as long as the route is, which is what generated clients name their calls by.
 */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .replace(/^\/api(?=\/)/, '')
    .split('/')
    .filter((part) => part !== '')
    .flatMap((part) => (part.startsWith(':') ? ['by', ...part.slice(1).split(/[^A-Za-z0-9]+/)] : part.split(/[^A-Za-z0-9]+/)))
    .filter((word) => word !== '');
  return method.toLowerCase() + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

/**
 * Bodies the routes read themselves, described in the document only: a schema on the route would
 * have the validator refuse what OTLP and MCP answer in their own words (a `google.rpc.Status`,
 * a JSON-RPC error).
 */
const DOCUMENTED_BODIES: Record<string, unknown> = {
  'POST /v1/traces': otlpBody('traces'),
  'POST /v1/logs': otlpBody('logs'),
  'POST /v1/metrics': otlpBody('metrics'),
  'POST /mcp': { description: 'A JSON-RPC 2.0 request, notification or batch of MCP', content: { 'application/json': { schema: McpBody } } },
};

const NEEDS: Record<string, string> = {
  public: 'Public: no key needed.',
  read: 'Needs a read or admin key of the project (or the session cookie).',
  admin: 'Needs an admin key of the project.',
  ingest: 'Needs an ingest key of the project.',
  metrics: "Needs a read or admin key of project '*', or the --metrics-token.",
};

/**
 * A schema as OpenAPI 3.1 (JSON Schema 2020-12) reads it: TypeBox writes a tuple in the draft-07
 * form (`items: [...]`, `additionalItems`), which 2020-12 spells `prefixItems`; its length stays
 * bounded by `minItems` and `maxItems`. The routes keep the form their validators read.
 */
export function as2020(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(as2020);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = as2020(value);
  if (Array.isArray(copy.items)) {
    copy.prefixItems = copy.items;
    delete copy.items;
    delete copy.additionalItems;
  }
  return copy;
}

/** Registers the document's maker; call before any route, so it sees them all. */
export async function describeRoutes(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Spoor',
        version: '0.1.0',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        description:
          'Traces, logs, metrics, cost and alerts of LLM and agent apps. OTLP/HTTP on /v1/*, the REST API on /api/*. Times are ISO-8601 or epoch milliseconds; durations in answers are milliseconds.',
      },
      // Relative: the server that serves this document, under whatever name it was reached by.
      servers: [{ url: '/', description: 'This Spoor server' }],
      components: {
        securitySchemes: {
          key: { type: 'http', scheme: 'bearer', description: 'a Spoor key: Authorization: Bearer spoor_…' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: "the dashboard's session, from POST /api/session" },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const method = [route.method].flat()[0] ?? 'GET';
      const need = needOf(method, url, (route.config as { need?: DeclaredNeed } | undefined)?.need);
      const described: FastifySchema = {
        ...schema,
        operationId: (schema as { operationId?: string } | undefined)?.operationId ?? operationIdOf(method, url),
        description: [schema?.description, NEEDS[need]].filter((s) => s !== undefined).join(' '),
        security: need === 'public' ? [] : need === 'metrics' ? [{ key: [] }] : [{ key: [] }, { session: [] }],
        response: as2020({ '4XX': ERROR_ANSWER, ...((schema?.response as object | undefined) ?? {}) }),
        ...(DOCUMENTED_BODIES[`${method} ${url}`] === undefined ? {} : { body: DOCUMENTED_BODIES[`${method} ${url}`] }),
      };
      return { schema: described, url };
    },
  });
}

/** `GET /api/openapi.json`: the document, made once on first asking (every route is known by then). */
export async function openApiRoute(app: FastifyInstance): Promise<void> {
  let text: string | null = null;
  app.get(
    '/api/openapi.json',
    { schema: { summary: 'This document: every route, its parameters and bodies', tags: ['api'], response: { 200: OpenApiAnswer } } },
    async (_request, reply) => {
      text ??= JSON.stringify(app.swagger());
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );
}
