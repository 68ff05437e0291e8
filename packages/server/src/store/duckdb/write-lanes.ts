import { InTurn } from '../../in-turn.js';
import type { OnConnection } from './alerts.js';

/**
 * Writes of one table, one after another. DuckDB's transactions are optimistic: two connections
 * that write one row at once (an upsert of one key, a delete of one row) both run, and the later
 * commit fails ("Conflict on update!", "Conflict on tuple deletion!", "Duplicate key"). Before these
 * lanes, 8 identical PUTs of one price sent at once answered 3 × 500, and 32 answered 27 × 500.
 * The tables written so (prices, alert rules and silences, policies, error group statuses, keys)
 * are small and changed by hand, so each write there waits for the one before it (a few ms)
 * instead. Appends (spans, dataset and evaluator versions) never conflict and do not queue; scores
 * queue in a lane of their own, so that each batch finds the slots written before it (scores.ts).
 */
export class WriteLanes {
  private readonly turns = new InTurn();

  constructor(private readonly on: OnConnection) {}

  /** A runner whose calls run one at a time in `lane`, each on a connection of its own. */
  lane(lane: string): OnConnection {
    return (what, fn) => this.turns.run(lane, () => this.on(what, fn));
  }
}

/** Whether DuckDB refused a commit because another transaction wrote the same row first. */
export function isWriteConflict(error: unknown): boolean {
  return error instanceof Error && /Conflict on (update|tuple deletion)|Duplicate key|duplicate key|write-write conflict/.test(error.message);
}
