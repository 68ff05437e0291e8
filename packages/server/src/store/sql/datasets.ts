import { type Row, isTrue, num } from '../record-rows.js';
import type { DatasetItemRecord, DatasetRecord, DatasetSummary } from '../ports/datasets.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';

/**
 * Datasets' reads, and the row an item is written as, for every engine. Both tables are appended:
 * a dataset's row per version, an item's row per change. Version v of a dataset is, per item id,
 * the newest row of a version between the dataset's first version and v that a dataset row marks
 * written, unless deleted.
 */

const DATASET_COLUMNS = 'name, description, version, first_version, created_us, time_us, deleted';
const ITEM_COLUMNS = 'dataset, item_id, version, created_us, time_us, input, expected_output, metadata, source_trace_id, source_span_id, deleted';

/** An item as a row of `dataset_items` (without its project), as both engines write it. */
export function itemRow(i: DatasetItemRecord & { dataset: string }): Record<string, unknown> {
  return {
    dataset: i.dataset,
    item_id: i.itemId,
    version: i.version,
    created_us: i.createdUs,
    time_us: i.timeUs,
    input: i.input,
    expected_output: i.expectedOutput,
    metadata: i.metadata,
    source_trace_id: i.sourceTraceId,
    source_span_id: i.sourceSpanId,
    deleted: i.deleted,
  };
}

function datasetOf(row: Row): DatasetRecord {
  return {
    name: row.get('name') as string,
    description: row.get('description') as string,
    version: num(row.get('version')),
    firstVersion: num(row.get('first_version')),
    createdUs: num(row.get('created_us')),
    timeUs: num(row.get('time_us')),
    deleted: isTrue(row.get('deleted')),
  };
}

function itemOf(row: Row): DatasetItemRecord & { dataset: string } {
  return {
    dataset: row.get('dataset') as string,
    itemId: row.get('item_id') as string,
    version: num(row.get('version')),
    createdUs: num(row.get('created_us')),
    timeUs: num(row.get('time_us')),
    input: row.get('input') as string,
    expectedOutput: (row.get('expected_output') as string | null) ?? null,
    metadata: row.get('metadata') as string,
    sourceTraceId: (row.get('source_trace_id') as string | null) ?? null,
    sourceSpanId: (row.get('source_span_id') as string | null) ?? null,
    deleted: isTrue(row.get('deleted')),
  };
}

/** A stretch of a dataset's versions: from its first version (as of `version`) to `version`. */
interface VersionSpan {
  name: string;
  firstVersion: number;
  version: number;
}

/**
 * The items of each dataset at its version, deletions included (the caller leaves them out),
 * meeting `conditions` (on the item's id only, so every row of an item meets them alike).
 */
function itemsAt(d: Dialect, p: Params, project: string, spans: readonly VersionSpan[], conditions: readonly string[]): string {
  const within = spans.map((s) => `(dataset = ${p.add(s.name)} AND version >= ${p.int(s.firstVersion)} AND version <= ${p.int(s.version)})`).join(' OR ');
  // A version no dataset row names is a change cut short before its dataset row: not written.
  const written = `(dataset, version) IN (SELECT name, version FROM ${d.tables.datasets} WHERE project_id = ${project})`;
  const where = [`project_id = ${project}`, `(${within})`, written, ...conditions].join(' AND ');
  return d.firstPer(`SELECT ${ITEM_COLUMNS} FROM ${d.tables.dataset_items} WHERE ${where}`, 'dataset, item_id', 'version DESC, time_us DESC');
}

/** Per dataset, its items at its version. */
async function countItems(db: SqlEngine, projectId: string, spans: readonly VersionSpan[]): Promise<Map<string, number>> {
  if (spans.length === 0) return new Map();
  const d = db.dialect;
  const p = d.params();
  const rows = await db.rows(
    'count dataset items',
    `SELECT dataset, count(*) AS n FROM (${itemsAt(d, p, p.add(projectId), spans, [])}) AS latest WHERE NOT deleted GROUP BY dataset`,
    p,
    (row) => [row.get('dataset') as string, num(row.get('n'))] as const,
  );
  return new Map(rows);
}

export async function latestDataset(db: SqlEngine, projectId: string, name: string): Promise<DatasetRecord | null> {
  const d = db.dialect;
  const p = d.params();
  const rows = await db.rows(
    'read a dataset',
    `SELECT ${DATASET_COLUMNS} FROM ${d.tables.datasets} WHERE project_id = ${p.add(projectId)} AND name = ${p.add(name)} ORDER BY version DESC, time_us DESC LIMIT 1`,
    p,
    datasetOf,
  );
  return rows[0] ?? null;
}

export async function listDatasets(db: SqlEngine, projectId: string): Promise<DatasetSummary[]> {
  const d = db.dialect;
  const p = d.params();
  const latest = d.firstPer(`SELECT ${DATASET_COLUMNS} FROM ${d.tables.datasets} WHERE project_id = ${p.add(projectId)}`, 'name', 'version DESC, time_us DESC');
  const live = await db.rows('list datasets', `SELECT * FROM (${latest}) AS latest WHERE NOT deleted ORDER BY name`, p, datasetOf);
  const counts = await countItems(db, projectId, live);
  return live.map((dataset) => ({ ...dataset, itemCount: counts.get(dataset.name) ?? 0 }));
}

export async function getDataset(db: SqlEngine, projectId: string, name: string, version: number | null): Promise<DatasetSummary | null> {
  const latest = await latestDataset(db, projectId, name);
  if (latest === null || latest.deleted) return null;
  let row = latest;
  if (version !== null && version !== latest.version) {
    if (version < latest.firstVersion || version > latest.version) return null;
    const d = db.dialect;
    const p = d.params();
    const [found] = await db.rows(
      'read a dataset version',
      `SELECT ${DATASET_COLUMNS} FROM ${d.tables.datasets} WHERE project_id = ${p.add(projectId)} AND name = ${p.add(name)} AND version = ${p.int(version)} ORDER BY time_us DESC LIMIT 1`,
      p,
      datasetOf,
    );
    // Versions taken by a change cut short have no row: there is no such version to read.
    if (found === undefined) return null;
    row = found;
  }
  const counts = await countItems(db, projectId, [{ name, firstVersion: latest.firstVersion, version: row.version }]);
  return { ...row, firstVersion: latest.firstVersion, itemCount: counts.get(name) ?? 0 };
}

export async function listItems(
  db: SqlEngine,
  projectId: string,
  dataset: DatasetRecord,
  version: number,
  afterItemId: string | null,
  limit: number,
  itemIds?: readonly string[],
): Promise<DatasetItemRecord[]> {
  if (itemIds !== undefined && itemIds.length === 0) return [];
  const d = db.dialect;
  const p = d.params();
  const conditions: string[] = [];
  if (afterItemId !== null) conditions.push(`item_id > ${p.add(afterItemId)}`);
  if (itemIds !== undefined) conditions.push(`item_id IN ${p.texts(itemIds)}`);
  const items = itemsAt(d, p, p.add(projectId), [{ name: dataset.name, firstVersion: dataset.firstVersion, version }], conditions);
  const rows = await db.rows('read dataset items', `SELECT * FROM (${items}) AS latest WHERE NOT deleted ORDER BY item_id LIMIT ${p.count(limit)}`, p, itemOf);
  return rows.map(({ dataset: _, ...item }) => item);
}

/** A version's items whose source is one of the traces. An item's source never changes, so every row of an item meets the condition alike. */
export async function itemsFromTraces(
  db: SqlEngine,
  projectId: string,
  dataset: DatasetRecord,
  version: number,
  traceIds: readonly string[],
): Promise<DatasetItemRecord[]> {
  if (traceIds.length === 0) return [];
  const d = db.dialect;
  const p = d.params();
  const span = { name: dataset.name, firstVersion: dataset.firstVersion, version };
  const items = itemsAt(d, p, p.add(projectId), [span], [`source_trace_id IN ${p.texts(traceIds)}`]);
  const rows = await db.rows('read dataset items of traces', `SELECT * FROM (${items}) AS latest WHERE NOT deleted ORDER BY item_id`, p, itemOf);
  return rows.map(({ dataset: _, ...item }) => item);
}

/** The next version of a name: above every version either table holds for it, a change cut short's included. */
export async function nextDatasetVersion(db: SqlEngine, projectId: string, name: string): Promise<number> {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const named = p.add(name);
  const [top] = await db.rows(
    'number a dataset version',
    `SELECT max(top_version) AS top FROM (
       SELECT max(version) AS top_version FROM ${d.tables.datasets} WHERE project_id = ${project} AND name = ${named}
       UNION ALL SELECT max(version) AS top_version FROM ${d.tables.dataset_items} WHERE project_id = ${project} AND dataset = ${named}) AS tops`,
    p,
    (row) => (row.get('top') === null ? 0 : num(row.get('top'))),
  );
  return (top ?? 0) + 1;
}

export async function allRows(db: SqlEngine, projectId: string): Promise<{ datasets: DatasetRecord[]; items: (DatasetItemRecord & { dataset: string })[] }> {
  const d = db.dialect;
  const p = d.params();
  const datasets = await db.rows(
    'read datasets',
    `SELECT ${DATASET_COLUMNS} FROM ${d.tables.datasets} WHERE project_id = ${p.add(projectId)} ORDER BY name, version`,
    p,
    datasetOf,
  );
  const q = d.params();
  const items = await db.rows(
    'read dataset items',
    `SELECT ${ITEM_COLUMNS} FROM ${d.tables.dataset_items} WHERE project_id = ${q.add(projectId)} ORDER BY dataset, version, item_id`,
    q,
    itemOf,
  );
  return { datasets, items };
}
