import type { LiveSpan, TraceSummary } from '@spoor/model';
import { AppError } from '../errors.js';
import type { LiveCalls } from './reads.js';
import { DEFAULT_STALE_AFTER_MS } from '../query/query-service.js';
import { type LiveCursor, covers, cursorText, isAfter, lowest, parseCursor } from '../store/live-cursor.js';
import type { LiveSpanRow, LiveTraceFilter } from '../store/ports/live.js';
import type { Remote } from '../threads/protocol.js';
import { Abandonment } from './abandonment.js';
import { FairGate } from './fair-gate.js';
import { type SseSink, sseEvent } from './sse.js';
import { LIST_READS_AT_ONCE, LIST_REST_PER_READ, type ListTurn, MAX_TRACES_PER_EVENT } from './list-pacing.js';
import { type ListWatch, type TraceWatch, type Viewer, listKey, sendOncePerCursor, traceKey } from './watches.js';

export type { LiveCursor } from '../store/live-cursor.js';
export type { LiveTraceFilter } from '../store/ports/live.js';
export type { SseSink } from './sse.js';

export interface LiveHubOptions {
  /** The database thread's live calls. */
  db: { readonly live: Remote<LiveCalls> };
  /**
   * Whether other servers commit to the store too (ClickHouse): then the hub asks for their
   * commits every `pollMs` while anyone watches; alone (DuckDB), the commit event is enough.
   */
  shared: boolean;
  /** Streams open at once, past which a new one is answered 503. Default 1,000 (`--live-streams`). */
  maxStreams?: number;
  /** Streams one project may hold, past which its next is answered 429: its share of the server's. Default 250 (`--live-streams-per-project`). */
  maxStreamsPerProject?: number;
  /** Streams one key (or signed-in person) may hold, past which its next is answered 429. Default 100 (`--live-streams-per-key`). */
  maxStreamsPerKey?: number;
  /** Distinct trace list filters watched at once on the server, past which a stream on a new one is answered 503. Default 100 (`--live-list-filters`). */
  maxListFilters?: number;
  /** Distinct trace list filters one project may watch at once, past which a stream on a new one is answered 429. Default 20 (`--live-list-filters-per-project`). */
  maxListFiltersPerProject?: number;
  /** The least time between two reads of a watched trace or list. Default 250 ms (4 a second). */
  minReadIntervalMs?: number;
  /** How often a quiet stream gets a comment, so proxies and browsers keep it. Default 15 s. */
  keepaliveMs?: number;
  /** How often a shared store is asked for other servers' commits while anyone watches. Default 1 s. */
  pollMs?: number;
  /** After how long without news a trace's running spans are abandoned (`--stale-after`, as the reads say). Default 10 min. */
  staleAfterMs?: number;
  /** Told when a read fails (the viewers stay, and are served at the next wake-up). */
  onError?: (error: unknown) => void;
}

/** Who holds a stream: its project, and its key (`null` where no key is asked for: the project's share alone applies). */
export interface StreamOwner {
  projectId: string;
  keyId: string | null;
}

/**
 * The live streams of this server. A wake-up (a commit here, or the poll of a shared store)
 * reads the store's head once, then the watched traces of each project together and each
 * distinct list filter once, from the lowest cursor of their viewers up to that head, whatever
 * the number of viewers; each viewer gets the rows committed after its own cursor and moves to
 * the head. Wake-ups are at least `minReadIntervalMs` apart: commits in between are read together.
 * A project's list reads run on their own, one read at a time among every project's, and rest
 * after each round as its distinct filters grow; a wake-up that finds them running or resting
 * leaves that project's list viewers where they are, to be read from there later. Streams and
 * distinct list filters have a share per key and per project (`checkRoom`).
 * A run that went away commits nothing: `Abandonment` tells its viewers, by a timer.
 */
export class LiveHub {
  private readonly traces = new Map<string, TraceWatch>();
  private readonly lists = new Map<string, ListWatch>();
  /** Every viewer, of traces and of lists. */
  private readonly viewers = new Set<Viewer>();
  private streams = 0;
  private wanted = false;
  private pumping = false;
  private lastPumpMs = 0;
  private closed = false;
  private keepalive: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private readonly maxStreams: number;
  private readonly maxStreamsPerProject: number;
  private readonly maxStreamsPerKey: number;
  private readonly maxListFilters: number;
  private readonly maxListFiltersPerProject: number;
  /** Open streams by project, and by key. */
  private readonly projectStreams = new Map<string, number>();
  private readonly keyStreams = new Map<string, number>();
  /** Per project with list viewers: its last list read's head, and when its list reads may run again. */
  private readonly listTurns = new Map<string, ListTurn>();
  private readonly listReads = new FairGate(LIST_READS_AT_ONCE);
  private readonly minReadIntervalMs: number;
  private readonly abandonment: Abandonment;
  /** The head of the last read: what a read finds committed after it is news, not a viewer catching up. */
  private lastHead: LiveCursor | null = null;

  constructor(private readonly options: LiveHubOptions) {
    this.maxStreams = options.maxStreams ?? 1000;
    this.maxStreamsPerProject = options.maxStreamsPerProject ?? 250;
    this.maxStreamsPerKey = options.maxStreamsPerKey ?? 100;
    this.maxListFilters = options.maxListFilters ?? 100;
    this.maxListFiltersPerProject = options.maxListFiltersPerProject ?? 20;
    this.minReadIntervalMs = options.minReadIntervalMs ?? 250;
    this.abandonment = new Abandonment({
      db: options.db,
      traces: this.traces,
      lists: this.lists,
      staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
      kick: () => this.kick(),
      onError: options.onError,
    });
  }

  /** A cursor a client sent (`Last-Event-ID`, `?after=`), or a 400 naming it. */
  static cursorFrom(text: string): LiveCursor {
    const cursor = parseCursor(text);
    if (cursor === null)
      throw new AppError(
        'ERR_INVALID_PARAMETER',
        `'${text.slice(0, 100)}' is not a live stream's event id (send back the id of an event the stream sent, or none to start now)`,
      );
    return cursor;
  }

  /**
   * Refuses a new stream past a cap: the key's share (429), the project's (429), the server's
   * (503); for a list stream on a filter nobody watches yet, the project's share of distinct
   * filters (429) and the server's (503). The shares come first, so that a project at its cap is
   * told so and not that the server is full, and one project's key cannot take every stream:
   * project A's read key opened all 1,000 in 1.8 s, and project B's own stream was then refused.
   * A route asks before its reads (spare them when full); `watchTrace` and `watchList` ask again,
   * in the same tick as the stream is counted: requests that all passed the first check while
   * each awaited its reads would otherwise all get in (1,005 of 1,005 in bench:live, the cap 1,000).
   */
  checkRoom(owner: StreamOwner | null = null, filter: LiveTraceFilter | null = null): void {
    if (this.closed) throw new AppError('ERR_SHUTTING_DOWN', 'the server is shutting down', { retryAfterSeconds: 1 });
    const retry = { retryAfterSeconds: 5 };
    if (owner !== null && owner.keyId !== null && (this.keyStreams.get(owner.keyId) ?? 0) >= this.maxStreamsPerKey) {
      throw new AppError(
        'ERR_LIVE_STREAMS_PER_KEY',
        `this key has ${this.maxStreamsPerKey} live streams open, its most (--live-streams-per-key); close one or retry later`,
        retry,
      );
    }
    if (owner !== null && (this.projectStreams.get(owner.projectId) ?? 0) >= this.maxStreamsPerProject) {
      throw new AppError(
        'ERR_LIVE_STREAMS_PER_PROJECT',
        `project '${owner.projectId}' has ${this.maxStreamsPerProject} live streams open, its share of this server's (--live-streams-per-project); close one or retry later`,
        retry,
      );
    }
    if (this.streams >= this.maxStreams) {
      throw new AppError('ERR_LIVE_STREAMS_FULL', `this server has ${this.maxStreams} live streams open, its most (--live-streams); retry later`, retry);
    }
    if (filter !== null && !this.lists.has(listKey(filter))) {
      const watched = [...this.lists.values()];
      if (watched.filter((watch) => watch.filter.projectId === filter.projectId).length >= this.maxListFiltersPerProject) {
        throw new AppError(
          'ERR_LIVE_LIST_FILTERS_PER_PROJECT',
          `project '${filter.projectId}' watches ${this.maxListFiltersPerProject} distinct trace list filters live, its most (--live-list-filters-per-project); watch one of those, or retry once one is closed`,
          retry,
        );
      }
      if (watched.length >= this.maxListFilters) {
        throw new AppError(
          'ERR_LIVE_LIST_FILTERS_FULL',
          `this server watches ${this.maxListFilters} distinct trace list filters live, its most (--live-list-filters); retry later`,
          retry,
        );
      }
    }
  }

  /** How many streams are open. */
  get openStreams(): number {
    return this.streams;
  }

  /** Whether the project has the trace: a stream of another project's trace is a 404, as every route's. */
  traceFound(projectId: string, traceId: string): Promise<boolean> {
    return this.options.db.live.traceFound(projectId, traceId);
  }

  /** Where a new stream starts: after `after` (a client's last event id), or at the head now. */
  async startAt(after: LiveCursor | null): Promise<LiveCursor> {
    return after ?? (await this.options.db.live.head());
  }

  /**
   * Streams a trace's spans committed after `cursor` to the sink `open` makes (it tells its
   * `onClose` when the stream ends); with `ready`, says first that the stream starts at `cursor`.
   * Past the cap, throws before `open` is called (`checkRoom`).
   */
  watchTrace(
    projectId: string,
    traceId: string,
    open: (onClose: () => void) => SseSink,
    cursor: LiveCursor,
    ready: boolean,
    keyId: string | null = null,
  ): void {
    const owner = { projectId, keyId };
    this.checkRoom(owner);
    const key = traceKey(projectId, traceId);
    let watch = this.traces.get(key);
    if (watch === undefined) {
      watch = { projectId, traceId, viewers: new Set<Viewer>(), abandoned: null };
      this.traces.set(key, watch);
      this.abandonment.traceWatched(projectId, traceId);
    }
    const joined = watch;
    const viewer = this.join(owner, joined.viewers, open, cursor, ready, () => {
      if (joined.viewers.size === 0 && this.traces.get(key) === joined) this.traces.delete(key);
    });
    // Told before it left, perhaps: the spans committed since cannot tell it.
    if (viewer !== null && joined.abandoned !== null) viewer.sink.event(sseEvent('spans', cursorText(viewer.cursor), joined.abandoned.data));
    this.kick();
  }

  /** Streams the summaries of the traces that meet `filter`, as they change after `cursor`, as `watchTrace` does. */
  watchList(filter: LiveTraceFilter, open: (onClose: () => void) => SseSink, cursor: LiveCursor, ready: boolean, keyId: string | null = null): void {
    const owner = { projectId: filter.projectId, keyId };
    this.checkRoom(owner, filter);
    const key = listKey(filter);
    const watch = this.lists.get(key) ?? { filter, viewers: new Set<Viewer>() };
    this.lists.set(key, watch);
    this.join(owner, watch.viewers, open, cursor, ready, () => {
      if (watch.viewers.size === 0 && this.lists.get(key) === watch) this.lists.delete(key);
      if (![...this.lists.values()].some((other) => other.filter.projectId === filter.projectId)) this.listTurns.delete(filter.projectId);
      this.abandonment.listLeft(filter.projectId);
    });
    this.kick();
  }

  /** Something was committed (here, or maybe elsewhere): read what changed, soon. */
  wake(): void {
    if (this.closed) return;
    this.wanted = true;
    this.kick();
  }

  /** Ends every stream and stops; later streams are refused. */
  close(): void {
    this.closed = true;
    this.stopTimers();
    for (const viewer of [...this.viewers]) viewer.sink.close();
  }

  /** Joins a viewer to a watch's; `null` if its stream ended at once. */
  private join(
    owner: StreamOwner,
    viewers: Set<Viewer>,
    open: (onClose: () => void) => SseSink,
    cursor: LiveCursor,
    ready: boolean,
    left: () => void,
  ): Viewer | null {
    let gone = false;
    const viewer = { cursor } as Viewer;
    const leave = (): void => {
      if (gone) return;
      gone = true;
      viewers.delete(viewer);
      this.viewers.delete(viewer);
      this.streams--;
      count(this.projectStreams, owner.projectId, -1);
      if (owner.keyId !== null) count(this.keyStreams, owner.keyId, -1);
      left();
      if (this.streams === 0) this.stopTimers();
    };
    this.streams++;
    count(this.projectStreams, owner.projectId, 1);
    if (owner.keyId !== null) count(this.keyStreams, owner.keyId, 1);
    viewer.sink = open(leave);
    if (gone) return null;
    viewers.add(viewer);
    this.viewers.add(viewer);
    this.startTimers();
    if (ready) viewer.sink.event(sseEvent('ready', cursorText(cursor), '{}'));
    // A viewer back from a disconnect catches up at once.
    else this.wake();
    return viewer;
  }

  /** Runs the pump unless it runs: a read or a check is wanted. */
  private kick(): void {
    if (!this.closed && !this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while ((this.wanted || this.abandonment.due()) && !this.closed) {
        const wait = this.lastPumpMs + this.minReadIntervalMs - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
        const read = this.wanted;
        this.wanted = false;
        this.lastPumpMs = Date.now();
        if (this.streams === 0) {
          this.abandonment.stop();
          continue;
        }
        if (read) {
          try {
            const head = await this.options.db.live.head();
            const projects = new Set([...this.lists.values()].map((watch) => watch.filter.projectId));
            const nowMs = Date.now();
            for (const projectId of projects) {
              const turn = this.listTurns.get(projectId) ?? { head: this.lastHead, dueMs: 0, reading: false };
              this.listTurns.set(projectId, turn);
              if (turn.reading) continue;
              // Its list reads rest: read at a later wake-up, from its viewers' cursors.
              if (turn.dueMs > nowMs) {
                if (this.listViewersBehind(projectId, head).size > 0) this.wanted = true;
                continue;
              }
              // Not waited for: a project whose filters take long to read holds back neither the
              // other projects' lists nor the watched traces, read at every wake-up.
              void this.readLists(projectId, turn, head).catch((error: unknown) => this.options.onError?.(error));
            }
            await this.readTraces(head);
            this.lastHead = head;
          } catch (error) {
            // The store failed a read: the viewers keep their cursors, and the next wake-up reads again.
            this.options.onError?.(error);
          }
        }
        // After the read, so that what it sent comes before a verdict on what it saw.
        await this.abandonment.run();
      }
    } finally {
      this.pumping = false;
      this.abandonment.arm(this.streams > 0 && !this.closed);
    }
  }

  /**
   * Reads the new spans of the watched traces once per project and cursor read from (the lowest of
   * each trace's viewers): after their first wake-up every viewer is at the last head, so a wake-up
   * reads each project's watched traces together, and a viewer back from a disconnect alone reads
   * from further back.
   */
  private async readTraces(head: LiveCursor): Promise<void> {
    const reads = new Map<string, { projectId: string; from: LiveCursor; watches: Array<{ watch: TraceWatch; behind: Viewer[] }> }>();
    for (const watch of this.traces.values()) {
      const behind = [...watch.viewers].filter((viewer) => !viewer.sink.closed && !covers(viewer.cursor, head));
      if (behind.length === 0) continue;
      const from = lowest(behind.map((viewer) => viewer.cursor));
      const key = `${watch.projectId}\n${cursorText(from)}`;
      const read = reads.get(key) ?? { projectId: watch.projectId, from, watches: [] };
      read.watches.push({ watch, behind });
      reads.set(key, read);
    }
    const nowMs = Date.now();
    await Promise.all(
      [...reads.values()].map(async ({ projectId, from, watches }) => {
        const rows = await this.options.db.live.spans(
          projectId,
          watches.map((w) => w.watch.traceId),
          from,
          head,
        );
        const byTrace = new Map<string, LiveSpanRow[]>();
        for (const row of rows) {
          const trace = byTrace.get(row.traceId);
          if (trace === undefined) byTrace.set(row.traceId, [row]);
          else trace.push(row);
        }
        for (const { watch, behind } of watches) {
          const { traceId, abandoned } = watch;
          const traceRows = byTrace.get(traceId) ?? [];
          this.abandonment.heardOfTrace(watch, traceRows, this.lastHead, nowMs);
          sendOncePerCursor(behind, head, 'spans', (cursor) => {
            // A span stored again (a newer snapshot, its end) is sent as it is last.
            const spans = new Map<string, LiveSpan>();
            for (const row of traceRows) {
              if (!isAfter(row.at, cursor)) continue;
              // A snapshot from before its trace was found abandoned (a viewer catching up) is sent as it stands now.
              const now = abandoned !== null && row.span.endUs === null && !isAfter(row.at, abandoned.at) ? abandoned.spans.get(row.span.spanId) : undefined;
              spans.set(row.span.spanId, now ?? row.span);
            }
            return spans.size === 0 ? null : JSON.stringify({ traceId, spans: [...spans.values()] });
          });
        }
      }),
    );
  }

  /** The project's list viewers not at `head`. */
  private listViewersBehind(projectId: string, head: LiveCursor): Set<Viewer> {
    const watches = [...this.lists.values()].filter((watch) => watch.filter.projectId === projectId);
    return new Set(watches.flatMap((watch) => [...watch.viewers]).filter((viewer) => !viewer.sink.closed && !covers(viewer.cursor, head)));
  }

  /**
   * Reads a project's touched traces once, then each of its distinct filters' summaries of them,
   * a few reads at a time among every project's (`LIST_READS_AT_ONCE`); then the project's list
   * reads rest `LIST_REST_PER_READ` times as long as they took.
   */
  private async readLists(projectId: string, turn: ListTurn, head: LiveCursor): Promise<void> {
    turn.reading = true;
    try {
      await this.readListsOnce(projectId, turn, head);
    } finally {
      turn.reading = false;
    }
    // What was committed while it read (a wake-up skipped it then) is read now.
    if (this.lastHead !== null && this.listViewersBehind(projectId, this.lastHead).size > 0) this.wake();
  }

  private async readListsOnce(projectId: string, turn: ListTurn, head: LiveCursor): Promise<void> {
    const watches = [...this.lists.values()].filter((watch) => watch.filter.projectId === projectId);
    const behind = this.listViewersBehind(projectId, head);
    if (behind.size === 0) return;
    const startedMs = Date.now();
    const touched = await this.listReads.run(projectId, () =>
      this.options.db.live.traces(projectId, lowest([...behind].map((viewer) => viewer.cursor)), head, MAX_TRACES_PER_EVENT),
    );
    const previous = turn.head;
    const news = new Set(touched.filter((t) => previous === null || isAfter(t.at, previous)).map((t) => t.traceId));
    await Promise.all(
      watches.map(async (watch) => {
        const viewers = [...watch.viewers].filter((viewer) => behind.has(viewer));
        if (viewers.length === 0) return;
        const ids = [...new Set(touched.filter((t) => viewers.some((viewer) => isAfter(t.at, viewer.cursor))).map((t) => t.traceId))];
        const summaries: TraceSummary[] = ids.length === 0 ? [] : await this.listReads.run(projectId, () => this.options.db.live.summaries(watch.filter, ids));
        this.abandonment.heardOfListed(
          projectId,
          summaries.filter((s) => s.running === true && news.has(s.traceId)).map((s) => s.traceId),
          Date.now(),
        );
        sendOncePerCursor(viewers, head, 'traces', (cursor) => {
          const mine = new Set(touched.filter((t) => isAfter(t.at, cursor)).map((t) => t.traceId));
          const traces = summaries.filter((summary) => mine.has(summary.traceId));
          return traces.length === 0 ? null : JSON.stringify({ traces });
        });
      }),
    );
    const endedMs = Date.now();
    turn.head = head;
    turn.dueMs = endedMs + ((endedMs - startedMs) * LIST_REST_PER_READ * (watches.length - 1)) / watches.length;
  }

  private startTimers(): void {
    if (this.keepalive === null) {
      this.keepalive = setInterval(() => {
        for (const viewer of [...this.viewers]) viewer.sink.comment('keepalive');
      }, this.options.keepaliveMs ?? 15_000);
      this.keepalive.unref();
    }
    if (this.options.shared && this.poll === null) {
      // Other servers' commits send no event here: asked for, once a second, while anyone watches.
      this.poll = setInterval(() => this.wake(), this.options.pollMs ?? 1000);
      this.poll.unref();
    }
  }

  private stopTimers(): void {
    if (this.keepalive !== null) clearInterval(this.keepalive);
    if (this.poll !== null) clearInterval(this.poll);
    this.keepalive = null;
    this.poll = null;
    this.abandonment.stop();
  }
}

/** Adds `by` to `counts[key]`, forgetting a key at 0. */
function count(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}
