/**
 * When the live hub next reads whether a followed trace's running spans are abandoned: at the
 * time they would be, `staleAfterMs` after the trace was last heard from, unless something of it
 * is committed before. Times are the hub's clock (epoch ms). What the hub reads of a trace moves
 * its check later; only a check (one read of the traces due) says what the store holds, so a
 * time guessed late or early costs a check at worst, never a wrong event. No clock is read here.
 */
export class RunningChecks {
  private readonly checks = new Map<string, { projectId: string; traceId: string; atMs: number }>();

  constructor(private readonly staleAfterMs: number) {}

  /** Checks the trace as soon as the hub can: one newly followed, or one whose abandoned spans were heard from again. */
  soon(projectId: string, traceId: string): void {
    this.checks.set(keyOf(projectId, traceId), { projectId, traceId, atMs: 0 });
  }

  /** A check found the trace running, last heard from at `heardMs`: checks it again when it would be abandoned. */
  heardAt(projectId: string, traceId: string, heardMs: number): void {
    this.checks.set(keyOf(projectId, traceId), { projectId, traceId, atMs: heardMs + this.staleAfterMs });
  }

  /**
   * Something of the trace was committed by `nowMs`: its running spans cannot be abandoned before
   * `nowMs` + the stale-after time. A check due at once stays so. A trace not followed is followed
   * from now if `running` (what came holds a running span); else it has no running span to check.
   */
  heardBy(projectId: string, traceId: string, nowMs: number, running: boolean): void {
    const key = keyOf(projectId, traceId);
    const check = this.checks.get(key);
    if (check === undefined) {
      if (running) this.checks.set(key, { projectId, traceId, atMs: nowMs + this.staleAfterMs });
    } else if (check.atMs !== 0) check.atMs = Math.max(check.atMs, nowMs + this.staleAfterMs);
  }

  /** Checks these again at `atMs` (a check that failed). */
  postpone(projectId: string, traceIds: readonly string[], atMs: number): void {
    for (const traceId of traceIds) this.checks.set(keyOf(projectId, traceId), { projectId, traceId, atMs });
  }

  /** Whether the trace is followed. */
  has(projectId: string, traceId: string): boolean {
    return this.checks.has(keyOf(projectId, traceId));
  }

  /** Stops checking the trace: it has no running span, or they are abandoned, or nobody follows it. */
  forget(projectId: string, traceId: string): void {
    this.checks.delete(keyOf(projectId, traceId));
  }

  /** The traces due by `nowMs`, by project (each stays followed until checked: `heardAt`, `forget`). */
  due(nowMs: number): Map<string, string[]> {
    const due = new Map<string, string[]>();
    for (const { projectId, traceId, atMs } of this.checks.values()) {
      if (atMs > nowMs) continue;
      const traces = due.get(projectId);
      if (traces === undefined) due.set(projectId, [traceId]);
      else traces.push(traceId);
    }
    return due;
  }

  /** When the next check is due (`Infinity`: none is). A scan: a hub follows at most some thousands of traces. */
  next(): number {
    let next = Infinity;
    for (const { atMs } of this.checks.values()) next = Math.min(next, atMs);
    return next;
  }

  clear(): void {
    this.checks.clear();
  }
}

const keyOf = (projectId: string, traceId: string): string => `${projectId}\n${traceId}`;
