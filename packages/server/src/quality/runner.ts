import { type EvaluatorTarget, type ScoreRecord, type ScoreSlot, scoreIdOf, scoreProblem } from '@spoor/model';
import type { CompleteTrace, EvaluatorRecord, EvaluatorRunRecord } from '../store/store.js';
import { DEFAULT_STALE_AFTER_MS } from '../query/query-service.js';
import type { EvaluatorBackend } from './backend.js';
import { CommitClock, CompletionScan } from './completion.js';
import { type EvaluationTarget, type Judgement, NothingToJudge } from './kind.js';
import { sampledIn } from './sampled-in.js';
import { type AnyKind, type ResolvedEvaluator, resolveSpec } from './spec.js';

/**
 * The runner of one project's evaluators. Each tick it takes (or keeps) the project's lease in
 * the store, so of the servers sharing a store one judges at a time, then, for each active
 * evaluator version, finds the traces completed since its cursor by THE rule of completeness
 * (`completion.ts`): the root span has ended and no part of the trace was committed within the
 * last `traceQuietMs` (default 30 s), by when the server committed it, whatever the spans' clocks
 * say. A complete trace with a span still running (not abandoned) waits for that span's end, or
 * for it to be abandoned (`staleAfterMs`).
 *
 * A version judges the traces that complete after it was made (a backfill judges those before).
 * The traces its filter matches and its `sampleRate` keeps (by trace id) are judged, those its
 * version judged before left out (the runs in the store say which, so a restart judges nothing
 * twice), with at most `concurrency` judgements at once. Each judgement is written as a score
 * (source `evaluator`, author `name@version`, slot id from `scoreIdOf`), then its run is
 * recorded; a crash between the two judges the target again into the same slot, which replaces
 * itself. Nothing here is on the ingest path: reads and writes are calls to the database thread
 * and judges are awaited here, never by a request.
 */

export interface RunnerOptions {
  db: EvaluatorBackend;
  projectId: string;
  /** Who this runner is in the lease (a server's id and a random part). */
  holder: string;
  kinds: ReadonlyMap<string, AnyKind>;
  /** How long no part of a trace may have been committed before it is complete, ms. */
  traceQuietMs: number;
  /** A running span whose trace heard nothing for this long is abandoned, and no longer holds its trace back, ms (`--stale-after`). Default 10 minutes. */
  staleAfterMs?: number;
  nowUs: () => number;
  /** Judgements at once. Default 4. */
  concurrency?: number;
  /** Traces looked at per evaluator per read; a round reads on while reads come back full, within `roundBudgetMs`. Default 200. */
  tracesPerTick?: number;
  /**
   * How long, ms of this server's time, a round may read on for one evaluator while reads come back
   * full and ingest is idle. Default 1 s: a read a round judged 100 traces a second, so a burst of
   * 10,000 took 100 s to judge.
   */
  roundBudgetMs?: number;
  /**
   * Whether ingest is busy now (`pipeline/ingest-load.ts`): then a round looks at a quarter of `tracesPerTick`, so that
   * at capacity evaluators take little of the machine from ingest and fall behind instead.
   */
  ingestBusy?: () => boolean;
  /** How long a lease lasts, ms; renewed when half has gone. Default 30 s. */
  leaseTtlMs?: number;
  /** How far back in the store's commits the first tick after a start looks, ms (runs recorded keep it from judging twice). Default 1 h. */
  startLookbackMs?: number;
  /** Told the scores each round wrote, once stored (counted on `/metrics` as ingest's are). */
  onScores?: (scores: readonly ScoreRecord[]) => void;
  /** Counts runs by evaluator and outcome. */
  onRun?: (evaluator: string, outcome: RunOutcome) => void;
  /** Told when the runner pauses an evaluator (its daily budget spent), so that the pause is said where an alert can see it. */
  onPaused?: (projectId: string, evaluator: string, reason: string) => void;
  onError?: (message: string, data: Record<string, unknown>) => void;
}

/** How a target's run ended: a score, an evaluator error, or nothing to judge (`NothingToJudge`). */
export type RunOutcome = 'ok' | 'error' | 'not_applicable';

/** A run's outcome, as the store keeps it: ok with a reason is nothing to judge (`EvaluatorRunRecord`). */
export const outcomeOf = (run: Pick<EvaluatorRunRecord, 'ok' | 'error'>): RunOutcome => (!run.ok ? 'error' : run.error === null ? 'ok' : 'not_applicable');

/** What judging a set of traces did. */
export interface JudgeOutcome {
  /** Targets run (scored, failed or found with nothing to judge). */
  judged: number;
  skipped: number;
  errors: number;
  notApplicable: number;
  /** The daily budget ran out part way (the evaluator was paused). */
  budgetSpent: boolean;
}

const DAY_US = 86_400_000_000;
const authorOf = (name: string, version: number): string => `${name}@${version}`;
const budgetPauseReason = (budgetUsd: number): string => `its daily budget of $${budgetUsd} is spent`;
const targetKey = (traceId: string, spanId: string | null): string => `${traceId}/${spanId ?? ''}`;

/** How far behind a runner is (`EvaluatorRunner.lag`). */
export interface RunnerLag {
  /** Traces committed after the slowest version's cursor, not yet judged by it. */
  waiting: number;
  /** How long ago the oldest of them was committed, s. */
  oldestSeconds: number;
}

export class EvaluatorRunner {
  /** Per evaluator version (`name@version`), its place in the store's commits. */
  private readonly scans = new Map<string, CompletionScan>();
  private readonly clock: CommitClock;
  private leaseUntilUs = 0;
  private readonly startedUs: number;
  /** How far behind it was at its last round, `null` while it judges nothing here (no lease). */
  lag: RunnerLag | null = null;
  /** Whether each evaluator is paused, as the last tick read them (`spoor_evaluator_paused`). */
  readonly paused = new Map<string, boolean>();

  constructor(private readonly options: RunnerOptions) {
    this.startedUs = options.nowUs();
    this.clock = new CommitClock(() => options.db.evaluators.head(), options.traceQuietMs * 1000);
  }

  /** One round: the lease, then each active evaluator's newly complete traces. Errors are reported, never thrown. */
  async tick(): Promise<void> {
    const { db, projectId } = this.options;
    const nowUs = this.options.nowUs();
    try {
      const records = await db.evaluators.list(projectId);
      this.paused.clear();
      for (const r of records) this.paused.set(r.name, r.state === 'paused');
      if (!(await this.holdLease(nowUs))) {
        this.lag = null;
        return;
      }
      await this.clock.tick(nowUs);
      // A budget is a day's: an evaluator it paused before today's UTC midnight goes on.
      for (const [i, record] of records.entries())
        if (this.pausedByBudgetBefore(record, nowUs - (nowUs % DAY_US))) records[i] = await this.resumeAfterBudget(record, nowUs);
      const active = records.flatMap((record) => {
        const resolved = record.state === 'active' ? this.resolve(record) : null;
        return resolved === null ? [] : [{ record, resolved }];
      });
      // Evaluators of one project mostly judge the same newly complete traces: each is read once a
      // round, for every kind of target the round's evaluators judge.
      const targets = new RoundTargets(
        db,
        projectId,
        active.map((a) => a.resolved.target),
      );
      for (const { record, resolved } of active) await this.advance(record, resolved, nowUs, targets);
      await this.measureLag(
        active.map((a) => authorOf(a.record.name, a.record.version)),
        nowUs,
      );
    } catch (error) {
      this.options.onError?.('an evaluator round failed; the next round tries again', { projectId, err: error });
    }
  }

  /** Whether this runner holds the lease now, renewing it when half of it has gone. */
  private async holdLease(nowUs: number): Promise<boolean> {
    const ttlUs = (this.options.leaseTtlMs ?? 30_000) * 1000;
    if (this.leaseUntilUs - nowUs > ttlUs / 2) return true;
    const held = await this.options.db.evaluators.takeLease(this.options.projectId, this.options.holder, nowUs, ttlUs);
    this.leaseUntilUs = held ? nowUs + ttlUs : 0;
    return held;
  }

  resolve(record: EvaluatorRecord): ResolvedEvaluator | null {
    try {
      return resolveSpec(JSON.parse(record.spec), this.options.kinds);
    } catch (error) {
      // A kind this server lacks (a newer server made it) or a spec made invalid by a change of rules.
      this.options.onError?.('an evaluator cannot be run', { projectId: this.options.projectId, evaluator: record.name, err: error });
      return null;
    }
  }

  /**
   * Judges a page of the traces completed since the evaluator version's cursor, and moves the
   * cursor past them once judged (a round that fails, or a spent budget, finds them again).
   */
  private async advance(record: EvaluatorRecord, resolved: ResolvedEvaluator, nowUs: number, targets: RoundTargets): Promise<void> {
    const perTick = this.options.tracesPerTick ?? 200;
    const started = performance.now();
    for (let read = 0; ; read++) {
      const busy = this.options.ingestBusy?.() === true;
      if (read > 0 && (busy || performance.now() - started >= (this.options.roundBudgetMs ?? 1000))) return;
      const limit = busy ? Math.max(1, Math.floor(perTick / 4)) : perTick;
      const page = await this.scanOf(record, resolved).next(this.clock, nowUs, limit);
      const outcome = page.traces.length === 0 ? null : await this.judgeTraces(record, resolved, page.traces, nowUs, targets, false);
      // Past a spent budget the evaluator is paused; the traces not judged are left for after a resume.
      if (outcome?.budgetSpent === true) return;
      page.advance();
      if (!page.more) return;
    }
  }

  /** The version's scan; a new one starts from the commits made `traceQuietMs` before the version was (what completes after it), or from the look back after a start. */
  private scanOf(record: EvaluatorRecord, resolved: ResolvedEvaluator): CompletionScan {
    const key = authorOf(record.name, record.version);
    let scan = this.scans.get(key);
    if (scan === undefined) {
      const fromUs = Math.max(record.updatedUs - this.options.traceQuietMs * 1000, this.startedUs - (this.options.startLookbackMs ?? 3_600_000) * 1000);
      scan = new CompletionScan({
        db: this.options.db,
        projectId: this.options.projectId,
        filter: resolved.filter,
        slimmedToo: false,
        staleAfterMs: this.options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
        start: async () => this.clock.at(fromUs) ?? (await this.options.db.evaluators.commitsAt(fromUs)),
      });
      this.scans.set(key, scan);
    }
    return scan;
  }

  /** How far behind the slowest active version is, and forgets the heads and scans no version needs. */
  private async measureLag(active: readonly string[], nowUs: number): Promise<void> {
    const keep = new Set(active);
    for (const key of this.scans.keys()) if (!keep.has(key)) this.scans.delete(key);
    const lag: RunnerLag = { waiting: 0, oldestSeconds: 0 };
    const cursors = [];
    for (const scan of this.scans.values()) {
      const one = await scan.lag(this.clock, nowUs);
      lag.waiting = Math.max(lag.waiting, one.waiting);
      lag.oldestSeconds = Math.max(lag.oldestSeconds, one.oldestSeconds);
      if (scan.cursor !== null) cursors.push(scan.cursor);
    }
    this.clock.forget(cursors, nowUs);
    this.lag = lag;
  }

  /**
   * Judges the targets of these traces that its `sampleRate` keeps and its version has not judged,
   * writing scores and runs; pauses the evaluator when its daily budget is spent.
   */
  async judgeTraces(
    record: EvaluatorRecord,
    resolved: ResolvedEvaluator,
    traces: readonly CompleteTrace[],
    nowUs: number,
    round: RoundTargets = new RoundTargets(this.options.db, this.options.projectId),
    /** Whether traces with a span running are left out here (the runner's scan left them out already). */
    checkRunning = true,
  ): Promise<JudgeOutcome> {
    const { db, projectId } = this.options;
    const sampled = traces.filter((t) => sampledIn(t.traceId, resolved.sampleRate));
    const traceIds = checkRunning ? await this.endedOnly(sampled, nowUs) : sampled.map((t) => t.traceId);
    if (traceIds.length === 0) return { judged: 0, skipped: 0, errors: 0, notApplicable: 0, budgetSpent: false };
    const done = new Set((await db.evaluators.runsOf(projectId, record.name, record.version, traceIds)).map((r) => targetKey(r.traceId, r.spanId)));
    const targets = await round.of(traceIds, resolved.target);
    const todo = targets.filter((t) => !done.has(targetKey(t.traceId, t.spanId)));
    const outcome = await this.judgeTargets(record, resolved, todo, nowUs);
    return { ...outcome, skipped: targets.length - todo.length + outcome.skipped };
  }

  /** The ids of these traces but those with a span still running (not abandoned): one read of when each was last heard from. */
  private endedOnly(traces: readonly CompleteTrace[], nowUs: number): Promise<string[]> {
    return endedOnly(this.options.db.evaluators.runningTraces, this.options.projectId, traces, nowUs, this.options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS);
  }

  /** Judges targets (a retry's, a backfill's or a round's) and records them. */
  async judgeTargets(record: EvaluatorRecord, resolved: ResolvedEvaluator, targets: readonly EvaluationTarget[], nowUs: number): Promise<JudgeOutcome> {
    const { db, projectId } = this.options;
    if (targets.length === 0) return { judged: 0, skipped: 0, errors: 0, notApplicable: 0, budgetSpent: false };
    let spentUsd = 0;
    let budgetUsd = Number.POSITIVE_INFINITY;
    if (resolved.dailyBudgetUsd !== null) {
      const dayStartUs = nowUs - (nowUs % DAY_US);
      const totals = await db.evaluators.runTotals(projectId, dayStartUs);
      spentUsd = totals.filter((t) => t.evaluator === record.name).reduce((sum, t) => sum + t.costUsd, 0);
      budgetUsd = resolved.dailyBudgetUsd;
    }
    const scores: ScoreRecord[] = [];
    const runs: EvaluatorRunRecord[] = [];
    let next = 0;
    let budgetSpent = false;
    const controller = new AbortController();
    const worker = async (): Promise<void> => {
      while (next < targets.length) {
        if (spentUsd >= budgetUsd) {
          budgetSpent = true;
          return;
        }
        const target = targets[next++]!;
        const run = await this.judgeOne(record, resolved, target, controller.signal);
        spentUsd += run.run.costUsd;
        runs.push(run.run);
        if (run.score !== null) scores.push(run.score);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 4, targets.length) }, worker));
    // Judgements already under way when the budget ran out finish: it is passed by up to `concurrency - 1` of them.
    if (spentUsd >= budgetUsd) budgetSpent = true;
    // Scores first: a crash before the runs are recorded judges these again, into the same slots.
    await db.evaluators.addScores(scores, this.options.nowUs());
    this.options.onScores?.(scores);
    await db.evaluators.addRuns(projectId, runs);
    const counts = { ok: 0, error: 0, not_applicable: 0 };
    for (const r of runs) {
      const outcome = outcomeOf(r);
      counts[outcome]++;
      this.options.onRun?.(record.name, outcome);
    }
    if (budgetSpent) await this.pauseForBudget(record, resolved.dailyBudgetUsd!, nowUs);
    return { judged: runs.length, skipped: targets.length - runs.length, errors: counts.error, notApplicable: counts.not_applicable, budgetSpent };
  }

  private async judgeOne(
    record: EvaluatorRecord,
    resolved: ResolvedEvaluator,
    target: EvaluationTarget,
    signal: AbortSignal,
  ): Promise<{ run: EvaluatorRunRecord; score: ScoreRecord | null }> {
    const timeUs = this.options.nowUs();
    const base = { evaluator: record.name, version: record.version, traceId: target.traceId, spanId: target.spanId, timeUs };
    let judgement: Judgement;
    try {
      judgement = await resolved.kind.judge(resolved.spec, target, { signal });
      const problem = scoreProblem({ name: record.name, value: judgement.value, label: judgement.label });
      if (problem !== null) throw new Error(`the judgement is no score (${problem})`);
    } catch (error) {
      // Recorded, so the target is not looked at again, but neither a score nor a failure to retry.
      if (error instanceof NothingToJudge) return { run: { ...base, ok: true, error: error.message, costUsd: 0 }, score: null };
      // A judge whose answer was unusable was still paid for (JudgeError.costUsd): it counts against the budget.
      const costUsd = typeof (error as { costUsd?: unknown }).costUsd === 'number' ? (error as { costUsd: number }).costUsd : 0;
      return { run: { ...base, ok: false, error: (error as Error).message ?? String(error), costUsd }, score: null };
    }
    const slot: ScoreSlot = {
      projectId: this.options.projectId,
      traceId: target.traceId,
      spanId: target.spanId,
      sessionId: null,
      responseId: null,
      name: record.name,
      source: 'evaluator',
      author: authorOf(record.name, record.version),
    };
    return {
      run: { ...base, ok: true, error: null, costUsd: judgement.costUsd },
      score: { ...slot, scoreId: scoreIdOf(slot), timeUs, value: judgement.value, label: judgement.label, comment: judgement.comment },
    };
  }

  private async pauseForBudget(record: EvaluatorRecord, budgetUsd: number, nowUs: number): Promise<void> {
    const latest = await this.options.db.evaluators.latest(this.options.projectId, record.name);
    // Changed meanwhile (a new version, a pause, a deletion): that change stands.
    if (latest === null || latest.deleted || latest.version !== record.version || latest.state !== 'active') return;
    const { deleted: _, ...current } = latest;
    const reason = budgetPauseReason(budgetUsd);
    await this.options.db.evaluators.put(this.options.projectId, { ...current, state: 'paused', pausedReason: reason, updatedUs: nowUs }, false);
    this.paused.set(record.name, true);
    this.options.onPaused?.(this.options.projectId, record.name, reason);
  }

  /** Whether the runner paused this evaluator for its budget (its reason, word for word) before `dayStartUs`. */
  private pausedByBudgetBefore(record: EvaluatorRecord, dayStartUs: number): boolean {
    if (record.state !== 'paused' || record.updatedUs >= dayStartUs || record.pausedReason === null) return false;
    const budgetUsd = this.resolve(record)?.dailyBudgetUsd ?? null;
    return budgetUsd !== null && record.pausedReason === budgetPauseReason(budgetUsd);
  }

  /**
   * Makes an evaluator its budget paused active again, unless it changed meanwhile; the record as
   * it is now. It judges what completes from now: the traces of the pause are a backfill's, as
   * after a resume by hand (a day's backlog would spend the new day's budget at once).
   */
  private async resumeAfterBudget(record: EvaluatorRecord, nowUs: number): Promise<EvaluatorRecord> {
    const latest = await this.options.db.evaluators.latest(this.options.projectId, record.name);
    if (latest === null || latest.deleted || latest.version !== record.version || latest.updatedUs !== record.updatedUs) return record;
    const { deleted: _, ...current } = latest;
    const resumed: EvaluatorRecord = { ...current, state: 'active', pausedReason: null, updatedUs: nowUs };
    await this.options.db.evaluators.put(this.options.projectId, resumed, false);
    this.paused.set(record.name, false);
    // From the resume on, as a restarted runner would start (from the version's `updatedUs`).
    this.scans.delete(authorOf(record.name, record.version));
    return resumed;
  }
}

/**
 * The ids of complete traces but those with a span still running (not abandoned): one read of
 * when each was last heard from. Evaluators and tail sampling leave such a trace for later alike.
 */
export async function endedOnly(
  lastHeard: (projectId: string, traceIds: readonly string[]) => Promise<ReadonlyMap<string, number>>,
  projectId: string,
  traces: readonly CompleteTrace[],
  nowUs: number,
  staleAfterMs: number,
): Promise<string[]> {
  if (traces.length === 0) return [];
  const heard = await lastHeard(
    projectId,
    traces.map((t) => t.traceId),
  );
  const staleAfterUs = staleAfterMs * 1000;
  return traces
    .filter((t) => {
      // By when the snapshot was received, the server's clock: a span's own end may be far off it.
      const snapshotUs = heard.get(t.traceId);
      return snapshotUs === undefined || nowUs - snapshotUs >= staleAfterUs;
    })
    .map((t) => t.traceId);
}

/**
 * The targets of traces, read through the database thread once per trace in a round, for every
 * kind of target the round judges (its spans read once, not once per kind): each evaluator would
 * otherwise read every span of the same traces again.
 */
export class RoundTargets {
  private readonly read = new Map<string, EvaluationTarget[]>();
  private readonly kinds: EvaluatorTarget[];

  constructor(
    private readonly db: RunnerOptions['db'],
    private readonly projectId: string,
    kinds: Iterable<EvaluatorTarget> = [],
  ) {
    this.kinds = [...new Set(kinds)];
  }

  /** The targets of these traces, in the order of the ids. */
  async of(traceIds: readonly string[], target: EvaluatorTarget): Promise<EvaluationTarget[]> {
    const key = (kind: EvaluatorTarget, traceId: string): string => `${kind}/${traceId}`;
    const missing = traceIds.filter((id) => !this.read.has(key(target, id)));
    if (missing.length > 0) {
      const kinds = this.kinds.includes(target) ? this.kinds : [...this.kinds, target];
      const lists = await this.db.evaluators.targets(this.projectId, missing, kinds);
      kinds.forEach((kind, i) => {
        for (const id of missing) this.read.set(key(kind, id), []);
        for (const t of lists[i]!) this.read.get(key(kind, t.traceId))!.push(t);
      });
    }
    return traceIds.flatMap((id) => this.read.get(key(target, id))!);
  }
}
