import { describe, expect, it } from 'vitest';
import { span } from '../../../test/support/record-fixtures.js';
import { batchOf } from '../tables.js';
import { nativeBlocks } from './native.js';

describe('nativeBlocks', () => {
  // The block's buffer starts at a guess of its size and grows as columns need; a number column
  // that grows it must write into the new buffer. Text long enough to fill the guess, by one more
  // byte each time, makes each column in turn the one that grows it.
  it('writes a number column into the buffer it grew, whichever column grows it', () => {
    for (let length = 1_000; length < 4_000; length += 7) {
      const { tables } = batchOf({ spans: [span({ attributes: { note: 'x'.repeat(length) } })], logs: [], metricPoints: [] });
      const spans = tables.find((t) => t.table === 'spans')!;
      const block = nativeBlocks('spans', [spans], '7');
      // The batch id closes the block: the last 8 bytes, little-endian.
      expect(block.readBigUInt64LE(block.length - 8), `attributes of ${length} bytes`).toBe(7n);
    }
  });
});
