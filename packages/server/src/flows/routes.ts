import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { SpanFilter } from '@spoor/model';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DAY_US } from '../duration.js';
import { projectOf } from '../http/request-access.js';
import { closedRange, groupBy, groupByOf, invalid, originOf, spanFilterFields } from '../params/parameters.js';
import { ANALYTICS_FILTER, type AnalyticsFilterQuery } from '../params/queries.js';
import type { FlowSpanQuery } from '../store/store.js';
import type { Remote } from '../threads/protocol.js';
import { FlowComparisonAnswer, FlowMapAnswer } from './answers.js';
import type { flowCalls } from './db-calls.js';

/**
 * `GET /api/flows`: the runs (traces) with a span the filter matches, folded into one map;
 * `GET /api/flows/compare`: two sides of the filter (releases, by default) as one map with what
 * changed. The filter is the statistics' (`/api/stats/spans`): `name=checkout&root=true` for a
 * workflow, `category=agent&name=planner` for the runs of an agent, `service`, `attr=service.version=1.2`,
 * and the range (default: the last day). A map folds the newest `runs` runs.
 */

/** What the routes call on the database thread: the flow map's group. */
export type FlowsDb = { readonly flows: Remote<ReturnType<typeof flowCalls.make>> };

/** Runs a map folds: 10,000 unless asked, at most 100,000 (bench:flows folds 100,000 of 20 spans in about a second). */
const RUNS = { fallback: 10_000, max: 100_000 };

const runs = Type.Optional(
  Type.Integer({ minimum: 1, maximum: RUNS.max, description: `the most runs folded, the newest (default ${RUNS.fallback}, at most ${RUNS.max})` }),
);
const FLOWS = Type.Object({ ...ANALYTICS_FILTER, runs }, { additionalProperties: false });
const FLOWS_COMPARE = Type.Object(
  {
    ...ANALYTICS_FILTER,
    runs,
    by: groupBy('what tells the sides apart (default service.version)'),
    a: Type.String({ description: 'the value of `by` on the first side (e.g. the old release)' }),
    b: Type.String({ description: 'the value of `by` on the second side (e.g. the new release)' }),
  },
  { additionalProperties: false },
);

/** The database thread's JSON text, sent as it is (the schema documents it; nothing serialises it again). */
const sendJsonText = (reply: FastifyReply, text: string): FastifyReply => reply.type('application/json; charset=utf-8').send(text);

function filterOf(q: AnalyticsFilterQuery, projectId: string, nowUs: number): SpanFilter {
  return {
    projectId,
    range: closedRange(q, nowUs, DAY_US),
    ...spanFilterFields(q),
    kind: q.kind ?? null,
    category: q.category ?? null,
    rootOnly: q.root === true,
    origin: originOf(q),
  };
}

export async function flowRoutes(instance: FastifyInstance, options: { db: FlowsDb; nowUs?: () => number }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;
  const nowUs = options.nowUs ?? (() => Date.now() * 1000);
  const tags = ['flows'];
  app.get(
    '/api/flows',
    {
      schema: { summary: 'The runs matching a span filter folded into one map of steps', tags, querystring: FLOWS, response: { 200: FlowMapAnswer } },
    },
    async (request, reply) => {
      const q = request.query;
      const query: FlowSpanQuery = { filter: filterOf(q, projectOf(request), nowUs()), sides: null, maxRuns: q.runs ?? RUNS.fallback };
      return sendJsonText(reply, await db.flows.map(query));
    },
  );
  app.get(
    '/api/flows/compare',
    {
      schema: {
        summary: 'Two sides (releases) of a span filter as one flow map, with new and gone paths and significant changes',
        tags,
        querystring: FLOWS_COMPARE,
        response: { 200: FlowComparisonAnswer },
      },
    },
    async (request, reply) => {
      const q = request.query;
      if (q.a === q.b) throw invalid('b', "must differ from 'a'");
      const by = groupByOf(q.by) ?? { attribute: 'service.version' };
      const query: FlowSpanQuery = { filter: filterOf(q, projectOf(request), nowUs()), sides: { by, a: q.a, b: q.b }, maxRuns: q.runs ?? RUNS.fallback };
      return sendJsonText(reply, await db.flows.compare(query, q.by ?? 'service.version'));
    },
  );
}
