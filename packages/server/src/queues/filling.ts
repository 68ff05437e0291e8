import type { TimeRange, TraceQuery } from '@spoor/model';
import { sampledIn } from '../quality/sampled-in.js';
import type { EvaluatorStore, TraceFilter } from '../store/ports/evaluators.js';
import type { QueueStore } from '../store/ports/queues.js';
import type { TimeKey, TraceReader } from '../store/ports/traces.js';
import { type QueueService, queueOf } from './service.js';

/**
 * How queues fill from traces, on the database thread: at once from a filtered trace list, or
 * continuously (`tick`, called by the part's runner) from the traces each queue's filter matches
 * as they complete, each kept at the queue's sample rate by its id (`sampledIn`: a trace is in or
 * out alike at every read, so a restart that reads again adds nothing twice, and the items already
 * in are left as they were).
 */

/** Most traces one queue takes in a tick; more wait for the next. */
const TRACES_PER_TICK = 500;
/** Most traces one trace-list add takes. */
export const MAX_LIST_ITEMS = 1000;

export class QueueFilling {
  /** Per queue (project, name and when made), the last complete trace read: (end, id). In memory: a restart reads from the queue's making. */
  private readonly cursors = new Map<string, TimeKey>();

  constructor(
    private readonly store: {
      readonly queues: QueueStore;
      readonly evaluators: Pick<EvaluatorStore, 'completeTraces'>;
      readonly traces: Pick<TraceReader, 'listTraces'>;
    },
    private readonly service: Pick<QueueService, 'addItems'>,
  ) {}

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
   * One round of every filtered queue of every project: the traces complete since its cursor (the
   * last span ended at least `quietMs` ago) that its filter matches and its rate keeps are added.
   * Answers how many items were added.
   */
  async tick(nowUs: number, quietMs: number): Promise<number> {
    let added = 0;
    const live = new Set<string>();
    for (const record of await this.store.queues.queuesWithFilters()) {
      const { spec } = queueOf(record);
      if (spec.traceFilter === null) continue;
      const key = `${record.projectId}\0${record.name}\0${record.createdUs}`;
      live.add(key);
      // A queue takes the traces that complete after it was made.
      const after = this.cursors.get(key) ?? { timeUs: record.createdUs, id: '' };
      const traces = await this.store.evaluators.completeTraces(record.projectId, spec.traceFilter, after, nowUs - quietMs * 1000, TRACES_PER_TICK);
      if (traces.length === 0) continue;
      const kept = traces.filter((t) => sampledIn(t.traceId, spec.sampleRate));
      if (kept.length > 0) {
        const targets = kept.map((t) => ({ kind: 'trace' as const, traceId: t.traceId }));
        added += (await this.service.addItems(record.projectId, record.name, targets, 'filter', nowUs, true)).added.length;
      }
      const last = traces.at(-1)!;
      this.cursors.set(key, { timeUs: last.endUs, id: last.traceId });
    }
    // A queue deleted (or made again) no longer needs its cursor.
    for (const key of this.cursors.keys()) if (!live.has(key)) this.cursors.delete(key);
    return added;
  }
}
