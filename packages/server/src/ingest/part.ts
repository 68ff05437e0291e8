import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import { AppError } from '../errors.js';
import { type ForwardThread, forwardingMasking } from '../forward/forward-client.js';
import { projectOf } from '../http/request-access.js';
import { type Part, routes } from '../parts/part.js';
import type { ServerState } from '../parts/server-state.js';
import type { IngestQueue } from '../pipeline/ingest-queue.js';
import type { IngestMetrics } from '../self-metrics.js';
import type { DecodeThread } from './decode-client.js';
import type { AcceptedRequest } from './export.js';
import type { MaskFile } from './masking.js';
import { type MaskingDb, maskingRoutes } from './masking-routes.js';
import { type OwnEvent, ownEventBody } from './own-events.js';
import { quarantineRoutes } from './quarantine-routes.js';
import { quarantineAccess, resubmitter } from './resubmit.js';
import { ingestRoutes } from './routes.js';

/** Where a judge's, a replay's or an experiment's own call goes as a trace: into ingest, as the receivers take one. */
export type JudgeIngest = (projectId: string, body: Uint8Array) => Promise<void>;

/** What ingest needs of the parts before it: the decoder, the queue it hands batches to, and forwarding's masking. */
export interface IngestNeeds {
  config: Pick<ServeConfig, 'maxBodyBytes'>;
  log: Logger;
  state: ServerState;
  ingestMetrics: IngestMetrics;
  quarantineDir: string;
  decoder: DecodeThread;
  queue: IngestQueue;
  forward: ForwardThread | null;
  maskFile: MaskFile | null;
  thread: { calls: MaskingDb };
}

/**
 * What takes a request in (`accept`: a request the receivers decoded, handed to the queue), and
 * what hands one in as they do (`resubmit`: a quarantined entry, a judge's or a replay's own call,
 * Spoor's own events).
 */
export function startIngest({ log, state, decoder, queue }: IngestNeeds) {
  const resubmit = resubmitter(decoder, queue);
  // A replay's or a judge's own call is a trace, ingested as the receivers take one.
  const ingestTrace: JudgeIngest = async (projectId, body) => {
    await resubmit({ signal: 'traces', encoding: 'protobuf', body, projectId, receivedUs: Date.now() * 1000 });
  };
  // Spoor's own events (an evaluator paused by its budget) are log records of the project, ingested the same way.
  const ownEvent = (projectId: string, event: OwnEvent): void => {
    resubmit({ signal: 'logs', encoding: 'json', body: ownEventBody(event), projectId, receivedUs: event.timeUs }).catch((error: unknown) =>
      log.error({ err: error, event: event.name }, "one of Spoor's own events could not be stored"),
    );
  };
  const accept = async ({ signal, encoding, projectId, receivedUs, body, batch, fromBody }: AcceptedRequest): Promise<void> => {
    // Requests already in flight when a shutdown starts still complete; a dead database thread
    // would never commit what is accepted, so then nothing is.
    if (state.threadFailed) throw new AppError('ERR_STORE_UNAVAILABLE', 'the store is unavailable; retry later', { retryAfterSeconds: 1 });
    await queue.submit({ signal, encoding, projectId, receivedUs, body }, batch, fromBody);
  };
  return { resubmit, ingestTrace, ownEvent, accept };
}

/**
 * Ingest: nothing of its own to start or close (the threads and the queue it hands requests to
 * started before it, and close after it); its routes are the OTLP/HTTP receiver, the quarantine
 * and its replay, and the masking policies, set on the decoder and the forward thread (what is
 * sent on is masked as what is stored).
 */
export const ingestPart: Part<IngestNeeds, ReturnType<typeof startIngest>> = {
  name: 'ingest',
  start: (_life, needs) => startIngest(needs),
  routes: ({ config, state, ingestMetrics, quarantineDir, decoder, queue, forward, maskFile, thread, accept, resubmit }) => {
    const masking = forward === null ? decoder : forwardingMasking(decoder, forward);
    const quarantine = quarantineAccess(quarantineDir, resubmit, queue, () => state.quarantinedSinceStart);
    return [
      // Before the hook that holds the API's reads until acknowledged writes are visible: requests that write pass no such hook.
      { ...routes('otlp', ingestRoutes, { maxBodyBytes: config.maxBodyBytes, projectOf, decoder, accept, metrics: ingestMetrics }), receives: true },
      routes('quarantine', quarantineRoutes, { quarantine }),
      routes('masking', maskingRoutes, { db: thread.calls, decoder: masking, maskFile, nowUs: () => Date.now() * 1000 }),
    ];
  },
};
