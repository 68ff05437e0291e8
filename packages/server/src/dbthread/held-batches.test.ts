import { describe, expect, it } from 'vitest';
import type { WriteBatch } from '../store/tables.js';
import { HeldBatches } from './held-batches.js';

const batch = (records: number): WriteBatch => ({ records, tables: [] });
const at = (offset: number) => ({ segment: 1, offset });

function writer() {
  const pushed: Array<{ records: number | null; offset: number; seq: number }> = [];
  const held = new HeldBatches((b, position, seq) => pushed.push({ records: b === null ? null : b.records, offset: position.offset, seq }));
  return { held, pushed };
}

describe('the batches held in the database thread', () => {
  it('go to the writer in spool order, whichever of a batch and its spooled note comes first', () => {
    const { held, pushed } = writer();
    held.arrived(1, batch(10));
    held.arrived(2, batch(20));
    // Spooled in the other order than decoded.
    held.spooled(2, at(100), 1);
    expect(pushed).toEqual([{ records: 20, offset: 100, seq: 1 }]);
    // The note before its batch: it waits, and so does every entry after it.
    held.spooled(3, at(200), 2);
    held.spooled(1, at(300), 3);
    expect(pushed).toHaveLength(1);
    held.arrived(3, batch(30));
    expect(pushed).toEqual([
      { records: 20, offset: 100, seq: 1 },
      { records: 30, offset: 200, seq: 2 },
      { records: 10, offset: 300, seq: 3 },
    ]);
    for (const ticket of [1, 2, 3]) held.settled(ticket);
    expect(held.size).toBe(0);
  });

  it('send an entry left on disk (ticket 0) in its turn, and let its batch go when its request settles', () => {
    const { held, pushed } = writer();
    held.arrived(5, batch(50));
    held.spooled(0, at(100), 7);
    expect(pushed).toEqual([{ records: null, offset: 100, seq: 7 }]);
    held.settled(5);
    expect(held.size).toBe(0);
  });

  it('let go of a refused request batch, also one that comes after its request was settled', () => {
    const { held, pushed } = writer();
    held.arrived(1, batch(10));
    held.settled(1);
    held.settled(2);
    expect(held.size).toBe(1);
    held.arrived(2, batch(20));
    expect(pushed).toEqual([]);
    expect(held.size).toBe(0);
  });

  it('forget a request once its batch went on and it settled, in either order', () => {
    const { held, pushed } = writer();
    held.spooled(1, at(100), 1);
    held.settled(1);
    held.spooled(2, at(200), 2);
    held.arrived(1, batch(10));
    held.arrived(2, batch(20));
    held.settled(2);
    expect(pushed.map((p) => p.records)).toEqual([10, 20]);
    expect(held.size).toBe(0);
  });

  it('keep a batch an entry waits for when its request settles before the entries ahead of it are sent', () => {
    const { held, pushed } = writer();
    held.spooled(1, at(100), 1);
    held.spooled(2, at(200), 2);
    held.arrived(2, batch(20));
    // Request 2 answered while entry 1 still waits for its batch.
    held.settled(2);
    held.arrived(1, batch(10));
    expect(pushed.map((p) => p.seq)).toEqual([1, 2]);
    expect(pushed[1]!.records).toBe(20);
    held.settled(1);
    expect(held.size).toBe(0);
  });
});
