import { SPAN_CATEGORIES, type ScoreFilter, type TimeRange, type TraceQuery } from '@spoor/model';
import type { LiveCursor } from '../../src/store/live-cursor.js';
import type { TraceFilter } from '../../src/store/ports/evaluators.js';
import type { SamplingDecision, SamplingFacts, SamplingStore } from '../../src/store/ports/sampling.js';
import { FakeProjectPolicies } from './fake-admin.js';
import type { FakeLiveStore } from './fake-live.js';
import { type FakeData, finite, inRange, listTraces } from './fake-reads.js';

type Decision = SamplingDecision & { projectId: string };

/** Tail sampling in memory, as the engines keep it: a policy per project, a decision per trace, and slimming in place. */
export class FakeSamplingStore implements SamplingStore {
  readonly policies = new FakeProjectPolicies();
  readonly decisions: Decision[] = [];
  /** The traces slimmed, by project and id: the engines move their spans to `span_stats`, where what reads `spans` no longer finds them. */
  private readonly slimmedTraces = new Set<string>();

  constructor(
    /** What the reads see (the committed records; slimming changes them in place). */
    private readonly data: () => FakeData,
    private readonly scored: (projectId: string, filter: ScoreFilter) => Set<string>,
    private readonly live: FakeLiveStore,
  ) {}

  facts(projectId: string, traceIds: readonly string[]): Promise<SamplingFacts[]> {
    const wanted = new Set(traceIds);
    const byId = new Map<string, SamplingFacts>();
    // As the engines: the longest spans the parts keep, from the spans for a trace with a part stored before they kept them.
    const older = new Set<string>();
    for (const part of this.data().parts) {
      if (part.projectId !== projectId || !wanted.has(part.traceId)) continue;
      let f = byId.get(part.traceId);
      if (f === undefined) {
        f = { traceId: part.traceId, startUs: part.startUs, endUs: part.endUs, errorCount: 0, costUsd: null, longestUs: SPAN_CATEGORIES.map(() => 0) };
        byId.set(part.traceId, f);
      }
      f.startUs = Math.min(f.startUs, part.startUs);
      f.endUs = Math.max(f.endUs, part.endUs);
      f.errorCount += part.errorCount;
      f.costUsd = part.costUsd === null ? f.costUsd : (f.costUsd ?? 0) + part.costUsd;
      if (part.longestUs === null) older.add(part.traceId);
      else for (const [i, us] of part.longestUs.entries()) f.longestUs[i] = Math.max(f.longestUs[i]!, us);
    }
    for (const s of this.data().spans) {
      const f = s.projectId === projectId && older.has(s.traceId) ? byId.get(s.traceId) : undefined;
      if (f === undefined) continue;
      const i = SPAN_CATEGORIES.indexOf(s.category);
      f.longestUs[i] = Math.max(f.longestUs[i]!, s.endTimeUs - s.startTimeUs);
    }
    for (const f of byId.values()) f.costUsd = finite(f.costUsd);
    return Promise.resolve([...byId.values()]);
  }

  matching(projectId: string, traceIds: readonly string[], filter: TraceFilter): Promise<string[]> {
    const wanted = new Set(traceIds);
    const all = { fromUs: null, toUs: null };
    const found = listTraces(
      this.data(),
      { ...filter, projectId, range: all, limit: Number.MAX_SAFE_INTEGER, cursor: null },
      null,
      Number.MAX_SAFE_INTEGER,
      (score) => this.scored(projectId, score),
    );
    return Promise.resolve(found.filter((t) => wanted.has(t.traceId)).map((t) => t.traceId));
  }

  decisionsOf(projectId: string, traceIds: readonly string[], within?: { fromUs: number; toUs: number }): Promise<Map<string, boolean>> {
    const wanted = new Set(traceIds);
    const started = (d: SamplingDecision) => within === undefined || (d.startUs >= within.fromUs && d.startUs <= within.toUs);
    return Promise.resolve(
      new Map(this.decisions.filter((d) => d.projectId === projectId && wanted.has(d.traceId) && started(d)).map((d) => [d.traceId, d.kept])),
    );
  }

  record(projectId: string, decisions: readonly SamplingDecision[]): Promise<void> {
    const decided = new Set(this.decisions.filter((d) => d.projectId === projectId).map((d) => d.traceId));
    for (const d of decisions) if (!decided.has(d.traceId)) this.decisions.push({ ...d, projectId });
    return Promise.resolve();
  }

  /** Each call, in order: whether vacuuming was put off. */
  readonly vacuumDeferred: boolean[] = [];

  deferVacuum(deferred: boolean): Promise<void> {
    this.vacuumDeferred.push(deferred);
    return Promise.resolve();
  }

  /** How many times what was put off was reclaimed. */
  reclaimed = 0;

  reclaim(): Promise<void> {
    this.reclaimed++;
    return Promise.resolve();
  }

  slimDecided(projectId: string, decidedUs: number, bounds: { fromUs: number; toUs: number }): Promise<void> {
    const ids = this.decisions.filter((d) => d.projectId === projectId && d.decidedUs === decidedUs && !d.kept).map((d) => d.traceId);
    return this.slim(projectId, ids, bounds);
  }

  deleteLateLogs(projectId: string, after: LiveCursor, upTo: LiveCursor): Promise<number> {
    const touched = this.live.logTracesAfter(projectId, after, upTo);
    const out = this.decisions.filter((d) => d.projectId === projectId && !d.kept && touched.has(d.traceId)).map((d) => d.traceId);
    const logs = this.data().logs;
    const wanted = new Set(out);
    logs.splice(0, logs.length, ...logs.filter((l) => l.projectId !== projectId || l.traceId == null || !wanted.has(l.traceId)));
    return Promise.resolve(out.length);
  }

  slim(projectId: string, traceIds: readonly string[], bounds?: { fromUs: number; toUs: number }): Promise<void> {
    const wanted = new Set(traceIds);
    for (const traceId of traceIds) this.slimmedTraces.add(`${projectId}\u0000${traceId}`);
    const data = this.data();
    for (const s of data.spans) {
      if (s.projectId !== projectId || !wanted.has(s.traceId)) continue;
      if (bounds !== undefined && (s.startTimeUs < bounds.fromUs || s.startTimeUs > bounds.toUs)) continue;
      const hit = Object.hasOwn(s.attributes, 'cache.hit') ? s.attributes['cache.hit'] : undefined;
      s.attributes = hit === undefined ? {} : { 'cache.hit': hit };
      s.events = [];
      s.links = [];
      s.traceState = '';
    }
    const keep = <T extends { projectId: string; traceId?: string | null }>(rows: T[]): void => {
      const kept = rows.filter((r) => r.projectId !== projectId || r.traceId == null || !wanted.has(r.traceId));
      rows.splice(0, rows.length, ...kept);
    };
    keep(data.logs);
    return Promise.resolve();
  }

  /** Whether the trace was slimmed (its spans, in the engines, moved out of `spans`). */
  slimmed(projectId: string, traceId: string): boolean {
    return this.slimmedTraces.has(`${projectId}\u0000${traceId}`);
  }

  countSampledOut(query: Omit<TraceQuery, 'limit' | 'cursor'>): Promise<{ total: number; sampledOut: number }> {
    const listed = listTraces(this.data(), { ...query, limit: Number.MAX_SAFE_INTEGER, cursor: null }, null, Number.MAX_SAFE_INTEGER, (score) =>
      this.scored(query.projectId, score),
    );
    const out = new Set(this.decisions.filter((d) => d.projectId === query.projectId && !d.kept && inRange(d.startUs, query.range)).map((d) => d.traceId));
    return Promise.resolve({ total: listed.length, sampledOut: listed.filter((t) => out.has(t.traceId)).length });
  }

  anySampledOut(projectId: string, range: TimeRange): Promise<boolean> {
    return Promise.resolve(this.decisions.some((d) => d.projectId === projectId && !d.kept && inRange(d.startUs, range)));
  }

  /** Retention: deletes every project's decisions of traces started before the cutoff; how many. */
  deleteOlderThan(cutoffUs: number): number {
    const kept = this.decisions.filter((d) => d.startUs >= cutoffUs);
    const removed = this.decisions.length - kept.length;
    this.decisions.splice(0, this.decisions.length, ...kept);
    return removed;
  }
}
