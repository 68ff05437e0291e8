import type { AttributeValue, Attributes } from '@spoor/model';

/** Log bodies and attribute values as text. Pure; tested in log-value.test.ts. */

/** Text as is; everything else as JSON. */
export function valueText(value: AttributeValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A body on one line: line breaks as `↵`, cut after `max` characters with `…`. */
export function oneLine(value: AttributeValue, max = 400): string {
  const text = valueText(value).replace(/\s*\r?\n\s*/g, ' ↵ ').trim();
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Whether the one-line form hides something the details would show. */
export function isMultiline(value: AttributeValue): boolean {
  return typeof value === 'string' ? value.includes('\n') : value !== null && typeof value === 'object';
}

/** Attributes as sorted `[key, text]` rows for a `.kv` list. */
export function attributeRows(attributes: Attributes): Array<[string, string]> {
  return Object.entries(attributes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => [key, valueText(value)]);
}
