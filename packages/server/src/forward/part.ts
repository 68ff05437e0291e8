import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import type { MaskFile, ProjectMaskingPolicy } from '../ingest/masking.js';
import type { Part } from '../parts/part.js';
import type { Spool } from '../pipeline/spool.js';
import type { SelfMetrics } from '../self-metrics.js';
import { ForwardThread } from './forward-client.js';

/** What forwarding needs of the parts before it: the spool it follows and the masking it applies. */
export interface ForwardNeeds {
  config: Pick<ServeConfig, 'forward' | 'dataDir' | 'forwardSpoolMaxBytes'>;
  log: Logger;
  selfMetrics: SelfMetrics;
  spoolDir: string;
  spool: Spool;
  maskFile: MaskFile | null;
  maskingPolicies: ProjectMaskingPolicy[];
}

/**
 * Forwarding (`--forward`): the forward thread follows the spool; the spool keeps what it has not
 * sent (up to --forward-spool-max) past the store's commits. Started after the spool and before
 * the ingest queue, so it holds the spool's segments from before any commit. It sends once the
 * receivers have bound their ports (`serve/receivers-part.ts`): a destination that is this
 * server would get back what it forwards. `null` without destinations.
 */
export const forwardPart: Part<ForwardNeeds, { forward: ForwardThread | null }> = {
  name: 'forward',
  start: async (life, { config, log, selfMetrics, spoolDir, spool, maskFile, maskingPolicies }) => {
    if (config.forward.length === 0) return { forward: null };
    const forward = await life.start(
      'the forward thread',
      () =>
        ForwardThread.start(
          {
            spoolDir,
            positionsDir: join(config.dataDir, 'forward'),
            destinations: config.forward,
            capBytes: config.forwardSpoolMaxBytes,
            maskFile,
            policies: maskingPolicies,
            tail: spool.durableEnd(),
          },
          { selfMetrics, log: (level, message, data) => log[level](data, message) },
        ),
      // What a destination has not received stays in the spool, from its position on disk.
      (started) => started.close(),
    );
    spool.hold(() => forward.hold());
    spool.onDurable((end) => forward.tail(end));
    return { forward };
  },
};
