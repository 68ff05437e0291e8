import type { DatasetChange, DatasetItemRecord, DatasetRecord, DatasetStore, DatasetSummary } from '../ports/datasets.js';
import * as sql from './datasets.js';
import type { SqlEngine } from './dialect.js';

/** The dataset port over the queries written once: an engine gives only how rows are appended. */
export abstract class SqlDatasetStore implements DatasetStore {
  constructor(protected readonly sql: SqlEngine) {}

  abstract appendRows(projectId: string, datasets: readonly DatasetRecord[], items: readonly (DatasetItemRecord & { dataset: string })[]): Promise<void>;

  latestDataset(projectId: string, name: string): Promise<DatasetRecord | null> {
    return sql.latestDataset(this.sql, projectId, name);
  }

  listDatasets(projectId: string): Promise<DatasetSummary[]> {
    return sql.listDatasets(this.sql, projectId);
  }

  getDataset(projectId: string, name: string, version: number | null): Promise<DatasetSummary | null> {
    return sql.getDataset(this.sql, projectId, name, version);
  }

  listItems(
    projectId: string,
    dataset: DatasetRecord,
    version: number,
    afterItemId: string | null,
    limit: number,
    itemIds?: readonly string[],
  ): Promise<DatasetItemRecord[]> {
    return sql.listItems(this.sql, projectId, dataset, version, afterItemId, limit, itemIds);
  }

  itemsFromTraces(projectId: string, dataset: DatasetRecord, version: number, traceIds: readonly string[]): Promise<DatasetItemRecord[]> {
    return sql.itemsFromTraces(this.sql, projectId, dataset, version, traceIds);
  }

  async writeChange(projectId: string, change: DatasetChange): Promise<number> {
    const version = await sql.nextDatasetVersion(this.sql, projectId, change.dataset.name);
    const dataset: DatasetRecord = { ...change.dataset, version, firstVersion: change.dataset.firstVersion ?? version };
    await this.appendRows(
      projectId,
      [dataset],
      change.items.map((item) => ({ ...item, dataset: dataset.name, version })),
    );
    return version;
  }

  allRows(projectId: string): Promise<{ datasets: DatasetRecord[]; items: (DatasetItemRecord & { dataset: string })[] }> {
    return sql.allRows(this.sql, projectId);
  }
}
