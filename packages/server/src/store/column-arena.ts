import type { ColumnSpec, ColumnType, NumberBuilder } from './columns.js';

/**
 * The fixed-size arrays of one table's columns (values, string lengths, validity) cut from one
 * buffer, sized for them up front (`bytesFor`): a batch then crosses to another thread as a few
 * transferred buffers rather than one per array (some 70 for a request's spans), which the
 * structured clone, and the collectors of the threads it passes, each handle one by one.
 */
export class ColumnArena {
  private buffer: ArrayBuffer;
  private at = 0;

  constructor(bytes: number) {
    this.buffer = new ArrayBuffer(Math.max(bytes, 64));
  }

  /** What the columns of `specs` take for `rows` rows: each one's values (a varchar's lengths) and a validity bitmap. */
  static bytesFor(specs: readonly ColumnSpec[], rows: number): number {
    let bytes = 0;
    for (const spec of specs) bytes += align(rows * WIDTHS[spec.type]) + align(validityBytes(rows));
    return bytes;
  }

  float64(rows: number): Float64Array {
    const at = this.take(rows * 8);
    return new Float64Array(this.buffer, at, rows);
  }

  bigint64(rows: number): BigInt64Array {
    const at = this.take(rows * 8);
    return new BigInt64Array(this.buffer, at, rows);
  }

  int32(rows: number): Int32Array {
    const at = this.take(rows * 4);
    return new Int32Array(this.buffer, at, rows);
  }

  uint32(rows: number): Uint32Array {
    const at = this.take(rows * 4);
    return new Uint32Array(this.buffer, at, rows);
  }

  uint8(rows: number): Uint8Array {
    const at = this.take(rows);
    return new Uint8Array(this.buffer, at, rows);
  }

  /** `uint8` as a Node `Buffer` (a view: the arena's buffer is the one transferred). */
  bytes(count: number): Buffer {
    const at = this.take(count);
    return Buffer.from(this.buffer, at, count);
  }

  /** Where `bytes` more start, 8-aligned; past the end, in a buffer of its own (arrays already cut keep theirs). */
  private take(bytes: number): number {
    let at = align(this.at);
    if (at + bytes > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(Math.max(bytes, 64));
      at = 0;
    }
    this.at = at + bytes;
    return at;
  }
}

const align = (bytes: number): number => (bytes + 7) & ~7;

/** Bytes of a validity bitmap for `rows` rows (`Validity` in `columns.ts`). */
export function validityBytes(rows: number): number {
  return Math.ceil(rows / 64) * 8;
}

/** Bytes per row of each column type's array (a varchar's lengths; a list's offsets). */
const WIDTHS: Record<ColumnType, number> = { varchar: 4, bigint: 8, int64: 8, double: 8, integer: 4, uinteger: 4, utinyint: 1, boolean: 1, 'double[]': 4 };

/** A typed array of `rows` for a column of `type`, from `arena` (`NumberBuilder` values). */
export function numberValues(type: Exclude<ColumnType, 'varchar' | 'double[]'>, rows: number, arena: ColumnArena): NumberBuilder['values'] {
  switch (type) {
    case 'bigint':
    case 'double':
      return arena.float64(rows);
    case 'int64':
      return arena.bigint64(rows);
    case 'integer':
      return arena.int32(rows);
    case 'uinteger':
      return arena.uint32(rows);
    case 'utinyint':
    case 'boolean':
      return arena.uint8(rows);
  }
}

