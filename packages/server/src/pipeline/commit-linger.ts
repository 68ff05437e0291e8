/**
 * How long the commit loop holds a transaction open for more records, and the timer that ends the
 * hold. A transaction holding a quarter of a whole group (`wholeRecords`, a DuckDB row group) but
 * not all of it lingers four times as long, so that the group reaches the file whole rather than
 * through the log; the timer belongs to the open transaction, and is brought forward when the
 * transaction's due time moves earlier (it filled its group).
 */
export class CommitLinger {
  private timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires. */
  private due = 0;

  constructor(
    private readonly lingerMs: number,
    private readonly wholeRecords: number | undefined,
  ) {}

  /** How long a transaction of `records` stays open. */
  private of(records: number): number {
    const whole = this.wholeRecords;
    return whole !== undefined && records >= whole / 4 && records < whole ? 4 * this.lingerMs : this.lingerMs;
  }

  /** When a transaction opened at `openedAt` (`Date.now()`) holding `records` is due. */
  dueAt(openedAt: number, records: number): number {
    return openedAt + this.of(records);
  }

  /** Sets the timer for a transaction opened at `openedAt` holding `records`, unless one set fires as early. */
  arm(openedAt: number, records: number, onDue: () => void): void {
    const due = this.dueAt(openedAt, records);
    if (this.timer !== null && this.due <= due) return;
    this.clear();
    this.due = due;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        onDue();
      },
      Math.max(0, due - Date.now()),
    );
    this.timer.unref();
  }

  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
