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
  return lineOf(valueText(value), max);
}

function lineOf(text: string, max: number): string {
  const line = text.replace(/\s*\r?\n\s*/g, ' ↵ ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** What a log body is to show: its value, and whether it was bytes (the value then their base64). */
export interface LogBody {
  body: AttributeValue;
  bodyBytes: boolean;
}

/**
 * A log body as text: `valueText`, but a bytes body as bytes, never as its base64 (which reads as
 * text that was never sent): `5 bytes: 00 01 02 fe ff`, or, `full`, its size and base64 on a
 * line, then 16 bytes a line in hex with their offset, up to 4 KiB.
 */
export function logBodyText(record: LogBody, full = false): string {
  if (!record.bodyBytes || typeof record.body !== 'string') return valueText(record.body);
  const bytes = bytesOf(record.body);
  if (bytes === null) return `bytes, base64 ${record.body}`;
  const size = `${bytes.length} byte${bytes.length === 1 ? '' : 's'}`;
  if (!full) return bytes.length === 0 ? size : `${size}: ${hex(bytes.subarray(0, 64))}${bytes.length > 64 ? ' …' : ''}`;
  let text = `${size}, base64 ${record.body}`;
  const shown = Math.min(bytes.length, FULL_BYTES);
  for (let at = 0; at < shown; at += 16) text += `\n${at.toString(16).padStart(8, '0')}  ${hex(bytes.subarray(at, Math.min(at + 16, shown)))}`;
  if (bytes.length > shown) text += `\n… ${bytes.length - shown} more bytes`;
  return text;
}

/** A log body on one line (see `logBodyText` and `oneLine`). */
export function logBodyLine(record: LogBody, max = 400): string {
  return lineOf(logBodyText(record), max);
}

const FULL_BYTES = 4096;

/** The bytes of base64 text, standard or URL-safe, padded or not; `null` when it is not base64. */
function bytesOf(base64: string): Uint8Array | null {
  const standard = base64.replaceAll('-', '+').replaceAll('_', '/');
  try {
    const binary = atob(standard.padEnd(Math.ceil(standard.length / 4) * 4, '='));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    // Not base64 (the server keeps what OTLP/JSON sent); shown as it came.
    return null;
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Attributes as sorted `[key, text]` rows for a `.kv` list (see `KeyValues`). */
export function attributeRows(attributes: Attributes, pretty = false): Array<[string, string]> {
  return Object.entries(attributes)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => [key, valueText(value, pretty)]);
}
