import type { LogRecord } from './log.js';
import type { Score } from './score.js';

/**
 * The binary form of `GET /api/traces/:traceId/tree` (asked for with `Accept: TREE_MEDIA_TYPE`):
 * a stream a page reads straight into typed arrays, chunk by chunk, while the rest still arrives.
 * A 200,000-span tree as JSON is 21.9 MB the browser must have whole before `JSON.parse` can
 * start; here each chunk is usable once its bytes are in.
 *
 * Layout (every number little-endian; every frame starts 8-aligned, so every column does):
 *
 * - header, 32 bytes: magic `SPTR`, u32 version (1), trace id (16 raw bytes), f64 `originUs` (epoch
 *   µs of the earliest span start; every offset counts from it);
 * - frames, each a u32 kind and a u32 body length (a multiple of 8), then the body:
 *   - kind 1, a chunk of n spans (see `TreeChunk`): u32 n, u32 new strings s, u32 events e, u32
 *     string units, then the columns in this order, each padded to 8 bytes: Float64 start offsets,
 *     durations, input tokens, output tokens, cost (n each), event offsets (e); Uint32 name,
 *     service and model indexes (n each), event span indexes, event name indexes (e each), the new
 *     strings' lengths in UTF-16 units (s); Uint8 span ids and parent ids (8n each, raw), has-parent,
 *     status, category, state (n each), then the new strings as one UTF-8 text;
 *   - kind 2, the trailer (the last frame): u32 byte length, u32 0, then the UTF-8 JSON of a
 *     `TreeTrailer`.
 * A decoder skips frames of kinds it does not know.
 *
 * Names, services, models and event names are indexes into one string table shared by the whole
 * stream: a chunk carries only the strings that no earlier chunk did, appended in order.
 */
export const TREE_MEDIA_TYPE = 'application/vnd.spoor.tree';

/** The format version this module writes and reads. */
export const TREE_FORMAT_VERSION = 1;

/** A model index for a span that has no model (not an LLM span). */
export const NO_STRING = 0xffff_ffff;

/** What the header says. */
export interface TreeHeader {
  traceId: string;
  /** Epoch microseconds of the earliest span start; every offset counts from it. */
  originUs: number;
}

/** The last frame: what `/tree` answers beside the span columns. */
export interface TreeTrailer {
  /** The first session id a span of the trace carries. */
  sessionId: string | null;
  /** Spans in all the chunks. */
  spanCount: number;
  logs: LogRecord[];
  /** The scores of the trace and of its spans, in time order. */
  scores: Score[];
  /** `true` when tail sampling did not keep the trace whole (its spans are slim); absent otherwise. */
  sampledOut?: boolean;
}

/**
 * One decoded chunk: span `i` of the chunk is element `i` of every per-span column. The columns
 * are views over the chunk's bytes, not copies. Strings are indexes into the decoder's `strings`.
 */
export interface TreeChunk {
  /** Index of this chunk's first span among all the spans of the stream. */
  firstSpan: number;
  count: number;
  /** 8 raw bytes per span; `spanIdHex(spanIds, i)` gives the hex id. */
  spanIds: Uint8Array;
  /** 8 raw bytes per span, zero where `hasParent[i]` is 0. */
  parentSpanIds: Uint8Array;
  hasParent: Uint8Array;
  nameIndexes: Uint32Array;
  serviceIndexes: Uint32Array;
  /** `NO_STRING` for a span with no model. */
  modelIndexes: Uint32Array;
  /** Microseconds from the header's `originUs`. */
  startOffsetsUs: Float64Array;
  /** Microseconds; for a running span, the time so far. */
  durationsUs: Float64Array;
  /** Index into `STATUS_CODES` (2 is error). */
  statusCodes: Uint8Array;
  /** Index into `SPAN_CATEGORIES`. */
  categories: Uint8Array;
  /** 0 ended, 1 running, 2 abandoned. */
  states: Uint8Array;
  /** NaN where the span has none (not an LLM span, or not reported). */
  inputTokens: Float64Array;
  outputTokens: Float64Array;
  costUsd: Float64Array;
  /** Events, one per element: its span's index in this chunk, its offset from `originUs`, its name. */
  eventSpans: Uint32Array;
  eventOffsetsUs: Float64Array;
  eventNameIndexes: Uint32Array;
}

/** What the encoder takes for one chunk: span `i` is element `i` of every column. */
export interface TreeChunkColumns {
  /** 16 lowercase hex digits each. */
  spanIds: readonly string[];
  parentSpanIds: readonly (string | null)[];
  names: readonly string[];
  services: readonly string[];
  models: readonly (string | null)[];
  /** Epoch microseconds. */
  startsUs: ArrayLike<number>;
  durationsUs: ArrayLike<number>;
  statusCodes: ArrayLike<number>;
  categories: ArrayLike<number>;
  /** 0 ended, 1 running, 2 abandoned; absent: all ended. */
  states?: ArrayLike<number>;
  inputTokens: readonly (number | null)[];
  outputTokens: readonly (number | null)[];
  costUsd: readonly (number | null)[];
  /** `[span index in this chunk, epoch µs, name]`. */
  events: readonly (readonly [number, number, string])[];
}

const HEADER_BYTES = 32;
const FRAME_CHUNK = 1;
const FRAME_TRAILER = 2;
const MAGIC = [0x53, 0x50, 0x54, 0x52]; // "SPTR"

// TextEncoder and TextDecoder are in every browser and in Node; the model compiles without DOM types.
interface Utf8 {
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new (label: string, options: { ignoreBOM: boolean }) => { decode(bytes: Uint8Array): string };
}
const utf8 = globalThis as unknown as Utf8;
const encoder = new utf8.TextEncoder();
// ignoreBOM keeps a leading U+FEFF: stripped, it would shift every string cut from the text after it.
const decoder = new utf8.TextDecoder('utf-8', { ignoreBOM: true });

const pad8 = (bytes: number): number => (bytes + 7) & ~7;

/** Where each column of a chunk of n spans, s new strings, e events and b string bytes lies in its body. */
function chunkLayout(n: number, s: number, e: number, b: number) {
  let at = 16;
  const take = (bytes: number): number => {
    const start = at;
    at += pad8(bytes);
    return start;
  };
  const layout = {
    startOffsetsUs: take(8 * n),
    durationsUs: take(8 * n),
    inputTokens: take(8 * n),
    outputTokens: take(8 * n),
    costUsd: take(8 * n),
    eventOffsetsUs: take(8 * e),
    nameIndexes: take(4 * n),
    serviceIndexes: take(4 * n),
    modelIndexes: take(4 * n),
    eventSpans: take(4 * e),
    eventNameIndexes: take(4 * e),
    stringLengths: take(4 * s),
    spanIds: take(8 * n),
    parentSpanIds: take(8 * n),
    hasParent: take(n),
    statusCodes: take(n),
    categories: take(n),
    states: take(n),
    strings: take(b),
    bodyBytes: 0,
  };
  layout.bodyBytes = at;
  return layout;
}

/**
 * Writes a trace's tree as the binary stream: `header()` first, then `chunk()` per page of spans
 * (any number, any size, none for an empty trace), then `trailer()`. It keeps the string table, so
 * one encoder serves one stream.
 */
export class TreeStreamEncoder {
  private readonly table = new Map<string, number>();
  /** Spans written so far. */
  spanCount = 0;

  constructor(
    readonly traceId: string,
    readonly originUs: number,
  ) {}

  header(): Uint8Array {
    const bytes = new Uint8Array(HEADER_BYTES);
    const view = new DataView(bytes.buffer);
    bytes.set(MAGIC, 0);
    view.setUint32(4, TREE_FORMAT_VERSION, true);
    writeHex(bytes, 8, this.traceId, 16);
    view.setFloat64(24, this.originUs, true);
    return bytes;
  }

  /** One frame of `columns.spanIds.length` spans. */
  chunk(columns: TreeChunkColumns): Uint8Array {
    const n = columns.spanIds.length;
    const e = columns.events.length;
    const fresh: string[] = [];
    const index = (text: string): number => {
      let i = this.table.get(text);
      if (i === undefined) {
        i = this.table.size;
        this.table.set(text, i);
        fresh.push(text);
      }
      return i;
    };
    const names = new Uint32Array(n);
    const services = new Uint32Array(n);
    const models = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      names[i] = index(columns.names[i]!);
      services[i] = index(columns.services[i]!);
      const model = columns.models[i];
      models[i] = model === null || model === undefined ? NO_STRING : index(model);
    }
    const eventNames = new Uint32Array(e);
    for (let k = 0; k < e; k++) eventNames[k] = index(columns.events[k]![2]);
    // One UTF-8 text for all the new strings, cut by UTF-16 lengths: TextEncoder writes a lone
    // surrogate as U+FFFD, one unit for one, so the lengths hold on the decoded text.
    const text = encoder.encode(fresh.join(''));

    const layout = chunkLayout(n, fresh.length, e, text.length);
    const frame = new Uint8Array(8 + layout.bodyBytes);
    const body = frame.subarray(8);
    const view = new DataView(frame.buffer);
    view.setUint32(0, FRAME_CHUNK, true);
    view.setUint32(4, layout.bodyBytes, true);
    view.setUint32(8, n, true);
    view.setUint32(12, fresh.length, true);
    view.setUint32(16, e, true);
    view.setUint32(20, text.length, true);
    const f64 = (at: number, length: number) => new Float64Array(frame.buffer, 8 + at, length);
    const u32 = (at: number, length: number) => new Uint32Array(frame.buffer, 8 + at, length);
    const starts = f64(layout.startOffsetsUs, n);
    const durations = f64(layout.durationsUs, n);
    const input = f64(layout.inputTokens, n);
    const output = f64(layout.outputTokens, n);
    const cost = f64(layout.costUsd, n);
    for (let i = 0; i < n; i++) {
      starts[i] = columns.startsUs[i]! - this.originUs;
      durations[i] = columns.durationsUs[i]!;
      input[i] = columns.inputTokens[i] ?? NaN;
      output[i] = columns.outputTokens[i] ?? NaN;
      cost[i] = columns.costUsd[i] ?? NaN;
      writeHex(body, layout.spanIds + 8 * i, columns.spanIds[i]!, 8);
      const parent = columns.parentSpanIds[i];
      if (parent !== null && parent !== undefined) {
        writeHex(body, layout.parentSpanIds + 8 * i, parent, 8);
        body[layout.hasParent + i] = 1;
      }
      body[layout.statusCodes + i] = columns.statusCodes[i]!;
      body[layout.categories + i] = columns.categories[i]!;
      body[layout.states + i] = columns.states?.[i] ?? 0;
    }
    u32(layout.nameIndexes, n).set(names);
    u32(layout.serviceIndexes, n).set(services);
    u32(layout.modelIndexes, n).set(models);
    const eventSpans = u32(layout.eventSpans, e);
    const eventOffsets = f64(layout.eventOffsetsUs, e);
    for (let k = 0; k < e; k++) {
      const [span, timeUs] = columns.events[k]!;
      eventSpans[k] = span;
      eventOffsets[k] = timeUs - this.originUs;
    }
    u32(layout.eventNameIndexes, e).set(eventNames);
    const lengths = u32(layout.stringLengths, fresh.length);
    for (let k = 0; k < fresh.length; k++) lengths[k] = fresh[k]!.length;
    body.set(text, layout.strings);
    this.spanCount += n;
    return frame;
  }

  /** The last frame: a `TreeTrailer`, or the UTF-8 bytes of one's JSON (a server that writes its JSON itself). */
  trailer(trailer: TreeTrailer | Uint8Array): Uint8Array {
    const json = trailer instanceof Uint8Array ? trailer : encoder.encode(JSON.stringify(trailer));
    const frame = new Uint8Array(8 + 8 + pad8(json.length));
    const view = new DataView(frame.buffer);
    view.setUint32(0, FRAME_TRAILER, true);
    view.setUint32(4, frame.length - 8, true);
    view.setUint32(8, json.length, true);
    frame.set(json, 16);
    return frame;
  }
}

/** The 16 hex digits of the 8-byte id at `index` of an id column. */
export function spanIdHex(ids: Uint8Array, index: number): string {
  let hex = '';
  for (let k = 8 * index; k < 8 * index + 8; k++) hex += HEX[ids[k]!];
  return hex;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function writeHex(into: Uint8Array, at: number, hex: string, bytes: number): void {
  if (hex.length !== 2 * bytes) throw new RangeError(`an id of ${bytes} bytes must be ${2 * bytes} hex digits: '${hex}'`);
  for (let k = 0; k < bytes; k++) {
    const byte = (nibble(hex.charCodeAt(2 * k)) << 4) | nibble(hex.charCodeAt(2 * k + 1));
    if (byte < 0) throw new RangeError(`not a hex id: '${hex}'`);
    into[at + k] = byte;
  }
}

/** A hex digit's value, or a large negative number for any other character. */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -256;
}

/** Decodes the strings a chunk adds to the table. */
function stringsOf(body: Uint8Array, lengths: Uint32Array, at: number, byteLength: number): string[] {
  const text = decoder.decode(body.subarray(at, at + byteLength));
  const out = new Array<string>(lengths.length);
  let from = 0;
  for (let k = 0; k < lengths.length; k++) {
    out[k] = text.slice(from, from + lengths[k]!);
    from += lengths[k]!;
  }
  return out;
}

/** The JSON of a trailer frame's body. */
function trailerOf(body: Uint8Array): TreeTrailer {
  const length = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0, true);
  return JSON.parse(decoder.decode(body.subarray(8, 8 + length))) as TreeTrailer;
}

/**
 * Reads the binary stream incrementally: `push` any slices of bytes as they arrive (a fetch body's
 * chunks, split anywhere) and get back the chunks they complete. Each chunk's columns are views
 * over one frame's bytes: a frame that arrived whole and 8-aligned inside one slice is viewed in
 * place, any other is copied once into a buffer of its own.
 *
 * @example
 * const decoder = new TreeStreamDecoder();
 * for await (const bytes of response.body) for (const chunk of decoder.push(bytes)) draw(chunk, decoder.strings);
 * decoder.end(); // throws if the stream stopped short
 * const { logs, scores } = decoder.trailer!;
 */
export class TreeStreamDecoder {
  /** Set once the header's 32 bytes are in. */
  header: TreeHeader | null = null;
  /** Set once the last frame is in. */
  trailer: TreeTrailer | null = null;
  /** The string table: names, services, models and event names index into it. It grows chunk by chunk. */
  readonly strings: string[] = [];
  /** Spans in the chunks decoded so far. */
  spanCount = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  /** Takes the next bytes of the stream; answers the chunks they complete, in order. Throws on a stream that is not this format. */
  push(bytes: Uint8Array): TreeChunk[] {
    if (bytes.length === 0) return [];
    if (this.trailer !== null) throw new Error('spoor tree stream: bytes after the trailer');
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    const chunks: TreeChunk[] = [];
    if (this.header === null) {
      if (this.pendingBytes < HEADER_BYTES) return chunks;
      this.header = headerOf(this.take(HEADER_BYTES));
    }
    while (this.trailer === null && this.pendingBytes >= 8) {
      const prelude = this.peek(8);
      const view = new DataView(prelude.buffer, prelude.byteOffset, 8);
      const kind = view.getUint32(0, true);
      const bodyBytes = view.getUint32(4, true);
      if (this.pendingBytes < 8 + bodyBytes) break;
      const frame = this.take(8 + bodyBytes);
      const body = (frame.byteOffset & 7) === 0 ? frame.subarray(8) : copyOf(frame).subarray(8);
      if (kind === FRAME_CHUNK) chunks.push(this.chunkOf(body));
      else if (kind === FRAME_TRAILER) this.trailer = trailerOf(body);
      // Any other kind is a later version's addition that this reader can do without.
    }
    if (this.trailer !== null && this.pendingBytes > 0) throw new Error('spoor tree stream: bytes after the trailer');
    return chunks;
  }

  /** The stream has ended: throws unless it was whole (header, chunks, trailer, nothing after). */
  end(): void {
    if (this.trailer === null) throw new Error(`spoor tree stream: cut short after ${this.spanCount} spans`);
  }

  private chunkOf(body: Uint8Array): TreeChunk {
    const head = new DataView(body.buffer, body.byteOffset, 16);
    const n = head.getUint32(0, true);
    const s = head.getUint32(4, true);
    const e = head.getUint32(8, true);
    const b = head.getUint32(12, true);
    const layout = chunkLayout(n, s, e, b);
    if (layout.bodyBytes > body.length) throw new Error('spoor tree stream: a chunk is shorter than its columns');
    const { buffer } = body;
    const f64 = (at: number, length: number) => new Float64Array(buffer, body.byteOffset + at, length);
    const u32 = (at: number, length: number) => new Uint32Array(buffer, body.byteOffset + at, length);
    const u8 = (at: number, length: number) => body.subarray(at, at + length);
    for (const text of stringsOf(body, u32(layout.stringLengths, s), layout.strings, b)) this.strings.push(text);
    const chunk: TreeChunk = {
      firstSpan: this.spanCount,
      count: n,
      spanIds: u8(layout.spanIds, 8 * n),
      parentSpanIds: u8(layout.parentSpanIds, 8 * n),
      hasParent: u8(layout.hasParent, n),
      nameIndexes: u32(layout.nameIndexes, n),
      serviceIndexes: u32(layout.serviceIndexes, n),
      modelIndexes: u32(layout.modelIndexes, n),
      startOffsetsUs: f64(layout.startOffsetsUs, n),
      durationsUs: f64(layout.durationsUs, n),
      statusCodes: u8(layout.statusCodes, n),
      categories: u8(layout.categories, n),
      states: u8(layout.states, n),
      inputTokens: f64(layout.inputTokens, n),
      outputTokens: f64(layout.outputTokens, n),
      costUsd: f64(layout.costUsd, n),
      eventSpans: u32(layout.eventSpans, e),
      eventOffsetsUs: f64(layout.eventOffsetsUs, e),
      eventNameIndexes: u32(layout.eventNameIndexes, e),
    };
    this.spanCount += n;
    return chunk;
  }

  /** The next `n` pending bytes, without consuming them (a copy only when they straddle slices). */
  private peek(n: number): Uint8Array {
    const first = this.pending[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = new Uint8Array(n);
    let at = 0;
    for (const slice of this.pending) {
      const part = slice.subarray(0, Math.min(slice.length, n - at));
      out.set(part, at);
      at += part.length;
      if (at === n) break;
    }
    return out;
  }

  /** Consumes the next `n` pending bytes: a view when one slice holds them, else one copy. */
  private take(n: number): Uint8Array {
    const out = this.peek(n);
    this.pendingBytes -= n;
    let left = n;
    while (left > 0) {
      const first = this.pending[0]!;
      if (first.length <= left) {
        this.pending.shift();
        left -= first.length;
      } else {
        this.pending[0] = first.subarray(left);
        left = 0;
      }
    }
    return out;
  }
}

function headerOf(bytes: Uint8Array): TreeHeader {
  if (MAGIC.some((b, k) => bytes[k] !== b)) throw new Error(`spoor tree stream: not a tree stream (expected ${TREE_MEDIA_TYPE})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const version = view.getUint32(4, true);
  if (version !== TREE_FORMAT_VERSION) throw new Error(`spoor tree stream: version ${version}, this reader knows ${TREE_FORMAT_VERSION}`);
  let traceId = '';
  for (let k = 8; k < 24; k++) traceId += HEX[bytes[k]!];
  return { traceId, originUs: view.getFloat64(24, true) };
}

function copyOf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}
