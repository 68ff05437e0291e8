import type { DatasetItemRecord, DatasetRecord } from '../ports/datasets.js';
import { SqlDatasetStore } from '../sql/dataset-store.js';
import { itemRow } from '../sql/datasets.js';
import type { ClickHouseSql } from './dialect.js';

/** Datasets in their two `MergeTree` tables: rows are only appended, every version stays readable. */
export class ClickHouseDatasetStore extends SqlDatasetStore {
  constructor(private readonly clickhouse: ClickHouseSql) {
    super(clickhouse);
  }

  async appendRows(projectId: string, datasets: readonly DatasetRecord[], items: readonly (DatasetItemRecord & { dataset: string })[]): Promise<void> {
    const ch = this.clickhouse.ch;
    // Items first: until its dataset row is written, a version's items are read as not there.
    await ch.insertRows(
      'save dataset items',
      ch.tables.dataset_items,
      items.map((i) => ({ project_id: projectId, ...itemRow(i) })),
    );
    await ch.insertRows(
      'save a dataset',
      ch.tables.datasets,
      datasets.map((d) => ({
        project_id: projectId,
        name: d.name,
        description: d.description,
        version: d.version,
        first_version: d.firstVersion,
        created_us: d.createdUs,
        time_us: d.timeUs,
        deleted: d.deleted,
      })),
    );
  }
}
