import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { intervalText, pickedValue } from '@spoor/model';
import { NoContent } from '../http/content.js';
import { projectOf } from '../http/request-access.js';
import type { Remote } from '../threads/protocol.js';
import * as answers from './answers.js';
import type { dashboardCalls } from './db-calls.js';
import { ExprError, parseExpr } from '../alerting/expr/parser.js';
import type { ReadSeries } from '../alerting/sampler.js';
import type { alertCalls } from '../alerting/db-calls.js';
import { AppError } from '../errors.js';
import { PromError, rangeInstants, rangeQuery } from '../promql/evaluate.js';
import { checkDashboardName, checkDocument, checkPreview, filledExpression } from './spec.js';

/**
 * `/api/dashboards`: dashboards as versioned JSON documents. Read keys list and read them (a
 * panel's numbers come from `/api/v1/query_range`); admin keys (or people whose role is admin)
 * save, import and delete. Export is the GET's document; import is a PUT of it.
 */

export type DashboardDb = {
  readonly dashboards: Remote<ReturnType<typeof dashboardCalls.make>>;
  readonly alerts: Pick<Remote<ReturnType<typeof alertCalls.make>>, 'series'>;
};

/** One expression of a preview filled and parsed: a bad one is a 400 naming `queries[k].expr`, with the parser's message. */
function previewExpr(expr: string, values: Record<string, string>, interval: string, at: string) {
  const filled = filledExpression(expr, values, interval, at);
  try {
    return { filled, parsed: parseExpr(filled) };
  } catch (error) {
    if (error instanceof ExprError) throw new AppError('ERR_BAD_REQUEST', `${at}: ${error.message} (column ${error.column})`);
    throw error;
  }
}

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
  app.post(
    '/api/dashboards/preview',
    {
      schema: {
        summary: "Read one panel's queries over a range, variables filled, as the editor previews them (each a query_range matrix)",
        tags,
        // The fields are named (so the document says a body is needed) and checked by `checkPreview`, whose 400s name them.
        body: Type.Object(
          { queries: Type.Unknown(), variables: Type.Optional(Type.Unknown()), start: Type.Unknown(), end: Type.Unknown(), step: Type.Unknown() },
          {
            additionalProperties: true,
            description: '{ queries: [{ expr, legend? }], variables?: { name: picked value }, start, end, step } (Unix seconds; step in seconds)',
          },
        ),
        response: { 200: answers.DashboardPreview },
      },
    },
    async (request) => {
      const preview = checkPreview(request.body);
      const values = Object.fromEntries(Object.entries(preview.variables).map(([k, v]) => [k, pickedValue(v)]));
      const interval = intervalText(preview.stepS);
      const exprs = preview.queries.map((q, k) => previewExpr(q.expr, values, interval, `queries[${k}].expr`));
      const projectId = projectOf(request);
      const read: ReadSeries = (spec, range) => db.alerts.series(projectId, spec, range);
      try {
        const instants = rangeInstants(preview.startS * 1e6, preview.endS * 1e6, preview.stepS * 1e6);
        const results = await Promise.all(exprs.map((e) => rangeQuery(read, e.parsed, instants)));
        return {
          queries: preview.queries.map((q, k) => ({ expr: exprs[k]!.filled, ...(q.legend === undefined ? {} : { legend: q.legend }), result: results[k]! })),
        };
      } catch (error) {
        if (error instanceof PromError) throw new AppError('ERR_BAD_REQUEST', error.message);
        throw error;
      }
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
