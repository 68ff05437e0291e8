import type { ErrorCode } from '../errors.js';
import type { RetentionConfig, RetentionResult } from '../pipeline/retention.js';
import type { QuarantineReason } from '../pipeline/quarantine.js';
import type { SpoolPosition } from '../pipeline/spool.js';
import type { WriteBatch } from '../store/tables.js';
import type { ModelPrice, PriceTable } from '@spoor/model';
import type { MaskFile } from '../ingest/masking.js';
import type { DbCallName } from './calls.js';
import type { StoreTarget } from '../config.js';

/** The ids of spans stored last, per project. */
export type RecentSpanIds = Array<{ projectId: string; traceId: string; spanId: string }>;

/** Messages between the server's main thread and its database thread. */
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
}

export type ToDbThread =
  /** A spooled request's batch, its buffers transferred; `null`: left on disk, read it from the spool. */
  | { type: 'batch'; batch: WriteBatch | null; position: SpoolPosition; seq: number }
  | { type: 'commitUpTo'; id: number; seq: number }
  /** A call of the registry in `calls.ts`, answered with its result as JSON text. */
  | { type: 'call'; id: number; name: DbCallName; args: unknown[] }
  | { type: 'close'; id: number };

export type FromDbThread =
  /** `recentSpans`: the spans stored last per project, for the receiver to know a resend after this restart. */
  | {
      type: 'ready';
      replayed: number;
      committedSegment: number;
      retention: RetentionResult[];
      recentSpans: RecentSpanIds;
      /** Where the store is (no secrets) and the schema version it had (`null`: new, or not reported). */
      store: { where: string; foundVersion: number | null; schemaVersion: number | null };
    }
  /** A project's prices set through the API, when loaded and after every change: the receiver prices with them. */
  | { type: 'prices'; projectId: string; models: ModelPrice[] }
  | { type: 'startFailed'; message: string }
  | { type: 'committed'; seq: number; position: SpoolPosition; records: number; commitMs: number }
  | { type: 'quarantined'; id: string; reason: QuarantineReason }
  | { type: 'damaged'; segment: number; offset: number; bytes: number }
  /** The store stopped taking commits (a failure), or took one again. */
  | { type: 'storeHealth'; healthy: boolean }
  | { type: 'reply'; id: number; result?: unknown; error?: { name: string; message: string; code?: ErrorCode } }
  | { type: 'log'; level: 'info' | 'error'; message: string; data: Record<string, unknown> };
