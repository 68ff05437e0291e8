import type { AttributeValue, Attributes } from '@spoor/model';

/** Attribute values, log bodies and tool arguments as text. Pure; tested in value-text.test.ts. */

/** Text as is; everything else as JSON, indented with `pretty` (tool arguments, nested values). */
export function valueText(value: AttributeValue | unknown, pretty = false): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  return pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
}

/** A body on one line: line breaks as `↵`, cut after `max` characters with `…`. */
export function oneLine(value: AttributeValue, max = 400): string {
  const text = valueText(value).replace(/\s*\r?\n\s*/g, ' ↵ ').trim();
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Attributes as sorted `[key, text]` rows for a `.kv` list (see `KeyValues`). */
export function attributeRows(attributes: Attributes, pretty = false): Array<[string, string]> {
  return Object.entries(attributes)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => [key, valueText(value, pretty)]);
}
