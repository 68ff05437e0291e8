import type { TraceSort } from '@spoor/model';
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

/** A trace list's cursor: newest first's as `encodeCursor`; another order's names it, so no other order takes it. */
export function encodeTraceCursor(sort: TraceSort, key: TimeKey): string {
  return sort === 'start' ? encodeCursor(key) : Buffer.from(`${sort}:${key.timeUs}:${key.id}`).toString('base64url');
}

/** The key of a trace list's cursor (`timeUs` holds the order's key: `traceSortKey`); refused, naming the sort, for another order's cursor. */
export function decodeTraceCursor(cursor: string, sort: TraceSort): TimeKey {
  const match = /^([a-z]+):(-?\d+):([0-9a-z]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const of = match?.[1] ?? 'start';
  if (of !== sort) throw new AppError('ERR_INVALID_PARAMETER', `'cursor' pages the list with sort=${of}: ask with that sort, or without a cursor`);
  if (match === null) return decodeCursor(cursor);
  const key = Number(match[2]);
  if (!Number.isSafeInteger(key)) throw notOurs();
  return { timeUs: key, id: match[3]! };
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
