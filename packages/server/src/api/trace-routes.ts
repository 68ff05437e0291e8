import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import { TREE_MEDIA_TYPE } from '@spoor/model';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DbClient } from '../dbthread/calls.js';
import { AppError } from '../errors.js';
import type { TreeFrames } from '../query/tree-stream.js';
import { isShared } from '../query/answer-region.js';
import type { SelfMetrics } from '../self-metrics.js';
import {
  RANGE_QUERY,
  SEVERITY,
  SPAN_PATH,
  TIME_RANGE,
  TRACE_PATH,
  cursor,
  LIST_LIMIT,
  spanFilterFields,
  hexId,
  limit,
  originOf,
  scoreFilters,
  severityNumber,
  text,
  timeRange,
  traceId,
} from '../params/parameters.js';
import { DIFF_PATH, TRACE_DETAIL, TRACE_LIST } from '../params/queries.js';
import { projectOf } from '../http/request-access.js';
import { accepts } from '../http/content.js';
import {
  LlmCallDetail,
  LogListResponse,
  MetricListResponse,
  MetricPointListResponse,
  ServiceListResponse,
  SpanDetail,
  TraceAnswer,
  TraceDiff,
  TraceListResponse,
  TraceSearchResponse,
  TraceTreeAnswer,
} from './answers/traces.js';
import { type SpanPage } from '../query/trace-pages.js';

const SEARCH_LIMIT = { fallback: 1000, max: 10_000 };

const LOG_LIST = Type.Object(
  {
    ...TIME_RANGE,
    severity: Type.Optional(SEVERITY),
    service: Type.Optional(text('service name')),
    traceId: Type.Optional(traceId('logs of this trace')),
    text: Type.Optional(text('text in the body')),
    limit: limit(LIST_LIMIT),
    cursor: cursor(),
  },
  { additionalProperties: false },
);
const POINT_LIST = Type.Object(
  { name: text("the metric's name"), ...TIME_RANGE, service: Type.Optional(text('service name')), limit: limit(LIST_LIMIT), cursor: cursor() },
  { additionalProperties: false },
);
const SEARCH = Type.Object(
  { q: Type.String({ pattern: '\\S', description: 'the text to look for', 'x-must-be': 'text to look for (not blank)' }), limit: limit(SEARCH_LIMIT) },
  { additionalProperties: false },
);

/** The page `spans=OFFSET,LIMIT` asks for (the schema checked its form), `null` for the whole trace. */
function spanPage(spans: string | undefined): SpanPage | null {
  if (spans === undefined) return null;
  const [offset, limit] = spans.split(',').map(Number) as [number, number];
  return { offset, limit };
}

/** A body is JSON text, or its UTF-8 bytes (the trace answers): either is sent as it is, never serialised again. */
export const sendJson = (reply: FastifyReply, body: string | Uint8Array): FastifyReply => {
  reply.type('application/json; charset=utf-8');
  if (typeof body === 'string' || !isShared(body)) return reply.send(body);
  // Fastify sends a typed array over an `ArrayBuffer` as bytes, and serializes one over shared memory as an object: sent as a stream of it, with its length.
  reply.header('content-length', String(body.length));
  return reply.send(Readable.from([Buffer.from(body.buffer, body.byteOffset, body.length)], { objectMode: true }));
};

/** Traces, their spans and LLM calls, logs, services and app metrics: the reads of what was sent. */
export async function traceRoutes(instance: FastifyInstance, options: { db: DbClient; metrics?: SelfMetrics }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;
  const tags = ['traces'];

  app.get(
    '/api/traces',
    {
      schema: {
        summary: 'Trace summaries, newest first (or slowest, costliest, most tokens: sort)',
        tags,
        querystring: TRACE_LIST,
        response: { 200: TraceListResponse },
      },
    },
    async (request, reply) => {
      const q = request.query;
      return sendJson(
        reply,
        await db.traces.list({
          projectId: projectOf(request),
          range: timeRange(q),
          ...spanFilterFields(q),
          scores: scoreFilters(q.score),
          origin: originOf(q),
          sort: q.sort ?? 'start',
          limit: q.limit ?? LIST_LIMIT.fallback,
          cursor: q.cursor ?? null,
        }),
      );
    },
  );
  app.get(
    '/api/traces/:traceId',
    {
      schema: {
        summary: 'One trace: its spans in tree order, its logs and its scores (or a page of them)',
        tags,
        params: TRACE_PATH,
        querystring: TRACE_DETAIL,
        response: { 200: TraceAnswer },
      },
    },
    async (request, reply) => {
      const answer = await db.traces.get(projectOf(request), hexId(request.params.traceId), spanPage(request.query.spans), true);
      // In the answer region: given back once the response is done with its bytes (sent, or its connection gone;
      // a client gone before the answer came has closed it already, and hears no more 'close').
      if (isShared(answer)) {
        const release = (): void => void db.traces.releaseAnswerRegion().catch(() => undefined);
        if (reply.raw.destroyed) release();
        else reply.raw.once('close', release);
      }
      return sendJson(reply, answer);
    },
  );
  const treeStreams = treeStreamCounts(options.metrics);
  app.get(
    '/api/traces/:traceId/tree',
    {
      schema: {
        summary: `What a waterfall draws of every span, as columns (JSON), or as the binary stream with Accept: ${TREE_MEDIA_TYPE}`,
        tags,
        params: TRACE_PATH,
        response: { 200: TraceTreeAnswer },
      },
    },
    async (request, reply) => {
      const projectId = projectOf(request);
      const traceId = hexId(request.params.traceId);
      // One URL, two forms: a cache must key on Accept.
      reply.header('vary', 'Accept');
      if (!accepts(request.headers.accept, TREE_MEDIA_TYPE)) return sendJson(reply, await db.traces.tree(projectId, traceId));
      const first = await db.trees.start(projectId, traceId);
      if (first === null) throw new AppError('ERR_NOT_FOUND', `trace ${traceId} was not found`);
      // One frame read ahead at most: the next page is asked for once the socket has taken the last.
      return reply.type(TREE_MEDIA_TYPE).send(Readable.from(treeFrames(db, first, treeStreams), { objectMode: true, highWaterMark: 1 }));
    },
  );
  app.get(
    '/api/traces/:traceId/diff/:otherTraceId',
    { schema: { summary: 'Two runs aligned span by span', tags, params: DIFF_PATH, response: { 200: TraceDiff } } },
    async (request, reply) => sendJson(reply, await db.traces.diff(projectOf(request), hexId(request.params.traceId), hexId(request.params.otherTraceId))),
  );
  app.get(
    '/api/traces/:traceId/search',
    {
      schema: {
        summary: 'The spans whose attributes, status or events hold a text',
        tags,
        params: TRACE_PATH,
        querystring: SEARCH,
        response: { 200: TraceSearchResponse },
      },
    },
    async (request, reply) =>
      sendJson(reply, await db.traces.search(projectOf(request), hexId(request.params.traceId), request.query.q, request.query.limit ?? SEARCH_LIMIT.fallback)),
  );
  app.get(
    '/api/traces/:traceId/spans/:spanId',
    { schema: { summary: 'One span and its logs', tags, params: SPAN_PATH, response: { 200: SpanDetail } } },
    async (request, reply) => sendJson(reply, await db.traces.span(projectOf(request), hexId(request.params.traceId), hexId(request.params.spanId))),
  );
  app.get(
    '/api/traces/:traceId/spans/:spanId/llm',
    { schema: { summary: 'One LLM call: its fields and messages', tags, params: SPAN_PATH, response: { 200: LlmCallDetail } } },
    async (request, reply) => sendJson(reply, await db.traces.llmCall(projectOf(request), hexId(request.params.traceId), hexId(request.params.spanId))),
  );

  app.get(
    '/api/services',
    { schema: { summary: 'Services that sent anything, with counts', tags: ['services'], querystring: RANGE_QUERY, response: { 200: ServiceListResponse } } },
    async (request, reply) => sendJson(reply, await db.traces.services(projectOf(request), timeRange(request.query))),
  );
  app.get(
    '/api/logs',
    { schema: { summary: 'Log records, newest first', tags: ['logs'], querystring: LOG_LIST, response: { 200: LogListResponse } } },
    async (request, reply) => {
      const q = request.query;
      return sendJson(
        reply,
        await db.logs.list({
          projectId: projectOf(request),
          range: timeRange(q),
          minSeverity: severityNumber(q.severity),
          service: q.service ?? null,
          traceId: q.traceId === undefined ? null : hexId(q.traceId),
          text: q.text ?? null,
          limit: q.limit ?? LIST_LIMIT.fallback,
          cursor: q.cursor ?? null,
        }),
      );
    },
  );
  app.get(
    '/api/metrics',
    { schema: { summary: 'Metric names with type, unit and point count', tags: ['metrics'], querystring: RANGE_QUERY, response: { 200: MetricListResponse } } },
    async (request, reply) => sendJson(reply, await db.metrics.list(projectOf(request), timeRange(request.query))),
  );
  app.get(
    '/api/metrics/points',
    { schema: { summary: 'The data points of one metric', tags: ['metrics'], querystring: POINT_LIST, response: { 200: MetricPointListResponse } } },
    async (request, reply) => {
      const q = request.query;
      return sendJson(
        reply,
        await db.metrics.points({
          projectId: projectOf(request),
          range: timeRange(q),
          name: q.name,
          service: q.service ?? null,
          limit: q.limit ?? LIST_LIMIT.fallback,
          cursor: q.cursor ?? null,
        }),
      );
    },
  );
}

interface TreeStreamCounts {
  chunks: (frames: number) => void;
  opened: (by: 1 | -1) => void;
}

/** `/metrics` of the binary tree streams: frames sent, and streams open on the database thread. */
function treeStreamCounts(metrics: SelfMetrics | undefined): TreeStreamCounts {
  if (metrics === undefined) return { chunks: () => {}, opened: () => {} };
  const frames = metrics.counter(
    'spoor_trace_tree_frames_total',
    "Frames of `/tree`'s binary stream sent (a header, a chunk of up to 50,000 spans, a trailer).",
  );
  frames({}, 0);
  let open = 0;
  metrics.gauge('spoor_trace_tree_streams_open', "Binary `/tree` streams being sent: each holds a page's place on the database thread.", () => open);
  return { chunks: (n) => frames({}, n), opened: (by) => (open += by) };
}

/**
 * The frames of a tree stream, a page asked for at a time as the socket takes them. Stopped early
 * (the client went away: the stream is destroyed and this generator returned), it closes the
 * database thread's stream, which then reads no further page.
 */
async function* treeFrames(db: DbClient, first: TreeFrames, counts: TreeStreamCounts): AsyncGenerator<Uint8Array> {
  let answer = first;
  if (!answer.done) counts.opened(1);
  try {
    for (;;) {
      counts.chunks(answer.frames.length);
      for (const frame of answer.frames) yield frame;
      if (answer.done) return;
      answer = await db.trees.next(answer.stream);
    }
  } finally {
    if (!first.done) {
      counts.opened(-1);
      // Closing one that ended already (or that a failure ended) answers false: nothing to do.
      if (!answer.done) await db.trees.close(answer.stream).catch(() => false);
    }
  }
}
