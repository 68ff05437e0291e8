import {
  type Dataset,
  type DatasetChangeResponse,
  type DatasetItem,
  type DatasetItemsResponse,
  type DatasetListResponse,
  type JsonValue,
  datasetNameProblem,
} from '@spoor/model';
import { AppError } from '../errors.js';
import { decodeCursor, encodeCursor } from '../query/cursor.js';
import { jsonCall as json } from '../json.js';
import type { DatasetRecord, DatasetStore, DatasetSummary, EvaluatorStore, Store } from '../store/store.js';
import { callGroup } from '../threads/groups.js';
import { spansByTrace } from './backend.js';
import { type CheckedItem, type TraceTargets, checkItems, datasetOf, itemOf, itemRows, newItemIds, targetKey } from './dataset-items.js';
import type { EvaluationTarget } from './kind.js';
import { targetsOfTrace } from './targets.js';

/** An edit of an item: the fields given replace the item's, those left out stay (`expectedOutput: null` clears it). */
export interface ItemEdit {
  input?: JsonValue;
  expectedOutput?: JsonValue | null;
  metadata?: Record<string, JsonValue>;
}

/**
 * Datasets through the API (in the database thread, beside the store): made, listed, read at a
 * version, deleted; items added (given, or taken from a trace), edited and deleted, each change
 * a new version. Knows nothing of HTTP.
 *
 * A change reads the dataset's newest version and writes the next, so the changes of one dataset
 * are made one at a time here; servers sharing a ClickHouse store that change one dataset at the
 * same moment may both write the same version number, which then holds both changes.
 */
export class DatasetService {
  /** The last change of each dataset under way, which the next waits for. */
  private readonly changing = new Map<string, Promise<unknown>>();
  private lastTimeUs = 0;

  constructor(
    private readonly store: { readonly datasets: DatasetStore; readonly evaluators: Pick<EvaluatorStore, 'evaluationSpans'> },
    /** The project's masking policy over a JSON value, as its records are masked at ingest (`ingest/masking.ts`). */
    private readonly maskerFor: (projectId: string) => (<T>(value: T) => T) | undefined = () => undefined,
  ) {}

  /** Items' JSON as the project's masking policy keeps it: an item sent through the API hides what a span would. */
  private masked<R extends { input: string; expectedOutput: string | null; metadata: string }>(projectId: string, rows: R[]): R[] {
    const mask = this.maskerFor(projectId);
    if (mask === undefined) return rows;
    const text = (json: string): string => JSON.stringify(mask(JSON.parse(json) as unknown));
    return rows.map((r) => ({
      ...r,
      input: text(r.input),
      expectedOutput: r.expectedOutput === null ? null : text(r.expectedOutput),
      metadata: text(r.metadata),
    }));
  }

  async create(projectId: string, name: string, description: string, nowUs: number): Promise<Dataset> {
    const problem = datasetNameProblem(name);
    if (problem !== null) throw new AppError('ERR_BAD_REQUEST', problem);
    return this.serially(projectId, name, async () => {
      const latest = await this.store.datasets.latestDataset(projectId, name);
      if (latest !== null && !latest.deleted) throw new AppError('ERR_CONFLICT', `dataset ${name} exists`);
      const timeUs = this.tick(nowUs);
      const version = await this.store.datasets.writeChange(projectId, {
        dataset: { name, description, createdUs: timeUs, timeUs, deleted: false, firstVersion: null },
        items: [],
      });
      return datasetOf({ name, description, version, firstVersion: version, createdUs: timeUs, timeUs, deleted: false, itemCount: 0 });
    });
  }

  async list(projectId: string): Promise<DatasetListResponse> {
    return { datasets: (await this.store.datasets.listDatasets(projectId)).map(datasetOf) };
  }

  async get(projectId: string, name: string, version: number | null): Promise<Dataset> {
    return datasetOf(await this.found(projectId, name, version));
  }

  /** Describes the dataset anew, as a new version (its items as they were). */
  async describe(projectId: string, name: string, description: string, nowUs: number): Promise<Dataset> {
    const version = await this.change(projectId, name, nowUs, async () => ({ items: [], description }));
    return this.get(projectId, name, version);
  }

  async delete(projectId: string, name: string, nowUs: number): Promise<void> {
    await this.change(projectId, name, nowUs, async () => ({ items: [], deleted: true }));
  }

  /**
   * Adds items, all or none: one refused is a 400 (or a 404 for a trace not stored) naming its index, and nothing is written.
   * An item taken from a trace (or a call) the dataset already holds an item of is a 409 naming that item, unless `allowDuplicate`.
   */
  async addItems(projectId: string, name: string, items: readonly unknown[], nowUs: number, allowDuplicate = false): Promise<DatasetChangeResponse> {
    if (items.length === 0) throw new AppError('ERR_BAD_REQUEST', 'items: give at least one item');
    const checked = checkItems(items);
    // Every trace named is read at once, before the dataset is touched.
    const traces = [...new Set(checked.flatMap((c) => (c.kind === 'trace' ? [c.traceId] : [])))];
    const { targets, stored } = await this.traceTargets(projectId, traces);
    let ids: string[] = [];
    const version = await this.change(projectId, name, nowUs, async (dataset, timeUs) => {
      // Checked inside the change, so two adds of one trace sent at once cannot both pass.
      if (!allowDuplicate) await this.refuseDuplicates(projectId, dataset, checked);
      ids = newItemIds(timeUs, checked.length);
      return { items: this.masked(projectId, itemRows(checked, ids, timeUs, targets, stored)) };
    });
    return { dataset: name, version, itemIds: ids };
  }

  async listItems(projectId: string, name: string, version: number | null, limit: number, cursor: string | null): Promise<DatasetItemsResponse> {
    const after = cursor === null ? null : decodeCursor(cursor);
    if (after !== null && version !== null && after.timeUs !== version)
      throw new AppError('ERR_INVALID_PARAMETER', `'cursor' pages version ${after.timeUs}, not ${version}`);
    const dataset = await this.found(projectId, name, version ?? after?.timeUs ?? null);
    const rows = await this.store.datasets.listItems(projectId, dataset, dataset.version, after?.id ?? null, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      dataset: name,
      version: dataset.version,
      items: page.map(itemOf),
      // The cursor holds the version, so a change made while paging does not shift the pages.
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ timeUs: dataset.version, id: last.itemId }) : null,
    };
  }

  async editItem(projectId: string, name: string, itemId: string, edit: ItemEdit, nowUs: number): Promise<DatasetChangeResponse & { item: DatasetItem }> {
    if (edit.input === null) throw new AppError('ERR_BAD_REQUEST', 'input: an item needs an input');
    let item: DatasetItem | null = null;
    const version = await this.change(projectId, name, nowUs, async (dataset, timeUs) => {
      const old = await this.item(projectId, dataset, itemId);
      const [row] = this.masked(projectId, [
        {
          ...old,
          timeUs,
          input: edit.input === undefined ? old.input : JSON.stringify(edit.input),
          expectedOutput: edit.expectedOutput === undefined ? old.expectedOutput : edit.expectedOutput === null ? null : JSON.stringify(edit.expectedOutput),
          metadata: edit.metadata === undefined ? old.metadata : JSON.stringify(edit.metadata),
        },
      ]) as [typeof old];
      item = itemOf({ ...row, version: 0 });
      return { items: [row] };
    });
    return { dataset: name, version, itemIds: [itemId], item: { ...item!, version } };
  }

  async deleteItem(projectId: string, name: string, itemId: string, nowUs: number): Promise<DatasetChangeResponse> {
    const version = await this.change(projectId, name, nowUs, async (dataset, timeUs) => ({
      items: [{ ...(await this.item(projectId, dataset, itemId)), timeUs, deleted: true }],
    }));
    return { dataset: name, version, itemIds: [itemId] };
  }

  /** A 409 naming the first item taken from a trace (or call) that an item of the dataset already came from. */
  private async refuseDuplicates(projectId: string, dataset: DatasetSummary, checked: readonly CheckedItem[]): Promise<void> {
    const traces = [...new Set(checked.flatMap((c) => (c.kind === 'trace' ? [c.traceId] : [])))];
    if (traces.length === 0) return;
    const held = new Map<string, string>();
    for (const item of await this.store.datasets.itemsFromTraces(projectId, dataset, dataset.version, traces)) {
      const key = targetKey(item.sourceTraceId!, item.sourceSpanId);
      if (!held.has(key)) held.set(key, item.itemId);
    }
    for (const [index, item] of checked.entries()) {
      if (item.kind !== 'trace') continue;
      const existing = held.get(targetKey(item.traceId, item.spanId));
      if (existing === undefined) continue;
      const what = item.spanId === null ? `trace ${item.traceId}` : `span ${item.spanId} of trace ${item.traceId}`;
      throw new AppError(
        'ERR_DATASET_DUPLICATE',
        `items[${index}].fromTrace: ${what} is already in dataset ${dataset.name} as item ${existing}: send allowDuplicate: true to add it again`,
      );
    }
  }

  /** Makes a change of a live dataset as its next version (one change of a dataset at a time); 404 for a dataset not there. */
  private change(
    projectId: string,
    name: string,
    nowUs: number,
    make: (
      dataset: DatasetSummary,
      timeUs: number,
    ) => Promise<{ items: Parameters<DatasetStore['writeChange']>[1]['items']; deleted?: boolean; description?: string }>,
  ): Promise<number> {
    return this.serially(projectId, name, async () => {
      const dataset = await this.found(projectId, name, null);
      const timeUs = this.tick(nowUs);
      const { items, deleted = false, description = dataset.description } = await make(dataset, timeUs);
      const row = { name, description, createdUs: dataset.createdUs, timeUs, deleted, firstVersion: dataset.firstVersion };
      return this.store.datasets.writeChange(projectId, { dataset: row, items });
    });
  }

  private async found(projectId: string, name: string, version: number | null): Promise<DatasetSummary> {
    const dataset = await this.store.datasets.getDataset(projectId, name, version);
    if (dataset === null) throw new AppError('ERR_NOT_FOUND', version === null ? `dataset ${name} was not found` : `dataset ${name} has no version ${version}`);
    return dataset;
  }

  private async item(projectId: string, dataset: DatasetRecord, itemId: string) {
    const [row] = await this.store.datasets.listItems(projectId, dataset, dataset.version, null, 1, [itemId]);
    if (row === undefined) throw new AppError('ERR_NOT_FOUND', `item ${itemId} of dataset ${dataset.name} was not found`);
    const { version: _, ...rest } = row;
    return rest;
  }

  /** The targets of the traces, each whole (`trace:`) and each span (`trace:span`), from one read of their spans. */
  private async traceTargets(projectId: string, traceIds: readonly string[]): Promise<{ targets: TraceTargets; stored: Set<string> }> {
    const targets = new Map<string, EvaluationTarget>();
    if (traceIds.length === 0) return { targets, stored: new Set() };
    const stored = new Set<string>();
    for (const [traceId, spans] of spansByTrace(traceIds, await this.store.evaluators.evaluationSpans(projectId, traceIds))) {
      if (spans.length === 0) continue;
      stored.add(traceId);
      for (const t of targetsOfTrace(projectId, spans, 'trace')) targets.set(targetKey(traceId, null), t);
      for (const t of targetsOfTrace(projectId, spans, 'span')) targets.set(targetKey(traceId, t.spanId), t);
    }
    return { targets, stored };
  }

  private serially<T>(projectId: string, name: string, run: () => Promise<T>): Promise<T> {
    const key = `${projectId}\0${name}`;
    const before = this.changing.get(key) ?? Promise.resolve();
    const done = before.catch(() => undefined).then(run);
    const settled = done.catch(() => undefined);
    this.changing.set(key, settled);
    void settled.then(() => {
      if (this.changing.get(key) === settled) this.changing.delete(key);
    });
    return done;
  }

  /** Date.now() ticks in milliseconds: two changes within one still order. */
  private tick(nowUs: number): number {
    return (this.lastTimeUs = Math.max(nowUs, this.lastTimeUs + 1));
  }
}

/** Datasets' calls on the database thread (`db.datasets.create(…)`): versioned items, made by hand, by import or from traces, masked by the project's policy. */
export const datasetCalls = callGroup(
  ({ store, masking }: { store: Store; masking: { valueMaskerFor(projectId: string): (<T>(value: T) => T) | undefined } | null }) => {
    const datasets = new DatasetService(store, (projectId) => masking?.valueMaskerFor(projectId));
    return {
      create: json(datasets.create.bind(datasets)),
      list: json(datasets.list.bind(datasets)),
      get: json(datasets.get.bind(datasets)),
      describe: json(datasets.describe.bind(datasets)),
      delete: datasets.delete.bind(datasets),
      addItems: json(datasets.addItems.bind(datasets)),
      items: json(datasets.listItems.bind(datasets)),
      editItem: json(datasets.editItem.bind(datasets)),
      deleteItem: json(datasets.deleteItem.bind(datasets)),
    };
  },
);
