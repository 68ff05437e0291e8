import { randomBytes } from 'node:crypto';
import { type Evaluator, type EvaluatorBackfill, type EvaluatorError, type EvaluatorPreviewItem, isoFromMicros } from '@spoor/model';
import { AppError } from '../errors.js';
import type { EvaluatorRecord, EvaluatorRunTotals } from '../store/store.js';
import type { EvaluatorBackend } from './backend.js';
import type { ExperimentEvaluator } from './experiment-judging.js';
import { NothingToJudge } from './kind.js';
import { EvaluatorRunner, RoundTargets, type RunnerLag, type RunnerOptions } from './runner.js';
import { sampledIn } from './sampled-in.js';
import { type AnyKind, type ResolvedEvaluator, resolveSpec, specProblem } from './spec.js';

export interface EvaluatorServiceOptions {
  db: EvaluatorBackend;
  kinds: ReadonlyMap<string, AnyKind>;
  /** This server's id: the lease holder is it and a random part, so two runners of one process differ too. */
  serverId: string;
  traceQuietMs: number;
  /** How often each project's runner looks for complete traces, ms. Default 2 s. */
  tickMs?: number;
  nowUs?: () => number;
  /** The `--evaluators` file's specs, for the default project: read-only through the API. */
  fileSpecs?: readonly unknown[];
  runner?: Partial<Pick<RunnerOptions, 'concurrency' | 'tracesPerTick' | 'roundBudgetMs' | 'leaseTtlMs' | 'startLookbackMs' | 'ingestBusy' | 'staleAfterMs'>>;
  onScores?: RunnerOptions['onScores'];
  onRun?: RunnerOptions['onRun'];
  onPaused?: RunnerOptions['onPaused'];
  onError?: RunnerOptions['onError'];
}

const DAY_US = 86_400_000_000;
const PREVIEW_TARGETS = 5;
/** Targets a retry re-judges per call. */
const RETRY_LIMIT = 1000;
/** Traces a backfill reads at once. */
const BACKFILL_PAGE = 200;

/**
 * Evaluators through the API, and each project's runner: definitions with a version that rises
 * when the spec changes, pause and resume, a preview, backfills (kept in this server's memory
 * while they run and after), and retries of failed targets. Changes of one project are made one
 * at a time, so two requests never both make one version.
 */
export class EvaluatorService {
  private readonly runners = new Map<string, EvaluatorRunner>();
  private readonly backfills = new Map<string, EvaluatorBackfill>();
  private readonly changing = new Map<string, Promise<unknown>>();
  private readonly fileNames: ReadonlySet<string>;
  private readonly nowUs: () => number;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private readonly pending = new Set<Promise<unknown>>();

  private constructor(private readonly options: EvaluatorServiceOptions) {
    this.nowUs = options.nowUs ?? (() => Date.now() * 1000);
    this.fileNames = new Set((options.fileSpecs ?? []).map((s) => (s as { name: string }).name));
  }

  /** Saves the file's evaluators (a new version where a spec changed) and starts the rounds. */
  static async start(options: EvaluatorServiceOptions, projects: readonly string[] = ['default']): Promise<EvaluatorService> {
    const service = new EvaluatorService(options);
    for (const spec of options.fileSpecs ?? []) await service.save('default', spec, 'file');
    for (const projectId of projects) service.runnerOf(projectId);
    const tickMs = options.tickMs ?? 2000;
    service.timer = setInterval(() => void service.runRound(), tickMs);
    service.timer.unref();
    return service;
  }

  /** One round of every project's runner (a round still going is not overlapped). */
  runRound(): Promise<void> {
    this.round ??= (async () => {
      for (const runner of this.runners.values()) await runner.tick();
    })().finally(() => (this.round = null));
    return this.round;
  }

  /** Stops the rounds and waits for the one going, and for backfills. */
  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.round;
    await Promise.allSettled(this.pending);
  }

  /** Whether each evaluator of every project is paused, as the last rounds read them. */
  pausedStates(): Array<{ evaluator: string; projectId: string; paused: boolean }> {
    const out: Array<{ evaluator: string; projectId: string; paused: boolean }> = [];
    for (const [projectId, runner] of this.runners) for (const [evaluator, paused] of runner.paused) out.push({ evaluator, projectId, paused });
    return out;
  }

  /** Per project whose runner judges here, how far behind its slowest evaluator is (`EvaluatorRunner.lag`, as of its last round). */
  lags(): Array<{ projectId: string } & RunnerLag> {
    return [...this.runners].flatMap(([projectId, runner]) => (runner.lag === null ? [] : [{ projectId, ...runner.lag }]));
  }

  runnerOf(projectId: string): EvaluatorRunner {
    let runner = this.runners.get(projectId);
    if (runner === undefined) {
      const { db, kinds, traceQuietMs, onScores, onRun, onPaused, onError } = this.options;
      runner = new EvaluatorRunner({
        db,
        projectId,
        kinds,
        traceQuietMs,
        onScores,
        onRun,
        onPaused,
        onError,
        nowUs: this.nowUs,
        holder: `${this.options.serverId}/${randomBytes(6).toString('hex')}`,
        ...this.options.runner,
      });
      this.runners.set(projectId, runner);
    }
    return runner;
  }

  async list(projectId: string): Promise<Evaluator[]> {
    this.runnerOf(projectId);
    const [records, totals] = await Promise.all([this.options.db.evaluators.list(projectId), this.totals(projectId)]);
    return records.map((r) => this.answer(projectId, r, totals));
  }

  async get(projectId: string, name: string): Promise<Evaluator> {
    return this.answer(projectId, await this.existing(projectId, name), await this.totals(projectId));
  }

  /** Makes (`create`: refused when the name is taken) or replaces an evaluator; the version rises when the spec changed. */
  async save(
    projectId: string,
    body: unknown,
    mode: 'create' | 'put' | 'file',
    pathName: string | null = null,
  ): Promise<{ evaluator: Evaluator; created: boolean }> {
    const spec = pathName !== null && typeof body === 'object' && body !== null && !('name' in body) ? { ...body, name: pathName } : body;
    const resolved = resolveSpec(spec, this.options.kinds, { unknownFields: 'refuse' });
    const name = resolved.spec.name;
    if (pathName !== null && name !== pathName) throw specProblem(`name: '${name}' differs from the path's '${pathName}'`);
    if (mode !== 'file') this.refuseFileEvaluator(projectId, name);
    // A project's runner starts with its first evaluator made here, if it had none running.
    this.runnerOf(projectId);
    return this.change(projectId, async () => {
      const latest = await this.options.db.evaluators.latest(projectId, name);
      const exists = latest !== null && !latest.deleted;
      if (mode === 'create' && exists) throw new AppError('ERR_CONFLICT', `an evaluator named '${name}' exists; PUT /api/evaluators/${name} replaces it`);
      const text = JSON.stringify(resolved.spec);
      const nowUs = this.nowUs();
      let record: EvaluatorRecord;
      if (exists && latest.spec === text) record = latest;
      else {
        record = {
          name,
          spec: text,
          version: (latest?.version ?? 0) + 1,
          state: exists ? latest.state : 'active',
          pausedReason: exists ? latest.pausedReason : null,
          createdUs: exists ? latest.createdUs : nowUs,
          updatedUs: nowUs,
        };
        await this.options.db.evaluators.put(projectId, record, false);
      }
      return { evaluator: this.answer(projectId, record, await this.totals(projectId)), created: !exists };
    });
  }

  async delete(projectId: string, name: string): Promise<void> {
    this.refuseFileEvaluator(projectId, name);
    await this.change(projectId, async () => {
      const record = await this.existing(projectId, name);
      await this.options.db.evaluators.put(projectId, { ...record, updatedUs: this.nowUs() }, true);
    });
  }

  /** Pauses (with a reason) or resumes an evaluator; its version stays. */
  async setState(projectId: string, name: string, paused: boolean, reason = 'paused by hand'): Promise<Evaluator> {
    return this.change(projectId, async () => {
      const record = await this.existing(projectId, name);
      const next: EvaluatorRecord = { ...record, state: paused ? 'paused' : 'active', pausedReason: paused ? reason : null, updatedUs: this.nowUs() };
      const changed = record.state !== next.state || record.pausedReason !== next.pausedReason;
      if (changed) await this.options.db.evaluators.put(projectId, next, false);
      this.runnerOf(projectId).paused.set(name, paused);
      return this.answer(projectId, changed ? next : record, await this.totals(projectId));
    });
  }

  /** The judgements of a spec, unsaved, on the five most recent targets it matches (complete traces of the last hour). */
  async preview(projectId: string, body: unknown): Promise<EvaluatorPreviewItem[]> {
    const resolved = resolveSpec(body, this.options.kinds, { unknownFields: 'refuse' });
    const nowUs = this.nowUs();
    const traces = await this.options.db.evaluators.completeTraces(
      projectId,
      resolved.filter,
      { timeUs: nowUs - 3_600_000_000, id: '' },
      nowUs - this.options.traceQuietMs * 1000,
      1000,
    );
    const recent = traces
      .slice(-PREVIEW_TARGETS)
      .reverse()
      .map((t) => t.traceId);
    const targets = (await new RoundTargets(this.options.db, projectId).of(recent, resolved.target)).slice(0, PREVIEW_TARGETS);
    const signal = new AbortController().signal;
    return Promise.all(
      targets.map(async (target): Promise<EvaluatorPreviewItem> => {
        const where = { traceId: target.traceId, spanId: target.spanId };
        try {
          const j = await resolved.kind.judge(resolved.spec, target, { signal });
          return { ...where, value: j.value, label: j.label, comment: j.comment, costUsd: j.costUsd, error: null, notApplicable: null };
        } catch (error) {
          const message = (error as Error).message;
          const nothing = error instanceof NothingToJudge;
          return { ...where, value: null, label: null, comment: null, costUsd: 0, error: nothing ? null : message, notApplicable: nothing ? message : null };
        }
      }),
    );
  }

  /** The targets whose last run by the current version failed, newest first, at most `limit`. */
  async errors(projectId: string, name: string, limit: number): Promise<EvaluatorError[]> {
    const record = await this.existing(projectId, name);
    const failed = await this.options.db.evaluators.failedRuns(projectId, name, record.version, limit, true);
    return failed.map((r) => ({ traceId: r.traceId, spanId: r.spanId, error: r.error ?? 'unknown error', time: isoFromMicros(r.timeUs) }));
  }

  /** Re-judges the targets whose last run by the current version failed. */
  async retry(projectId: string, name: string): Promise<{ retried: number; ok: number; errors: number; notApplicable: number }> {
    const { record, resolved } = await this.runnable(projectId, name);
    const failed = await this.options.db.evaluators.failedRuns(projectId, name, record.version, RETRY_LIMIT);
    const keys = new Set(failed.map((r) => `${r.traceId}/${r.spanId ?? ''}`));
    const traceIds = [...new Set(failed.map((r) => r.traceId))];
    const targets = (await new RoundTargets(this.options.db, projectId).of(traceIds, resolved.target)).filter((t) =>
      keys.has(`${t.traceId}/${t.spanId ?? ''}`),
    );
    const outcome = await this.runnerOf(projectId).judgeTargets(record, resolved, targets, this.nowUs());
    return {
      retried: outcome.judged,
      ok: outcome.judged - outcome.errors - outcome.notApplicable,
      errors: outcome.errors,
      notApplicable: outcome.notApplicable,
    };
  }

  /** Starts judging, with the current version, the traces that completed in a past range; its progress is read with `backfill`. */
  async startBackfill(projectId: string, name: string, fromUs: number, toUs: number): Promise<EvaluatorBackfill> {
    const { record, resolved } = await this.runnable(projectId, name);
    const key = `${projectId}\0${name}`;
    if (this.backfills.get(key)?.state === 'running')
      throw new AppError('ERR_CONFLICT', `a backfill of '${name}' is running; see GET /api/evaluators/${name}/backfill`);
    const job: EvaluatorBackfill = {
      evaluator: name,
      version: record.version,
      state: 'running',
      from: isoFromMicros(fromUs),
      to: isoFromMicros(toUs),
      traces: 0,
      sampled: 0,
      judged: 0,
      skipped: 0,
      errors: 0,
      notApplicable: 0,
      startedAt: isoFromMicros(this.nowUs()),
      finishedAt: null,
      error: null,
    };
    this.backfills.set(key, job);
    const done = this.runBackfill(projectId, record, resolved, job, fromUs, toUs);
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
    return { ...job };
  }

  backfill(projectId: string, name: string): EvaluatorBackfill {
    const job = this.backfills.get(`${projectId}\0${name}`);
    if (job === undefined) throw new AppError('ERR_NOT_FOUND', `no backfill of '${name}' was started on this server`);
    return { ...job };
  }

  private async runBackfill(
    projectId: string,
    record: EvaluatorRecord,
    resolved: ResolvedEvaluator,
    job: EvaluatorBackfill,
    fromUs: number,
    toUs: number,
  ): Promise<void> {
    const runner = this.runnerOf(projectId);
    try {
      let after = { timeUs: fromUs, id: '' };
      const endedByUs = Math.min(toUs, this.nowUs() - this.options.traceQuietMs * 1000);
      for (;;) {
        const traces = await this.options.db.evaluators.completeTraces(projectId, resolved.filter, after, endedByUs, BACKFILL_PAGE);
        if (traces.length === 0) break;
        job.traces += traces.length;
        job.sampled += traces.filter((t) => sampledIn(t.traceId, resolved.sampleRate)).length;
        const outcome = await runner.judgeTraces(record, resolved, traces, this.nowUs());
        job.judged += outcome.judged;
        job.skipped += outcome.skipped;
        job.errors += outcome.errors;
        job.notApplicable += outcome.notApplicable;
        if (outcome.budgetSpent) throw new Error('the daily budget is spent: the evaluator was paused');
        after = { timeUs: traces.at(-1)!.endUs, id: traces.at(-1)!.traceId };
      }
      job.state = 'done';
    } catch (error) {
      job.state = 'failed';
      job.error = (error as Error).message;
    }
    job.finishedAt = isoFromMicros(this.nowUs());
  }

  /**
   * The evaluators an experiment names, at their current versions, each judging the experiment's
   * targets whatever its sampling and filter (an experiment asks for every item scored), within
   * its daily budget. A 400 names one the project lacks or this server cannot run.
   */
  async forExperiment(projectId: string, names: readonly string[]): Promise<ExperimentEvaluator[]> {
    const runner = this.runnerOf(projectId);
    return Promise.all(
      names.map(async (name): Promise<ExperimentEvaluator> => {
        const latest = await this.options.db.evaluators.latest(projectId, name);
        if (latest === null || latest.deleted)
          throw new AppError('ERR_BAD_REQUEST', `evaluators: there is no evaluator named '${name}' (make it with POST /api/evaluators)`);
        const { deleted: _, ...record } = latest;
        const resolved = runner.resolve(record);
        if (resolved === null) throw new AppError('ERR_BAD_REQUEST', `evaluators: '${name}' cannot be run by this server (its kind is unknown here)`);
        return { record, resolved, judge: (targets) => runner.judgeTargets(record, resolved, targets, this.nowUs()) };
      }),
    );
  }

  private async runnable(projectId: string, name: string): Promise<{ record: EvaluatorRecord; resolved: ResolvedEvaluator }> {
    const record = await this.existing(projectId, name);
    const resolved = this.runnerOf(projectId).resolve(record);
    if (resolved === null) throw new AppError('ERR_CONFLICT', `the evaluator '${name}' cannot be run by this server (its kind is unknown here)`);
    return { record, resolved };
  }

  private async existing(projectId: string, name: string): Promise<EvaluatorRecord> {
    const latest = await this.options.db.evaluators.latest(projectId, name);
    if (latest === null || latest.deleted) throw new AppError('ERR_NOT_FOUND', `no evaluator named '${name}'`);
    const { deleted: _, ...record } = latest;
    return record;
  }

  private refuseFileEvaluator(projectId: string, name: string): void {
    if (projectId === 'default' && this.fileNames.has(name))
      throw new AppError('ERR_CONFLICT', `the evaluator '${name}' is defined by the --evaluators file; change it there`);
  }

  private totals(projectId: string): Promise<EvaluatorRunTotals[]> {
    const nowUs = this.nowUs();
    return this.options.db.evaluators.runTotals(projectId, nowUs - (nowUs % DAY_US));
  }

  private answer(projectId: string, r: EvaluatorRecord, totals: readonly EvaluatorRunTotals[]): Evaluator {
    const own = totals.filter((t) => t.evaluator === r.name);
    const current = own.find((t) => t.version === r.version);
    return {
      name: r.name,
      version: r.version,
      author: `${r.name}@${r.version}`,
      spec: JSON.parse(r.spec),
      state: r.state,
      pausedReason: r.pausedReason,
      source: projectId === 'default' && this.fileNames.has(r.name) ? 'file' : 'api',
      createdAt: isoFromMicros(r.createdUs),
      updatedAt: isoFromMicros(r.updatedUs),
      scoresMade: current?.ok ?? 0,
      errors: current?.errors ?? 0,
      notApplicable: current?.notApplicable ?? 0,
      costTodayUsd: own.reduce((sum, t) => sum + t.costUsd, 0),
    };
  }

  /** Runs one change of a project's evaluators after the ones before it. */
  private change<T>(projectId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.changing.get(projectId) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(fn);
    this.changing.set(projectId, next);
    return next;
  }
}
