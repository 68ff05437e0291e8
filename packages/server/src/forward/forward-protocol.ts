import type { MaskingPolicy } from '../ingest/masking.js';
import type { SpoolPosition } from '../pipeline/spool.js';
import type { ForwardSignal } from './destinations.js';
import type { ForwarderConfig } from './forwarder.js';

/** Between the main thread and the forward thread. */
export type ForwardProtocol = {
  config: ForwarderConfig;
  calls: {
    /** Each destination's position at start (read from its file, or the spool's end for a new one). */
    positions: () => Array<{ name: string; position: SpoolPosition }>;
    /** Abandons the requests in flight and keeps each position on disk. */
    close: () => Promise<void>;
  };
  posts: {
    /** Start sending: the server is up and is none of the destinations. */
    start: [];
    /** The spool's acknowledged end moved on (once per group of appends on disk). */
    tail: [end: SpoolPosition];
    /**
     * A project's masking policy set through the API (`null`: back to the `--mask` file's), in
     * force for what was received from `fromUs` on: the HTTP thread's clock, which stamps requests'
     * `receivedUs`, not the forward thread's, which reads the post later.
     */
    masking: [projectId: string, policy: MaskingPolicy | null, fromUs: number];
  };
  events: {
    progress: [name: string, position: SpoolPosition, oldestUnsentUs: number | null, unsentBytes: number];
    records: [name: string, signal: ForwardSignal, outcome: 'sent' | 'failed' | 'dropped', count: number];
    requests: [name: string, outcome: 'retry' | 'refused'];
    log: [level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>];
  };
};
