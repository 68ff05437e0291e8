import type { SamplingDecision } from '../ports/sampling.js';
import { SqlSamplingStore, decisionRow, notSlim, slimAssignments } from '../sql/sampling.js';
import type { TimeBounds } from '../sql/trace-bounds.js';
import { ClickHouseProjectPolicies } from './access.js';
import { ChParams } from './client.js';
import type { ClickHouseSql } from './dialect.js';
import { clickHouseLiveCommits } from './live.js';
import { type SchemaLayout, localName, onCluster } from './schema.js';

/** A slim span's attributes: `{}`, or only its `cache.hit` when it has one (the `cache_hit` column is made from it again). */
const SLIM_ATTRIBUTES = `if(position(attributes, '"cache.hit"') = 0 OR NOT JSONHas(attributes, 'cache.hit'), '{}',
  concat('{"cache.hit":', JSONExtractRaw(attributes, 'cache.hit'), '}'))`;

/**
 * Tail sampling in ClickHouse: policies in a `ReplacingMergeTree`, decisions appended, and a
 * sampled-out trace slimmed by mutations, as re-pricing sets costs (`reprice-parts.ts`): an
 * `ALTER TABLE spans UPDATE` of the heavy columns, whose rows keep their `batch_id` (so the
 * writer's repair of a commit cut short and the live cursor see them as the commit that wrote
 * them), and a lightweight delete of the trace's logs. A mutation rewrites
 * the changed columns of the parts holding the trace's rows and nothing else; the replaced texts
 * leave the disk when the rewritten part replaces the old one.
 */
export class ClickHouseSamplingStore extends SqlSamplingStore {
  constructor(
    private readonly clickhouse: ClickHouseSql,
    private readonly layout: SchemaLayout,
  ) {
    super(clickhouse, clickHouseLiveCommits(clickhouse.ch), new ClickHouseProjectPolicies(clickhouse.ch, 'sampling_policies', 'sampling'));
  }

  async record(projectId: string, decisions: readonly SamplingDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    // A trace decided before keeps its first decision: those are left out (one server decides a
    // project's traces at a time, under its lease, so two decisions of one trace are rare).
    const decided = await this.decisionsOf(projectId, decisions.map((d) => d.traceId));
    const rows = decisions.filter((d) => !decided.has(d.traceId)).map((d) => ({ project_id: projectId, ...decisionRow(d) }));
    await this.clickhouse.ch.insertRows('record sampling decisions', this.clickhouse.ch.tables.sampling_decisions, rows);
  }

  protected async slimWhere(projectId: string, ids: (p: ChParams) => string, bounds: TimeBounds | null): Promise<void> {
    const ch = this.clickhouse.ch;
    if (bounds !== null) {
      const p = new ChParams();
      const set = slimAssignments(SLIM_ATTRIBUTES).map(([column, value]) => `${column} = ${value}`).join(', ');
      await ch.command(
        'slim sampled-out spans',
        `ALTER TABLE ${localName(this.layout, 'spans')}${onCluster(this.layout)} UPDATE ${set}
         WHERE project_id = ${p.add(projectId)} AND trace_id IN ${ids(p)}
           AND start_us BETWEEN ${p.int(bounds.fromUs)} AND ${p.int(bounds.toUs)} AND ${notSlim(SLIM_ATTRIBUTES)}`,
        p,
      );
    }
    await this.deleteLogsWhere(projectId, ids);
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
