import { describe, expect, it } from 'vitest';
import { decodeCursor, decodeOffsetCursor, decodeTraceCursor, encodeCursor, encodeTraceCursor } from './cursor.js';

const cursor = (text: string) => Buffer.from(text).toString('base64url');

describe('cursors', () => {
  it.each([cursor('99999999999999999999999:abc'), cursor('12:ABC'), 'not-a-cursor'])('rejects the cursor %s with a 400', (text) => {
    expect(() => decodeCursor(text)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('rejects an offset cursor beyond a safe integer with a 400', () => {
    expect(() => decodeOffsetCursor(cursor('o:99999999999999999999'))).toThrow(expect.objectContaining({ status: 400 }));
    expect(decodeOffsetCursor(cursor('o:150'))).toBe(150);
  });

  it.each(['start', 'duration', 'cost', 'tokens'] as const)("gives back the key of a trace list's cursor of sort=%s", (sort) => {
    const key = { timeUs: sort === 'cost' ? -1 : 1_764_000_000_000_000, id: 'ab'.repeat(16) };
    expect(decodeTraceCursor(encodeTraceCursor(sort, key), sort)).toEqual(key);
  });

  it("keeps newest first's cursor as it was, so a cursor given before sorts existed still pages", () => {
    const key = { timeUs: 5, id: 'abc' };
    expect(encodeTraceCursor('start', key)).toBe(encodeCursor(key));
  });

  it.each([
    { from: 'duration', to: 'cost' },
    { from: 'start', to: 'tokens' },
    { from: 'tokens', to: 'start' },
  ] as const)('refuses a cursor of sort=$from given with sort=$to, naming the sort it pages', ({ from, to }) => {
    const text = encodeTraceCursor(from, { timeUs: 7, id: 'abc' });
    expect(() => decodeTraceCursor(text, to)).toThrow(
      expect.objectContaining({ status: 400, message: `'cursor' pages the list with sort=${from}: ask with that sort, or without a cursor` }),
    );
  });

  it('refuses a sorted cursor whose key is not a safe integer', () => {
    expect(() => decodeTraceCursor(cursor('cost:99999999999999999999:abc'), 'cost')).toThrow(expect.objectContaining({ status: 400 }));
  });
});
