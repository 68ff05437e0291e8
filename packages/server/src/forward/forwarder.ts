import type { Redactor } from '@spoor/model';
import type { MaskFile, MaskingPolicy } from '../ingest/masking.js';
import { type OutboundBody, createOutbound, recordsIn } from '../ingest/outbound.js';
import { type SpoolEntry, type SpoolPosition, comparePositions, listSpoolSegments } from '../pipeline/spool.js';
import { Destination, type DestinationEvents } from './destination.js';
import type { ForwardDestination } from './destinations.js';
import { projectPasses, resourceFilterOf } from './filters.js';
import { MaskingTimeline } from '../ingest/masking-timeline.js';
import { ForwardPositions } from './positions.js';
import { SpoolTail } from './spool-tail.js';

export interface ForwarderConfig {
  spoolDir: string;
  /** Where each destination's durable position is kept (`<data>/forward`). */
  positionsDir: string;
  destinations: ForwardDestination[];
  /** Unsent bytes per destination past which its oldest are dropped. */
  capBytes: number;
  maskFile: MaskFile | null;
  /** The policies set through the API when the server started. */
  policies: Array<{ projectId: string; policy: MaskingPolicy }>;
  /** The spool's acknowledged end at start: where a destination new to this data directory begins. */
  tail: SpoolPosition;
  /** Bytes of entries in one request (default 4 MiB); tests make it small. */
  maxRequestBytes?: number;
}

/**
 * Every destination of one server, following its spool: they share where the spool ends and
 * each project's masking, and each keeps its own position. Runs on the forward thread.
 */
export class Forwarder {
  private readonly spool: SpoolTail;
  private readonly positions: ForwardPositions;
  private readonly destinations: Destination[];
  private readonly masking: MaskingTimeline;

  constructor(config: ForwarderConfig, events: DestinationEvents) {
    this.spool = new SpoolTail(config.spoolDir, config.tail);
    this.positions = new ForwardPositions(config.positionsDir);
    this.masking = new MaskingTimeline(config.maskFile, config.policies);
    const oldest = listSpoolSegments(config.spoolDir)[0] ?? config.tail.segment;
    this.destinations = config.destinations.map((destination) => {
      let start = this.positions.read(destination.name);
      if (start === null || comparePositions(start, config.tail) > 0) {
        // A new destination gets what is acknowledged from now on; one past the end (a spool
        // emptied by hand) starts at the end too, or it would wait for ever.
        start = config.tail;
        this.positions.writeNow(destination.name, start);
      } else if (start.segment < oldest) {
        // The spool keeps what a destination has not received, but only while it is configured.
        events.log(
          'warn',
          'the spool no longer holds part of what a destination had not received (was Spoor started without it?); it goes on from the oldest the spool has',
          {
            destination: destination.name,
            position: `${start.segment}:${start.offset}`,
            oldestSegment: oldest,
          },
        );
      }
      const keepResource = resourceFilterOf(destination.filters);
      // What prepares a request's body, by the policies that mask it (`MaskingTimeline.keyFor`).
      const outbound = new Map<string, (entry: SpoolEntry) => OutboundBody | null>();
      return new Destination({
        destination,
        spool: this.spool,
        positions: this.positions,
        start,
        capBytes: config.capBytes,
        maxRequestBytes: config.maxRequestBytes,
        events,
        wants: (entry) => (destination.signals as readonly string[]).includes(entry.signal) && projectPasses(destination.filters, entry.projectId),
        prepare: (entry) => {
          const key = this.masking.keyFor(entry.projectId, entry.receivedUs);
          let prepare = outbound.get(key);
          if (prepare === undefined) {
            prepare = this.preparerFor(key, keepResource);
            outbound.set(key, prepare);
          }
          return prepare(entry);
        },
        recordsOf: (entry) => recordsIn(entry.signal, entry.encoding, entry.body),
      });
    });
  }

  /** Each destination's position at start: the spool keeps everything from the lowest on. */
  startPositions(): Array<{ name: string; position: SpoolPosition }> {
    return this.destinations.map((d) => ({ name: d.name, position: d.at }));
  }

  /** Starts sending (once the server knows it is not sending to itself). */
  start(): void {
    for (const destination of this.destinations) destination.start();
  }

  /** The spool's acknowledged end moved on. */
  tail(end: SpoolPosition): void {
    this.spool.advance(end);
    let lowest = end.segment;
    for (const destination of this.destinations) {
      lowest = Math.min(lowest, destination.at.segment);
      destination.wake();
    }
    this.spool.forget(lowest);
  }

  /** A project's policy changed through the API, in force for what was received from `fromUs` on (the HTTP thread's clock). */
  setMasking(projectId: string, policy: MaskingPolicy | null, fromUs: number): void {
    this.masking.set(projectId, policy, fromUs);
    for (const destination of this.destinations) destination.maskingChanged();
  }

  async close(): Promise<void> {
    await Promise.all(this.destinations.map((d) => d.close()));
    await this.positions.flush();
  }

  private preparerFor(maskingKey: string, keepResource: ReturnType<typeof resourceFilterOf>): (entry: SpoolEntry) => OutboundBody | null {
    let redactor: Redactor | undefined;
    try {
      redactor = this.masking.redactorFor(maskingKey);
    } catch (error) {
      // A policy this server cannot use: the project's data is never sent unmasked.
      return () => {
        throw error;
      };
    }
    const outbound = createOutbound({ redactor, keepResource });
    return (entry) => outbound(entry.signal, entry.encoding, entry.body);
  }
}
