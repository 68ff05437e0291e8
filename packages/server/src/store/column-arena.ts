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
    for (const spec of specs) bytes += align(rows * widthOf(spec.type)) + align(validityBytes(rows));
    return bytes;
  }

  /** An array of `rows` elements of `kind`, cut from the arena. */
  cut<K extends ArrayKind>(kind: K, rows: number): InstanceType<K> {
    const at = this.take(rows * kind.BYTES_PER_ELEMENT);
    return new kind(this.buffer, at, rows) as InstanceType<K>;
  }

  /** `count` bytes as a Node `Buffer` (a view: the arena's buffer is the one transferred). */
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

/** The typed arrays the arena cuts. */
type ArrayKind = Float64ArrayConstructor | BigInt64ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;

type NumberType = Exclude<ColumnType, 'varchar' | 'double[]'>;

/** The array of each numeric column type's values (`Column`). */
const VALUE_ARRAYS = {
  bigint: Float64Array,
  double: Float64Array,
  int64: BigInt64Array,
  integer: Int32Array,
  uinteger: Uint32Array,
  utinyint: Uint8Array,
  boolean: Uint8Array,
} as const;

/** Bytes per row of a column type's array (a varchar's lengths and a list's offsets are 32-bit). */
function widthOf(type: ColumnType): number {
  return type === 'varchar' || type === 'double[]' ? 4 : VALUE_ARRAYS[type].BYTES_PER_ELEMENT;
}

/** A typed array of `rows` for a column of `type`, from `arena` (`NumberBuilder` values). */
export function numberValues(type: NumberType, rows: number, arena: ColumnArena): NumberBuilder['values'] {
  return arena.cut(VALUE_ARRAYS[type], rows);
}
