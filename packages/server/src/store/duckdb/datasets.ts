import type { DatasetItemRecord, DatasetRecord } from '../ports/datasets.js';
import { SqlDatasetStore } from '../sql/dataset-store.js';
import { itemRow } from '../sql/datasets.js';
import type { DuckDbSql } from './dialect.js';

const ITEM_TYPES = `'[{"dataset":"VARCHAR","item_id":"VARCHAR","version":"BIGINT","created_us":"BIGINT","time_us":"BIGINT","input":"VARCHAR",
  "expected_output":"VARCHAR","metadata":"VARCHAR","source_trace_id":"VARCHAR","source_span_id":"VARCHAR","deleted":"BOOLEAN"}]'`;

/** Datasets in their two tables, each write one statement per table, its rows as one JSON array. */
export class DuckDbDatasetStore extends SqlDatasetStore {
  constructor(private readonly duckdb: DuckDbSql) {
    super(duckdb);
  }

  async appendRows(projectId: string, datasets: readonly DatasetRecord[], items: readonly (DatasetItemRecord & { dataset: string })[]): Promise<void> {
    await this.duckdb.on('save a dataset', async (c) => {
      // Items first: until its dataset row is written, a version's items are read as not there.
      if (items.length > 0) {
        await c.run(
          `INSERT INTO dataset_items
           SELECT $1, r.dataset, r.item_id, r.version, r.created_us, r.time_us, r.input, r.expected_output, r.metadata, r.source_trace_id, r.source_span_id, r.deleted
           FROM (SELECT unnest(from_json($2::JSON, ${ITEM_TYPES}), recursive := true)) r`,
          [projectId, JSON.stringify(items.map(itemRow))],
        );
      }
      for (const d of datasets) {
        await c.run('INSERT INTO datasets VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
          projectId,
          d.name,
          d.description,
          d.version,
          d.firstVersion,
          d.createdUs,
          d.timeUs,
          d.deleted,
        ]);
      }
    });
  }
}
