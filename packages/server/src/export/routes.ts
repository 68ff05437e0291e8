import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EXPORT_FORMATS, EXPORT_MEDIA_TYPES, EXPORT_SIGNALS, type ExportQuery, exportFileName } from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import { Bytes, contentAnswer } from '../http/content.js';
import { projectOf } from '../http/request-access.js';
import { oneOf, time, timeRange } from '../params/parameters.js';
import type { Shares } from '../shares.js';
import type { Remote } from '../threads/protocol.js';
import type { exportCalls } from './db-calls.js';
import type { ExportChunk } from './export-streams.js';

/**
 * `GET /api/export`: one signal of the project in a time range, as a Parquet or JSON Lines file
 * made by the store's engine (admin keys only, as its route config declares). The file is streamed a
 * chunk at a time from the database thread, each asked for once the socket took the last.
 */

/** What the routes call on the database thread: export's group. */
export type ExportDb = { readonly export: Remote<ReturnType<typeof exportCalls.make>> };

const ExportAnswer = contentAnswer('The file, as an attachment (Content-Disposition names it)', {
  [EXPORT_MEDIA_TYPES.parquet]: Bytes('Apache Parquet'),
  [EXPORT_MEDIA_TYPES.jsonl]: Type.String({ description: 'JSON Lines: one record a line' }),
});

const EXPORT_QUERY = Type.Object(
  {
    signal: oneOf(EXPORT_SIGNALS, { description: 'what to export: spans, logs, metrics (their points) or scores' }),
    format: oneOf(EXPORT_FORMATS, { description: 'parquet (Apache Parquet) or jsonl (JSON Lines, one object a line)' }),
    from: time("start of the range, inclusive (a span's start, a record's time): ISO-8601 or epoch milliseconds"),
    to: time('end of the range, exclusive: ISO-8601 or epoch milliseconds'),
  },
  { additionalProperties: false },
);

export async function exportRoutes(instance: FastifyInstance, options: { db: ExportDb; shares?: { exports?: Shares } }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;
  app.get(
    '/api/export',
    {
      // Every record of a range at once: for admins, as keys are.
      config: { need: 'admin' },
      schema: {
        summary: "One signal's records in a range as a Parquet or JSON Lines file (admin)",
        tags: ['export'],
        querystring: EXPORT_QUERY,
        response: { 200: ExportAnswer },
      },
    },
    async (request, reply) => {
      const { signal, format } = request.query;
      const range = timeRange(request.query);
      const query: ExportQuery = { projectId: projectOf(request), signal, format, fromUs: range.fromUs!, toUs: range.toUs! };
      // Each export holds the engine's temporary files and a share of the store's work until it
      // ends: past its share a project is refused (429; the server's, 503) before one starts.
      const release = options.shares?.exports?.acquire(query.projectId) ?? (() => undefined);
      // However the answer ends (sent, failed, its client gone): the share is given back once.
      reply.raw.once('close', release);
      // Before any header: a query the store refuses is an error answer, not a broken file.
      let first: ExportChunk;
      try {
        first = await db.export.start(query);
      } catch (error) {
        release();
        throw error;
      }
      return reply
        .type(format === 'jsonl' ? `${EXPORT_MEDIA_TYPES.jsonl}; charset=utf-8` : EXPORT_MEDIA_TYPES.parquet)
        .header('content-disposition', `attachment; filename="${exportFileName(signal, format)}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(exportBytes(db, first), { objectMode: true, highWaterMark: 1 }));
    },
  );
}

/**
 * The chunks of an export, the next asked for as the socket takes the last. Stopped early (the
 * client went away, or a HEAD), it closes the database thread's stream, which ends the engine's work.
 */
async function* exportBytes(db: ExportDb, first: ExportChunk): AsyncGenerator<Uint8Array> {
  let chunk = first;
  try {
    for (;;) {
      if (chunk.bytes.length > 0) yield chunk.bytes;
      if (chunk.done) return;
      chunk = await db.export.next(chunk.stream);
    }
  } finally {
    // Closing one that ended (or that a failure ended) answers false: nothing to do.
    if (!chunk.done) await db.export.close(chunk.stream).catch(() => false);
  }
}
