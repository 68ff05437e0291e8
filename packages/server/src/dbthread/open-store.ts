import type { StoreTarget } from '../config.js';
import type { RetentionConfig } from '../pipeline/retention.js';
import { ClickHouseStore } from '../store/clickhouse/clickhouse-store.js';
import { CLICKHOUSE_SCHEMA_VERSION } from '../store/clickhouse/schema.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { RecentSpanSource, Store } from '../store/store.js';

/** A store as the server opens it, with what the start-up log says of it. */
export interface OpenedStore {
  store: Store & RecentSpanSource;
  /** Where it is, without secrets: a file, or a ClickHouse URL without its password. */
  where: string;
  /** The schema version found (`null`: a new store, or an engine that does not report it), and the one it has now. */
  foundVersion: number | null;
  schemaVersion: number | null;
  /** Whether the engine answers now; `undefined` for an embedded file, which always does while open. */
  ping?: () => Promise<boolean>;
}

/** Opens the store the configuration names, creating or migrating its schema. */
export async function openStore(target: StoreTarget, retention: RetentionConfig | null): Promise<OpenedStore> {
  if (target.kind === 'duckdb') {
    const store = await DuckDbStore.open({ path: target.path });
    return { store, where: target.path, foundVersion: null, schemaVersion: null };
  }
  const store = await ClickHouseStore.open({
    url: target.url,
    cluster: target.cluster,
    // `--retention` is the tables' TTL: ClickHouse drops expired parts as it merges.
    retention: retention === null ? null : { tracesSeconds: retention.tracesMs / 1000, logsSeconds: retention.logsMs / 1000, metricsSeconds: retention.metricsMs / 1000 },
  });
  return { store, where: store.where, foundVersion: store.foundVersion, schemaVersion: CLICKHOUSE_SCHEMA_VERSION, ping: () => store.ping() };
}
