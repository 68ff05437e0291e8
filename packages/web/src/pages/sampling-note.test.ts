import { describe, expect, it } from 'vitest';
import { samplingNote } from './sampling-note';

describe('samplingNote', () => {
  it.each([
    [undefined, null],
    [{ kept: 0, total: 0 }, null],
    [{ kept: 1_250, total: 10_000 }, 'Kept 1,250 of 10,000 traces whole (13%)'],
    [{ kept: 3, total: 1_000 }, 'Kept 3 of 1,000 traces whole (<1%)'],
    [{ kept: 0, total: 12 }, 'Kept 0 of 12 traces whole (0%)'],
  ])('says %j as %s', (sampling, start) => {
    const note = samplingNote(sampling);
    if (start === null) expect(note).toBeNull();
    else expect(note?.startsWith(start)).toBe(true);
  });
});
