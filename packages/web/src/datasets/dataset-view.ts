import { type JsonValue, type NewDatasetItem, datasetNameProblem } from '@spoor/model';

/**
 * Datasets as the dashboard shows and edits them: an item's values as text and back, where "Add to
 * dataset" sends its items, and what it says it did. Pure; tested in dataset-view.test.ts.
 */

/** A value as an editor shows it: text as it is, anything else as indented JSON (`json` says which). */
export interface EditText {
  text: string;
  json: boolean;
}

export function editTextOf(value: JsonValue | null): EditText {
  return typeof value === 'string' ? { text: value, json: false } : { text: value === null ? '' : JSON.stringify(value, null, 2), json: true };
}

/**
 * The value an editor's text stands for: the text itself, or with `json` the JSON it reads as. An
 * empty JSON field is `null` (an expected output cleared); a text that is not JSON is refused,
 * naming the field, so an edit never turns a structured input into a string by mistake.
 */
export function valueOfEdit(field: string, edit: EditText): { ok: true; value: JsonValue | null } | { ok: false; problem: string } {
  if (!edit.json) return { ok: true, value: edit.text };
  if (edit.text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(edit.text) as JsonValue };
  } catch (error) {
    return { ok: false, problem: `${field}: not JSON (${(error as Error).message})` };
  }
}

/** An item id's last 8 digits: ids begin with the time they were made, so their starts are alike. */
export function itemIdText(itemId: string): string {
  return itemId.length <= 8 ? itemId : `…${itemId.slice(-8)}`;
}

/** Versions a dataset can be read at, newest first. */
export function versionChoices(newest: number): number[] {
  return Array.from({ length: Math.max(0, newest) }, (_, i) => newest - i);
}

/** Where "Add to dataset" puts its items: a dataset that exists, or one it makes first. */
export type AddTarget = { kind: 'existing'; name: string } | { kind: 'new'; name: string; description: string };

/** Why the target cannot be used, or `null`: a new name must be valid and not taken. */
export function addTargetProblem(target: AddTarget, existing: readonly string[]): string | null {
  if (target.kind === 'existing') return target.name === '' ? 'pick a dataset, or name a new one' : null;
  const name = target.name.trim();
  if (name === '') return 'name the new dataset';
  if (existing.includes(name)) return `a dataset named ${name} exists: pick it from the list`;
  const problem = datasetNameProblem(name);
  return problem === null ? null : `dataset ${problem}`;
}

/** One item per trace: the run's input and output, its trace the item's source. */
export function itemsFromTraces(traceIds: readonly string[]): NewDatasetItem[] {
  return traceIds.map((traceId) => ({ fromTrace: { traceId } }));
}

/** One item of one call: that span's input and output. */
export function itemFromSpan(traceId: string, spanId: string): NewDatasetItem {
  return { fromTrace: { traceId, spanId } };
}

/** `Added 3 items to qa (version 4).` */
export function addedText(count: number, dataset: string, version: number): string {
  return `Added ${count} item${count === 1 ? '' : 's'} to ${dataset} (version ${version}).`;
}

/**
 * What the dashboard asks when the server refused an item the dataset already holds: the run or
 * call and the item, in words (the server's message names them for an API caller).
 */
export function duplicateText(message: string): string {
  const found = /(?:span ([0-9a-f]+) of )?trace ([0-9a-f]+) is already in dataset (\S+) as item ([0-9a-f]+)/.exec(message);
  if (found === null) return `${message}. Add it again?`;
  const [, spanId, traceId, dataset, itemId] = found as unknown as [string, string | undefined, string, string, string];
  const what = spanId === undefined ? `The run of trace ${traceId}` : `The call ${spanId} of trace ${traceId}`;
  return `${what} is already in ${dataset} as item ${itemIdText(itemId)}. Add it again?`;
}
