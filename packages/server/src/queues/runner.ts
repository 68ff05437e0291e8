/**
 * The runner that fills filtered queues as traces complete: each round one call to the database
 * thread (`db.queues.tick`), which reads every filtered queue's new complete traces; the next
 * round is set once the last has ended, so rounds never overlap. A failed round is logged and the
 * next tries again (what it missed is still after the queue's cursor).
 */
export interface QueueRunnerOptions {
  tick: (nowUs: number, quietMs: number, staleAfterMs: number) => Promise<number>;
  /** How long no part of a trace may have been committed before it is complete, ms (`--trace-quiet`). */
  traceQuietMs: number;
  /** A running span heard of this long ago no longer holds its trace back, ms (`--stale-after`). */
  staleAfterMs: number;
  onError: (message: string, data: object) => void;
  nowUs?: () => number;
}

export class QueueRunner {
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private closed = false;
  /** A quarter of the quiet time, from 250 ms to 5 s: a trace joins its queue soon after it is complete, without a read a moment. */
  readonly intervalMs: number;

  constructor(private readonly options: QueueRunnerOptions) {
    this.intervalMs = Math.min(5000, Math.max(250, Math.round(options.traceQuietMs / 4)));
  }

  start(): this {
    this.schedule();
    return this;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.round = this.runRound().finally(() => {
        this.round = null;
        this.schedule();
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  private async runRound(): Promise<void> {
    const nowUs = this.options.nowUs?.() ?? Date.now() * 1000;
    try {
      await this.options.tick(nowUs, this.options.traceQuietMs, this.options.staleAfterMs);
    } catch (error) {
      this.options.onError('a round of the review queues failed', { err: error });
    }
  }

  /** Stops the rounds, after the one under way (its items are stored before the database thread closes). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.round;
  }
}
