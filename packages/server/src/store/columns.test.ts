import { describe, expect, it } from 'vitest';
import { type Column, ColumnArena, NumberBuilder, SparseVarcharBuilder, Utf8Builder, buffersOf, textsOf } from './columns.js';

type Varchar = Extract<Column, { type: 'varchar' }>;
type Numbers = { values: ArrayLike<number>; valid: Uint8Array | null };

describe('a column arena', () => {
  it('cuts 8-aligned arrays from one buffer, and past its end gives the rest a buffer of their own', () => {
    const arena = new ColumnArena(72);
    const small = arena.cut(Uint8Array, 3).fill(7);
    const wide = arena.cut(BigInt64Array, 2);
    wide.set([-1n, 2n ** 62n]);
    expect(wide.byteOffset % 8).toBe(0);
    expect(wide.buffer).toBe(small.buffer);
    const past = arena.cut(Float64Array, 50).fill(1.5);
    expect(past.buffer).not.toBe(small.buffer);
    expect([...small]).toEqual([7, 7, 7]);
    expect([...wide]).toEqual([-1n, 2n ** 62n]);
  });

  it("sizes a table's arrays up front, so a batch crosses as one buffer and reads the same on the other side", () => {
    const specs = [
      { name: 'n', type: 'bigint' },
      { name: 's', type: 'varchar' },
      { name: 'b', type: 'boolean' },
    ] as const;
    const arena = new ColumnArena(ColumnArena.bytesFor(specs, 100));
    const numbers = new NumberBuilder('bigint', arena.cut(Float64Array, 100), arena);
    const flags = new NumberBuilder('boolean', arena.cut(Uint8Array, 100), arena);
    const texts = new SparseVarcharBuilder(100, arena);
    for (let row = 0; row < 100; row++) {
      numbers.values[row] = row * 3;
      if (row % 10 === 0) flags.setNull(row);
      texts.set(row, row % 2 === 0 ? `r${row}` : null);
    }
    const table = { table: 't', rows: 100, columns: [numbers.build(), texts.build(), flags.build()] };
    const buffers = buffersOf([table]);
    expect(buffers).toHaveLength(1);
    const moved = structuredClone(table, { transfer: buffers });
    // Transferred: the sender's arrays are detached.
    expect((table.columns[0] as unknown as Numbers).values).toHaveLength(0);
    const [n, s, b] = moved.columns as unknown as [Numbers, Varchar, Numbers];
    expect(n.values[99]).toBe(297);
    expect(textsOf(s, 100).slice(0, 4)).toEqual(['r0', null, 'r2', null]);
    expect(b.valid![0]! & 1).toBe(0);
    expect(b.valid![0]! & 2).toBe(2);
  });
});

describe('an LLM column of a batch of spans, mostly no LLM calls', () => {
  it('starts NULL, and builds to the bitmap setNull leaves (the padding set, none when no row is NULL)', () => {
    for (const rows of [1, 7, 63, 64, 65, 130]) {
      const arena = new ColumnArena(4096);
      const sparse = new NumberBuilder('double', arena.cut(Float64Array, rows), arena).allNull();
      const dense = new NumberBuilder('double', new Float64Array(rows));
      for (let row = 0; row < rows; row++) {
        if (row % 3 === 0) {
          sparse.values[row] = row;
          sparse.setValid(row);
          dense.values[row] = row;
        } else dense.setNull(row);
      }
      expect(sparse.build(), `${rows} rows`).toEqual(dense.build());
      const full = new NumberBuilder('double', arena.cut(Float64Array, rows), arena).allNull();
      for (let row = 0; row < rows; row++) full.setValid(row);
      expect((full.build() as unknown as Numbers).valid, `${rows} rows, none NULL`).toBeNull();
    }
  });

  it('holds text only in the rows set, which come in order', () => {
    const texts = new SparseVarcharBuilder(5, new ColumnArena(256));
    texts.set(1, 'é');
    texts.set(3, null);
    texts.set(4, '');
    expect(textsOf(texts.build() as Varchar, 5)).toEqual([null, 'é', null, null, '']);
    expect(() => texts.set(2, 'late')).toThrow(/row 2 set after row 4/);
  });
});

describe('ids written as hex bytes', () => {
  it("are the bytes' lowercase hex, NULL rows between, in the arena until they outgrow it", () => {
    const arena = new ColumnArena(1024);
    const ids = new Utf8Builder(3, 2, arena, true);
    ids.hex(Uint8Array.of(0xde, 0xad), 0, 2);
    ids.endRow();
    ids.nullRow();
    // 16 bytes where 6 were set aside: it grows into a buffer of its own, keeping what it wrote.
    ids.hex(Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 0xff), 0, 8);
    ids.endRow();
    expect(textsOf(ids.build() as Varchar, 3)).toEqual(['dead', null, '00010203040506ff']);
  });
});
