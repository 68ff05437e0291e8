import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

const EXPORTING = suppressTracing(ROOT_CONTEXT);

/** Options of {@link LogBatch}; defaults follow the OTel batch processor's. */
export interface LogBatchOptions {
  /** Records per export call. Default 512. */
  maxBatchSize?: number;
  /** Records held while the exporter is busy; past this, new records are dropped and counted. Default 8192. */
  maxQueueSize?: number;
  /** Longest a record waits before it is exported, in ms. Default 1000. */
  delayMs?: number;
}

/**
 * Batches the logger's records straight to the OTLP log exporter. The logger builds each record
 * in its final, read-only shape, so the OTel SDK's per-record object, attribute validation and
 * processor chain are skipped: that pipeline cost more than the JSON line itself (BENCHMARKS.md).
 * Records other libraries emit through the OTel logs API still go through the SDK.
 */
export class LogBatch {
  private queue: ReadableLogRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> = Promise.resolve();
  /** A drain is queued behind `exporting` and has not started: one is enough, however many records arrive. */
  private drainQueued = false;
  private readonly maxBatchSize: number;
  private readonly maxQueueSize: number;
  private readonly delayMs: number;
  /** Records dropped because the queue was full. */
  dropped = 0;

  constructor(
    private readonly exporter: LogRecordExporter,
    options: LogBatchOptions = {},
  ) {
    this.maxBatchSize = options.maxBatchSize ?? 512;
    this.maxQueueSize = options.maxQueueSize ?? 8192;
    this.delayMs = options.delayMs ?? 1000;
  }

  add(record: ReadableLogRecord): void {
    if (this.queue.length >= this.maxQueueSize) {
      this.dropped += 1;
      return;
    }
    this.queue.push(record);
    if (this.queue.length >= this.maxBatchSize) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.delayMs).unref();
  }

  /** Exports everything queued; resolves when the exporter has answered. */
  async flush(): Promise<void> {
    this.kick();
    await this.exporting;
  }

  private kick(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.drainQueued) return;
    this.drainQueued = true;
    // Exports run one after another, so records reach the server in the order they were written.
    this.exporting = this.exporting.then(() => {
      this.drainQueued = false;
      return this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatchSize);
      await new Promise<void>((resolve) => {
        try {
          // The export's own HTTP request is no span of the app's (an HTTP instrumentation would make one
          // inside whatever span logged last), as the OTel batch processors do.
          context.with(EXPORTING, () => this.exporter.export(batch, () => resolve()));
        } catch {
          // An exporter that throws instead of reporting loses this batch, not the logger.
          resolve();
        }
      });
    }
  }
}
