/**
 * Shared memory a large trace answer is written into, the same for answer after answer: a
 * `SharedArrayBuffer`, made once and handed to the HTTP thread by reference. V8 counts a fresh
 * answer buffer as external memory of each thread that holds it, and past 64 MB of that it starts a
 * full collection: a new 58 MB answer a request cost the HTTP thread a full collection of its
 * 50 MB heap (26-42 ms) on most large answers, and the kernel faulted the new buffer's pages in
 * while it was written. V8 counts no shared buffer against a thread's external memory, and pages
 * written once stay in. With it the server's CPU a request of the 20,001-span bench traces fell
 * from 225 to 143 ms (agent) and 504 to 438 ms (heavy) on DuckDB (BENCHMARKS.md).
 *
 * One answer holds the region at a time, from its writing until the HTTP thread has sent it and
 * gives it back (`release`); an answer written while another holds it, or too large for it,
 * gets a buffer of its own as before. The region is let go after `IDLE_MS` unused.
 *
 * Not `shared`, a region is memory of this thread's own, lent the same way to what a large read
 * holds until its answer is written (`QueryService.getTrace`): copying out of shared memory into
 * the answer took 15-25% longer (V8 copies shared memory byte by byte, as other threads may write it).
 */
export class AnswerRegion {
  private region: Buffer | null = null;
  private leased = false;
  private idle: NodeJS.Timeout | null = null;

  private readonly maxBytes: number;
  private readonly shared: boolean;

  constructor(options: { maxBytes?: number; shared?: boolean } = {}) {
    this.maxBytes = options.maxBytes ?? MAX_REGION_BYTES;
    this.shared = options.shared ?? true;
  }

  /** The region to write an answer of about `sizeHint` bytes into, held until `release`; `null`: write it elsewhere. */
  lease(sizeHint: number): Buffer | null {
    if (this.leased || sizeHint < MIN_ANSWER_BYTES || sizeHint > this.maxBytes) return null;
    if (this.idle !== null) clearTimeout(this.idle);
    this.idle = null;
    if (this.region === null || this.region.length < sizeHint) {
      // Grown a step at a time: an answer a little larger than the last does not make it again.
      const bytes = Math.min(this.maxBytes, Math.ceil(sizeHint / GROWTH_BYTES) * GROWTH_BYTES);
      this.region = this.shared ? Buffer.from(new SharedArrayBuffer(bytes)) : Buffer.allocUnsafeSlow(bytes);
    }
    this.leased = true;
    return this.region;
  }

  /** Whether `bytes` lie in the region (an answer written there, not grown out of it). */
  holds(bytes: Uint8Array): boolean {
    return this.region !== null && bytes.buffer === this.region.buffer;
  }

  /** The answer that held the region was sent (or was written elsewhere): the next may be written there. */
  release(): void {
    if (!this.leased) return;
    this.leased = false;
    this.idle = setTimeout(() => {
      this.region = null;
      this.idle = null;
    }, IDLE_MS);
    this.idle.unref();
  }
}

/** Answers under 1 MiB go in buffers of their own: their collections are cheap. */
const MIN_ANSWER_BYTES = 1 << 20;
/** The largest region: a 20,001-span answer of the stored text bytes one answer may hold (64 MiB) and its fields. */
const MAX_REGION_BYTES = 96 * 2 ** 20;
const GROWTH_BYTES = 8 * 2 ** 20;
const IDLE_MS = 10_000;

/** Whether an answer's bytes are shared memory (an `AnswerRegion`'s) rather than a buffer of their own. */
export const isShared = (bytes: Uint8Array): boolean => bytes.buffer instanceof SharedArrayBuffer;
