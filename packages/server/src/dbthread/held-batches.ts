import type { SpoolPosition } from '../pipeline/spool.js';
import type { WriteBatch } from '../store/tables.js';

/** What is known of one request's ticket so far. */
interface Ticket {
  /** Its batch, while it may still be committed. */
  batch: WriteBatch | null;
  arrived: boolean;
  settled: boolean;
  /** A spooled entry waits for its batch. */
  waits: boolean;
}

/**
 * Where two accounts of one request meet in the database thread: its batch, sent by the decode
 * thread as soon as it is decoded, and the HTTP thread's word that it was spooled as entry `seq`,
 * then that it was settled (answered or refused). The batch and the HTTP thread's words come on
 * two channels, in either order; the HTTP thread's own words come in order (spooled, then
 * settled). Entries go on to the writer in spool order, each once its batch is here. Ticket 0 is
 * an entry left on disk, which the writer reads back; a batch no entry waits for is let go when
 * its request is settled.
 */
export class HeldBatches {
  private readonly tickets = new Map<number, Ticket>();
  /** Spooled entries, in spool order, from the first whose batch has not come yet. */
  private waiting: Array<{ ticket: number; position: SpoolPosition; seq: number }> = [];
  private waitingFrom = 0;

  constructor(private readonly push: (batch: WriteBatch | null, position: SpoolPosition, seq: number) => void) {}

  /** From the decode thread: a request's batch. */
  arrived(ticket: number, batch: WriteBatch): void {
    const known = this.ticket(ticket);
    known.arrived = true;
    // Settled and spooled as no entry (refused, or left on disk): not needed.
    if (!known.settled || known.waits) known.batch = batch;
    this.forget(ticket, known);
    this.flush();
  }

  /** From the HTTP thread: request `ticket` (0: none, read it from the spool) was spooled as entry `seq` at `position`. */
  spooled(ticket: number, position: SpoolPosition, seq: number): void {
    if (ticket !== 0) this.ticket(ticket).waits = true;
    this.waiting.push({ ticket, position, seq });
    this.flush();
  }

  /** From the HTTP thread, after `spooled` if it was: the request was answered or refused. */
  settled(ticket: number): void {
    const known = this.ticket(ticket);
    known.settled = true;
    if (!known.waits) known.batch = null;
    this.forget(ticket, known);
  }

  /** Tickets and entries held: what a test checks is let go. */
  get size(): number {
    return this.tickets.size + this.waiting.length - this.waitingFrom;
  }

  private ticket(ticket: number): Ticket {
    let known = this.tickets.get(ticket);
    if (known === undefined) this.tickets.set(ticket, (known = { batch: null, arrived: false, settled: false, waits: false }));
    return known;
  }

  /** Nothing more will be asked of a ticket whose batch came and whose request settled, with no entry waiting. */
  private forget(ticket: number, known: Ticket): void {
    if (known.arrived && known.settled && !known.waits) this.tickets.delete(ticket);
  }

  private flush(): void {
    const waiting = this.waiting;
    while (this.waitingFrom < waiting.length) {
      const next = waiting[this.waitingFrom]!;
      let batch: WriteBatch | null = null;
      if (next.ticket !== 0) {
        const known = this.tickets.get(next.ticket)!;
        if (!known.arrived) return;
        batch = known.batch;
        known.batch = null;
        known.waits = false;
        this.forget(next.ticket, known);
      }
      this.waitingFrom++;
      this.push(batch, next.position, next.seq);
    }
    this.waiting = [];
    this.waitingFrom = 0;
  }
}
