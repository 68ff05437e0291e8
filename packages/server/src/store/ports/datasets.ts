/**
 * A dataset's row: one per change (made, described, items changed, deleted). The row of version
 * v is what marks v as written: items' rows are written first, so a change cut short leaves rows
 * of a version no dataset row names, which no read sees.
 */
export interface DatasetRecord {
  name: string;
  description: string;
  version: number;
  /** The version the dataset was made at: a name deleted and made again starts afresh from there. */
  firstVersion: number;
  /** When the dataset was made (epoch microseconds). */
  createdUs: number;
  /** When this version was made. */
  timeUs: number;
  deleted: boolean;
}

/** A dataset at a version, with its items counted. */
export interface DatasetSummary extends DatasetRecord {
  itemCount: number;
}

/** An item's row: one per change of the item, written by the dataset version `version`. */
export interface DatasetItemRecord {
  itemId: string;
  version: number;
  /** When the item was added; an edit copies it. */
  createdUs: number;
  timeUs: number;
  /** JSON texts. */
  input: string;
  expectedOutput: string | null;
  metadata: string;
  sourceTraceId: string | null;
  sourceSpanId: string | null;
  deleted: boolean;
}

/** A change to write: the dataset's row (its version and, for a new dataset, its first version are the change's own). */
export interface DatasetChange {
  dataset: Omit<DatasetRecord, 'version' | 'firstVersion'> & { firstVersion: number | null };
  items: readonly Omit<DatasetItemRecord, 'version'>[];
}

/**
 * Datasets, versioned and append-only: version v of a dataset is, per item id, the item's newest
 * row of a version at most v (and at least the dataset's first version) that a dataset row marks
 * written, deleted items left out. Nothing is ever removed (retention leaves datasets alone).
 */
export interface DatasetStore {
  /** The dataset's newest row, a deletion included, or `null` when the name was never used. */
  latestDataset(projectId: string, name: string): Promise<DatasetRecord | null>;
  /** The project's datasets (deleted ones left out) at their newest version, by name. */
  listDatasets(projectId: string): Promise<DatasetSummary[]>;
  /** The dataset at `version` (`null`: the newest); `null` when deleted, or when `version` is not one of its versions since it was made. */
  getDataset(projectId: string, name: string, version: number | null): Promise<DatasetSummary | null>;
  /** Items of a version of a live dataset (see `getDataset`), by item id, after `afterItemId`, at most `limit`; `itemIds`: only those. */
  listItems(
    projectId: string,
    dataset: DatasetRecord,
    version: number,
    afterItemId: string | null,
    limit: number,
    itemIds?: readonly string[],
  ): Promise<DatasetItemRecord[]>;
  /** Items of a version of a live dataset taken from these traces (their `sourceTraceId` one of `traceIds`), by item id. */
  itemsFromTraces(projectId: string, dataset: DatasetRecord, version: number, traceIds: readonly string[]): Promise<DatasetItemRecord[]>;
  /** Writes a change as a new version, above every version the name has had; answers that version. */
  writeChange(projectId: string, change: DatasetChange): Promise<number>;
  /** Every row of the project's datasets, as stored (for `spoor migrate`). */
  allRows(projectId: string): Promise<{ datasets: DatasetRecord[]; items: (DatasetItemRecord & { dataset: string })[] }>;
  /** Appends rows as they are (items first): what `writeChange` and `spoor migrate` write. */
  appendRows(projectId: string, datasets: readonly DatasetRecord[], items: readonly (DatasetItemRecord & { dataset: string })[]): Promise<void>;
}
