import type { CountedScore } from '../metrics/score-metrics.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {} from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import type { DbClient } from '../dbthread/calls.js';
import { LIST_LIMIT, hexId, oneOf, spanId, timeRange, traceId } from '../params/parameters.js';
import { SCORE_LIST } from '../params/queries.js';
import type { Shares } from '../shares.js';
import { NoContent } from '../http/content.js';
import { ScoreAnswer, ScoreListResponse } from './answers/scores.js';
import { projectOf } from '../http/request-access.js';
import { sendJsonText } from '../http/content.js';

/** A name or label: what a chart's legend and a filter show, so one line of text. */
const NAME_MAX = 256;
/** A comment: a judge's explanation or a user's note, not a document. */
const COMMENT_MAX = 16_384;

const SCORE_ID = Type.String({ pattern: '^[0-9a-fA-F]{32}$', description: "a score's id (its scoreId): 32 hex characters", 'x-must-be': '32 hex characters' });
const SCORE_PATH = Type.Object({ scoreId: SCORE_ID });

const NEW_SCORE = Type.Object(
  {
    traceId: Type.Optional(traceId("the trace the score is about (or the trace of its span); leave out only for a session's score")),
    spanId: Type.Optional(spanId('the span the score is about, within traceId')),
    sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: NAME_MAX, description: 'the session the score is about, instead of a trace' })),
    name: Type.String({
      pattern: '\\S',
      maxLength: NAME_MAX,
      description: 'what is judged: faithfulness, thumbs, ...',
      'x-must-be': `a name of at most ${NAME_MAX} characters, not blank`,
    }),
    value: Type.Optional(Type.Number({ description: 'the score as a number; value or label, or both', 'x-must-be': 'a finite number' })),
    label: Type.Optional(
      Type.String({ minLength: 1, maxLength: NAME_MAX, description: 'the score as a category (up, down, pass, ...); value or label, or both' }),
    ),
    comment: Type.Optional(Type.String({ maxLength: COMMENT_MAX, description: "why; masked by the project's masking policy" })),
    source: Type.Optional(oneOf(['api', 'human'], { description: 'api (the default) for a program, human for a person (the dashboard sends it)' })),
  },
  { title: 'Score', additionalProperties: false },
);

/**
 * Scores through REST: an app sends its users' feedback (an ingest key may), the dashboard a
 * person's vote, a script anything; read back newest first, paged like the trace list; deleted by
 * an admin. Sent again for the same target, name, source and author, a score replaces the last.
 */
export async function scoreRoutes(
  instance: FastifyInstance,
  options: { db: Pick<DbClient, 'scores'>; nowUs: () => number; countScores: (scores: readonly CountedScore[]) => void; writes?: Shares },
): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, nowUs } = options;
  const tags = ['scores'];

  app.post(
    '/api/scores',
    {
      schema: {
        summary: 'Score a trace, a span or a session (the newest of a name per target and author stands)',
        tags,
        body: NEW_SCORE,
        response: { 201: ScoreAnswer },
      },
    },
    async (request, reply) => {
      const b = request.body;
      // A burst from one project waits on the database thread behind every other write: past its
      // share it is refused at once (429, or 503 for the server's), before it queues there.
      const release = options.writes?.acquire(projectOf(request));
      const score = await db.scores
        .add(
          {
            projectId: projectOf(request),
            traceId: b.traceId === undefined ? null : hexId(b.traceId),
            spanId: b.spanId === undefined ? null : hexId(b.spanId),
            sessionId: b.sessionId ?? null,
            name: b.name,
            value: b.value ?? null,
            label: b.label ?? null,
            comment: b.comment ?? null,
            source: b.source ?? 'api',
            // A signed-in person's session carries the key it signed in with: the person, as Spoor knows them.
            author: request.access.principal.keyId,
          },
          nowUs(),
        )
        .finally(() => release?.());
      // Counted on /metrics as a score from ingest is, once it is stored.
      options.countScores([{ name: b.name, label: b.label ?? null, source: b.source ?? 'api', value: b.value ?? null }]);
      return sendJsonText(reply.code(201), score);
    },
  );
  app.get(
    '/api/scores',
    { schema: { summary: 'Scores, newest first', tags, querystring: SCORE_LIST, response: { 200: ScoreListResponse } } },
    async (request, reply) => {
      const q = request.query;
      return sendJsonText(
        reply,
        await db.scores.list({
          projectId: projectOf(request),
          range: timeRange(q),
          traceId: q.traceId === undefined ? null : hexId(q.traceId),
          spanId: q.spanId === undefined ? null : hexId(q.spanId),
          sessionId: q.sessionId ?? null,
          name: q.name ?? null,
          source: q.source ?? null,
          limit: q.limit ?? LIST_LIMIT.fallback,
          cursor: q.cursor ?? null,
        }),
      );
    },
  );
  app.get('/api/scores/:scoreId', { schema: { summary: 'One score', tags, params: SCORE_PATH, response: { 200: ScoreAnswer } } }, async (request, reply) =>
    sendJsonText(reply, await db.scores.get(projectOf(request), hexId(request.params.scoreId))),
  );
  app.delete(
    '/api/scores/:scoreId',
    { schema: { summary: 'Delete a score', tags, params: SCORE_PATH, response: { 204: NoContent } } },
    async (request, reply) => {
      await db.scores.delete(projectOf(request), hexId(request.params.scoreId), nowUs());
      return reply.code(204).send(null);
    },
  );
}
