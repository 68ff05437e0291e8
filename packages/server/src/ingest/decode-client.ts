import { DEFAULT_MAX_SERIES_PER_FAMILY } from '../metrics/span-metrics.js';
import type { CountedScore } from '../metrics/score-metrics.js';
import type { Worker } from 'node:worker_threads';
import type { ModelPrice, PriceTable } from '@spoor/model';
import { AppError } from '../errors.js';
import { ThreadClient, startWorker } from '../threads/client.js';
import { inProcessLink } from '../threads/in-process.js';
import type { Link } from '../threads/protocol.js';
import { workerUrl } from '../worker-url.js';
import { DECODE_TRANSFERS, type DecodeProtocol, decodeServed } from './decode-protocol.js';
import { DecodeCore, type DecodeRequest, type DecodeResult, type Decoder, type MaskFile } from './decoder.js';
import type { MaskingPolicy } from './masking.js';

/** Bytes of bodies being decoded at once before new ones are refused with 503. */
const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;

/** A `Decoder` over a link to whatever serves the decode protocol. */
class LinkedDecoder implements Decoder {
  private inFlightBytes = 0;

  constructor(private readonly link: Link<DecodeProtocol>) {}

  async decode(request: DecodeRequest): Promise<DecodeResult> {
    const bytes = request.body.byteLength;
    if (this.inFlightBytes > 0 && this.inFlightBytes + bytes > MAX_IN_FLIGHT_BYTES) {
      throw new AppError('ERR_INGEST_QUEUE_FULL', `too many bodies are being decoded (${this.inFlightBytes} bytes)`, { retryAfterSeconds: 1 });
    }
    // Moved to the thread and back without a copy, unless it shares its buffer (a pooled Buffer).
    const { body } = request;
    const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
    const moved = owned ? body : new Uint8Array(body);
    this.inFlightBytes += bytes;
    try {
      return await this.link.calls.decode({ ...request, body: moved });
    } finally {
      this.inFlightBytes -= bytes;
    }
  }

  accepted(ticket: number): void {
    this.link.post('settle', ticket, true);
  }

  dropped(ticket: number): void {
    this.link.post('settle', ticket, false);
  }

  spanMetrics(): Promise<string> {
    return this.link.calls.spanMetrics();
  }

  countScores(scores: readonly CountedScore[]): void {
    if (scores.length > 0) this.link.post('scores', scores);
  }

  setPrices(projectId: string, models: ModelPrice[]): void {
    this.link.post('prices', projectId, models);
  }

  remember(spans: ReadonlyArray<{ projectId: string; traceId: string; spanId: string }>): void {
    this.link.post('remember', spans);
  }

  setMasking(projectId: string, policy: MaskingPolicy | null): void {
    this.link.post('masking', projectId, policy);
  }

  async close(): Promise<void> {}
}

/**
 * Decodes on a thread of its own (`decode-thread.ts`): the HTTP thread hands it each body and
 * gets the body back with its batch, so a burst of large requests does not hold up the health
 * checks, reads and answers behind them on the HTTP thread's event loop.
 */
export class DecodeThread extends LinkedDecoder {
  private constructor(
    private readonly worker: Worker,
    private readonly client: ThreadClient<DecodeProtocol>,
  ) {
    super(client);
  }

  static async start(
    prices: PriceTable | null,
    onFailed: (error: Error) => void,
    maskFile: MaskFile | null = null,
    metricsMaxSeries = DEFAULT_MAX_SERIES_PER_FAMILY,
  ): Promise<DecodeThread> {
    // A young generation larger than a worker's default: each body makes megabytes of short-lived
    // records, and collecting them took 16% of the thread with the default.
    const worker = startWorker<DecodeProtocol>(
      workerUrl(import.meta.url, 'ingest/decode-thread.js', 'decode thread'),
      { prices, maskFile, metricsMaxSeries },
      { resourceLimits: { maxYoungGenerationSizeMb: 96 } },
    );
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    worker.removeAllListeners('error');
    const client = new ThreadClient<DecodeProtocol>(worker, {
      what: 'decode thread',
      events: {},
      transfers: DECODE_TRANSFERS,
      unavailable: (failure) => new AppError('ERR_STORE_UNAVAILABLE', `the decode thread failed (${failure.message}); retry later`, { retryAfterSeconds: 1 }),
      onFailed,
    });
    return new DecodeThread(worker, client);
  }

  /** The thread's event-loop time so far, busy and idle (for `IngestLoad`). */
  loopTime(): { idle: number; active: number } {
    const { idle, active } = this.worker.performance.eventLoopUtilization();
    return { idle, active };
  }

  override async close(): Promise<void> {
    this.client.closed();
    await this.worker.terminate();
  }
}

/** A decoder on the calling thread, through the same protocol (bodies and batches moved as to the thread). */
export class InProcessDecoder extends LinkedDecoder {
  constructor(prices: PriceTable | null = null, maskFile: MaskFile | null = null) {
    super(inProcessLink(decodeServed(new DecodeCore(prices, maskFile)), { transfers: DECODE_TRANSFERS }));
  }
}
