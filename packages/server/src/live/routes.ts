import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { type LiveCursor, LiveHub, type SseSink } from './hub.js';
import { SSE_HEADERS } from '../http/event-stream.js';
import { openSse } from './sse.js';
import { ORIGIN, SCORE, SPAN_FILTER, TRACE_PATH, hexId, originOf, scoreFilters, spanFilterFields, timeRange } from '../params/parameters.js';
import { ListLiveAnswer, TraceLiveAnswer } from './answers.js';
import { projectOf } from '../http/request-access.js';

/** The key a stream counts against: none where no key is asked for (the project's share alone applies). */
function keyOf(request: FastifyRequest): string | null {
  const { principal } = request.access;
  return principal.via === 'open' ? null : principal.keyId;
}

/** Bytes waiting in a viewer's socket past which it is dropped (it reconnects and resumes). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

const AFTER = {
  after: Type.Optional(
    Type.String({
      maxLength: 10_000,
      description:
        'Start after this event id (as a reconnecting EventSource sends in Last-Event-ID); without it, or the header, the stream starts now with an `event: ready`',
    }),
  ),
};
const TRACE_LIVE = Type.Object(AFTER, { additionalProperties: false });
const LIST_LIVE = Type.Object({ ...SPAN_FILTER, ...ORIGIN, score: Type.Optional(SCORE), ...AFTER }, { additionalProperties: false });

/** The cursor a client resumes from: its `Last-Event-ID`, else `?after=`; `null` to start now. */
function resumeFrom(request: FastifyRequest, after: string | undefined): LiveCursor | null {
  const header = request.headers['last-event-id'];
  const text = (Array.isArray(header) ? header[0] : header) ?? after;
  return text === undefined || text === '' ? null : LiveHub.cursorFrom(text);
}

/**
 * Takes the answer out of Fastify's hands and streams it: a HEAD request gets the headers
 * alone. Everything that may refuse the request (a bad cursor, an unknown trace, no room) runs
 * before the hub opens the stream, so a refusal is an ordinary JSON error.
 */
function stream(request: FastifyRequest, reply: FastifyReply, watch: (open: (onClose: () => void) => SseSink) => void): FastifyReply | undefined {
  if (request.method === 'HEAD') return reply.code(200).headers(SSE_HEADERS).send();
  watch((onClose) => {
    void reply.hijack();
    return openSse(reply.raw, MAX_BUFFERED_BYTES, onClose);
  });
  return undefined;
}

/** The live streams (Server-Sent Events): a trace's spans, and the trace list, as they are committed. */
export async function liveRoutes(instance: FastifyInstance, options: { hub: LiveHub }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { hub } = options;
  const tags = ['live'];
  // Before the server waits for its requests to finish: an event stream never would.
  instance.addHook('preClose', async () => hub.close());

  app.get(
    '/api/traces/:traceId/live',
    {
      schema: {
        summary: "A trace's spans as they are committed (Server-Sent Events: `event: spans`)",
        tags,
        params: TRACE_PATH,
        querystring: TRACE_LIVE,
        response: { 200: TraceLiveAnswer },
      },
    },
    async (request, reply) => {
      const projectId = projectOf(request);
      const traceId = hexId(request.params.traceId);
      const after = resumeFrom(request, request.query.after);
      const keyId = keyOf(request);
      hub.checkRoom({ projectId, keyId });
      if (!(await hub.traceFound(projectId, traceId))) throw new AppError('ERR_NOT_FOUND', `trace ${traceId} was not found`);
      const cursor = await hub.startAt(after);
      return stream(request, reply, (open) => hub.watchTrace(projectId, traceId, open, cursor, after === null, keyId));
    },
  );

  app.get(
    '/api/live',
    {
      schema: {
        summary: "Trace summaries as they change, under the trace list's filters (Server-Sent Events: `event: traces`)",
        tags,
        querystring: LIST_LIVE,
        response: { 200: ListLiveAnswer },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filter = { projectId: projectOf(request), range: timeRange(q), ...spanFilterFields(q), scores: scoreFilters(q.score), origin: originOf(q) };
      const after = resumeFrom(request, q.after);
      const keyId = keyOf(request);
      hub.checkRoom({ projectId: filter.projectId, keyId }, filter);
      const cursor = await hub.startAt(after);
      return stream(request, reply, (open) => hub.watchList(filter, open, cursor, after === null, keyId));
    },
  );
}
