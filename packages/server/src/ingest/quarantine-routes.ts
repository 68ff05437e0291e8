import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { projectOf } from '../http/request-access.js';
import { QuarantineListAnswer, QuarantineReplayAnswer } from './answers/quarantine.js';

/** A quarantined request as the API shows it. */
export interface QuarantineItem {
  id: string;
  signal: 'traces' | 'logs' | 'metrics';
  /** How the request was sent. */
  encoding: 'protobuf' | 'json';
  /** When the request was received, ISO-8601. */
  receivedAt: string;
  /** When the writer gave up on it, ISO-8601. */
  quarantinedAt: string;
  bytes: number;
  /** Records it decoded to; `null` when it did not decode. */
  records: number | null;
  attempts: number;
  error: string;
}

export interface QuarantineReplayResult {
  replayed: number;
  records: number;
  /** Entries that stayed in the quarantine, with why. */
  failed: Array<{ id: string; error: string }>;
  /** Entries the writer quarantined while the replay was committed: replayed ones the store still refuses. */
  quarantinedAgain: number;
}

/** The quarantine as the server wires it: what it holds, and a way to hand entries back. */
export interface QuarantineAccess {
  list(projectId: string): QuarantineItem[];
  /** Replays the entries named (all with `null`) and resolves once they are committed or quarantined again. */
  replay(projectId: string, ids: string[] | null): Promise<QuarantineReplayResult>;
}

const REPLAY = Type.Object(
  { ids: Type.Optional(Type.Array(Type.String(), { description: 'the entries to replay (default all)', 'x-must-be': 'an array of quarantine ids' })) },
  { title: 'Quarantine replay', additionalProperties: false },
);

/**
 * Requests the writer gave up on (the store refused them while taking others, or they no longer
 * decode), kept under the data directory: `GET /api/quarantine` lists them and
 * `POST /api/quarantine/replay` (what `spoor spool replay-quarantine` calls) hands them back.
 */
export async function quarantineRoutes(instance: FastifyInstance, options: { quarantine: QuarantineAccess }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { quarantine } = options;
  const tags = ['quarantine'];
  app.get('/api/quarantine', { schema: { summary: 'The requests the writer gave up on', tags, response: { 200: QuarantineListAnswer } } }, async (request) => ({
    entries: quarantine.list(projectOf(request)),
  }));
  app.post(
    '/api/quarantine/replay',
    { schema: { summary: 'Hand quarantined requests back to ingest', tags, body: REPLAY, response: { 200: QuarantineReplayAnswer } } },
    async (request) => quarantine.replay(projectOf(request), request.body.ids ?? null),
  );
}
