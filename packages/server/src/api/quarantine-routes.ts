import type { FastifyInstance } from 'fastify';
import { projectOf } from './request-access.js';
import { AppError } from '../errors.js';
import { type QueryString, jsonBody, rejectUnknown } from './params.js';

/** A quarantined request as the API shows it. */
export interface QuarantineItem {
  id: string;
  signal: string;
  encoding: string;
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

/**
 * Requests the writer gave up on (the store refused them while taking others, or they no longer
 * decode), kept under the data directory: `GET /api/quarantine` lists them and
 * `POST /api/quarantine/replay` (what `spoor spool replay-quarantine` calls) hands them back.
 */
export async function quarantineRoutes(app: FastifyInstance, options: { quarantine: QuarantineAccess }): Promise<void> {
  const { quarantine } = options;
  app.get('/api/quarantine', async (request) => {
    rejectUnknown(request.query as QueryString, []);
    return { entries: quarantine.list(projectOf(request)) };
  });
  app.post('/api/quarantine/replay', async (request) => {
    rejectUnknown(request.query as QueryString, []);
    return quarantine.replay(projectOf(request), idsFrom(request.body));
  });
}

function idsFrom(body: unknown): string[] | null {
  const { ids } = jsonBody(body, 'a replay request', ['ids']);
  if (ids === undefined) return null;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw new AppError('ERR_BAD_REQUEST', "'ids' must be an array of quarantine ids");
  return ids as string[];
}
