import type { ErrorCode } from '../errors.js';
import type { RetentionConfig, RetentionResult } from '../pipeline/retention.js';
import type { QuarantineReason } from '../pipeline/quarantine.js';
import type { SpoolEntry, SpoolPosition } from '../pipeline/spool.js';
import type { PriceTable } from '@spoor/model';
import type { DbCallName } from './calls.js';

/** Messages between the server's main thread and its database thread. */
export interface DbThreadConfig {
  dbPath: string;
  spoolDir: string;
  /** This server's id in the store: with the spool position, the key of every batch it writes. */
  serverId: string;
  /** Where the writer puts entries the store keeps refusing. */
  quarantineDir: string;
  retention: RetentionConfig;
  /** The user's price table (`--prices`), over Spoor's own; `null` for none. */
  prices: PriceTable | null;
  maxRecordsPerCommit?: number;
  lingerMs?: number;
}

export type ToDbThread =
  | { type: 'entry'; entry: SpoolEntry; position: SpoolPosition; seq: number }
  | { type: 'commitUpTo'; id: number; seq: number }
  /** A call of the registry in `calls.ts`, answered with its result as JSON text. */
  | { type: 'call'; id: number; name: DbCallName; args: unknown[] }
  /** The span-derived Prometheus text, kept in memory as records are committed. */
  | { type: 'spanMetrics'; id: number }
  | { type: 'close'; id: number };

export type FromDbThread =
  | { type: 'ready'; replayed: number; committedSegment: number; retention: RetentionResult[] }
  | { type: 'startFailed'; message: string }
  | { type: 'committed'; seq: number; position: SpoolPosition; records: number; commitMs: number }
  | { type: 'quarantined'; id: string; reason: QuarantineReason }
  | { type: 'damaged'; segment: number; offset: number; bytes: number }
  /** The store stopped taking commits (a failure), or took one again. */
  | { type: 'storeHealth'; healthy: boolean }
  | { type: 'reply'; id: number; result?: unknown; error?: { name: string; message: string; code?: ErrorCode } }
  | { type: 'log'; level: 'info' | 'error'; message: string; data: Record<string, unknown> };
