import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NoContent } from '../http/content.js';
import { projectOf } from '../http/request-access.js';
import type { Remote } from '../threads/protocol.js';
import * as answers from './answers.js';
import type { dashboardCalls } from './db-calls.js';
import { checkDashboardName, checkDocument } from './spec.js';

/**
 * `/api/dashboards`: dashboards as versioned JSON documents. Read keys list and read them (a
 * panel's numbers come from `/api/v1/query_range`); admin keys (or people whose role is admin)
 * save, import and delete. Export is the GET's document; import is a PUT of it.
 */

export type DashboardDb = { readonly dashboards: Remote<ReturnType<typeof dashboardCalls.make>> };

const tags = ['dashboards'];
const NAME = Type.Object({ name: Type.String({ description: "the dashboard's name: lower-case letters, digits and dashes" }) });
const VERSION = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 0, description: 'a saved version (default the newest; 0: the ready one)' })) },
  { additionalProperties: false },
);
const EXPECTED = Type.Object(
  {
    expectedVersion: Type.Optional(
      Type.Integer({ minimum: 0, description: 'the version the edit started from (0: none saved); another newest version since answers 409' }),
    ),
  },
  { additionalProperties: false },
);
const DOCUMENT = Type.Unknown({
  description:
    '{ name, title, description?, variables: [{ name, label, default? }], panels: [{ id, title, kind, grid: { x, y, w, h }, queries: [{ expr, legend? }], unit? }] }',
});

export async function dashboardRoutes(instance: FastifyInstance, options: { db: DashboardDb; nowUs: () => number }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, nowUs } = options;
  const authorOf = (request: { access: { principal: { keyId: string } } }): string => request.access.principal.keyId;

  app.get(
    '/api/dashboards',
    { schema: { summary: 'The dashboards: those saved, and the ready ones Spoor ships', tags, response: { 200: answers.DashboardList } } },
    async (request) => ({ dashboards: await db.dashboards.list(projectOf(request)) }),
  );
  app.get(
    '/api/dashboards/:name',
    {
      schema: {
        summary: 'A dashboard: its newest version, or the one asked for',
        tags,
        params: NAME,
        querystring: VERSION,
        response: { 200: answers.Dashboard },
      },
    },
    async (request) => db.dashboards.get(projectOf(request), checkDashboardName(request.params.name), request.query.version ?? null),
  );
  app.put(
    '/api/dashboards/:name',
    {
      schema: {
        summary: "Save a dashboard's document as its next version (a new or imported one as version 1)",
        tags,
        params: NAME,
        querystring: EXPECTED,
        body: DOCUMENT,
        response: { 200: answers.Dashboard },
      },
    },
    async (request) => {
      const name = checkDashboardName(request.params.name);
      const doc = checkDocument(request.body, name);
      return db.dashboards.save(projectOf(request), doc, request.query.expectedVersion ?? null, authorOf(request), nowUs());
    },
  );
  app.get(
    '/api/dashboards/:name/versions',
    { schema: { summary: "A dashboard's saved versions, newest first", tags, params: NAME, response: { 200: answers.DashboardVersions } } },
    async (request) => ({ versions: await db.dashboards.versions(projectOf(request), checkDashboardName(request.params.name)) }),
  );
  app.delete(
    '/api/dashboards/:name',
    { schema: { summary: 'Delete a dashboard, every version (a ready one of its name is listed again)', tags, params: NAME, response: { 204: NoContent } } },
    async (request, reply) => {
      await db.dashboards.delete(projectOf(request), checkDashboardName(request.params.name), authorOf(request), nowUs());
      return reply.code(204).send(null);
    },
  );
}
