import { describe, expect, it } from 'vitest';
import { unitFormat } from './units';

describe("a panel's unit", () => {
  it.each([
    ['usd', 0.0123, '$0.012'],
    ['ms', 1250, '1.25 s'],
    ['percent', 0.125, '12.5%'],
    ['tokens', 12_300, '12.3k tokens'],
    ['count', 0.0333, '0.0333'],
    ['', 950, '950'],
    [undefined, 2, '2'],
  ] as const)('writes a %s value %d as %s', (unit, n, text) => expect(unitFormat(unit).value(n)).toBe(text));
});
