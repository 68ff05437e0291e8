import type { ExportQuery } from '@spoor/model';
import { AppError } from '../errors.js';
import type { RecordExporter } from '../store/ports/export.js';

/**
 * `GET /api/export` on the database thread: an export's bytes, about a mebibyte a call, as the
 * store's exporter makes them. The route asks for the next chunk only once the socket has taken
 * the last, so neither thread holds more than a chunk of a file of any size, and a client that
 * goes away ends the export (the route closes its stream, which ends the engine's work).
 *
 * A stream is kept here between calls; one not asked for within `IDLE_MS` is closed when the next
 * starts, in case a caller never closed it.
 */

/** What a call answers: the next bytes of the file (owning their `ArrayBuffer`: they move between threads uncopied). */
export interface ExportChunk {
  stream: number;
  bytes: Uint8Array;
  /** The file ends with these bytes: the stream is closed. */
  done: boolean;
}

/** Bytes a call answers at most, about: a message per mebibyte keeps the calls' cost out of sight. */
export const EXPORT_CHUNK_BYTES = 1024 * 1024;
const IDLE_MS = 60_000;

interface OpenExport {
  chunks: AsyncGenerator<Uint8Array, void, undefined>;
  usedMs: number;
}

export class ExportStreams {
  private readonly open = new Map<number, OpenExport>();
  private nextId = 0;

  constructor(
    private readonly exporter: RecordExporter,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Starts an export and answers its first chunk (the whole file when it is small). */
  async start(query: ExportQuery): Promise<ExportChunk> {
    const now = this.nowMs();
    for (const [id, idle] of this.open) {
      if (now - idle.usedMs > IDLE_MS) void this.close(id);
    }
    const chunks = await this.exporter.open(query);
    const stream = ++this.nextId;
    this.open.set(stream, { chunks, usedMs: now });
    return this.take(stream);
  }

  /** The next chunk of an open export. */
  async next(stream: number): Promise<ExportChunk> {
    const open = this.open.get(stream);
    if (open === undefined) throw new AppError('ERR_NOT_FOUND', `export stream ${stream} is not open`);
    open.usedMs = this.nowMs();
    return this.take(stream);
  }

  /** Ends an export before its end (its client went away); false when it was not open. */
  async close(stream: number): Promise<boolean> {
    const open = this.open.get(stream);
    if (open === undefined) return false;
    this.open.delete(stream);
    await open.chunks.return(undefined);
    return true;
  }

  /** Streams open now. */
  get size(): number {
    return this.open.size;
  }

  /** About `EXPORT_CHUNK_BYTES` of the stream, copied into a buffer of their own. */
  private async take(stream: number): Promise<ExportChunk> {
    const { chunks } = this.open.get(stream)!;
    const parts: Uint8Array[] = [];
    let length = 0;
    let done = false;
    try {
      while (length < EXPORT_CHUNK_BYTES) {
        const next = await chunks.next();
        if (next.done === true) {
          done = true;
          break;
        }
        parts.push(next.value);
        length += next.value.length;
      }
    } catch (error) {
      this.open.delete(stream);
      throw error;
    }
    if (done) this.open.delete(stream);
    // A copy: the engine's chunks may be views of buffers it reuses, which must not move.
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    return { stream, bytes, done };
  }
}
