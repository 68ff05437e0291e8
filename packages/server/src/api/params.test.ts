import { describe, expect, it } from 'vitest';
import { decodeCursor, decodeOffsetCursor } from '../query/cursor.js';
import { logQueryFrom, traceQueryFrom } from './params.js';

const cursor = (text: string) => Buffer.from(text).toString('base64url');

describe('API parameters', () => {
  it.each([
    ['from', '99999999999999999999'],
    ['to', '99999999999999999999'],
    ['from', '1800-01-01T00:00:00Z'],
    ['from', 'yesterday'],
  ])("rejects %s=%s with a 400 that names it", (name, value) => {
    expect(() => traceQueryFrom({ [name]: value }, 'default')).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining(`'${name}'`) }));
    expect(() => logQueryFrom({ [name]: value }, 'default')).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('takes epoch milliseconds and ISO-8601 times as microseconds', () => {
    expect(traceQueryFrom({ from: '1763719200000', to: '2025-11-21T10:00:00.000001Z' }, 'default').range).toEqual({
      fromUs: 1_763_719_200_000_000,
      toUs: 1_763_719_200_000_001,
    });
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('refuses severity=%s with a 400 that lists the names', (name) => {
    expect(() => logQueryFrom({ severity: name }, 'default')).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining('must be one of trace, debug') }));
  });

  it('takes a severity by name, in any case, or by number', () => {
    expect(logQueryFrom({ severity: 'WARN' }, 'default').minSeverity).toBe(13);
    expect(logQueryFrom({ severity: '3' }, 'default').minSeverity).toBe(3);
  });

  it.each([cursor('99999999999999999999999:abc'), cursor('12:ABC'), 'not-a-cursor'])('rejects the cursor %s with a 400', (text) => {
    expect(() => decodeCursor(text)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('rejects an offset cursor beyond a safe integer with a 400', () => {
    expect(() => decodeOffsetCursor(cursor('o:99999999999999999999'))).toThrow(expect.objectContaining({ status: 400 }));
    expect(decodeOffsetCursor(cursor('o:150'))).toBe(150);
  });
});
