import { dirname } from 'node:path';
import type { StoreTarget } from '../config.js';
import type { RetentionConfig } from '../pipeline/retention.js';
import { defaultSegmentBytes } from '../pipeline/spool.js';
import type { RecentSpanSource, Store } from '../store/store.js';

/** A store as the server opens it, with what the start-up log says of it. */
export interface OpenedStore {
  store: Store & { readonly traces: RecentSpanSource };
  /** Where it is, without secrets: a file, or a ClickHouse URL without its password. */
  where: string;
  /** The schema version found (`null`: a new store, or an engine that does not report it), and the one it has now. */
  foundVersion: number | null;
  schemaVersion: number | null;
  /** Whether the engine answers now; `undefined` for an embedded file, which always does while open. */
  ping?: () => Promise<boolean>;
  /**
   * A DuckDB store's checkpoints as the server runs them (`undefined` on ClickHouse): the write-ahead
   * log's size past which it checkpoints, and the checkpoint; `run` is `null` when DuckDB checkpoints
   * inside the commit that passes that size, as it does on its own (`SPOOR_CHECKPOINTS=commit`).
   */
  checkpoints?: { bytes: number; run: (() => Promise<void>) | null };
  /** Records a commit takes at most, when the engine wants its own (DuckDB: its row groups' worth); else the commit loop's default. */
  recordsPerCommit?: number;
  /** Records a commit needs for its rows to go to the file whole (`CommitLoopOptions.wholeRecords`). */
  wholeRecords?: number;
}

/** How long a server waits for a ClickHouse it cannot reach at start, asking every 2 s. */
const CONNECT_WAIT_MS = 60_000;

/** Whether a failure is ClickHouse not answering (worth waiting for), not a refusal (a wrong password, a bad URL). */
function isUnreachable(error: unknown): boolean {
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|socket hang up|Timeout error/i.test(String((error as Error)?.message));
}

/**
 * The write-ahead log DuckDB lets grow before it checkpoints: its default 16 MiB, or a 32nd of a
 * smaller disk (the spool's segment size). Ingest keeps as much again free for the checkpoint
 * (`--disk-reserve`): on a 40 MiB disk a 16 MiB log held that room for good, refusing requests
 * with 12 MiB free.
 */
function checkpointThresholdOf(path: string): number {
  return Math.min(16 * 1024 ** 2, defaultSegmentBytes(dirname(path)));
}

/**
 * DuckDB settings over the server's own, as JSON in `SPOOR_DUCKDB_SETTINGS`: for benches and tests
 * (a checkpoint made slow with `debug_checkpoint_sleep_ms`), not a setting users are meant to need.
 */
function settingsOfEnv(): Record<string, string> {
  const text = process.env.SPOOR_DUCKDB_SETTINGS;
  if (text === undefined || text === '') return {};
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error('SPOOR_DUCKDB_SETTINGS must be a JSON object of strings, e.g. {"checkpoint_threshold":"64MB"}');
  }
  return parsed as Record<string, string>;
}

/** A write-ahead log DuckDB never reaches, so it never checkpoints inside a commit. */
const NEVER_ON_COMMIT = '1000000GB';

const UNITS: Record<string, number> = { b: 1, kb: 1000, kib: 1024, mb: 1000 ** 2, mib: 1024 ** 2, gb: 1000 ** 3, gib: 1024 ** 3 };

/** A DuckDB size setting (`16777216B`, `64MB`, `1.5 GiB`) in bytes. */
export function bytesOf(size: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(size);
  const unit = UNITS[(match?.[2] || 'b').toLowerCase()];
  if (match === null || unit === undefined) throw new Error(`not a DuckDB size: ${size}`);
  return Math.round(Number(match[1]) * unit);
}

/**
 * Opens the store the configuration names, creating or migrating its schema. A ClickHouse that
 * does not answer yet (it starts beside Spoor, or is restarting) is waited for up to a minute,
 * each try told to `onWait`; a refusal fails at once.
 */
export async function openStore(target: StoreTarget, retention: RetentionConfig | null, onWait: (error: Error) => void = () => {}): Promise<OpenedStore> {
  // Each engine's modules are loaded only for a store of that engine (the other's client alone
  // is some 70 ms of a database thread's start).
  if (target.kind === 'duckdb') {
    const { DuckDbStore } = await import('../store/duckdb/duckdb-store.js');
    const wanted = { checkpoint_threshold: `${checkpointThresholdOf(target.path)}B`, ...settingsOfEnv() };
    const bytes = bytesOf(wanted.checkpoint_threshold);
    // The server checkpoints on its own schedule (`checkpoints.ts`): DuckDB's own checkpoint, inside
    // whichever commit passes the threshold, is put out of reach. Its log is as durable either way.
    const scheduled = process.env.SPOOR_CHECKPOINTS !== 'commit';
    const settings = scheduled ? { ...wanted, checkpoint_threshold: NEVER_ON_COMMIT } : wanted;
    const store = await DuckDbStore.open({ path: target.path, settings });
    return {
      store,
      where: target.path,
      foundVersion: null,
      schemaVersion: null,
      checkpoints: { bytes, run: scheduled ? () => store.checkpoint() : null },
      recordsPerCommit: store.recordsPerCommit,
      wholeRecords: store.wholeRecords,
    };
  }
  const deadline = Date.now() + CONNECT_WAIT_MS;
  for (;;) {
    try {
      return await openClickHouse(target, retention);
    } catch (error) {
      if (!isUnreachable(error) || Date.now() > deadline) throw error;
      onWait(error as Error);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

async function openClickHouse(target: Extract<StoreTarget, { kind: 'clickhouse' }>, retention: RetentionConfig | null): Promise<OpenedStore> {
  const [{ ClickHouseStore }, { CLICKHOUSE_SCHEMA_VERSION }] = await Promise.all([
    import('../store/clickhouse/clickhouse-store.js'),
    import('../store/clickhouse/schema.js'),
  ]);
  const store = await ClickHouseStore.open({
    url: target.url,
    cluster: target.cluster,
    // `--retention` is the tables' TTL: ClickHouse drops expired parts as it merges.
    retention:
      retention === null
        ? null
        : { tracesSeconds: retention.tracesMs / 1000, logsSeconds: retention.logsMs / 1000, metricsSeconds: retention.metricsMs / 1000 },
  });
  return { store, where: store.where, foundVersion: store.foundVersion, schemaVersion: CLICKHOUSE_SCHEMA_VERSION, ping: () => store.ping() };
}
