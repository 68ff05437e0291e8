import type { LiveCursor } from '../store/live-cursor.js';

/** Traces whose summaries one list event carries at most (the last touched). */
export const MAX_TRACES_PER_EVENT = 500;

/** A project's list reads: the head they last read up to, when they may run again, and whether they run. */
export interface ListTurn {
  head: LiveCursor | null;
  dueMs: number;
  reading: boolean;
}

/**
 * Live reads of the trace lists on the database thread at once. Each distinct filter is one read
 * of its summaries per wake-up: with 1,000 filters, one wake-up put 1,000 reads on the database
 * thread together (23 s of them under ingest, measured), and every commit and every other read
 * waited behind them all. Taken one at a time, project after project in turn, what else the
 * thread has to do comes between them, and one project's filters do not hold back another's
 * (with 999 filters and no caps: ingest 6,426 spans/s of 10,277 with 1 at once, 2,962 of 10,582
 * with 2).
 */
export const LIST_READS_AT_ONCE = 1;

/**
 * Time a project's list reads rest after they ran, for each unit of time they took, as its
 * distinct filters grow: `LIST_REST_PER_READ * (filters - 1) / filters`. A project watching one
 * filter reads it at every wake-up, as before (resting then cost a lone list stream under ingest
 * at capacity 12 events in 10 s for 2); one watching many keeps the database thread at most some
 * quarter of the time, however many it watches, and its events come less often rather than
 * ingest being starved.
 */
export const LIST_REST_PER_READ = 3;
