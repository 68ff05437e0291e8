import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, readdirSync, statSync, statfsSync, writev } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { isLackOfSpace } from './lack-of-space.js';

/**
 * The ingest spool: an append-only log of accepted OTLP request bodies on disk. A request is
 * acknowledged once its body is written here (and fdatasync'ed), so a crash loses nothing that
 * was acknowledged; the store is then filled from memory in large transactions, and on start-up
 * whatever the store had not committed is replayed from here.
 *
 * Entry layout (little-endian): u32 body length, u8 signal, u8 encoding, u8 project id length,
 * u8 format, f64 received time (epoch µs), u32 CRC-32; then the project id (UTF-8) and the body.
 * Format 1 checksums the first 16 header bytes, the project id and the body; format 0 (written
 * before) the project id and the body only, and is refused when both are empty (as in twenty zero
 * bytes, whose checksum of nothing is 0). Segments are files named by a 12-digit number, rolled
 * at `maxSegmentBytes`.
 *
 * A stretch that does not read as an entry ends its segment when nothing readable follows (a torn
 * tail: a write the crash interrupted, never acknowledged); when an entry follows it, the stretch
 * is damage, reported with its bytes, and reading goes on after it.
 */
export const SIGNALS = ['traces', 'logs', 'metrics'] as const;
export type SpoolSignal = (typeof SIGNALS)[number];
export const ENCODINGS = ['protobuf', 'json'] as const;
export type SpoolEncoding = (typeof ENCODINGS)[number];

export interface SpoolEntry {
  signal: SpoolSignal;
  encoding: SpoolEncoding;
  projectId: string;
  receivedUs: number;
  body: Uint8Array;
}

/** The place just after an entry: everything before it is accounted for. */
export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface SpoolOptions {
  /**
   * Roll to a new segment file past this size. Default 64 MiB, or a 32nd of the disk the spool is
   * on when that is less (at least 1 MiB).
   */
  maxSegmentBytes?: number;
  /** fdatasync after each group of appends (power-loss safety). Default true. */
  sync?: boolean;
}

const HEADER_BYTES = 20;
const MiB = 1024 * 1024;

/**
 * The default segment size for a spool in `dir`: 64 MiB, but at most a 32nd of its disk. Committed
 * requests are deleted a whole segment at a time, so a segment keeps what the store committed
 * until it is full: on a 40 MiB disk a 64 MiB segment was never full, and the requests it kept
 * took the room the store needed to commit the ones after them.
 */
export function defaultSegmentBytes(dir: string): number {
  try {
    const { blocks, bsize } = statfsSync(dir);
    return Math.min(64 * MiB, Math.max(MiB, Math.floor((blocks * bsize) / 32)));
  } catch {
    return 64 * MiB;
  }
}
const SEGMENT_FILE = /^(\d{12})\.spool$/;

export function positionToString(p: SpoolPosition): string {
  return `${p.segment}:${p.offset}`;
}

export function positionFromString(text: string | null): SpoolPosition | null {
  const match = text === null ? null : /^(\d+):(\d+)$/.exec(text);
  return match === null ? null : { segment: Number(match[1]), offset: Number(match[2]) };
}

export function comparePositions(a: SpoolPosition, b: SpoolPosition): number {
  return a.segment - b.segment || a.offset - b.offset;
}

interface Waiting {
  buffers: Buffer[];
  bytes: number;
  resolve: (position: SpoolPosition) => void;
  reject: (error: unknown) => void;
}

export class Spool {
  private fd: number;
  private segment: number;
  private offset = 0;
  private waiting: Waiting[] = [];
  private flushing = false;
  private closed = false;
  private readonly maxSegmentBytes: number;
  /** Whether the next append starts a new segment (`rollSoon`). */
  private rollPending = false;
  /** Segments whose unlink is under way (`release`). */
  private readonly unlinking = new Set<number>();
  private readonly sync: boolean;
  /** The end of the last group on disk: everything before it is acknowledged. */
  private durable: SpoolPosition;
  private readonly durableListeners: Array<(end: SpoolPosition) => void> = [];
  /** Where a reader other than the store (forwarding) still needs the spool from; `null`: nowhere. */
  private held: () => SpoolPosition | null = () => null;

  private constructor(
    private readonly dir: string,
    segment: number,
    options: SpoolOptions,
  ) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? defaultSegmentBytes(dir);
    this.sync = options.sync ?? true;
    this.segment = segment;
    this.fd = openSync(this.fileOf(segment), 'a');
    this.durable = { segment, offset: 0 };
  }

  /**
   * Opens the spool in `dir`; appends always go to a new segment, after any torn tail, and after
   * `afterSegment` (the segment of the store's committed position, in case the directory was
   * emptied: entries in lower segments would count as committed).
   */
  static async open(dir: string, options: SpoolOptions = {}, afterSegment = 0): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const last = Math.max(listSegments(dir).at(-1) ?? 0, afterSegment);
    return new Spool(dir, last + 1, options);
  }

  /**
   * Appends an entry; resolves with its end position once it is on disk. Appends made in the
   * same turn of the event loop share one write and one fdatasync.
   */
  append(entry: SpoolEntry): Promise<SpoolPosition> {
    if (this.closed) return Promise.reject(new Error('the spool is closed'));
    let buffers: Buffer[];
    try {
      buffers = encodeEntry(entry);
    } catch (error) {
      return Promise.reject(error);
    }
    const bytes = buffers[0]!.length + buffers[1]!.length + buffers[2]!.length;
    return new Promise((resolve, reject) => {
      this.waiting.push({ buffers, bytes, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const group = this.waiting;
    this.waiting = [];
    if (group.length === 0) {
      this.flushing = false;
      return;
    }
    try {
      if (this.offset >= this.maxSegmentBytes || (this.rollPending && this.offset > 0)) this.roll();
      this.rollPending = false;
    } catch (error) {
      for (const w of group) w.reject(error);
      this.flushing = false;
      return;
    }
    const positions: SpoolPosition[] = [];
    const start = this.offset;
    let offset = start;
    for (const w of group) {
      offset += w.bytes;
      positions.push({ segment: this.segment, offset });
    }
    const buffers = group.flatMap((w) => w.buffers);
    const done = (error: unknown): void => {
      if (error) {
        // Cut off whatever part of the group reached the file, so the next group writes where
        // this one began: a full disk refuses write after write, and rolling to a new segment
        // for each left a trail of empty files. If even that fails, the part ends this segment
        // as a torn tail and later entries go to a new segment, where they stay readable.
        try {
          ftruncateSync(this.fd, start);
          this.offset = start;
        } catch {
          this.offset = this.maxSegmentBytes;
        }
        // A full disk: the room this segment holds comes back only once a later one is committed.
        if (isLackOfSpace(error)) this.rollPending = true;
        for (const w of group) w.reject(error);
      } else {
        this.durable = positions.at(-1)!;
        group.forEach((w, i) => w.resolve(positions[i]!));
        for (const listener of this.durableListeners) listener(this.durable);
      }
      if (this.waiting.length > 0) setImmediate(() => this.flush());
      else this.flushing = false;
    };
    writeAll(this.fd, buffers, (error) => {
      if (error) return done(error);
      this.offset = offset;
      if (!this.sync) return done(null);
      fdatasync(this.fd, done);
    });
  }

  /**
   * Starts a new segment at the next append, when this one holds anything: the committed part of
   * a segment is deleted only once the store commits past its end, and on a disk smaller than a
   * segment (64 MiB) that never happened, so the spool kept the room the store needed.
   */
  rollSoon(): void {
    this.rollPending = true;
  }

  private roll(): void {
    // Open the next file before giving up the current one: if the open fails, nothing changed
    // and no write can reach a closed (and perhaps reused) descriptor.
    const fd = openSync(this.fileOf(this.segment + 1), 'a');
    closeSync(this.fd);
    this.fd = fd;
    this.segment++;
    this.offset = 0;
  }

  /**
   * Deletes the segments wholly before `position` (the store has committed them) and before what
   * `hold` keeps; resolves once they are gone. Off the event loop: unlinking a 64 MB segment took
   * 20-56 ms under a 0.8x load, a pause of the HTTP thread every few seconds. A segment that
   * cannot be deleted is left for the next release (never a rejection: callers do not wait).
   */
  release(position: SpoolPosition): Promise<void> {
    const held = this.held();
    let upTo = held !== null && comparePositions(held, position) < 0 ? held : position;
    // All of the segment being written is committed and a new one is wanted (`rollSoon`): started
    // now, so this one goes at once, without waiting for an append the full disk would refuse.
    if (this.rollPending && !this.flushing && !this.closed && upTo.segment === this.segment && upTo.offset > 0 && upTo.offset === this.offset) {
      try {
        this.roll();
        this.rollPending = false;
        upTo = { segment: this.segment, offset: 0 };
      } catch {
        // No new file (no room even for that): the next release or append tries again.
      }
    }
    // A segment being unlinked still lists until it is gone: asked for once.
    const doomed = listSegments(this.dir).filter((segment) => segment < upTo.segment && segment !== this.segment && !this.unlinking.has(segment));
    return Promise.all(
      doomed.map((segment) => {
        this.unlinking.add(segment);
        return rm(this.fileOf(segment), { force: true })
          .catch(() => undefined)
          .finally(() => this.unlinking.delete(segment));
      }),
    ).then(() => undefined);
  }

  /**
   * Keeps the segments from `from()` on (read at each release) past the store's commit: a reader
   * of the spool besides the store (forwarding) has not read them yet.
   */
  hold(from: () => SpoolPosition | null): void {
    this.held = from;
  }

  /** The end of what is on disk and acknowledged: the end of the last group written. */
  durableEnd(): SpoolPosition {
    return this.durable;
  }

  /** Told the new end after each group is on disk (one call per group, not per entry). */
  onDurable(listener: (end: SpoolPosition) => void): void {
    this.durableListeners.push(listener);
  }

  /** Waits for appends in progress, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await new Promise((resolve) => setImmediate(resolve));
    closeSync(this.fd);
  }

  private fileOf(segment: number): string {
    return segmentFile(this.dir, segment);
  }
}

/** The file of segment `segment` in the spool directory `dir`. */
export function segmentFile(dir: string, segment: number): string {
  return join(dir, `${String(segment).padStart(12, '0')}.spool`);
}

/**
 * Reads every entry after `from` (all entries when `null`), segment by segment. A torn or corrupt
 * tail (a crash mid-write, which was never acknowledged) ends its segment's entries.
 */
export function* readSpool(dir: string, from: SpoolPosition | null): Generator<SpoolItem> {
  for (const segment of listSegments(dir)) {
    if (from !== null && segment < from.segment) continue;
    const file = join(dir, `${String(segment).padStart(12, '0')}.spool`);
    if (statSync(file).size === 0) continue;
    yield* readSpoolFile(file, segment, from !== null && segment === from.segment ? from.offset : 0);
  }
}

/** What reading the spool finds: an entry, a torn tail, or a damaged stretch with entries after it. */
export type SpoolItem =
  | { entry: SpoolEntry; position: SpoolPosition }
  | { tornBytes: number; segment: number }
  | { damaged: Uint8Array; segment: number; offset: number };

/**
 * Reads the entries of one file in the spool's format from byte `offset` on; `segment` names
 * their positions. A stretch that is not an entry is damage when an entry follows it (reading
 * resumes there), else a torn tail that ends the file.
 */
export function* readSpoolFile(file: string, segment: number, offset = 0): Generator<SpoolItem> {
  const data = readFileSync(file);
  while (offset < data.length) {
    const entry = decodeEntry(data, offset);
    if (entry !== null) {
      offset = entry.end;
      yield { entry: entry.entry, position: { segment, offset } };
      continue;
    }
    const next = nextEntryAfter(data, offset);
    if (next === -1) {
      yield { tornBytes: data.length - offset, segment };
      return;
    }
    yield { damaged: data.subarray(offset, next), segment, offset };
    offset = next;
  }
}

/**
 * Where the next entry starts after a stretch that is not one, or -1. Only format 1 entries are
 * looked for: their checksum covers the header, so a match by chance is a 1-in-2^32 event, and
 * the cheap checks before it (format byte, signal, encoding, length) pass a few offsets in a
 * million.
 */
function nextEntryAfter(data: Buffer, offset: number): number {
  for (let at = offset + 1; at + HEADER_BYTES <= data.length; at++) {
    if (data[at + 7] !== 1 || data[at + 4]! >= SIGNALS.length || data[at + 5]! >= ENCODINGS.length) continue;
    if (decodeEntry(data, at) !== null) return at;
  }
  return -1;
}

/**
 * Reads whole entries of segment `segment` from byte `offset` up to byte `end` (at most), about
 * `maxBytes` of them but always a whole first one: how a reader that follows the spool as it
 * grows takes it a piece at a time, never the whole segment. `next` is where the next read
 * starts. A stretch that is not an entry is reported as `readSpoolFile` reports it (damage with
 * an entry after it, or a torn tail that ends the segment).
 */
export function readSpoolRange(dir: string, segment: number, offset: number, end: number, maxBytes: number): { items: SpoolItem[]; next: number } {
  const fd = openSync(segmentFile(dir, segment), 'r');
  try {
    const stop = Math.min(end, fstatSync(fd).size);
    if (offset >= stop) return { items: [], next: offset };
    let data = readAt(fd, offset, Math.min(stop - offset, Math.max(maxBytes, HEADER_BYTES)));
    if (data.length >= HEADER_BYTES) {
      const first = HEADER_BYTES + data.readUInt8(6) + data.readUInt32LE(0);
      if (first > data.length && offset + first <= stop) data = readAt(fd, offset, first);
    }
    const items: SpoolItem[] = [];
    let at = 0;
    while (at < data.length) {
      const entry = decodeEntry(data, at);
      if (entry === null) break;
      at = entry.end;
      items.push({ entry: entry.entry, position: { segment, offset: offset + at } });
    }
    if (items.length > 0) return { items, next: offset + at };
    const rest = readAt(fd, offset, stop - offset);
    const after = nextEntryAfter(rest, 0);
    if (after === -1) return { items: [{ tornBytes: rest.length, segment }], next: stop };
    return { items: [{ damaged: rest.subarray(0, after), segment, offset }], next: offset + after };
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const data = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, data, read, length - read, offset + read);
    if (n === 0) break;
    read += n;
  }
  return read === length ? data : data.subarray(0, read);
}

/** The segments in the spool directory `dir`, oldest first. */
export function listSpoolSegments(dir: string): number[] {
  return listSegments(dir);
}

function listSegments(dir: string): number[] {
  const segments: number[] = [];
  for (const name of readdirSync(dir)) {
    const match = SEGMENT_FILE.exec(name);
    if (match !== null) segments.push(Number(match[1]));
  }
  return segments.sort((a, b) => a - b);
}

/** An entry in the spool's format, as the buffers to write one after the other. */
export function encodeEntry(entry: SpoolEntry): Buffer[] {
  const project = Buffer.from(entry.projectId, 'utf8');
  if (project.length > 255) throw new Error('project id longer than 255 bytes');
  const body = Buffer.from(entry.body.buffer, entry.body.byteOffset, entry.body.byteLength);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt8(SIGNALS.indexOf(entry.signal), 4);
  header.writeUInt8(ENCODINGS.indexOf(entry.encoding), 5);
  header.writeUInt8(project.length, 6);
  header.writeUInt8(1, 7);
  header.writeDoubleLE(entry.receivedUs, 8);
  header.writeUInt32LE(checksum(header.subarray(0, 16), project, body), 16);
  return [header, project, body];
}

function decodeEntry(data: Buffer, offset: number): { entry: SpoolEntry; end: number } | null {
  if (offset + HEADER_BYTES > data.length) return null;
  const bodyLength = data.readUInt32LE(offset);
  const signal = SIGNALS[data.readUInt8(offset + 4)];
  const encoding = ENCODINGS[data.readUInt8(offset + 5)];
  const projectLength = data.readUInt8(offset + 6);
  const format = data.readUInt8(offset + 7);
  const receivedUs = data.readDoubleLE(offset + 8);
  const crc = data.readUInt32LE(offset + 16);
  const projectStart = offset + HEADER_BYTES;
  const bodyStart = projectStart + projectLength;
  const end = bodyStart + bodyLength;
  if (signal === undefined || encoding === undefined || format > 1 || end > data.length) return null;
  // A format 0 entry with no project id and no body has a checksum over nothing, which is 0: twenty
  // zero bytes (a zeroed stretch of disk) would read as such an entry, again and again. Spoor never
  // wrote one (every entry names its project), so it is not an entry.
  if (format === 0 && projectLength === 0 && bodyLength === 0) return null;
  const project = data.subarray(projectStart, bodyStart);
  const body = data.subarray(bodyStart, end);
  const header = format === 1 ? data.subarray(offset, offset + 16) : EMPTY;
  if (checksum(header, project, body) !== crc) return null;
  return { entry: { signal, encoding, projectId: project.toString('utf8'), receivedUs, body }, end };
}

const EMPTY = Buffer.alloc(0);

/** CRC-32 of the header bytes it covers (none in format 0), the project id, then the body. */
function checksum(header: Buffer, project: Buffer, body: Buffer): number {
  // zlib's crc32 of an empty buffer over a zero-length ArrayBuffer (no memory behind it) is 0,
  // whatever the running value: empty parts are skipped, so the sum is the same written and read.
  let crc = 0;
  for (const part of [header, project, body]) if (part.length > 0) crc = crc32(part, crc);
  return crc;
}

/** `writev` until every byte is written (a short write continues where it stopped). */
function writeAll(fd: number, buffers: Buffer[], callback: (error: NodeJS.ErrnoException | null) => void): void {
  writev(fd, buffers, (error, written) => {
    if (error) return callback(error);
    let rest = written;
    let i = 0;
    while (i < buffers.length && rest >= buffers[i]!.length) rest -= buffers[i++]!.length;
    if (i === buffers.length) return callback(null);
    const remaining = [buffers[i]!.subarray(rest), ...buffers.slice(i + 1)];
    writeAll(fd, remaining, callback);
  });
}
