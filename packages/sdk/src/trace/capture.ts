import { runtime } from '../runtime.js';

/** Longest captured argument or result, in characters; agent payloads can be megabytes. */
export const MAX_CAPTURE_LENGTH = 4096;

/**
 * A value as JSON for `input.value` / `output.value`: masked key by key (so `{ password }`
 * inside an argument is caught by its name), cycles and repeats cut, at most `maxLength`
 * characters (4 KiB unless told).
 */
export function capturedJson(value: unknown, maxLength = MAX_CAPTURE_LENGTH): string {
  const redactor = runtime.redactor;
  const seen = new WeakSet<object>();
  let json: string | undefined;
  try {
    json = JSON.stringify(value, function (key, item: unknown) {
      if (typeof item === 'bigint') item = item.toString();
      else if (typeof item === 'function') return undefined;
      else if (item instanceof Error) item = { type: item.name, message: item.message };
      else if (typeof item === 'object' && item !== null) {
        if (seen.has(item)) return '[Circular]';
        seen.add(item);
      }
      if (redactor === undefined) return item;
      return key === '' ? (typeof item === 'string' ? redactor.string(item) : item) : redactor.value(key, item);
    });
  } catch {
    // Getters that throw or exotic objects: the span still gets a placeholder rather than nothing.
    json = '"[unserializable]"';
  }
  if (json === undefined) return 'undefined';
  return json.length > maxLength ? `${json.slice(0, maxLength)}…[truncated ${json.length - maxLength} chars]` : json;
}
