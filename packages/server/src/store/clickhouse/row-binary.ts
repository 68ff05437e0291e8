/**
 * Reading ClickHouse's `RowBinary` answers: values back to back with no names, no escaping and no
 * text. Numbers arrive as the bytes they are stored as, so a 50,000-span answer needs no number
 * printed by ClickHouse nor parsed by Node. Only the types Spoor reads are here; a reader knows
 * the shape it asked for (https://clickhouse.com/docs/interfaces/formats/RowBinary).
 */
export class RowBinaryReader {
  private at = 0;

  constructor(private readonly bytes: Buffer) {}

  /** Whether another row follows. */
  get more(): boolean {
    return this.at < this.bytes.length;
  }

  /** An unsigned LEB128 number: the length of a String or an Array. */
  length(): number {
    let value = 0;
    let shift = 1;
    let byte: number;
    do {
      if (this.at >= this.bytes.length) throw new Error('a RowBinary answer ends inside a length');
      byte = this.bytes[this.at++]!;
      value += (byte & 127) * shift;
      shift *= 128;
    } while (byte & 128);
    return value;
  }

  string(): string {
    const n = this.length();
    const end = this.need(n);
    const value = this.bytes.toString('utf8', this.at, end);
    this.at = end;
    return value;
  }

  /** Where the reader is: the byte after the last value read. */
  get offset(): number {
    return this.at;
  }

  /** Skips a String, answering where its bytes begin; they end at `offset`. */
  skipString(): number {
    const n = this.length();
    const start = this.at;
    this.at = this.need(n);
    return start;
  }

  uint8(): number {
    const at = this.at;
    this.at = this.need(1);
    return this.bytes[at]!;
  }

  uint32(): number {
    const at = this.at;
    this.at = this.need(4);
    return this.bytes.readUInt32LE(at);
  }

  /** An `Int64` as a double: exact up to 2^53, which times in microseconds and counts stay under. */
  int64(): number {
    const at = this.at;
    this.at = this.need(8);
    return this.bytes.readInt32LE(at + 4) * 4_294_967_296 + this.bytes.readUInt32LE(at);
  }

  /** Skips `n` bytes: a value of a fixed width. */
  skip(n: number): void {
    this.at = this.need(n);
  }

  /** A `UInt64` as a double: exact up to 2^53, which every count stays under. */
  uint64(): number {
    const at = this.at;
    this.at = this.need(8);
    return this.bytes.readUInt32LE(at + 4) * 4_294_967_296 + this.bytes.readUInt32LE(at);
  }

  float64(): number {
    const at = this.at;
    this.at = this.need(8);
    return this.bytes.readDoubleLE(at);
  }

  /** A `Nullable(Float64)`: a byte saying NULL (1) or not (0), then the value when not. */
  nullableFloat64(): number | null {
    return this.uint8() === 1 ? null : this.float64();
  }

  /** An `Array(Int64)` as a new array of doubles (see `int64s`). */
  int64Array(): Float64Array {
    const mark = this.at;
    const n = this.length();
    this.at = mark;
    const into = new Float64Array(n);
    this.int64s(into, 0);
    return into;
  }

  /**
   * An `Array(FixedString(8))` of 8-byte ids into `high[from…]` and `low[from…]`, each half read
   * big-endian (the id's hex order); returns the array's length.
   */
  idHalves(high: Uint32Array, low: Uint32Array, from: number): number {
    const n = this.length();
    const b = this.bytes;
    let at = this.at;
    this.need(n * 8);
    for (let i = from; i < from + n; i++, at += 8) {
      high[i] = b.readUInt32BE(at);
      low[i] = b.readUInt32BE(at + 4);
    }
    this.at = at;
    return n;
  }

  /** An `Array(Int64)` into `into[from…]`, as doubles: exact up to 2^53, which epoch microseconds stay under. */
  int64s(into: Float64Array, from: number): number {
    const n = this.length();
    const b = this.bytes;
    let at = this.at;
    this.need(n * 8);
    for (let i = from; i < from + n; i++, at += 8) into[i] = b.readInt32LE(at + 4) * 4_294_967_296 + b.readUInt32LE(at);
    this.at = at;
    return n;
  }

  /** An `Array(UInt8)` into `into[from…]`. */
  uint8s(into: Uint8Array, from: number): number {
    const n = this.length();
    const end = this.need(n);
    into.set(this.bytes.subarray(this.at, end), from);
    this.at = end;
    return n;
  }

  /** Skips an `Array(T)` of `width`-byte values, returning its length. */
  skipArray(width: number): number {
    const n = this.length();
    this.at = this.need(n * width);
    return n;
  }

  /** The position `n` bytes on, which must lie inside the answer. */
  private need(n: number): number {
    const end = this.at + n;
    if (end > this.bytes.length) throw new Error('a RowBinary answer ends inside a value');
    return end;
  }
}
