import { errorTypeOf } from '../trace/errors.js';

/**
 * The `error.type` of a failed call, low in cardinality: `rate_limit`, `timeout`, `abort`,
 * `connection`, the HTTP status class (`4xx`, `5xx`), else the error's class name.
 */
export function llmErrorType(error: unknown): string {
  const type = errorTypeOf(error);
  const status = (error as { status?: unknown } | null)?.status;
  if (status === 429) return 'rate_limit';
  if (/timeout/i.test(type) || status === 408) return 'timeout';
  if (type === 'APIUserAbortError' || type === 'AbortError') return 'abort';
  if (typeof status === 'number' && status >= 400 && status < 600) return `${Math.floor(status / 100)}xx`;
  if (type === 'APIConnectionError' || isDroppedConnection(error)) return 'connection';
  return type;
}

/**
 * A connection lost while the body is read (a stream cut off mid-way): fetch (undici) rejects
 * with a bare `TypeError: terminated` whose cause carries the socket's error code.
 */
function isDroppedConnection(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}
