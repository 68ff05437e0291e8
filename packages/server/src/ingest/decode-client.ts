import { Worker } from 'node:worker_threads';
import type { ModelPrice, PriceTable } from '@spoor/model';
import { AppError, type ErrorCode } from '../errors.js';
import { workerUrl } from '../worker-url.js';
import type { DecodeRequest, DecodeResult, Decoder, MaskFile } from './decoder.js';
import type { MaskingPolicy } from './masking.js';
import type { FromDecodeThread, ToDecodeThread } from './decode-thread.js';

/** Bytes of bodies being decoded at once before new ones are refused with 503. */
const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;

/**
 * Decodes on a thread of its own (`decode-thread.ts`): the HTTP thread hands it each body and
 * gets the body back with its batch, so a burst of large requests does not hold up the health
 * checks, reads and answers behind them on the HTTP thread's event loop.
 */
export class DecodeThread implements Decoder {
  private nextId = 0;
  private inFlightBytes = 0;
  private failed: Error | null = null;
  private closing = false;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly worker: Worker,
    onFailed: (error: Error) => void,
  ) {
    worker.on('message', (message: FromDecodeThread) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.type === 'failed') {
        const { error } = message;
        waiting?.reject(
          error.code !== undefined
            ? new AppError(error.code as ErrorCode, error.message, error.retryAfterSeconds == null ? {} : { retryAfterSeconds: error.retryAfterSeconds })
            : Object.assign(new Error(error.message), { name: error.name }),
        );
      } else waiting?.resolve(message.type === 'decoded' ? message.result : message.text);
    });
    const fail = (error: Error): void => {
      if (this.failed !== null) return;
      this.failed = error;
      for (const waiting of this.pending.values()) waiting.reject(this.unavailable());
      this.pending.clear();
      onFailed(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closing) fail(new Error(`the decode thread exited with code ${code}`));
    });
  }

  static async start(prices: PriceTable | null, onFailed: (error: Error) => void, maskFile: MaskFile | null = null): Promise<DecodeThread> {
    // A young generation larger than a worker's default: each body makes megabytes of short-lived
    // records, and collecting them took 16% of the thread with the default.
    const worker = new Worker(workerUrl(import.meta.url, 'ingest/decode-thread.js', 'decode thread'), { workerData: { prices, maskFile }, resourceLimits: { maxYoungGenerationSizeMb: 96 } });
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    worker.removeAllListeners('error');
    return new DecodeThread(worker, onFailed);
  }

  async decode(request: DecodeRequest): Promise<DecodeResult> {
    if (this.failed !== null) throw this.unavailable();
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
      return (await this.request({ type: 'decode', request: { ...request, body: moved } }, [moved.buffer as ArrayBuffer])) as DecodeResult;
    } finally {
      this.inFlightBytes -= bytes;
    }
  }

  accepted(ticket: number): void {
    this.post({ type: 'settle', ticket, accepted: true });
  }

  dropped(ticket: number): void {
    this.post({ type: 'settle', ticket, accepted: false });
  }

  async spanMetrics(): Promise<string> {
    return (await this.request({ type: 'spanMetrics' })) as string;
  }

  setPrices(projectId: string, models: ModelPrice[]): void {
    this.post({ type: 'prices', projectId, models });
  }

  remember(spans: Array<{ projectId: string; traceId: string; spanId: string }>): void {
    this.post({ type: 'remember', spans });
  }

  setMasking(projectId: string, policy: MaskingPolicy | null): void {
    this.post({ type: 'masking', projectId, policy });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }

  private post(message: ToDecodeThread): void {
    if (this.failed === null) this.worker.postMessage(message);
  }

  private request(message: DistributiveOmit<Extract<ToDecodeThread, { id: number }>, 'id'>, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.failed !== null) return Promise.reject(this.unavailable());
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private unavailable(): AppError {
    return new AppError('ERR_STORE_UNAVAILABLE', `the decode thread failed (${this.failed?.message ?? 'unknown'}); retry later`, { retryAfterSeconds: 1 });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
