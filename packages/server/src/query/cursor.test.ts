import { describe, expect, it } from 'vitest';
import { decodeCursor, decodeOffsetCursor } from './cursor.js';

const cursor = (text: string) => Buffer.from(text).toString('base64url');

describe('cursors', () => {
  it.each([cursor('99999999999999999999999:abc'), cursor('12:ABC'), 'not-a-cursor'])('rejects the cursor %s with a 400', (text) => {
    expect(() => decodeCursor(text)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('rejects an offset cursor beyond a safe integer with a 400', () => {
    expect(() => decodeOffsetCursor(cursor('o:99999999999999999999'))).toThrow(expect.objectContaining({ status: 400 }));
    expect(decodeOffsetCursor(cursor('o:150'))).toBe(150);
  });
});
