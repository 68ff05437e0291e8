import type { ExperimentRecord, ExperimentResultRecord } from '../ports/experiments.js';
import { SqlExperimentStore } from '../sql/experiment-store.js';
import { experimentRow, resultRow } from '../sql/experiments.js';
import type { ClickHouseSql } from './dialect.js';

/** Experiments and their results in two `MergeTree` tables: rows are only appended, a read keeps the newest. */
export class ClickHouseExperimentStore extends SqlExperimentStore {
  constructor(private readonly clickhouse: ClickHouseSql) {
    super(clickhouse);
  }

  async appendRows(projectId: string, experiments: readonly ExperimentRecord[], results: readonly ExperimentResultRecord[]): Promise<void> {
    const ch = this.clickhouse.ch;
    if (results.length > 0)
      await ch.insertRows(
        'save experiment results',
        ch.tables.experiment_results,
        results.map((r) => ({ project_id: projectId, ...resultRow(r) })),
      );
    if (experiments.length > 0)
      await ch.insertRows(
        'save an experiment',
        ch.tables.experiments,
        experiments.map((e) => ({ project_id: projectId, ...experimentRow(e) })),
      );
  }
}
