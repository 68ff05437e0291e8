import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import type { MaskFile, ProjectMaskingPolicy } from '../ingest/masking.js';
import type { Part } from '../parts/part.js';
import type { Spool } from '../pipeline/spool.js';
import type { SelfMetrics } from '../self-metrics.js';
import { forwardLoopProblem, machineAddresses } from './destinations.js';
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
 * receivers have bound their ports (`startSending`). `null` without destinations.
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

/**
 * Starts sending, once the receivers listen on `ports`: port 0 is known only then, and a
 * destination that is this server would get back what it forwards (the start fails, naming it).
 */
export function startSending(forward: ForwardThread, config: Pick<ServeConfig, 'forward' | 'host'>, ports: number[]): void {
  for (const destination of config.forward) {
    const problem = forwardLoopProblem(destination, { host: config.host, ports, interfaces: machineAddresses() });
    if (problem !== null) throw new Error(problem);
  }
  forward.start();
}
