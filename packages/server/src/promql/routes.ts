import { PromInstantAnswer, PromMatrixAnswer, PromNamesAnswer, PromSeriesAnswer, promResponses } from './answers.js';
import { parse as parseForm } from 'node:querystring';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LABELS, SOURCE_NAMES, closedValues } from '../alerting/expr/catalogue.js';
import type { ReadSeries } from '../alerting/sampler.js';
import type { alertCalls } from '../alerting/db-calls.js';
import { projectOf } from '../http/request-access.js';
import type { Remote } from '../threads/protocol.js';
import { PromError, formatValue, instantQuery, parseQuery, rangeInstants, rangeQuery } from './evaluate.js';
import { promDuration, promTime } from './params.js';
import { scalarOf } from './scalar.js';

/**
 * Prometheus's HTTP query API over the alert language (`/api/v1/query`, `query_range`, `labels`,
 * `label/:name/values`, `series`), so Grafana's Prometheus data source and `promtool query` read
 * Spoor. Parameters come in the query string or, as Grafana posts them, a form body; answers and
 * errors are in Prometheus's format. A read key of the project, as on every route.
 */

/** What the routes call on the database thread: the alert engine's series reads. */
export type PromDb = { readonly alerts: Pick<Remote<ReturnType<typeof alertCalls.make>>, 'series'> };

type Params = Record<string, string | string[] | undefined>;

function params(request: FastifyRequest): Params {
  const body = typeof request.body === 'object' && request.body !== null ? (request.body as Params) : {};
  return { ...(request.query as Params), ...body };
}

function one(p: Params, name: string): string | undefined {
  const v = p[name];
  return Array.isArray(v) ? v[0] : v;
}

function all(p: Params, name: string): string[] {
  const v = p[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

const HOUR_US = 3_600_000_000;

const text = (description: string) => Type.Optional(Type.String({ description }));
/**
 * Prometheus's parameters, all text: they are read by `params.ts` so that a bad one is answered in
 * Prometheus's error format. Others (Grafana's `timeout`, `stats`) are taken and ignored, as Prometheus does.
 */
const PROM_QUERY = Type.Object(
  {
    query: text('an expression of the alert language'),
    time: text('the instant: Unix seconds or RFC 3339; default now'),
    start: text('start of the range: Unix seconds or RFC 3339'),
    end: text('end of the range: Unix seconds or RFC 3339'),
    step: text('step between points: seconds or a duration such as 15s'),
    'match[]': Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'expressions whose label sets are wanted' })),
  },
  { additionalProperties: true },
);

function answer(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  return work().then(
    (data) => reply.send({ status: 'success', data }),
    (error: unknown) => {
      if (!(error instanceof PromError)) throw error;
      return reply.code(error.errorType === 'bad_data' ? 400 : 422).send({ status: 'error', errorType: error.errorType, error: error.message });
    },
  );
}

/** Built-in label names of every source, sorted, as `/api/v1/labels` lists them. */
export const LABEL_NAMES = [...new Set(Object.values(LABELS).flatMap((l) => l ?? []))].sort();

/** An attribute key as a label of the language: a dotted name (`gen_ai.request.model`). */
const ATTRIBUTE_KEY = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/;

/** The source whose label it is, to read its values: spans first, as most labels are theirs. */
function sourceOfLabel(label: string): string | null {
  for (const [kind, labels] of Object.entries(LABELS)) {
    if (labels?.includes(label)) return SOURCE_NAMES[kind as keyof typeof SOURCE_NAMES];
  }
  return null;
}

export async function promRoutes(instance: FastifyInstance, options: { db: PromDb }): Promise<void> {
  const { db } = options;
  // Grafana and promtool post their parameters as a form.
  instance.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseForm(body as string));
  });
  const readOf = (request: FastifyRequest): ReadSeries => {
    const projectId = projectOf(request);
    return (spec, range) => db.alerts.series(projectId, spec, range);
  };
  const schema = (summary: string, ok: TSchema) => ({
    config: { formRead: true as const },
    schema: { summary, tags: ['prometheus'], querystring: PROM_QUERY, response: promResponses(ok) },
  });

  const query = (request: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = params(request);
      const text = one(p, 'query') ?? '';
      const timeUs = promTime('time', one(p, 'time'), Date.now() * 1000);
      const scalar = scalarOf(text);
      if (scalar !== null) return { resultType: 'scalar', result: [timeUs / 1e6, formatValue(scalar)] };
      return { resultType: 'vector', result: await instantQuery(readOf(request), parseQuery(text), timeUs) };
    });
  const queryRange = (request: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = params(request);
      const text = one(p, 'query') ?? '';
      const scalar = scalarOf(text);
      const expr = scalar === null ? parseQuery(text) : null;
      const startUs = promTime('start', one(p, 'start') ?? '', Number.NaN);
      const endUs = promTime('end', one(p, 'end') ?? '', Number.NaN);
      if (Number.isNaN(startUs)) throw new PromError('bad_data', 'invalid parameter "start": cannot parse "" to a valid timestamp');
      if (Number.isNaN(endUs)) throw new PromError('bad_data', 'invalid parameter "end": cannot parse "" to a valid timestamp');
      const instants = rangeInstants(startUs, endUs, promDuration('step', one(p, 'step')));
      if (expr === null) return { resultType: 'matrix', result: [{ metric: {}, values: instants.map((us) => [us / 1e6, formatValue(scalar!)]) }] };
      return { resultType: 'matrix', result: await rangeQuery(readOf(request), expr, instants) };
    });
  const labels = (_request: FastifyRequest, reply: FastifyReply) => answer(reply, async () => ['__name__', ...LABEL_NAMES]);
  const labelValues = (request: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply) =>
    answer(reply, async () => {
      const name = request.params.name;
      if (name === '__name__') return Object.values(SOURCE_NAMES).sort();
      // A name that is no source's built-in label is a span attribute's key (`service.version`), as the language reads it.
      const source = sourceOfLabel(name) ?? (ATTRIBUTE_KEY.test(name) ? 'spans' : null);
      if (source === null) return [];
      const closed = closedValues(source === 'duration_ms' ? 'duration' : (source as 'spans'), name);
      if (closed !== null) return [...closed];
      const p = params(request);
      const endUs = promTime('end', one(p, 'end'), Date.now() * 1000);
      const startUs = promTime('start', one(p, 'start'), endUs - HOUR_US);
      const seconds = Math.max(1, Math.ceil((endUs - startUs) / 1e6));
      const found = await instantQuery(readOf(request), parseQuery(`count(${source})[${seconds}s] by (${name})`), endUs);
      return [...new Set(found.map((s) => s.metric[name]).filter((v): v is string => v !== undefined))].sort();
    });
  const series = (request: FastifyRequest, reply: FastifyReply) =>
    answer(reply, async () => {
      const p = params(request);
      const matches = all(p, 'match[]');
      if (matches.length === 0) throw new PromError('bad_data', 'no match[] parameter provided');
      const endUs = promTime('end', one(p, 'end'), Date.now() * 1000);
      const found = await Promise.all(matches.map(async (m) => (await instantQuery(readOf(request), parseQuery(m), endUs)).map((s) => s.metric)));
      const seen = new Map(found.flat().map((labels) => [JSON.stringify(Object.entries(labels).sort()), labels]));
      return [...seen.values()];
    });

  for (const method of ['GET', 'POST'] as const) {
    instance.route({ method, url: '/api/v1/query', ...schema('PromQL instant query (the alert language)', PromInstantAnswer), handler: query });
    instance.route({ method, url: '/api/v1/query_range', ...schema('PromQL range query (the alert language)', PromMatrixAnswer), handler: queryRange });
    instance.route({ method, url: '/api/v1/labels', ...schema('Label names, as Prometheus lists them', PromNamesAnswer), handler: labels });
    instance.route({ method, url: '/api/v1/series', ...schema('Label sets an expression gives', PromSeriesAnswer), handler: series });
  }
  instance.get('/api/v1/label/:name/values', schema('Values of one label', PromNamesAnswer), labelValues);
}
