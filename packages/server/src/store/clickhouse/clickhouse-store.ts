import { type FlowReader, type Store, StoreError } from '../store.js';
import { selectFlowSpans } from './flows.js';
import type { CopiedTableName } from '../tables.js';
import { ClickHouseAccessStore, ClickHouseProjectPolicies } from './access.js';
import { ClickHouseRunningSpanStore } from './running-spans.js';
import { ClickHouseScoreStore } from './scores.js';
import { ClickHouseDatasetStore } from './datasets.js';
import { ClickHouseQueueStore } from './queues.js';
import { ClickHousePromptStore } from './prompts.js';
import { ClickHouseDashboardStore } from './dashboards.js';
import { ClickHouseExperimentStore } from './experiments.js';
import { ClickHouseEvaluatorStore } from './evaluators.js';
import { ClickHouseAlertStore } from './alerts.js';
import { ChClient, type ClickHouseTarget } from './client.js';
import { type RetentionTtl, type SchemaLayout, CLICKHOUSE_MIGRATIONS, CLICKHOUSE_SCHEMA_VERSION, schemaStatements, ttlStatements } from './schema.js';
import { ClickHouseWriter } from './writer.js';
import { ClickHouseSql } from './dialect.js';
import { SqlAlertSeriesReader, SqlScoreStatsReader } from '../sql/sql-reads.js';
import { SqlLiveStore } from '../sql/live.js';
import { clickHouseHead, clickHouseLiveCommits } from './live.js';
import { ClickHouseSamplingStore } from './sampling.js';
import { ClickHouseRecordExport } from './record-export.js';
import {
  ClickHouseAnalyticsReader,
  ClickHouseErrorStore,
  ClickHouseLogReader,
  ClickHouseMetricReader,
  ClickHousePriceStore,
  ClickHouseRetention,
  ClickHouseStoreWriter,
  ClickHouseTraceReader,
} from './store-ports.js';

export interface ClickHouseStoreOptions extends ClickHouseTarget {
  /** `ON CLUSTER` name: replicated tables behind `Distributed` ones. Default: one server, plain MergeTree. */
  cluster?: string | null;
  /** Record tables' TTLs (`--retention`); `null` or unset: no TTL, records stay until deleted. */
  retention?: RetentionTtl | null;
}

/**
 * The store for a team past one machine: ClickHouse, over HTTP or embedded (`chdb`). Every port
 * behaves as the DuckDB store's does (the same contract suites run against both); several Spoor
 * servers may share one database, each writing under its own server id.
 */
export class ClickHouseStore implements Store {
  private readonly sql: ClickHouseSql;
  /** The writer behind the write port: it has no transactions, and drains at close. */
  private readonly batches: ClickHouseWriter;
  readonly traces: ClickHouseTraceReader;
  readonly logs: ClickHouseLogReader;
  readonly metrics: ClickHouseMetricReader;
  readonly analytics: ClickHouseAnalyticsReader;
  readonly errors: ClickHouseErrorStore;
  /** Read whole each round: several servers may write this database, so none knows what changed. */
  readonly alertSeries: SqlAlertSeriesReader;
  readonly scoreStats: SqlScoreStatsReader;
  readonly prices: ClickHousePriceStore;
  readonly retention: ClickHouseRetention;
  readonly writer: ClickHouseStoreWriter;
  readonly alerts: ClickHouseAlertStore;
  readonly access: ClickHouseAccessStore;
  readonly scores: ClickHouseScoreStore;
  readonly evaluators: ClickHouseEvaluatorStore;
  readonly datasets: ClickHouseDatasetStore;
  readonly queues: ClickHouseQueueStore;
  readonly prompts: ClickHousePromptStore;
  readonly dashboards: ClickHouseDashboardStore;
  readonly experiments: ClickHouseExperimentStore;
  readonly masking: ClickHouseProjectPolicies;
  readonly runningSpans: ClickHouseRunningSpanStore;
  /** What changed after a cursor, whichever server sharing this ClickHouse committed it. */
  readonly live: SqlLiveStore;
  /** Tail sampling: policies, decisions, and slimming by mutations. */
  readonly sampling: ClickHouseSamplingStore;
  /** Export: a signal's records as Parquet or JSON Lines, by ClickHouse's own output formats. */
  readonly exports: ClickHouseRecordExport;
  readonly flows: FlowReader = { flowSpans: (query) => selectFlowSpans(this.sql, query) };

  private constructor(
    private readonly ch: ChClient,
    layout: SchemaLayout,
    /** The schema version the database had when opened; `null` for a new database. */
    readonly foundVersion: number | null,
  ) {
    this.sql = new ClickHouseSql(ch);
    this.batches = new ClickHouseWriter(ch, layout);
    this.traces = new ClickHouseTraceReader(this.sql, ch);
    this.logs = new ClickHouseLogReader(this.sql);
    this.metrics = new ClickHouseMetricReader(this.sql, ch);
    this.analytics = new ClickHouseAnalyticsReader(this.sql);
    this.errors = new ClickHouseErrorStore(this.sql, ch);
    this.alertSeries = new SqlAlertSeriesReader(this.sql, new ClickHouseSql(ch.background()));
    this.scoreStats = new SqlScoreStatsReader(this.sql);
    this.prices = new ClickHousePriceStore(this.sql, ch, layout);
    this.retention = new ClickHouseRetention(ch, layout);
    this.writer = new ClickHouseStoreWriter(this.batches);
    this.alerts = new ClickHouseAlertStore(ch);
    this.access = new ClickHouseAccessStore(this.sql);
    this.scores = new ClickHouseScoreStore(this.sql);
    this.evaluators = new ClickHouseEvaluatorStore(this.sql);
    this.datasets = new ClickHouseDatasetStore(this.sql);
    this.queues = new ClickHouseQueueStore(this.sql);
    this.prompts = new ClickHousePromptStore(this.sql);
    this.dashboards = new ClickHouseDashboardStore(this.sql);
    this.experiments = new ClickHouseExperimentStore(this.sql);
    this.masking = new ClickHouseProjectPolicies(ch, 'masking_policies', 'masking');
    this.live = new SqlLiveStore(this.sql, clickHouseLiveCommits(ch), () => clickHouseHead(ch));
    this.runningSpans = new ClickHouseRunningSpanStore(this.sql, layout);
    this.sampling = new ClickHouseSamplingStore(this.sql, layout);
    this.exports = new ClickHouseRecordExport(this.sql);
  }

  /** Connects, then creates the schema or migrates it to this version. */
  static async open(options: ClickHouseStoreOptions): Promise<ClickHouseStore> {
    const ch = await ChClient.open(options);
    try {
      const layout: SchemaLayout = { database: ch.database, cluster: options.cluster ?? null };
      const found = await migrate(ch, layout);
      if (options.retention !== undefined) {
        for (const sql of ttlStatements(layout, options.retention)) await ch.command('set the retention TTL', sql);
      }
      return new ClickHouseStore(ch, layout, found);
    } catch (error) {
      await ch.close().catch(() => {
        // The connection failed already; the error that matters is the one thrown.
      });
      throw error;
    }
  }

  /** Where the store is, for logs: the URL without its password, or the embedded engine's folder. */
  get where(): string {
    return this.ch.where;
  }

  /** Whether ClickHouse answers now (`/ready`). */
  ping(): Promise<boolean> {
    return this.ch.ping();
  }

  /** Rows of a record table (keyed tables counted once per key), or of tail sampling's decisions, for `spoor migrate`'s check. */
  async countRows(table: CopiedTableName | 'sampling_decisions'): Promise<number> {
    const row = await this.ch.row<{ n: number }>(`count ${table}`, `SELECT count() AS n FROM ${this.ch.tables[table]}${table === 'sources' ? ' FINAL' : ''}`);
    return row?.n ?? 0;
  }

  async close(): Promise<void> {
    await this.batches.drain();
    await this.ch.close();
  }
}

/**
 * Creates what is missing and runs the migrations the database needs; returns the version it
 * found (`null`: a new database). A database written by a newer Spoor is refused, not downgraded.
 */
async function migrate(ch: ChClient, layout: SchemaLayout): Promise<number | null> {
  const found = await readSchemaVersion(ch);
  if (found !== null && found > CLICKHOUSE_SCHEMA_VERSION) {
    throw new StoreError(
      `the ClickHouse database ${layout.database} has schema version ${found}, newer than this Spoor's (${CLICKHOUSE_SCHEMA_VERSION}): upgrade Spoor`,
    );
  }
  for (const sql of schemaStatements(layout)) await ch.command('create the schema', sql);
  for (const step of CLICKHOUSE_MIGRATIONS) {
    if (found !== null && step.from >= found) for (const sql of step.statements(layout)) await ch.command(`migrate the schema from version ${step.from}`, sql);
  }
  if (found !== CLICKHOUSE_SCHEMA_VERSION) {
    await ch.insertRows('record the schema version', ch.tables.spoor_meta, [
      { key: 'schema_version', value: String(CLICKHOUSE_SCHEMA_VERSION), version: Date.now() },
    ]);
  }
  return found;
}

/** The schema version of the database, `null` when it holds no Spoor store. */
export async function readSchemaVersion(ch: ChClient): Promise<number | null> {
  const exists = await ch.row<{ n: number }>(
    'look for the schema',
    'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {name:String}',
    {
      db: ch.database,
      name: 'spoor_meta',
    },
  );
  if (exists === null || exists.n === 0) return null;
  const row = await ch.row<{ value: string }>(
    'read the schema version',
    `SELECT argMax(value, version) AS value FROM ${ch.tables.spoor_meta} WHERE key = 'schema_version'`,
  );
  return row === null || row.value === '' ? null : Number(row.value);
}
