import type { Redactor } from '@spoor/model';
import { errorTypeOf } from '../trace/errors.js';

/** An error as a log field: what the server and a reader need, masked. */
export interface SerializedError {
  type: string;
  message: string;
  stack: string | undefined;
  code?: string | number;
  cause?: SerializedError | string;
}

/** `{ type, message, stack }` (plus `code` and one level of `cause`), with messages masked. */
export function serializeError(error: Error, redactor: Redactor | undefined, depth = 0): SerializedError {
  const mask = (text: string) => (redactor === undefined ? text : redactor.string(text));
  const serialized: SerializedError = {
    type: errorTypeOf(error),
    message: mask(error.message),
    stack: error.stack === undefined ? undefined : mask(error.stack),
  };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') serialized.code = code;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && depth < 2) serialized.cause = serializeError(cause, redactor, depth + 1);
  else if (cause !== undefined && depth < 2) serialized.cause = mask(String(cause));
  return serialized;
}

export function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' && value !== null && typeof (value as SerializedError).type === 'string' && typeof (value as SerializedError).message === 'string'
  );
}
