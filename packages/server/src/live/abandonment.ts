import type { LiveSpanRow } from '../store/ports/live.js';
import type { LiveCalls } from './reads.js';
import { type LiveCursor, isAfter } from '../store/live-cursor.js';
import type { Remote } from '../threads/protocol.js';
import { RunningChecks } from './running-checks.js';
import { type ListWatch, type TraceWatch, sendInPlace, traceKey } from './watches.js';

/** Running traces a project's list viewers are followed for at most, the last heard (a list shows 50 a page). */
const MAX_LISTED_RUNNING = 1000;
/** How long after a failed check of running traces it is tried again. */
const RETRY_MS = 5000;

export interface AbandonmentOptions {
  db: { readonly live: Remote<Pick<LiveCalls, 'head' | 'runningStates' | 'recentlyHeard' | 'runningSpans' | 'summaries'>> };
  /** The hub's watches, by key (read here; only a trace watch's `abandoned` is written). */
  traces: ReadonlyMap<string, TraceWatch>;
  lists: ReadonlyMap<string, ListWatch>;
  staleAfterMs: number;
  /** Runs the hub's pump (which calls `run`) when a check comes due. */
  kick: () => void;
  onError?: (error: unknown) => void;
}

/**
 * Telling viewers that a run went away. A process that dies commits nothing more: its trace's
 * running spans become abandoned by the clock alone (`query/running.ts`), with no commit to wake
 * the hub. So the hub follows the watched traces and, for list viewers, their project's running
 * traces (those heard from within the stale-after time, read once when the first list viewer of
 * the project comes): what its reads find of them moves when each would be abandoned
 * (`RunningChecks`), and one timer waits for the earliest. Then one read per project checks the
 * traces due: a trace whose state changed from what its viewers were told gets its running spans
 * again in their state now (`event: spans`, `abandoned` with their end where the trace was last
 * heard from, or `running` again), and one found abandoned its summary, not `running`, in the
 * project's lists (`event: traces`). No read per viewer, none of a trace not followed.
 */
export class Abandonment {
  private readonly checks: RunningChecks;
  /** Projects whose running traces are followed for their list viewers. */
  private readonly listsFollowed = new Set<string>();
  /** After a failed read of a project's running traces, when to try again. */
  private followRetryMs = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: AbandonmentOptions) {
    this.checks = new RunningChecks(options.staleAfterMs);
  }

  /** A trace has its first viewer: when was it last heard from? Until a check says, it may be abandoned already. */
  traceWatched(projectId: string, traceId: string): void {
    this.checks.soon(projectId, traceId);
  }

  /** A project's last list viewer left: its running traces are followed again for the next one. */
  listLeft(projectId: string): void {
    if (!this.hasLists(projectId)) this.listsFollowed.delete(projectId);
  }

  /**
   * What a read found of a watched trace: committed after `previousHead` (news, not a viewer
   * catching up), its running spans cannot be abandoned before the stale-after time from now;
   * found abandoned before, they may run again: checked at once.
   */
  heardOfTrace(watch: TraceWatch, rows: readonly LiveSpanRow[], previousHead: LiveCursor | null, nowMs: number): void {
    const { projectId, traceId, abandoned } = watch;
    if (abandoned !== null) {
      if (rows.some((row) => isAfter(row.at, abandoned.at))) this.checks.soon(projectId, traceId);
      return;
    }
    const news = previousHead === null ? rows : rows.filter((row) => isAfter(row.at, previousHead));
    if (news.length > 0)
      this.checks.heardBy(
        projectId,
        traceId,
        nowMs,
        news.some((row) => row.span.endUs === null),
      );
  }

  /** Traces of a project's lists were found running, with news of them: followed until they stop. */
  heardOfListed(projectId: string, traceIds: Iterable<string>, nowMs: number): void {
    for (const traceId of traceIds) this.checks.heardBy(projectId, traceId, nowMs, true);
  }

  /** Whether a check is due now. */
  due(): boolean {
    const nowMs = Date.now();
    return this.checks.next() <= nowMs || this.listsToFollow(nowMs).length > 0;
  }

  /** Follows new list viewers' running traces, then checks the traces due. */
  async run(): Promise<void> {
    await this.followLists();
    await this.checkDue();
  }

  /** Arms the one timer for the earliest check (none while nobody watches). */
  arm(watching: boolean): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const next = this.checks.next();
    if (!watching || next === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.options.kick();
      },
      Math.max(0, next - Date.now()),
    );
    this.timer.unref();
  }

  /** Nobody watches: nothing is followed. */
  stop(): void {
    this.arm(false);
    this.checks.clear();
    this.listsFollowed.clear();
  }

  private hasLists(projectId: string): boolean {
    for (const watch of this.options.lists.values()) if (watch.filter.projectId === projectId) return true;
    return false;
  }

  private listsToFollow(nowMs: number): string[] {
    if (nowMs < this.followRetryMs) return [];
    const projects = new Set<string>();
    for (const watch of this.options.lists.values()) if (!this.listsFollowed.has(watch.filter.projectId)) projects.add(watch.filter.projectId);
    return [...projects];
  }

  /** Follows the running traces of the projects with new list viewers: those heard from within the stale-after time (the page may list them running). */
  private async followLists(): Promise<void> {
    await Promise.all(
      this.listsToFollow(Date.now()).map(async (projectId) => {
        try {
          const states = await this.options.db.live.recentlyHeard(projectId, MAX_LISTED_RUNNING);
          this.listsFollowed.add(projectId);
          for (const { traceId, heardUs, state } of states)
            if (state === 'running' && !this.checks.has(projectId, traceId)) this.checks.heardAt(projectId, traceId, heardUs / 1000);
        } catch (error) {
          this.followRetryMs = Date.now() + RETRY_MS;
          this.options.onError?.(error);
        }
      }),
    );
  }

  private async checkDue(): Promise<void> {
    const due = this.checks.due(Date.now());
    await Promise.all(
      [...due].map(async ([projectId, traceIds]) => {
        const listed = this.hasLists(projectId);
        const followed = traceIds.filter((traceId) => listed || this.options.traces.has(traceKey(projectId, traceId)));
        for (const traceId of traceIds) if (!followed.includes(traceId)) this.checks.forget(projectId, traceId);
        if (followed.length === 0) return;
        try {
          await this.check(projectId, followed);
        } catch (error) {
          this.checks.postpone(projectId, followed, Date.now() + RETRY_MS);
          this.options.onError?.(error);
        }
      }),
    );
  }

  /** Checks some traces of a project (one read), and tells what changed. */
  private async check(projectId: string, traceIds: readonly string[]): Promise<void> {
    // The head first: a row committed after it is news this verdict did not see.
    const head = await this.options.db.live.head();
    const states = new Map((await this.options.db.live.runningStates(projectId, traceIds)).map((s) => [s.traceId, s]));
    const changed: string[] = [];
    const abandoned: string[] = [];
    for (const traceId of traceIds) {
      const state = states.get(traceId);
      const watch = this.options.traces.get(traceKey(projectId, traceId));
      if (state?.state === 'running') this.checks.heardAt(projectId, traceId, state.heardUs / 1000);
      else this.checks.forget(projectId, traceId);
      if (state?.state === 'abandoned') abandoned.push(traceId);
      if (watch !== undefined && (state?.state === 'abandoned') !== (watch.abandoned !== null)) changed.push(traceId);
    }
    await Promise.all([this.sendSpans(projectId, changed, head), this.sendSummaries(projectId, abandoned)]);
  }

  /** Sends watched traces' running spans in their state now, and remembers which are abandoned (a viewer back from a disconnect is told again). */
  private async sendSpans(projectId: string, traceIds: readonly string[], head: LiveCursor): Promise<void> {
    if (traceIds.length === 0) return;
    const events = new Map((await this.options.db.live.runningSpans(projectId, traceIds)).map((event) => [event.traceId, event]));
    for (const traceId of traceIds) {
      const watch = this.options.traces.get(traceKey(projectId, traceId));
      if (watch === undefined) continue;
      const event = events.get(traceId);
      // None left running: they ended meanwhile, and their ends are sent as commits are.
      if (event === undefined || event.spans.length === 0) {
        watch.abandoned = null;
        continue;
      }
      const data = JSON.stringify(event);
      watch.abandoned = event.spans[0]!.state === 'abandoned' ? { data, spans: new Map(event.spans.map((span) => [span.spanId, span])), at: head } : null;
      sendInPlace(watch.viewers, 'spans', data);
    }
  }

  /** Sends the summaries of traces found abandoned to the project's list viewers whose filters they meet. */
  private async sendSummaries(projectId: string, traceIds: readonly string[]): Promise<void> {
    if (traceIds.length === 0) return;
    const watches = [...this.options.lists.values()].filter((watch) => watch.filter.projectId === projectId);
    await Promise.all(
      watches.map(async (watch) => {
        const traces = (await this.options.db.live.summaries(watch.filter, traceIds)).filter((summary) => summary.running !== true);
        if (traces.length > 0) sendInPlace(watch.viewers, 'traces', JSON.stringify({ traces }));
      }),
    );
  }
}
