import type { DatasetChange, DatasetItemRecord, DatasetRecord, DatasetStore, DatasetSummary } from '../../src/store/ports/datasets.js';
import { byText } from './fake-reads.js';

type DatasetRow = DatasetRecord & { projectId: string };
type ItemRow = DatasetItemRecord & { projectId: string; dataset: string };

/** Datasets in memory, read as the engines read them (`store/sql/datasets.ts`). */
export class FakeDatasetStore implements DatasetStore {
  readonly datasets: DatasetRow[] = [];
  readonly items: ItemRow[] = [];

  latestDataset(projectId: string, name: string): Promise<DatasetRecord | null> {
    return Promise.resolve(this.newest(this.datasets.filter((d) => d.projectId === projectId && d.name === name)));
  }

  listDatasets(projectId: string): Promise<DatasetSummary[]> {
    const names = [...new Set(this.datasets.filter((d) => d.projectId === projectId).map((d) => d.name))].sort();
    const live = names.map((name) => this.newest(this.datasets.filter((d) => d.projectId === projectId && d.name === name))!).filter((d) => !d.deleted);
    return Promise.resolve(live.map((d) => ({ ...d, itemCount: this.itemsAt(projectId, d, d.version).length })));
  }

  getDataset(projectId: string, name: string, version: number | null): Promise<DatasetSummary | null> {
    const rows = this.datasets.filter((d) => d.projectId === projectId && d.name === name);
    const latest = this.newest(rows);
    if (latest === null || latest.deleted) return Promise.resolve(null);
    const at = version === null ? latest : this.newest(rows.filter((d) => d.version === version && version >= latest.firstVersion));
    if (at === null) return Promise.resolve(null);
    return Promise.resolve({ ...at, firstVersion: latest.firstVersion, itemCount: this.itemsAt(projectId, latest, at.version).length });
  }

  listItems(
    projectId: string,
    dataset: DatasetRecord,
    version: number,
    afterItemId: string | null,
    limit: number,
    itemIds?: readonly string[],
  ): Promise<DatasetItemRecord[]> {
    const wanted = itemIds === undefined ? null : new Set(itemIds);
    return Promise.resolve(
      this.itemsAt(projectId, dataset, version)
        .filter((i) => (afterItemId === null || i.itemId > afterItemId) && (wanted === null || wanted.has(i.itemId)))
        .slice(0, limit),
    );
  }

  itemsFromTraces(projectId: string, dataset: DatasetRecord, version: number, traceIds: readonly string[]): Promise<DatasetItemRecord[]> {
    const wanted = new Set(traceIds);
    return Promise.resolve(this.itemsAt(projectId, dataset, version).filter((i) => i.sourceTraceId !== null && wanted.has(i.sourceTraceId)));
  }

  async writeChange(projectId: string, change: DatasetChange): Promise<number> {
    const name = change.dataset.name;
    const versions = [
      ...this.datasets.filter((d) => d.projectId === projectId && d.name === name).map((d) => d.version),
      ...this.items.filter((i) => i.projectId === projectId && i.dataset === name).map((i) => i.version),
    ];
    const version = Math.max(0, ...versions) + 1;
    const dataset = { ...change.dataset, version, firstVersion: change.dataset.firstVersion ?? version };
    await this.appendRows(
      projectId,
      [dataset],
      change.items.map((i) => ({ ...i, version, dataset: name })),
    );
    return version;
  }

  allRows(projectId: string): Promise<{ datasets: DatasetRecord[]; items: (DatasetItemRecord & { dataset: string })[] }> {
    const datasets = this.datasets.filter((d) => d.projectId === projectId).map(({ projectId: _, ...d }) => d);
    const items = this.items.filter((i) => i.projectId === projectId).map(({ projectId: _, ...i }) => i);
    return Promise.resolve({ datasets, items });
  }

  appendRows(projectId: string, datasets: readonly DatasetRecord[], items: readonly (DatasetItemRecord & { dataset: string })[]): Promise<void> {
    this.items.push(...items.map((i) => ({ ...i, projectId })));
    this.datasets.push(...datasets.map((d) => ({ ...d, projectId })));
    return Promise.resolve();
  }

  private newest(rows: readonly DatasetRow[]): DatasetRecord | null {
    let found: DatasetRow | null = null;
    for (const row of rows) if (found === null || row.version > found.version || (row.version === found.version && row.timeUs > found.timeUs)) found = row;
    if (found === null) return null;
    const { projectId: _, ...record } = found;
    return record;
  }

  /** The items of version `version`, by item id: per id the newest written row since the first version, unless deleted. */
  private itemsAt(projectId: string, dataset: DatasetRecord, version: number): DatasetItemRecord[] {
    const written = new Set(this.datasets.filter((d) => d.projectId === projectId && d.name === dataset.name).map((d) => d.version));
    const latest = new Map<string, ItemRow>();
    for (const i of this.items) {
      if (i.projectId !== projectId || i.dataset !== dataset.name || i.version < dataset.firstVersion || i.version > version || !written.has(i.version))
        continue;
      const had = latest.get(i.itemId);
      if (had === undefined || i.version > had.version || (i.version === had.version && i.timeUs > had.timeUs)) latest.set(i.itemId, i);
    }
    return [...latest.values()]
      .filter((i) => !i.deleted)
      .sort((a, b) => byText(a.itemId, b.itemId))
      .map(({ projectId: _, dataset: __, ...i }) => i);
  }
}
