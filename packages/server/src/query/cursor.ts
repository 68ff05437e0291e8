import { AppError } from '../errors.js';
import type { TimeKey } from '../store/store.js';

/** Cursors are opaque to clients: base64url of the last row's sort key. */
export function encodeCursor(key: TimeKey): string {
  return Buffer.from(`${key.timeUs}:${key.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): TimeKey {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(-?\d+):([0-9a-z]{1,64})$/.exec(text);
  const timeUs = Number(match?.[1]);
  if (match === null || !Number.isSafeInteger(timeUs)) throw notOurs();
  return { timeUs, id: match[2]! };
}

/** Offset cursors, for lists without a unique sort key. */
export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodeOffsetCursor(cursor: string): number {
  const match = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const offset = Number(match?.[1]);
  if (match === null || !Number.isSafeInteger(offset)) throw notOurs();
  return offset;
}

function notOurs(): AppError {
  return new AppError('ERR_INVALID_PARAMETER', `'cursor' is not a cursor this server issued`);
}
