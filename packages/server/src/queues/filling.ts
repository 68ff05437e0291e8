import type { TimeRange, TraceQuery } from '@spoor/model';
import { CommitClock, type CompletionBackend, CompletionScan } from '../quality/completion.js';
import { sampledIn } from '../quality/sampled-in.js';
import type { EvaluatorStore, TraceFilter } from '../store/ports/evaluators.js';
import type { LiveStore } from '../store/ports/live.js';
import type { QueueStore } from '../store/ports/queues.js';
import type { RunningSpanStore } from '../store/ports/running-spans.js';
import type { TraceReader } from '../store/ports/traces.js';
import { type QueueService, queueOf } from './service.js';

/**
 * How queues fill from traces, on the database thread: at once from a filtered trace list, or
 * continuously (`tick`, called by the part's runner) from the traces each queue's filter matches
 * as they complete, by THE rule of completeness (`quality/completion.ts`: the root ended and no
 * part committed for `--trace-quiet`, by the store's commits, not the spans' clocks), each kept at
 * the queue's sample rate by its id (`sampledIn`: a trace is in or out alike at every read, so a
 * restart that reads again adds nothing twice, and the items already in are left as they were).
 */

/** Most traces one queue reads a page; a round reads on while pages come back full, up to `PAGES_PER_TICK`. */
const TRACES_PER_PAGE = 500;
const PAGES_PER_TICK = 4;
/** How far back a queue looks after a restart (its cursor is in memory): the items already in are not added again. */
const RESTART_LOOKBACK_US = 3_600_000_000;
/** Most traces one trace-list add takes. */
export const MAX_LIST_ITEMS = 1000;

type FillingStore = {
  readonly queues: QueueStore;
  readonly evaluators: Pick<EvaluatorStore, 'completeTracesCommitted' | 'commitsAt' | 'tracesTouched'>;
  readonly traces: Pick<TraceReader, 'listTraces'>;
  readonly live: Pick<LiveStore, 'head'>;
  readonly runningSpans: Pick<RunningSpanStore, 'lastHeard'>;
};

export class QueueFilling {
  /** Per queue (project, name and when made), its place in the store's commits. In memory: a restart looks back `RESTART_LOOKBACK_US`. */
  private readonly scans = new Map<string, CompletionScan>();
  private clock: CommitClock | null = null;
  private readonly backend: CompletionBackend;

  constructor(
    private readonly store: FillingStore,
    private readonly service: Pick<QueueService, 'addItems'>,
  ) {
    const e = store.evaluators;
    this.backend = {
      evaluators: {
        completeTracesCommitted: e.completeTracesCommitted.bind(e),
        commitsAt: e.commitsAt.bind(e),
        tracesTouched: e.tracesTouched.bind(e),
        runningTraces: store.runningSpans.lastHeard.bind(store.runningSpans),
        head: () => store.live.head(),
      },
    };
  }
  /** Adds the traces of the trace list's filter over `range`, newest first, at most `limit`. */
  async fromList(projectId: string, name: string, filter: TraceFilter, range: TimeRange, limit: number, nowUs: number): Promise<{ added: string[] }> {
    const query: TraceQuery = { ...filter, projectId, range, limit, cursor: null };
    const traces = await this.store.traces.listTraces(query, null, Math.min(limit, MAX_LIST_ITEMS));
    return this.service.addItems(
      projectId,
      name,
      traces.map((t) => ({ kind: 'trace', traceId: t.traceId })),
      'list',
      nowUs,
      true,
    );
  }

  /**
   * One round of every filtered queue of every project: the traces complete since its place in the
   * commits that its filter matches and its rate keeps are added (a trace with a span still
   * running waits for it, or for `staleAfterMs` without word of it). Answers how many items were added.
   */
  async tick(nowUs: number, quietMs: number, staleAfterMs: number): Promise<number> {
    this.clock ??= new CommitClock(() => this.store.live.head(), quietMs * 1000);
    await this.clock.tick(nowUs);
    let added = 0;
    const live = new Set<string>();
    for (const record of await this.store.queues.queuesWithFilters()) {
      const { spec } = queueOf(record);
      if (spec.traceFilter === null) continue;
      const key = `${record.projectId}\0${record.name}\0${record.createdUs}`;
      live.add(key);
      let scan = this.scans.get(key);
      if (scan === undefined) {
        // A queue takes the traces completed by commits after it was made.
        const fromUs = Math.max(record.createdUs, nowUs - RESTART_LOOKBACK_US);
        scan = new CompletionScan({
          db: this.backend,
          projectId: record.projectId,
          filter: spec.traceFilter,
          slimmedToo: false,
          staleAfterMs,
          start: () => this.store.evaluators.commitsAt(fromUs),
        });
        this.scans.set(key, scan);
      }
      for (let page = 0; page < PAGES_PER_TICK; page++) {
        const found = await scan.next(this.clock, nowUs, TRACES_PER_PAGE);
        const kept = found.traces.filter((t) => sampledIn(t.traceId, spec.sampleRate)).map((t) => ({ kind: 'trace' as const, traceId: t.traceId }));
        if (kept.length > 0) added += (await this.service.addItems(record.projectId, record.name, kept, 'filter', nowUs, true)).added.length;
        found.advance();
        if (!found.more) break;
      }
    }
    // A queue deleted (or made again) no longer needs its place.
    for (const key of this.scans.keys()) if (!live.has(key)) this.scans.delete(key);
    this.clock.forget(
      [...this.scans.values()].flatMap((s) => (s.cursor === null ? [] : [s.cursor])),
      nowUs,
    );
    return added;
  }
}
