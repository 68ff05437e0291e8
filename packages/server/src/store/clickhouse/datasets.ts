import type { DatasetItemRecord, DatasetRecord } from '../ports/datasets.js';
import { SqlDatasetStore } from '../sql/dataset-store.js';
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
      items.map((i) => ({
        project_id: projectId, dataset: i.dataset, item_id: i.itemId, version: i.version, created_us: i.createdUs, time_us: i.timeUs, input: i.input,
        expected_output: i.expectedOutput, metadata: i.metadata, source_trace_id: i.sourceTraceId, source_span_id: i.sourceSpanId, deleted: i.deleted,
      })),
    );
    await ch.insertRows(
      'save a dataset',
      ch.tables.datasets,
      datasets.map((d) => ({
        project_id: projectId, name: d.name, description: d.description, version: d.version, first_version: d.firstVersion, created_us: d.createdUs, time_us: d.timeUs, deleted: d.deleted,
      })),
    );
  }
}
