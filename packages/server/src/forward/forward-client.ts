import type { Worker } from 'node:worker_threads';
import type { Decoder } from '../ingest/decoder.js';
import type { MaskingPolicy } from '../ingest/masking.js';
import { type SpoolPosition, comparePositions } from '../pipeline/spool.js';
import type { SelfMetrics } from '../self-metrics.js';
import { ThreadClient, startWorker } from '../threads/client.js';
import { workerUrl } from '../worker-url.js';
import type { ForwardProtocol } from './forward-protocol.js';
import type { ForwarderConfig } from './forwarder.js';

export interface ForwardThreadOptions {
  selfMetrics: SelfMetrics;
  log: (level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>) => void;
}

/**
 * The main thread's side of forwarding: starts the forward thread, tells it where the spool
 * ends (at most once per turn of the event loop, never awaited), and keeps what the spool must
 * hold for it (the lowest destination position) and what `/metrics` shows of each destination.
 */
export class ForwardThread {
  /** Each destination's position as it last said: the spool keeps what lies after the lowest. */
  private readonly positions = new Map<string, SpoolPosition>();
  private readonly oldestUnsentUs = new Map<string, number | null>();
  private readonly unsentBytes = new Map<string, number>();
  private latestTail: SpoolPosition | null = null;
  private tailScheduled = false;
  private failed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly client: ThreadClient<ForwardProtocol>,
  ) {}

  static async start(config: ForwarderConfig, options: ForwardThreadOptions): Promise<ForwardThread> {
    const worker = startWorker<ForwardProtocol>(workerUrl(import.meta.url, 'forward/forward-thread.js', 'forward thread'), config);
    let forward: ForwardThread | null = null;
    const { selfMetrics: registry, log } = options;
    const sent = registry.counter(
      'spoor_forward_sent_records_total',
      'Records (spans, log records, metric data points) a --forward destination took (2xx), by destination and signal.',
    );
    const failed = registry.counter(
      'spoor_forward_failed_records_total',
      'Records a --forward destination refused for good (a 4xx other than 429), or that could not be sent (a masking policy this server cannot use), by destination and signal; not sent again.',
    );
    const dropped = registry.counter(
      'spoor_forward_dropped_records_total',
      'Records dropped unsent because a --forward destination fell more than --forward-spool-max behind (the oldest first), by destination and signal.',
    );
    const requests = registry.counter(
      'spoor_forward_requests_total',
      'Requests to --forward destinations, by destination and outcome: sent (2xx), retry (429, 5xx or no answer: tried again), refused (another 4xx).',
    );
    for (const { name, signals } of config.destinations) {
      for (const signal of signals) for (const counter of [sent, failed, dropped]) counter({ destination: name, signal }, 0);
      for (const outcome of ['sent', 'retry', 'refused']) requests({ destination: name, outcome }, 0);
    }
    const client = new ThreadClient<ForwardProtocol>(worker, {
      what: 'forward thread',
      events: {
        progress: (name, position, oldestUnsentUs, unsentBytes) => forward?.progress(name, position, oldestUnsentUs, unsentBytes),
        records: (name, signal, outcome, count) => {
          (outcome === 'sent' ? sent : outcome === 'failed' ? failed : dropped)({ destination: name, signal }, count);
          // A request taken says so with its records: one message from the thread, not two.
          if (outcome === 'sent') requests({ destination: name, outcome: 'sent' });
        },
        requests: (name, outcome) => requests({ destination: name, outcome }),
        log,
      },
      unavailable: (failure) => new Error(`the forward thread failed (${failure.message})`),
      onFailed: (error) => {
        if (forward !== null) forward.failed = true;
        log(
          'error',
          'the forward thread failed: nothing is forwarded until Spoor is restarted (each destination resumes from its position then, as far as the spool still holds it)',
          { error: error.message },
        );
      },
    });
    forward = new ForwardThread(worker, client);
    const started = forward;
    for (const { name, position } of await client.calls.positions()) {
      started.positions.set(name, position);
      started.oldestUnsentUs.set(name, null);
      started.unsentBytes.set(name, 0);
    }
    registry.gaugeSeries(
      'spoor_forward_oldest_unsent_seconds',
      'Age of the oldest acknowledged record a --forward destination has not received yet (0 when it has all), by destination.',
      () =>
        [...started.oldestUnsentUs].map(([name, us]) => ({
          labels: { destination: name },
          value: us === null ? 0 : Math.max(0, Date.now() / 1000 - us / 1e6),
        })),
    );
    registry.gaugeSeries(
      'spoor_forward_unsent_bytes',
      'Bytes of the spool a --forward destination has not received yet (past --forward-spool-max the oldest are dropped), by destination.',
      () => [...started.unsentBytes].map(([name, bytes]) => ({ labels: { destination: name }, value: bytes })),
    );
    return started;
  }

  /** Where the spool must be kept from (the lowest destination position), or `null` for nowhere. */
  hold(): SpoolPosition | null {
    // A failed thread sends nothing more: holding the spool for it would only fill the disk.
    if (this.failed) return null;
    let lowest: SpoolPosition | null = null;
    for (const position of this.positions.values()) if (lowest === null || comparePositions(position, lowest) < 0) lowest = position;
    return lowest;
  }

  /** Starts sending: the server is up and none of the destinations is itself. */
  start(): void {
    this.client.post('start');
  }

  /** The spool's acknowledged end; posted once per turn of the event loop whatever the number of groups. */
  tail(end: SpoolPosition): void {
    this.latestTail = end;
    if (this.tailScheduled) return;
    this.tailScheduled = true;
    setImmediate(() => {
      this.tailScheduled = false;
      if (this.latestTail !== null) this.client.post('tail', this.latestTail);
    });
  }

  setMasking(projectId: string, policy: MaskingPolicy | null): void {
    this.client.post('masking', projectId, policy, Date.now() * 1000);
  }

  async close(): Promise<void> {
    try {
      if (!this.failed) await this.client.calls.close();
    } finally {
      this.client.closed();
      await this.worker.terminate();
    }
  }

  private progress(name: string, position: SpoolPosition, oldestUnsentUs: number | null, unsentBytes: number): void {
    this.positions.set(name, position);
    this.oldestUnsentUs.set(name, oldestUnsentUs);
    this.unsentBytes.set(name, unsentBytes);
  }
}

/**
 * `decoder`, whose masking policies (set or removed through the API) also go to the forward
 * thread: posted before the decode thread's, and so before any request decoded with a new
 * policy is spooled, so nothing spooled after a policy was set is sent on without it.
 */
export function forwardingMasking(decoder: Decoder, forward: ForwardThread): Decoder {
  return {
    decode: (request) => decoder.decode(request),
    accepted: (ticket) => decoder.accepted(ticket),
    dropped: (ticket) => decoder.dropped(ticket),
    spanMetrics: () => decoder.spanMetrics(),
    countScores: (scores) => decoder.countScores(scores),
    setPrices: (projectId, models) => decoder.setPrices(projectId, models),
    remember: (spans) => decoder.remember(spans),
    setMasking: (projectId, policy) => {
      forward.setMasking(projectId, policy);
      decoder.setMasking(projectId, policy);
    },
    close: () => decoder.close(),
  };
}
