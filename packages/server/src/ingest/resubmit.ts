import type { QuarantineAccess } from './quarantine-routes.js';
import type { DecodeThread } from './decode-client.js';
import { type DecodeRequest, rebuildsFromBody } from './decoder.js';
import type { IngestQueue } from '../pipeline/ingest-queue.js';
import { listQuarantine, replayQuarantine } from '../pipeline/quarantine.js';

/** A body that goes back in as the receiver takes one; resolves to its records once spooled. */
export type Resubmit = (request: DecodeRequest) => Promise<number>;

/**
 * Decodes a body as the receiver does and hands its batch to ingest, which resolves once it is
 * spooled: how a quarantined entry and a replayed LLM call's spans go back in. A body with no
 * valid record left is refused; its records otherwise.
 */
export function resubmitter(decoder: DecodeThread, ingest: IngestQueue): Resubmit {
  return async (request) => {
    const decoded = await decoder.decode(request);
    try {
      if (decoded.batch.records === 0) throw new Error(`it holds no valid records (${decoded.rejectReason ?? 'it is empty'})`);
      await ingest.submit({ ...request, body: decoded.body }, decoded.batch, rebuildsFromBody(decoded));
    } catch (error) {
      decoder.dropped(decoded.ticket);
      throw error;
    }
    decoder.accepted(decoded.ticket);
    return decoded.records;
  };
}

/**
 * The quarantine as the API sees it: a project's entries, and replaying them through `resubmit`.
 * `quarantinedSoFar` counts what the writer has quarantined since start, so a replay can say how
 * many of its entries the store refused again.
 */
export function quarantineAccess(dir: string, resubmit: Resubmit, ingest: IngestQueue, quarantinedSoFar: () => number): QuarantineAccess {
  return {
    list: (projectId) =>
      listQuarantine(dir)
        .filter((entry) => entry.projectId === projectId)
        .map(({ projectId: _project, receivedUs, quarantinedAtMs, ...entry }) => ({
          ...entry,
          receivedAt: new Date(receivedUs / 1000).toISOString(),
          quarantinedAt: new Date(quarantinedAtMs).toISOString(),
        })),
    replay: async (projectId, ids) => {
      const before = quarantinedSoFar();
      const result = await replayQuarantine(dir, projectId, ids, (entry) => resubmit({ ...entry, alreadyAcknowledged: true }));
      await ingest.whenVisible();
      return { replayed: result.replayed.length, records: result.records, failed: result.failed, quarantinedAgain: quarantinedSoFar() - before };
    },
  };
}
