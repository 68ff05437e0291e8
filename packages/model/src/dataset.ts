/**
 * Datasets: named, versioned sets of items (an input, the output expected of it, metadata, and
 * the trace it was taken from) that experiments run through a new version of an app. Every change
 * (made, described, items added, edited or deleted) makes a new version; a version stays readable
 * as it was, so an experiment names the version it ran on.
 */

/** A JSON value, as an item's input and expected output may be. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A dataset as the REST API returns it, at one version (the newest unless asked). */
export interface Dataset {
  name: string;
  description: string;
  /** The version read: 1 when made, one more with every change. */
  version: number;
  /** Items at this version. */
  itemCount: number;
  /** When the dataset was made (ISO-8601). */
  createdAt: string;
  /** When the version read was made (ISO-8601). */
  updatedAt: string;
}

/** The trace (and, when taken from one call, the span) an item was taken from: the recording an experiment replays. */
export interface DatasetItemSource {
  traceId: string;
  spanId: string | null;
}

/** An item of a dataset version as the REST API returns it. */
export interface DatasetItem {
  /** 32 hex digits; ids sort in the order items were added. */
  itemId: string;
  input: JsonValue;
  /** `null` when the item says nothing of its output. */
  expectedOutput: JsonValue | null;
  metadata: Record<string, JsonValue>;
  source: DatasetItemSource | null;
  /** When the item was added (ISO-8601); an edit keeps it. */
  createdAt: string;
  /** The dataset version that wrote the item as it reads now (its addition or its last edit). */
  version: number;
}

/** An item as `POST /api/datasets/:name/items` takes it: given, or taken from a trace or one of its spans. */
export type NewDatasetItem =
  | { input: JsonValue; expectedOutput?: JsonValue; metadata?: Record<string, JsonValue>; source?: { traceId: string; spanId?: string | null } }
  | { fromTrace: { traceId: string; spanId?: string }; expectedOutput?: JsonValue; metadata?: Record<string, JsonValue> };

/** `GET /api/datasets`. */
export interface DatasetListResponse {
  datasets: Dataset[];
}

/** `GET /api/datasets/:name/items`: a page of one version's items, by item id. */
export interface DatasetItemsResponse {
  dataset: string;
  version: number;
  items: DatasetItem[];
  nextCursor: string | null;
}

/** What a change of items answers: the version it made, and the ids of the items it wrote, in the order sent. */
export interface DatasetChangeResponse {
  dataset: string;
  version: number;
  itemIds: string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Why a dataset name is refused (names are as evaluators' are), or `null`. */
export function datasetNameProblem(name: unknown): string | null {
  return typeof name === 'string' && NAME.test(name) ? null : 'name: 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit';
}

const HEX_TRACE = /^[0-9a-fA-F]{32}$/;
const HEX_SPAN = /^[0-9a-fA-F]{16}$/;
const ITEM_FIELDS = new Set(['input', 'expectedOutput', 'metadata', 'source', 'fromTrace']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Why an item sent to a dataset is refused, naming its field (`input: ...`), or `null`. An item
 * has an input that is not null, or a `fromTrace` naming a trace (and maybe a span) instead; its
 * metadata, when given, is an object; its source, when given, names a trace; nothing else.
 */
export function datasetItemProblem(item: unknown): string | null {
  if (!isObject(item)) return 'an item must be an object with an input (or fromTrace)';
  for (const key of Object.keys(item)) if (!ITEM_FIELDS.has(key)) return `${key}: not a field of an item (input, expectedOutput, metadata, source, fromTrace)`;
  if ('fromTrace' in item) {
    if ('input' in item) return 'input: give an input or fromTrace, not both';
    if ('source' in item) return 'source: an item from a trace has that trace as its source';
    const from = item.fromTrace;
    if (!isObject(from)) return 'fromTrace: must be { traceId, spanId? }';
    for (const key of Object.keys(from)) if (key !== 'traceId' && key !== 'spanId') return `fromTrace.${key}: not a field of fromTrace (traceId, spanId)`;
    if (typeof from.traceId !== 'string' || !HEX_TRACE.test(from.traceId)) return 'fromTrace.traceId: must be 32 hex characters';
    if (from.spanId !== undefined && (typeof from.spanId !== 'string' || !HEX_SPAN.test(from.spanId))) return 'fromTrace.spanId: must be 16 hex characters';
  } else if (!('input' in item) || item.input === null || item.input === undefined) {
    return 'input: an item needs an input (or fromTrace)';
  }
  if (item.metadata !== undefined && !isObject(item.metadata)) return 'metadata: must be an object';
  // An item exported with its source and imported again keeps it (`spoor datasets export`).
  if (item.source !== undefined && item.source !== null) {
    const source = item.source;
    if (!isObject(source)) return 'source: must be { traceId, spanId? }';
    for (const key of Object.keys(source)) if (key !== 'traceId' && key !== 'spanId') return `source.${key}: not a field of source (traceId, spanId)`;
    if (typeof source.traceId !== 'string' || !HEX_TRACE.test(source.traceId)) return 'source.traceId: must be 32 hex characters';
    if (source.spanId !== undefined && source.spanId !== null && (typeof source.spanId !== 'string' || !HEX_SPAN.test(source.spanId)))
      return 'source.spanId: must be 16 hex characters';
  }
  return null;
}
