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
 * Opens the store the configuration names, creating or migrating its schema. A ClickHouse that
 * does not answer yet (it starts beside Spoor, or is restarting) is waited for up to a minute,
 * each try told to `onWait`; a refusal fails at once.
 */
export async function openStore(target: StoreTarget, retention: RetentionConfig | null, onWait: (error: Error) => void = () => {}): Promise<OpenedStore> {
  // Each engine's modules are loaded only for a store of that engine (the other's client alone
  // is some 70 ms of a database thread's start).
  if (target.kind === 'duckdb') {
    const { DuckDbStore } = await import('../store/duckdb/duckdb-store.js');
    const store = await DuckDbStore.open({ path: target.path, settings: { checkpoint_threshold: `${checkpointThresholdOf(target.path)}B` } });
    return { store, where: target.path, foundVersion: null, schemaVersion: null };
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
