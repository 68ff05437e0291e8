import type { WriteBatch } from '../store/store.js';
import type { QuarantineReason } from './quarantine.js';
import type { SpoolEntry, SpoolPosition } from './spool.js';

/**
 * Turns a spooled request into its write batch (the same decoding that accepted it), for entries
 * read back from the spool: after a crash, or after a failed commit. `seq` numbers the entry in
 * spool order; an entry read back is decoded again with the same or a lower number.
 */
export type EntryDecoder = (entry: SpoolEntry, seq: number) => WriteBatch;

export interface CommitLoopOptions {
  /** Where the spool keeps its segments, to re-read entries after a crash or a failed commit. */
  spoolDir: string;
  /**
   * This server's id in the store: with the spool position, the key of each batch written, so
   * that a batch written again (a replay, a retry) is stored once, and servers sharing a store
   * each replay their own spool. Default `server-1`.
   */
  serverId?: string;
  decode: EntryDecoder;
  /** Records in one store transaction before it is committed. Default 50,000. */
  maxRecordsPerCommit?: number;
  /**
   * How long a transaction may stay open collecting records when no reader is waiting for
   * them. Default 500 ms. Larger transactions cost DuckDB far less per record.
   */
  lingerMs?: number;
  /**
   * Records a transaction needs for its rows to go to the store's file whole rather than through
   * its log (DuckDB: a row group). A transaction holding a quarter of them when `lingerMs` has
   * passed lingers up to four times as long for the rest: ingest between a quarter of a group and
   * a group each `lingerMs` would otherwise write every record twice and checkpoint the log again
   * and again. A reader waiting still commits at once.
   */
  wholeRecords?: number;
  /**
   * Told after every commit: the last entry's sequence number and spool position, how many
   * records, and how long the store took to make them durable.
   */
  onCommit: (seq: number, position: SpoolPosition, records: number, commitMs: number) => void;
  /** Told when an append or commit fails; the records are re-read from the spool and tried again. */
  onError?: (error: unknown, records: number) => void;
  /**
   * Where entries go that the store refuses `maxAttempts` times while it takes other writes, or
   * that no longer decode. Without it such an entry is retried for ever.
   */
  quarantineDir?: string;
  /** Tries of one entry, alone in its transaction, before it is quarantined. Default 3. */
  maxAttempts?: number;
  /** Told after an entry was quarantined (and is on disk). */
  onQuarantine?: (id: string, reason: QuarantineReason) => void;
  /**
   * Told when replay finds a damaged stretch of the spool with entries after it: the entries
   * after it are replayed; its bytes are kept in the quarantine folder (`<segment>-<offset>.damaged`).
   */
  onDamaged?: (segment: number, offset: number, bytes: number) => void;
}
