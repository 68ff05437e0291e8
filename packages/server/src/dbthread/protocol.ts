import type { ModelPrice, PriceTable } from '@spoor/model';
import type { StoreTarget } from '../config.js';
import type { MaskFile } from '../ingest/masking.js';
import type { QuarantineReason } from '../pipeline/quarantine.js';
import type { RetentionConfig, RetentionResult } from '../pipeline/retention.js';
import type { SpoolPosition } from '../pipeline/spool.js';
import { buffersOf } from '../store/columns.js';
import { StoreConflictError, StoreError } from '../store/store.js';
import type { WriteBatch } from '../store/tables.js';
import type { Transfers, WireError } from '../threads/protocol.js';
import type { DbCalls } from './calls.js';
import type { StallMarker } from './stall-watch.js';

/** The ids of spans stored last, per project. */
export type RecentSpanIds = Array<{ projectId: string; traceId: string; spanId: string }>;

/** What the database thread is started with (its `workerData`). */
export interface DbThreadConfig {
  store: StoreTarget;
  spoolDir: string;
  /** This server's id in the store: with the spool position, the key of every batch it writes. */
  serverId: string;
  /** Where the writer puts entries the store keeps refusing. */
  quarantineDir: string;
  retention: RetentionConfig;
  /** The user's price table (`--prices`), over Spoor's own; `null` for none. */
  prices: PriceTable | null;
  /** The `--mask` file's policies: spooled entries read back are masked as the decode thread masks them. */
  maskFile?: MaskFile | null;
  maxRecordsPerCommit?: number;
  lingerMs?: number;
  /** A running span whose trace heard nothing for this long is abandoned (`--stale-after`); default 10 minutes. */
  staleAfterMs?: number;
  /** How often snapshots a later one or the ended span replaced are deleted. Default 30 s. */
  sweepIntervalMs?: number;
  /** Spans a page of `/tree`'s binary stream reads (`TreeStreamOptions`). */
  treePageSpans?: number;
}

/** The database thread, started: the store opened, the spool replayed (retention runs next, beside the server). */
export interface DbThreadReady {
  replayed: number;
  committedSegment: number;
  /** The spans stored last per project, for the receiver to know a resend after this restart. */
  recentSpans: RecentSpanIds;
  /** Where the store is (no secrets) and the schema version it had (`null`: new, or not reported). */
  store: { where: string; foundVersion: number | null; schemaVersion: number | null };
}

/** The writer's calls, beside the registry's groups: the main thread's alone, never the API's. */
export type WriterCalls = {
  /** Answers once every batch up to `seq` is committed. */
  commitUpTo: (seq: number) => Promise<void>;
  /** Commits everything, closes the store, and ends the thread. */
  close: () => Promise<void>;
};

/** What the database thread sends the main thread. */
export type DbEvents = {
  ready: [ready: DbThreadReady];
  startFailed: [message: string];
  /** A project's prices set through the API, when loaded and after every change: the receiver prices with them. */
  prices: [projectId: string, models: ModelPrice[]];
  committed: [seq: number, position: SpoolPosition, records: number, commitMs: number];
  /** The writer gave up on an entry and put it in the quarantine (it is on disk there). */
  quarantined: [id: string, reason: QuarantineReason];
  /** Replay found a damaged stretch of the spool, kept in the quarantine folder, and read on past it. */
  damaged: [segment: number, offset: number, bytes: number];
  /**
   * The store stopped taking commits (a failure), or took one again; `noSpace`: the last failure
   * was for lack of space (a full disk under DuckDB, a ClickHouse server out of room).
   */
  storeHealth: [healthy: boolean, noSpace: boolean];
  log: [level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>];
  /** A second with no commit while records waited, or a commit over a second, with what held it. */
  stall: [marker: StallMarker];
  /** A checkpoint the server ran, and how long it took (whether or not it succeeded). */
  checkpointed: [ms: number];
  /** A run of retention ended: what it deleted per signal, or why it failed (it runs again at the next interval). */
  retained: [outcome: { results: RetentionResult[] } | { error: string }, ms: number];
};

/** Between the server's main thread and its database thread. */
export type DbProtocol = {
  config: DbThreadConfig;
  calls: DbCalls & WriterCalls;
  posts: {
    /** A spooled request's batch, its buffers moved; `null`: left on disk, read it from the spool. */
    batch: [batch: WriteBatch | null, position: SpoolPosition, seq: number];
  };
  events: DbEvents;
};

/** The registry alone, as it runs in process for tests. */
export type DbQueryProtocol = { config: null; calls: DbCalls; posts: Record<never, never>; events: Record<never, never> };

/** What the posts move; the calls' transfers are their groups' (`DB_TRANSFERS`, `calls.ts`). */
export const DB_POST_TRANSFERS: Transfers<DbProtocol>['posts'] = {
  // The batch's typed arrays move to the thread uncopied (only its strings are copied).
  batch: (batch) => (batch === null ? [] : buffersOf(batch.tables)),
};

/**
 * A failure in the database thread other than an `AppError` is the store's, as the API tells it
 * (500, retry later), or a write that another write of the same record beat (409, send it again).
 */
export function storeErrorOf(wire: WireError): Error {
  return wire.name === 'StoreConflictError' ? new StoreConflictError(wire.message) : new StoreError(wire.message);
}
