import { randomBytes } from 'node:crypto';
import { type SamplingAnswer, type SamplingPolicy, isoFromMicros } from '@spoor/model';
import { AppError } from '../errors.js';
import { ChangedSince } from '../changed-since.js';
import { InTurn } from '../in-turn.js';
import type { SamplingBackend } from './backend.js';
import { type ResolvedPolicy, type SamplingFile, filePolicyFor, resolvePolicy } from './policy.js';
import type { RunnerLag } from '../quality/runner.js';
import { SamplingRunner, type SamplingRunnerOptions } from './runner.js';

export interface SamplingServiceOptions {
  db: SamplingBackend;
  /** This server's id: a runner's lease holder is it and a random part. */
  serverId: string;
  traceQuietMs: number;
  staleAfterMs?: number;
  /** The `--sampling` file, `null` for none. */
  file: SamplingFile | null;
  /** The projects to sample besides those with a policy set through the API (those with keys, and `default`). */
  projects: () => readonly string[];
  /** How often each project's runner looks for complete traces, ms. Default 2 s. */
  tickMs?: number;
  nowUs?: () => number;
  /**
   * Whether ingest is idle (`IngestLoad.idle`): what slimming deleted is put off while it is not,
   * and reclaimed at once when it is. Default: while it is not busy (`runner.ingestBusy`).
   */
  ingestIdle?: () => boolean;
  runner?: Partial<Pick<SamplingRunnerOptions, 'tracesPerRead' | 'maxReadsPerRound' | 'leaseTtlMs' | 'startLookbackMs' | 'ingestBusy'>>;
  onDecided?: SamplingRunnerOptions['onDecided'];
  onError?: (message: string, data: Record<string, unknown>) => void;
}

/** A project's policy in force: the API's (over the file's), with when it was set. */
interface InForce {
  source: 'api' | 'file';
  resolved: ResolvedPolicy;
  updatedUs: number;
}

/**
 * Tail sampling through the API and each project's runner. Policies set through the API are read
 * from the store every round (another server sharing it may have set one) and are over the
 * `--sampling` file's; a project with neither keeps every trace. Each round runs every project's
 * runner in turn (a round still going is not overlapped), off the ingest path.
 */
export class SamplingService {
  private readonly runners = new Map<string, SamplingRunner>();
  /** A project's changes of its policy one at a time: the policy in force here ends as the one stored. */
  private readonly changes = new InTurn();
  private api = new Map<string, InForce>();
  /** The projects whose policy changed here, so a round's read that began before a change does not undo it. */
  private readonly changed = new ChangedSince();
  private readonly nowUs: () => number;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  /** Whether the store now puts off vacuuming (`deferVacuum`). */
  private vacuumDeferred = false;
  /** Whether vacuuming was put off since what it left was last reclaimed. */
  private unreclaimed = false;

  private constructor(private readonly options: SamplingServiceOptions) {
    this.nowUs = options.nowUs ?? (() => Date.now() * 1000);
  }

  static async start(options: SamplingServiceOptions): Promise<SamplingService> {
    const service = new SamplingService(options);
    await service.readPolicies();
    service.timer = setInterval(() => void service.runRound(), options.tickMs ?? 2000);
    service.timer.unref();
    return service;
  }

  /** One round of every project's runner. */
  runRound(): Promise<void> {
    this.round ??= (async () => {
      try {
        await this.readPolicies();
      } catch (error) {
        // The policies read before stay in force.
        this.options.onError?.('could not read the sampling policies; those read before stay in force', { err: error });
      }
      const projects = new Set([...this.options.projects(), ...this.api.keys(), ...(this.options.file?.projects.keys() ?? [])]);
      const sampling = [...projects].some((projectId) => this.inForce(projectId) !== null);
      if (!this.ingestIdle()) await this.putOff(sampling);
      for (const projectId of projects) {
        const inForce = this.inForce(projectId);
        await this.runnerOf(projectId).tick(inForce?.resolved ?? null, inForce?.updatedUs ?? 0);
      }
      // After the moves (a checkpoint vacuums only the tables it writes, which they or ingest
      // wrote), and only if ingest is still idle once they are done.
      if (this.ingestIdle()) await this.reclaim();
    })().finally(() => (this.round = null));
    return this.round;
  }

  /** Per project whose runner decides here, how far behind its decisions are (`SamplingRunner.lag`, as of its last round). */
  lags(): Array<{ projectId: string } & RunnerLag> {
    return [...this.runners].flatMap(([projectId, runner]) => (runner.lag === null ? [] : [{ projectId, ...runner.lag }]));
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.round;
    await this.reclaim();
  }

  private ingestIdle(): boolean {
    return this.options.ingestIdle?.() ?? this.options.runner?.ingestBusy?.() !== true;
  }

  /**
   * While ingest has work, the store puts off reclaiming what slimming deleted
   * (`SamplingStore.deferVacuum`): at capacity, DuckDB's checkpoints rewriting `spans` around the
   * deleted rows were what tail sampling cost ingest, and six-minute runs at 0.8x of capacity that
   * let ingest's checkpoints vacuum a few tasks each after 5 minutes refused requests (16 and 8;
   * one without, none: BENCHMARKS.md). So nothing is reclaimed until ingest idles; with no
   * project sampled any more, what was put off waits for that too, never forced under load.
   */
  private async putOff(sampling: boolean): Promise<void> {
    if (!sampling && !this.vacuumDeferred) return;
    if (await this.deferVacuum(true)) this.unreclaimed = true;
  }

  /**
   * Once ingest idles, and on close: vacuums as DuckDB does, and reclaims at once what was put
   * off. Not while ingest has work: DuckDB's checkpoint then holds its commits for seconds (at 0.8x
   * of capacity, a reclaim each time the load dipped stalled commits for 2 s and filled the queue).
   */
  private async reclaim(): Promise<void> {
    if (!(await this.deferVacuum(false)) || !this.unreclaimed) return;
    try {
      await this.options.db.sampling.reclaim();
      this.unreclaimed = false;
    } catch (error) {
      this.options.onError?.('could not reclaim what tail sampling deleted; the next round tries again', { err: error });
    }
  }

  /** Whether vacuuming is now put off as asked. */
  private async deferVacuum(deferred: boolean): Promise<boolean> {
    if (deferred === this.vacuumDeferred) return true;
    try {
      await this.options.db.sampling.deferVacuum(deferred);
      this.vacuumDeferred = deferred;
      return true;
    } catch (error) {
      this.options.onError?.(`could not ${deferred ? 'put off' : 'resume'} reclaiming what tail sampling deleted; the next round tries again`, { err: error });
      return false;
    }
  }

  get(projectId: string): SamplingAnswer {
    const inForce = this.inForce(projectId);
    if (inForce === null) return { projectId, source: 'none', policy: null, updatedAt: null };
    return {
      projectId,
      source: inForce.source,
      policy: inForce.resolved.policy,
      updatedAt: inForce.source === 'api' ? isoFromMicros(inForce.updatedUs) : null,
    };
  }

  /** Sets the project's policy over the file's; a 400 names what is wrong with it. */
  async put(projectId: string, body: unknown): Promise<SamplingAnswer> {
    const resolved = resolvePolicy(body);
    await this.changes.run(projectId, async () => {
      const nowUs = this.nowUs();
      await this.options.db.sampling.putPolicy(projectId, JSON.stringify(resolved.policy), nowUs);
      this.api.set(projectId, { source: 'api', resolved, updatedUs: nowUs });
      this.changed.changed(projectId);
    });
    return this.get(projectId);
  }

  /** Removes the policy set through the API (the file's, if any, is in force again). */
  delete(projectId: string): Promise<void> {
    return this.changes.run(projectId, async () => {
      if (!(await this.options.db.sampling.deletePolicy(projectId)))
        throw new AppError('ERR_NOT_FOUND', `project '${projectId}' has no sampling policy set through the API`);
      this.api.delete(projectId);
      this.changed.changed(projectId);
    });
  }

  private inForce(projectId: string): InForce | null {
    const api = this.api.get(projectId);
    if (api !== undefined) return api;
    const file = filePolicyFor(this.options.file, projectId);
    // The file's policy was in force before this server started: it decides what completed in the look back too.
    return file === null ? null : { source: 'file', resolved: file, updatedUs: 0 };
  }

  private async readPolicies(): Promise<void> {
    const mark = this.changed.mark();
    const records = await this.options.db.sampling.policies();
    const api = new Map<string, InForce>();
    for (const r of records) {
      try {
        api.set(r.projectId, { source: 'api', resolved: resolvePolicy(JSON.parse(r.policy) as SamplingPolicy), updatedUs: r.updatedUs });
      } catch (error) {
        // Stored by a server with other rules: its project keeps every trace until it is set again.
        this.options.onError?.(`the sampling policy of project '${r.projectId}' cannot be used; every trace of it is kept until it is set again`, {
          projectId: r.projectId,
          err: error,
        });
      }
    }
    // A change made here while the read ran is newer than what it read.
    for (const projectId of this.changed.keysSince(mark)) {
      const inForce = this.api.get(projectId);
      if (inForce === undefined) api.delete(projectId);
      else api.set(projectId, inForce);
    }
    this.api = api;
  }

  private runnerOf(projectId: string): SamplingRunner {
    let runner = this.runners.get(projectId);
    if (runner === undefined) {
      const { db, traceQuietMs, staleAfterMs, onDecided, onError } = this.options;
      runner = new SamplingRunner({
        db,
        projectId,
        traceQuietMs,
        staleAfterMs,
        onDecided,
        onError,
        nowUs: this.nowUs,
        holder: `${this.options.serverId}/${randomBytes(6).toString('hex')}`,
        ...this.options.runner,
      });
      this.runners.set(projectId, runner);
    }
    return runner;
  }
}
