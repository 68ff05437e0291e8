import type { ScoreFilter } from '@spoor/model';
import type { TimeKey } from '../../src/store/store.js';
import type { LiveCursor } from '../../src/store/live-cursor.js';
import type {
  CommitRange,
  CompleteTrace,
  EvaluationSpan,
  EvaluatorRecord,
  EvaluatorRunRecord,
  EvaluatorRunTotals,
  EvaluatorStore,
  TraceFilter,
} from '../../src/store/ports/evaluators.js';
import { type FakeData, byText, finite, listTraces } from './fake-reads.js';

type Row = EvaluatorRecord & { projectId: string; deleted: boolean; rowVersion: number };
type Run = EvaluatorRunRecord & { projectId: string };

/** Evaluators in memory, read as the engines read them: the newest row of each name, the newest run of each target. */
export class FakeEvaluatorStore implements EvaluatorStore {
  readonly rows: Row[] = [];
  readonly runs: Run[] = [];
  private readonly leases = new Map<string, { holder: string; expiresUs: number }>();

  /** `data`: what the reads see (the committed records). */
  constructor(
    private readonly data: () => FakeData,
    /** The traces whose scores meet a score filter (the fake score store's). */
    private readonly scored: (projectId: string, filter: ScoreFilter) => Set<string> = () => new Set(),
    /** Whether tail sampling slimmed a trace (the fake sampling store's): its root is no longer in `spans`. */
    private readonly slimmed: (projectId: string, traceId: string) => boolean = () => false,
    /** The traces commits between two cursors touched (the fake live store's). */
    private readonly touched: (projectId: string, after: LiveCursor, upTo: LiveCursor) => Set<string> = () => new Set(),
  ) {}

  listEvaluators(projectId: string): Promise<EvaluatorRecord[]> {
    const latest = new Map<string, Row>();
    for (const row of this.rows) if (row.projectId === projectId && (latest.get(row.name)?.rowVersion ?? -1) < row.rowVersion) latest.set(row.name, row);
    const live = [...latest.values()].filter((r) => !r.deleted).sort((a, b) => byText(a.name, b.name));
    return Promise.resolve(live.map(({ projectId: _, deleted: __, rowVersion: ___, ...record }) => record));
  }

  latestEvaluator(projectId: string, name: string): Promise<(EvaluatorRecord & { deleted: boolean }) | null> {
    let found: Row | null = null;
    for (const row of this.rows) if (row.projectId === projectId && row.name === name && (found === null || row.rowVersion > found.rowVersion)) found = row;
    if (found === null) return Promise.resolve(null);
    const { projectId: _, rowVersion: __, ...record } = found;
    return Promise.resolve(record);
  }

  putEvaluator(projectId: string, record: EvaluatorRecord, deleted: boolean): Promise<void> {
    const rowVersion = Math.max(0, ...this.rows.filter((r) => r.projectId === projectId && r.name === record.name).map((r) => r.rowVersion)) + 1;
    this.rows.push({ ...record, projectId, deleted, rowVersion });
    return Promise.resolve();
  }

  addRuns(projectId: string, runs: readonly EvaluatorRunRecord[]): Promise<void> {
    for (const run of runs) this.runs.push({ ...run, projectId });
    return Promise.resolve();
  }

  runsOf(projectId: string, evaluator: string, version: number, traceIds: readonly string[]): Promise<EvaluatorRunRecord[]> {
    const ids = new Set(traceIds);
    const found = this.latestRuns(projectId).filter((r) => r.evaluator === evaluator && r.version === version && ids.has(r.traceId));
    return Promise.resolve(found.map(withoutProject).sort((a, b) => byText(a.traceId, b.traceId) || byText(a.spanId ?? '', b.spanId ?? '')));
  }

  failedRuns(projectId: string, evaluator: string, version: number, limit: number, newestFirst = false): Promise<EvaluatorRunRecord[]> {
    const failed = this.latestRuns(projectId).filter((r) => r.evaluator === evaluator && r.version === version && !r.ok);
    failed.sort((a, b) => a.timeUs - b.timeUs || byText(a.traceId, b.traceId) || byText(a.spanId ?? '', b.spanId ?? ''));
    if (newestFirst) failed.reverse();
    return Promise.resolve(failed.slice(0, limit).map(withoutProject));
  }

  runTotals(projectId: string, costSinceUs: number): Promise<EvaluatorRunTotals[]> {
    const totals = new Map<string, EvaluatorRunTotals>();
    const of = (r: EvaluatorRunRecord): EvaluatorRunTotals => {
      const key = `${r.evaluator}@${r.version}`;
      let t = totals.get(key);
      if (t === undefined) totals.set(key, (t = { evaluator: r.evaluator, version: r.version, ok: 0, errors: 0, notApplicable: 0, costUsd: 0 }));
      return t;
    };
    for (const r of this.latestRuns(projectId)) {
      if (!r.ok) of(r).errors++;
      else if (r.error === null) of(r).ok++;
      else of(r).notApplicable++;
    }
    for (const r of this.runs) if (r.projectId === projectId && r.timeUs >= costSinceUs) of(r).costUsd += r.costUsd;
    return Promise.resolve([...totals.values()].sort((a, b) => byText(a.evaluator, b.evaluator) || a.version - b.version));
  }

  completeTraces(projectId: string, filter: TraceFilter, after: TimeKey, endedByUs: number, limit: number): Promise<CompleteTrace[]> {
    const matching = listTraces(
      this.data(),
      { ...filter, projectId, range: { fromUs: null, toUs: null }, limit: Number.MAX_SAFE_INTEGER, cursor: null },
      null,
      Number.MAX_SAFE_INTEGER,
      (score) => this.scored(projectId, score),
    );
    const rooted = new Set(
      this.data()
        .spans.filter((s) => s.projectId === projectId && s.parentSpanId === null && s.endTimeUs > 0 && !this.slimmed(projectId, s.traceId))
        .map((s) => s.traceId),
    );
    const found = matching
      .filter(
        (t) => rooted.has(t.traceId) && t.endTimeUs <= endedByUs && (t.endTimeUs > after.timeUs || (t.endTimeUs === after.timeUs && t.traceId > after.id)),
      )
      .map((t) => ({ traceId: t.traceId, endUs: t.endTimeUs }))
      .sort((a, b) => a.endUs - b.endUs || byText(a.traceId, b.traceId));
    return Promise.resolve(found.slice(0, limit));
  }

  completeTracesCommitted(projectId: string, filter: TraceFilter, range: CommitRange, limit: number, slimmedToo = false): Promise<CompleteTrace[]> {
    const inRange = this.touched(projectId, range.after, range.upTo);
    const later = this.touched(projectId, range.upTo, range.head);
    const matching = listTraces(
      this.data(),
      { ...filter, projectId, range: { fromUs: null, toUs: null }, limit: Number.MAX_SAFE_INTEGER, cursor: null },
      null,
      Number.MAX_SAFE_INTEGER,
      (score) => this.scored(projectId, score),
    );
    const rooted = new Set(
      this.data()
        .spans.filter((s) => s.projectId === projectId && s.parentSpanId === null && s.endTimeUs > 0 && (slimmedToo || !this.slimmed(projectId, s.traceId)))
        .map((s) => s.traceId),
    );
    const found = matching
      .filter((t) => inRange.has(t.traceId) && !later.has(t.traceId) && rooted.has(t.traceId) && t.traceId > range.afterId)
      .map((t) => ({ traceId: t.traceId, endUs: t.endTimeUs }))
      .sort((a, b) => byText(a.traceId, b.traceId));
    return Promise.resolve(found.slice(0, limit));
  }

  /** The fake keeps no commit times: a runner that starts looks at every commit (the runs and decisions recorded keep it from deciding twice). */
  commitsAt(_timeUs: number): Promise<LiveCursor> {
    return Promise.resolve([]);
  }

  tracesTouched(projectId: string, after: LiveCursor, upTo: LiveCursor, limit: number): Promise<number> {
    return Promise.resolve(Math.min(limit, this.touched(projectId, after, upTo).size));
  }

  evaluationSpans(projectId: string, traceIds: readonly string[]): Promise<EvaluationSpan[]> {
    const wanted = new Set(traceIds);
    return Promise.resolve(
      this.data()
        .spans.filter((s) => s.projectId === projectId && wanted.has(s.traceId))
        .map((s) => ({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId,
          name: s.name,
          category: s.category,
          startTimeUs: s.startTimeUs,
          endTimeUs: s.endTimeUs,
          isLlm: s.llm !== null,
          costUsd: finite(s.llm?.costUsd ?? null),
          inputTokens: s.llm?.inputTokens ?? null,
          outputTokens: s.llm?.outputTokens ?? null,
          attributesJson: JSON.stringify(s.attributes),
        })),
    );
  }

  /** Retention: deletes every project's runs older than the cutoff; how many. */
  deleteOlderThan(cutoffUs: number): number {
    const kept = this.runs.filter((r) => r.timeUs >= cutoffUs);
    const removed = this.runs.length - kept.length;
    this.runs.splice(0, this.runs.length, ...kept);
    return removed;
  }

  takeLease(projectId: string, holder: string, nowUs: number, ttlUs: number): Promise<boolean> {
    const current = this.leases.get(projectId);
    if (current === undefined || current.holder === holder || current.expiresUs <= nowUs) this.leases.set(projectId, { holder, expiresUs: nowUs + ttlUs });
    return Promise.resolve(this.leases.get(projectId)!.holder === holder);
  }

  /** The newest run of each target. */
  private latestRuns(projectId: string): Run[] {
    const latest = new Map<string, Run>();
    for (const r of this.runs) {
      if (r.projectId !== projectId) continue;
      const key = `${r.evaluator}\0${r.version}\0${r.traceId}\0${r.spanId ?? ''}`;
      const before = latest.get(key);
      if (before === undefined || r.timeUs > before.timeUs || (r.timeUs === before.timeUs && r.ok && !before.ok)) latest.set(key, r);
    }
    return [...latest.values()];
  }
}

const withoutProject = ({ projectId: _, ...run }: Run): EvaluatorRunRecord => run;
