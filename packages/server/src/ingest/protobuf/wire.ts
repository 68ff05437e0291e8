import { BinaryReader } from '@bufbuild/protobuf/wire';
import { AppError } from '../../errors.js';

/**
 * Helpers over the `@bufbuild/protobuf` wire reader. Tags are read as plain varints and matched
 * whole (`field << 3 | wireType`), which avoids the tuple `BinaryReader.tag()` allocates.
 */
export { BinaryReader };

export const WT_VARINT = 0;
export const WT_I64 = 1;
export const WT_LEN = 2;
export const WT_I32 = 5;

export function tagOf(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

export function malformed(message: string): AppError {
  return new AppError('ERR_INGEST_MALFORMED_BODY', `malformed protobuf: ${message}`);
}

/**
 * A reader's error as the body's fault: the wire reader's own (reading past the end, a bad varint)
 * made malformed with its words, as the record path's envelope makes them (`readExportRequest`).
 */
export function readerFault(error: unknown): unknown {
  return error instanceof Error && error.name !== 'AppError' ? malformed(error.message) : error;
}

/** Reads the length prefix of an embedded message and returns the offset where it ends. */
export function messageEnd(r: BinaryReader): number {
  const length = r.uint32();
  const end = r.pos + length;
  if (end > r.len) throw malformed('truncated message');
  return end;
}

/** Checks that a message ended exactly where its length said. */
export function expectEnd(r: BinaryReader, end: number): void {
  if (r.pos !== end) throw malformed('field overruns its enclosing message');
}

/**
 * Skips a field this decoder does not read. A known field (bit set in `knownFields`) that came
 * with another wire type is an error, as is a wire type protobuf does not define.
 */
export function skipField(r: BinaryReader, tag: number, knownFields: number, message: string): void {
  const field = tag >>> 3;
  const wireType = tag & 7;
  if (field === 0) throw malformed(`invalid field number 0 in ${message}`);
  if (field < 32 && (knownFields >>> field) & 1) {
    throw malformed(`field ${field} of ${message} has the wrong wire type ${wireType}`);
  }
  if (wireType !== WT_VARINT && wireType !== WT_I64 && wireType !== WT_LEN && wireType !== WT_I32) {
    throw malformed(`unsupported wire type ${wireType} in ${message}`);
  }
  r.skip(wireType);
}

/** A bit mask of field numbers, for `skipField`. */
export function fields(...numbers: number[]): number {
  let mask = 0;
  for (const n of numbers) mask |= 1 << n;
  return mask;
}

/**
 * Strings read with invalid UTF-8 since `resetReplacedStrings`. A decoder reads one body at a
 * time, synchronously, so one count per thread serves: it starts the count, reads, and takes it.
 */
let replacedStrings = 0;

export function resetReplacedStrings(count = 0): void {
  replacedStrings = count;
}

/** How many strings had their invalid UTF-8 replaced since `resetReplacedStrings`. */
export function replacedStringCount(): number {
  return replacedStrings;
}

/** Counts a string whose invalid UTF-8 a reader other than `readString` replaced. */
export function countReplacedString(): void {
  replacedStrings++;
}

/**
 * Reads a UTF-8 string. Invalid sequences become U+FFFD and the string is counted
 * (`takeReplacedStrings`): OpenTelemetry asks receivers to keep such data (OTEP 257: dropping a
 * whole batch for one bad string is unacceptable; opentelemetry-proto #845). Valid text pays
 * nothing for it: the strict decoder only throws on the invalid.
 */
export function readString(r: BinaryReader): string {
  const at = r.pos;
  try {
    return r.string(true);
  } catch (error) {
    if (error instanceof RangeError) throw malformed('truncated string');
    r.pos = at;
    replacedStrings++;
    return r.string(false);
  }
}

/**
 * Reads a `fixed64` nanosecond timestamp as epoch microseconds, exactly and without BigInt:
 * ns = hi * 2^32 + lo = 1000 * (hi * 4294967) + (hi * 296 + lo), and both products stay below
 * 2^53 for any timestamp before the year 2255.
 */
export function readMicros(r: BinaryReader): number {
  const lo = r.fixed32();
  const hi = r.fixed32();
  return hi * 4294967 + Math.floor((hi * 296 + lo) / 1000);
}

/** Reads a `fixed64` count: a number when a double holds it exactly (below 2^53), else its decimal text. */
export function readFixed64Count(r: BinaryReader): number | string {
  const lo = r.fixed32();
  const hi = r.fixed32();
  // hi * 2^32 + lo stays below 2^53 while hi is below 2^21.
  return hi < 0x200000 ? hi * 4294967296 + lo : ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** Reads a signed 64-bit varint: a number when exact, else a decimal string. */
export function readInt64(r: BinaryReader): number | string {
  return safeNumber(r.int64());
}

/** Reads an `sfixed64`: a number when exact, else a decimal string. */
export function readSfixed64(r: BinaryReader): number | string {
  return safeNumber(r.sfixed64());
}

/** Reads an `sfixed64` exactly, as decimal text. */
export function readSfixed64Text(r: BinaryReader): string {
  return String(r.sfixed64());
}

function safeNumber(value: bigint | string): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of an id; `''` for an empty one. */
export function hexOf(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}
