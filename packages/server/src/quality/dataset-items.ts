import { randomBytes } from 'node:crypto';
import { type Dataset, type DatasetItem, type JsonValue, datasetItemProblem } from '@spoor/model';
import { AppError } from '../errors.js';
import type { DatasetItemRecord, DatasetSummary } from '../store/store.js';
import type { EvaluationTarget } from './kind.js';

/** Datasets' pure parts: items checked, given ids, read back as the API shows them. */

const iso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();

export function datasetOf(d: DatasetSummary): Dataset {
  return { name: d.name, description: d.description, version: d.version, itemCount: d.itemCount, createdAt: iso(d.createdUs), updatedAt: iso(d.timeUs) };
}

export function itemOf(r: DatasetItemRecord): DatasetItem {
  return {
    itemId: r.itemId,
    input: JSON.parse(r.input) as JsonValue,
    expectedOutput: r.expectedOutput === null ? null : (JSON.parse(r.expectedOutput) as JsonValue),
    metadata: JSON.parse(r.metadata) as Record<string, JsonValue>,
    source: r.sourceTraceId === null ? null : { traceId: r.sourceTraceId, spanId: r.sourceSpanId },
    createdAt: iso(r.createdUs),
    version: r.version,
  };
}

/**
 * Ids for `count` items added at `timeUs`, 32 hex digits that sort in the order the items were
 * added: the time (14 digits, enough to the year 4253), the index within the request (6), and 12
 * random digits so that two servers adding at one microsecond do not collide.
 */
export function newItemIds(timeUs: number, count: number): string[] {
  const time = Math.trunc(timeUs).toString(16).padStart(14, '0');
  const random = randomBytes(6 * count).toString('hex');
  return Array.from({ length: count }, (_, i) => `${time}${i.toString(16).padStart(6, '0')}${random.slice(i * 12, i * 12 + 12)}`);
}

/** An item checked: given (its input), or to be taken from a trace. */
export type CheckedItem =
  | {
      kind: 'given';
      input: JsonValue;
      expectedOutput: JsonValue | null;
      metadata: Record<string, JsonValue>;
      source: { traceId: string; spanId: string | null } | null;
    }
  | { kind: 'trace'; traceId: string; spanId: string | null; expectedOutput: JsonValue | null; hasExpected: boolean; metadata: Record<string, JsonValue> };

/** The items of a request checked all at once: the first that is refused is a 400 naming its index and field. */
export function checkItems(items: readonly unknown[]): CheckedItem[] {
  return items.map((raw, index) => {
    const problem = datasetItemProblem(raw);
    if (problem !== null) throw new AppError('ERR_BAD_REQUEST', `items[${index}].${problem}`);
    const item = raw as Record<string, unknown>;
    const metadata = (item.metadata ?? {}) as Record<string, JsonValue>;
    const expectedOutput = (item.expectedOutput ?? null) as JsonValue | null;
    if ('fromTrace' in item) {
      const from = item.fromTrace as { traceId: string; spanId?: string };
      return {
        kind: 'trace',
        traceId: from.traceId.toLowerCase(),
        spanId: from.spanId?.toLowerCase() ?? null,
        expectedOutput,
        hasExpected: item.expectedOutput !== undefined,
        metadata,
      };
    }
    const source = (item.source ?? null) as { traceId: string; spanId?: string | null } | null;
    return {
      kind: 'given',
      input: item.input as JsonValue,
      expectedOutput,
      metadata,
      source: source === null ? null : { traceId: source.traceId.toLowerCase(), spanId: source.spanId?.toLowerCase() ?? null },
    };
  });
}

/** What a trace (or one of its spans) gives an item: found by `trace:span` (`trace:` for the whole run). */
export type TraceTargets = ReadonlyMap<string, EvaluationTarget>;

export const targetKey = (traceId: string, spanId: string | null): string => `${traceId}:${spanId ?? ''}`;

/**
 * The rows of checked items: a trace's item takes the input and output the evaluators read of it
 * (its output becomes the expected output unless one was given). A trace or span not stored is a
 * 404, one with no recorded input a 400, each naming the item's index.
 */
export function itemRows(
  checked: readonly CheckedItem[],
  ids: readonly string[],
  timeUs: number,
  targets: TraceTargets,
  storedTraces: ReadonlySet<string>,
): Omit<DatasetItemRecord, 'version'>[] {
  return checked.map((item, index) => {
    const base = { itemId: ids[index]!, createdUs: timeUs, timeUs, metadata: JSON.stringify(item.metadata), deleted: false };
    if (item.kind === 'given') {
      return {
        ...base,
        input: JSON.stringify(item.input),
        expectedOutput: item.expectedOutput === null ? null : JSON.stringify(item.expectedOutput),
        sourceTraceId: item.source?.traceId ?? null,
        sourceSpanId: item.source?.spanId ?? null,
      };
    }
    const where = `items[${index}].fromTrace`;
    if (!storedTraces.has(item.traceId)) throw new AppError('ERR_NOT_FOUND', `${where}: trace ${item.traceId} was not found`);
    const target = targets.get(targetKey(item.traceId, item.spanId));
    if (target === undefined && item.spanId !== null)
      throw new AppError('ERR_NOT_FOUND', `${where}: span ${item.spanId} of trace ${item.traceId} was not found`);
    if (target === undefined || target.input === null) {
      throw new AppError(
        'ERR_BAD_REQUEST',
        `${where}: ${item.spanId === null ? `trace ${item.traceId}` : `span ${item.spanId}`} has no recorded input (no LLM messages on it${item.spanId === null ? ', its root or its LLM calls' : ''})`,
      );
    }
    const expected = item.hasExpected ? item.expectedOutput : target.output;
    return {
      ...base,
      input: JSON.stringify(target.input),
      expectedOutput: expected === null ? null : JSON.stringify(expected),
      sourceTraceId: item.traceId,
      sourceSpanId: item.spanId,
    };
  });
}
