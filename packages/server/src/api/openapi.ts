import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { needOf } from '../auth/access-control.js';
import { SESSION_COOKIE } from '../auth/sessions.js';

/**
 * The OpenAPI document of every route, made by `@fastify/swagger` from the same schemas the
 * validator checks: `GET /api/openapi.json`. Each operation says what it needs (from the access
 * check's `needOf`) and the error answer every route shares.
 */

const ERROR_ANSWER = {
  description: 'Refused: `{ error: { code, message } }`; an invalid parameter is 400 ERR_INVALID_PARAMETER naming it, a bad body 400 ERR_BAD_REQUEST',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
        required: ['error'],
      },
    },
  },
};

const NEEDS: Record<string, string> = {
  public: 'Public: no key needed.',
  read: 'Needs a read or admin key of the project (or the session cookie).',
  admin: 'Needs an admin key of the project.',
  ingest: 'Needs an ingest key of the project.',
  metrics: "Needs a read or admin key of project '*', or the --metrics-token.",
};

/** Registers the document's maker; call before any route, so it sees them all. */
export async function describeRoutes(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Spoor',
        version: '0.1.0',
        description: 'Traces, logs, metrics, cost and alerts of LLM and agent apps. OTLP/HTTP on /v1/*, the REST API on /api/*. Times are ISO-8601 or epoch milliseconds; durations in answers are milliseconds.',
      },
      components: {
        securitySchemes: {
          key: { type: 'http', scheme: 'bearer', description: 'a Spoor key: Authorization: Bearer spoor_…' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: "the dashboard's session, from POST /api/session" },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const method = [route.method].flat()[0] ?? 'GET';
      const need = needOf(method, url);
      const described: FastifySchema = {
        ...schema,
        description: [schema?.description, NEEDS[need]].filter((s) => s !== undefined).join(' '),
        security: need === 'public' ? [] : need === 'metrics' ? [{ key: [] }] : [{ key: [] }, { session: [] }],
        response: { ...((schema?.response as object | undefined) ?? {}), '4XX': ERROR_ANSWER },
      };
      return { schema: described, url };
    },
  });
}

/** `GET /api/openapi.json`: the document, made once on first asking (every route is known by then). */
export async function openApiRoute(app: FastifyInstance): Promise<void> {
  let text: string | null = null;
  app.get('/api/openapi.json', { schema: { summary: 'This document: every route, its parameters and bodies', tags: ['api'] } }, async (_request, reply) => {
    text ??= JSON.stringify(app.swagger());
    return reply.type('application/json; charset=utf-8').send(text);
  });
}
