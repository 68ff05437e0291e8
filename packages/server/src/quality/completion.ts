import { type LiveCursor, START, covers } from '../store/live-cursor.js';
import type { SelfMetrics } from '../self-metrics.js';
import type { CommitRange, CompleteTrace, EvaluatorStore, TraceFilter } from '../store/ports/evaluators.js';

/**
 * THE rule of completeness, written once for evaluators and tail sampling (DESIGN.md): a trace is
 * complete when its root span has ended and no part of it was committed within the last
 * `--trace-quiet`, by this server's clock at the commits, never by the spans' own clocks. So a
 * trace whose spans say they ended ten minutes ago (a client clock behind, an exporter that
 * stalled, a batch uploaded later) is judged once it is committed and quiet, and one whose spans
 * say they end in five minutes (a clock ahead) is not held back.
 *
 * A runner walks the store's commits in order (`live-cursor.ts`, as the live streams do): each
 * round it reads the head and remembers it with the time (`CommitClock`); the stretch from its
 * cursor up to the head it read `--trace-quiet` ago holds the commits now quiet, and the traces
 * whose last commit is in it are complete (`completeTracesCommitted`), read a page at a time by
 * id. A page at a time, the cursor moves past a stretch only once every trace of it was taken, so
 * no limit or burst leaves one behind; and a trace is found in the one stretch that holds its last
 * commit, so once. (A cursor of span end times had two holes: a trace whose spans ended before the
 * cursor was never found, and a version started from when it was made skipped the traces that
 * ended before then, even those committed after.) A restart or a lease taken over starts from the
 * commits of `startLookbackMs` ago (`commitsAt`); the runs and decisions recorded keep a trace
 * from being decided twice.
 *
 * A complete trace with a span still running (a snapshot heard from within `--stale-after`) waits
 * in memory (`held`): once that span ends, the commit of its end finds the trace again; once
 * abandoned, it is decided as it is.
 */

/** What the scan reads, on the database thread (of its evaluators' calls). */
export interface CompletionBackend {
  readonly evaluators: {
    completeTracesCommitted: EvaluatorStore['completeTracesCommitted'];
    commitsAt: EvaluatorStore['commitsAt'];
    tracesTouched: EvaluatorStore['tracesTouched'];
    runningTraces: (projectId: string, traceIds: readonly string[]) => Promise<ReadonlyMap<string, number>>;
    head: () => Promise<LiveCursor>;
  };
}

/** Heads remembered at most: a round every 2 s, so more than a day of them for a runner far behind. */
const MAX_HEADS = 50_000;
/** Traces held for a running span at most; past it, the rest are found again when a commit touches them. */
const MAX_HELD = 100_000;
/** Traces waiting are counted up to this many (a count costs what it reads). */
export const MAX_WAITING_COUNTED = 1_000_000;

/**
 * The heads of the store's commits a runner read, each with when: the commits up to the head read
 * at T were made by T, so those up to the newest head read `--trace-quiet` ago are quiet.
 */
export class CommitClock {
  private readonly heads: Array<{ atUs: number; head: LiveCursor }> = [];
  /** The head read last. */
  head: LiveCursor = START;

  constructor(
    private readonly read: () => Promise<LiveCursor>,
    private readonly quietUs: number,
  ) {}

  /** Reads the head now. */
  async tick(nowUs: number): Promise<void> {
    this.head = await this.read();
    this.heads.push({ atUs: nowUs, head: this.head });
    if (this.heads.length > MAX_HEADS) this.heads.shift();
  }

  /** The commits quiet at `nowUs` (made `--trace-quiet` before), `null` while this runner has not read a head so long. */
  quiet(nowUs: number): LiveCursor | null {
    return this.at(nowUs - this.quietUs);
  }

  /** The cursor of the commits made by `timeUs`, or `null` when this runner read no head so long ago (then the store's `commitsAt` says). */
  at(timeUs: number): LiveCursor | null {
    let found: LiveCursor | null = null;
    for (const h of this.heads) {
      if (h.atUs > timeUs) break;
      found = h.head;
    }
    return found;
  }

  /**
   * When the first commit past `cursor` may have been made, at the earliest: when this runner read
   * the last head `cursor` covers, before the first it does not (`null`: it read none past it).
   */
  oldestPast(cursor: LiveCursor): number | null {
    const i = this.heads.findIndex((h) => !covers(cursor, h.head));
    return i < 0 ? null : this.heads[Math.max(0, i - 1)]!.atUs;
  }

  /** Forgets the heads no cursor needs: those every cursor is past, but the last of them, and those a version made now needs. */
  forget(cursors: readonly LiveCursor[], nowUs: number): void {
    while (this.heads.length > 1 && this.heads[1]!.atUs <= nowUs - 2 * this.quietUs && cursors.every((c) => covers(c, this.heads[1]!.head))) this.heads.shift();
  }
}

export interface CompletionScanOptions {
  db: CompletionBackend;
  projectId: string;
  filter: TraceFilter;
  /** Whether sampled-out traces are found too (tail sampling: a late part of one is slimmed). */
  slimmedToo: boolean;
  staleAfterMs: number;
  /** Where the scan starts, read once at its first round: the commits of when it looks from. */
  start: () => Promise<LiveCursor>;
}

/** A page of complete traces, and what takes the scan past them (once they are decided: a round that fails finds them again). */
export interface CompletionPage {
  traces: CompleteTrace[];
  /** Whether more are to read now (the page was full). */
  more: boolean;
  advance: () => void;
}

/** One reader of complete traces (an evaluator version, a project's tail sampler): its place in the commits. */
export class CompletionScan {
  private after: LiveCursor | null = null;
  /** The end of the stretch being read, fixed until it is read whole; `null` between stretches. */
  private upTo: LiveCursor | null = null;
  private afterId = '';
  /** Traces read of the stretch being read (the pages before `afterId`). */
  private taken = 0;
  /** Complete traces with a span running, by id. */
  private held = new Map<string, CompleteTrace>();

  constructor(private readonly options: CompletionScanOptions) {}

  /** The cursor every commit up to which was read whole, `null` before the first round. */
  get cursor(): LiveCursor | null {
    return this.after;
  }

  /** The next page of complete traces with no span running (and those held whose span was abandoned), at most `limit` read. */
  async next(clock: CommitClock, nowUs: number, limit: number): Promise<CompletionPage> {
    const { db, projectId, filter, slimmedToo } = this.options;
    this.after ??= await this.options.start();
    const after = this.after;
    const upTo = this.upTo ?? clock.quiet(nowUs);
    let page: CompleteTrace[] = [];
    let next: { upTo: LiveCursor | null; afterId: string } = { upTo: this.upTo, afterId: this.afterId };
    let nextAfter = after;
    if (upTo !== null && !covers(after, upTo)) {
      const range: CommitRange = { after, upTo, head: clock.head, afterId: this.afterId };
      page = await db.evaluators.completeTracesCommitted(projectId, filter, range, limit, slimmedToo);
      if (page.length < limit) {
        nextAfter = upTo;
        next = { upTo: null, afterId: '' };
      } else next = { upTo, afterId: page.at(-1)!.traceId };
    }
    const held = [...this.held.values()];
    const heard =
      page.length + held.length === 0
        ? new Map<string, number>()
        : await db.evaluators.runningTraces(
            projectId,
            [...page, ...held].map((t) => t.traceId),
          );
    const staleAfterUs = this.options.staleAfterMs * 1000;
    const ready: CompleteTrace[] = [];
    const stillHeld = new Map<string, CompleteTrace>();
    for (const t of page) {
      const heardUs = heard.get(t.traceId);
      if (heardUs === undefined || nowUs - heardUs >= staleAfterUs) ready.push(t);
      else if (stillHeld.size < MAX_HELD) stillHeld.set(t.traceId, t);
    }
    for (const t of held) {
      const heardUs = heard.get(t.traceId);
      // Its running span ended: the commit of its end finds the trace again, once quiet.
      if (heardUs === undefined || stillHeld.has(t.traceId)) continue;
      if (nowUs - heardUs >= staleAfterUs) ready.push(t);
      else if (stillHeld.size < MAX_HELD) stillHeld.set(t.traceId, t);
    }
    return {
      traces: ready,
      more: page.length === limit,
      advance: () => {
        this.taken = next.upTo === null ? 0 : this.taken + page.length;
        this.after = nextAfter;
        this.upTo = next.upTo;
        this.afterId = next.afterId;
        this.held = stillHeld;
      },
    };
  }

  /**
   * How far behind it is: the traces committed after its cursor (waiting for their quiet time or
   * to be read; held ones too) but those of the stretch read already, and how long ago the oldest of those commits was made, s (0 for none).
   */
  async lag(clock: CommitClock, nowUs: number): Promise<{ waiting: number; oldestSeconds: number }> {
    if (this.after === null) return { waiting: 0, oldestSeconds: 0 };
    const touched = covers(this.after, clock.head)
      ? 0
      : await this.options.db.evaluators.tracesTouched(this.options.projectId, this.after, clock.head, MAX_WAITING_COUNTED);
    const since = touched === 0 ? null : clock.oldestPast(this.after);
    return { waiting: Math.max(0, touched - this.taken) + this.held.size, oldestSeconds: since === null ? 0 : Math.max(0, (nowUs - since) / 1e6) };
  }
}

/**
 * `spoor_<what>_traces_waiting` and `spoor_<what>_oldest_waiting_seconds`, by project (the
 * projects whose runner decides on this server; the keys' projects, few): how far behind a
 * runner is, so a lag is seen before it is a loss.
 */
export function lagGauges(
  metrics: Pick<SelfMetrics, 'gaugeSeries'>,
  what: 'evaluator' | 'sampling',
  who: string,
  lags: () => ReadonlyArray<{ projectId: string; waiting: number; oldestSeconds: number }>,
): void {
  metrics.gaugeSeries(
    `spoor_${what}_traces_waiting`,
    `Traces committed that ${who} have not decided yet (those in their --trace-quiet included), by project, as of the last round.`,
    () => lags().map((l) => ({ labels: { project: l.projectId }, value: l.waiting })),
  );
  metrics.gaugeSeries(
    `spoor_${what}_oldest_waiting_seconds`,
    `How long ago the oldest commit ${who} have not decided was made (a round's interval plus --trace-quiet when they keep up), by project.`,
    () => lags().map((l) => ({ labels: { project: l.projectId }, value: l.oldestSeconds })),
  );
}
