/** A thread's event-loop time as `Worker.performance.eventLoopUtilization()` tells it, ms. */
export interface LoopTime {
  idle: number;
  active: number;
}

/**
 * How near ingest is to what this machine can take, for the work that yields to it (evaluators
 * judge fewer traces, tail sampling reads less and moves later): the decode thread is ingest's
 * busiest part, so the share of the last second it was busy says it, whatever the machine's
 * speed. A record count could not: the write queue holds some 20,000 records between commits at
 * 0.8x of this machine's capacity, and four times that on a machine four times as fast. A writer
 * seconds behind (a commit that stalled) counts as busy too.
 */
export class IngestLoad {
  private last: LoopTime;
  private utilization = 0;
  private atCapacity = false;
  private quiet = true;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly decodeLoop: () => LoopTime,
    private readonly behindSeconds: () => number,
    private readonly options: { busyUtilization?: number; busyBehindSeconds?: number; idleUtilization?: number; intervalMs?: number } = {},
  ) {
    this.last = decodeLoop();
    this.timer = setInterval(() => this.sample(), options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** The share of the last interval the decode thread was busy, 0 to 1. */
  decodeUtilization(): number {
    return this.utilization;
  }

  /**
   * Whether ingest is at capacity (its decode thread busy 97% of the last second, and until a
   * second under 90%) or its writer 2 s behind. At capacity on this machine every second read
   * 1.00; at 0.8x the median was 0.61, and work that yields at 0.9 (its own load pushing the
   * thread there) kept tail sampling behind.
   */
  busy(): boolean {
    return this.atCapacity || this.behindSeconds() >= (this.options.busyBehindSeconds ?? 2);
  }

  /**
   * Whether ingest is idle: its decode thread busy under a fifth of the last second (at 0.8x of
   * capacity the seconds read 0.43 to 1.00), and until a second over a third, and its writer less
   * than a second behind. Work that holds the store's commits for seconds waits for it.
   */
  idle(): boolean {
    return this.quiet && this.behindSeconds() < 1;
  }

  sample(): void {
    const now = this.decodeLoop();
    const active = now.active - this.last.active;
    const total = active + now.idle - this.last.idle;
    this.utilization = total > 0 ? active / total : 0;
    this.last = now;
    // Two lines, so a load near one of them does not turn yielding on and off each second.
    this.atCapacity = this.utilization >= (this.atCapacity ? 0.9 : (this.options.busyUtilization ?? 0.97));
    this.quiet = this.utilization < (this.quiet ? 1 / 3 : (this.options.idleUtilization ?? 0.2));
  }

  close(): void {
    clearInterval(this.timer);
  }
}
