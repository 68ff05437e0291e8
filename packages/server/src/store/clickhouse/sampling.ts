import type { SamplingDecision } from '../ports/sampling.js';
import { SqlSamplingStore, decisionRow } from '../sql/sampling.js';
import type { MoveStatement, SpanStatsLayout } from '../sql/span-stats.js';
import { boundsOf } from '../sql/trace-bounds.js';
import { ClickHouseProjectPolicies } from './access.js';
import { ChParams } from './client.js';
import type { ClickHouseSql } from './dialect.js';
import { clickHouseLiveCommits } from './live.js';
import { type SchemaLayout, localName, onCluster } from './schema.js';
import { SPAN_STATS } from '../tables.js';

/** A slim span's attributes: `{}`, or only its `cache.hit` when it has one (the `cache_hit` column is made from it again). */
const SLIM_ATTRIBUTES = `if(position(attributes, '"cache.hit"') = 0 OR NOT JSONHas(attributes, 'cache.hit'), '{}',
  concat('{"cache.hit":', JSONExtractRaw(attributes, 'cache.hit'), '}'))`;

/**
 * Tail sampling in ClickHouse: policies in a `ReplacingMergeTree`, decisions appended, and a
 * sampled-out trace's spans moved to `span_stats` (`sql/span-stats.ts`): an `INSERT ... SELECT`
 * that keeps each row's `batch_id` (so the writer's repair of a commit cut short and the live
 * cursor see it as the commit that wrote it), then lightweight deletes of the rows copied, of the
 * trace's running snapshots and of its logs. The deleted rows leave the disk when their parts merge.
 */
export class ClickHouseSamplingStore extends SqlSamplingStore {
  constructor(
    private readonly clickhouse: ClickHouseSql,
    private readonly layout: SchemaLayout,
  ) {
    super(clickhouse, clickHouseLiveCommits(clickhouse.ch), new ClickHouseProjectPolicies(clickhouse.ch, 'sampling_policies', 'sampling'));
  }

  /** Parts merge in the background, the deleted rows leaving then: nothing to put off. */
  async deferVacuum(): Promise<void> {}

  async reclaim(): Promise<void> {}

  async record(projectId: string, decisions: readonly SamplingDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    // A trace decided before keeps its first decision: those are left out (one server decides a
    // project's traces at a time, under its lease, so two decisions of one trace are rare).
    const decided = await this.decisionsOf(
      projectId,
      decisions.map((d) => d.traceId),
      boundsOf(decisions)!,
    );
    const rows = decisions.filter((d) => !decided.has(d.traceId)).map((d) => ({ project_id: projectId, ...decisionRow(d) }));
    await this.clickhouse.ch.insertRows('record sampling decisions', this.clickhouse.ch.tables.sampling_decisions, rows);
  }

  protected readonly spanStats: SpanStatsLayout = {
    // `cache_hit` is made from the attributes again.
    columns: [...SPAN_STATS.map((c) => c.name), 'batch_id'],
    commitColumn: 'batch_id',
    slimAttributes: SLIM_ATTRIBUTES,
    deleteTarget: (table) => `${localName(this.layout, table)}${onCluster(this.layout)}`,
    insertSettings: 'SETTINGS insert_distributed_sync = 1',
  };

  protected async runMove(statements: readonly MoveStatement[]): Promise<void> {
    for (const s of statements) await this.clickhouse.ch.command(s.what, s.sql, s.params as ChParams);
  }

  protected async deleteLogsWhere(projectId: string, ids: (p: ChParams) => string): Promise<void> {
    const p = new ChParams();
    await this.clickhouse.ch.command(
      'delete the logs of sampled-out traces',
      `DELETE FROM ${localName(this.layout, 'logs')}${onCluster(this.layout)} WHERE project_id = ${p.add(projectId)} AND trace_id IN ${ids(p)}`,
      p,
    );
  }
}
