import type { Attributes } from '@opentelemetry/api';

// Reading fields out of requests, responses and client options whose shapes are not ours to
// trust: a field of an unexpected type is left out, never a reason to fail the call.

/** A finite number, or undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A non-empty string, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Sets `attributes[key]` when `value` is defined. */
export function put(attributes: Attributes, key: string, value: string | number | boolean | string[] | undefined): void {
  if (value !== undefined) attributes[key] = value;
}

/** Where the client sends its requests: `server.address` and `server.port`. */
export function serverOf(baseURL: unknown): { serverAddress: string | undefined; serverPort: number | undefined } {
  if (typeof baseURL !== 'string') return { serverAddress: undefined, serverPort: undefined };
  try {
    const url = new URL(baseURL);
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { serverAddress: url.hostname, serverPort: port };
  } catch {
    return { serverAddress: undefined, serverPort: undefined };
  }
}
