import { DEFAULT_STALE_AFTER_MS } from '../query/query-service.js';
import { CommitClock, CompletionScan } from '../quality/completion.js';
import type { RunnerLag } from '../quality/runner.js';
import type { LiveCursor } from '../store/live-cursor.js';
import type { CompleteTrace } from '../store/ports/evaluators.js';
import type { TimeBounds } from '../store/sql/trace-bounds.js';
import type { TraceFilter } from '../store/store.js';
import type { DecideOutcome, SamplingBackend } from './backend.js';
import type { ResolvedPolicy } from './policy.js';

/**
 * The tail sampler of one project. Each round it takes (or keeps) the project's sampling lease,
 * the lease evaluators take, under the name `sampling/<project>` (`EvaluatorStore.takeLease`), so
 * of the servers sharing a store one decides a project's traces, and a trace whose parts reached
 * two servers is decided once. It then finds the traces completed since its cursor by THE rule of
 * completeness evaluators judge by (`quality/completion.ts`): the root span has ended and no part
 * of the trace was committed within the last `traceQuietMs`, by the server's commits, never the
 * spans' clocks; a trace with a span still running (not abandoned) waits for it. Those traces are
 * decided on the database thread (`decideTraces`) and recorded; those sampled out are slimmed
 * once the round's reads are done, in one statement (while ingest is busy, later: `ingestBusy`).
 * A trace found again whose decision is recorded keeps it, so a restart, which looks back
 * `startLookbackMs` of commits, decides nothing twice; one sampled out that a part committed later
 * (an exporter that sent late, a spool replayed) completes again is slimmed again then. Logs
 * committed of a sampled-out trace since the last round are deleted.
 */
export interface SamplingRunnerOptions {
  db: SamplingBackend;
  projectId: string;
  /** Who this runner is in the lease (a server's id and a random part). */
  holder: string;
  traceQuietMs: number;
  staleAfterMs?: number;
  nowUs: () => number;
  /** Traces decided per read; a round reads again while reads come back full, up to `maxReadsPerRound`. Default 2,000. */
  tracesPerRead?: number;
  /** Default 16: at 2,000 traces a read, 32,000 traces a round (a round every 2 s keeps up with 16,000 traces a second). */
  maxReadsPerRound?: number;
  /**
   * Whether ingest is busy now (`pipeline/ingest-load.ts`). Then a round makes one read (`tracesPerRead`
   * traces), reads on only while it is not, and leaves the slimming of what it sampled out for a round that
   * finds ingest idle, or until `maxSlimDelayMs` has passed: at capacity, moving sampled-out spans
   * cost ingest ~13% in bench:sampling and deciding them ~4%. So sampling yields to ingest and
   * falls behind instead, as evaluators do (`RunnerOptions.ingestBusy`).
   */
  ingestBusy?: () => boolean;
  /** How long, ms, a busy ingest may keep a round's sampled-out traces from being slimmed. Default 30 s. */
  maxSlimDelayMs?: number;
  /** How long a lease lasts, ms; renewed when half has gone. Default 30 s. */
  leaseTtlMs?: number;
  /** How far back in the store's commits the first round after a start looks, ms (decisions recorded keep it from deciding twice). Default 1 h. */
  startLookbackMs?: number;
  onDecided?: (projectId: string, outcome: DecideOutcome) => void;
  onError?: (message: string, data: Record<string, unknown>) => void;
}

const NO_FILTER: TraceFilter = {
  service: null,
  spanName: null,
  text: null,
  status: null,
  minDurationMs: null,
  maxDurationMs: null,
  attributes: [],
  sessionId: null,
  model: null,
  scores: [],
};

export class SamplingRunner {
  private scan: CompletionScan | null = null;
  private readonly clock: CommitClock;
  /** The commits whose logs of sampled-out traces were deleted. */
  private live: LiveCursor | null = null;
  /** How far behind it was at its last round, `null` while it decides nothing here (no policy, or no lease). */
  lag: RunnerLag | null = null;
  private leaseUntilUs = 0;
  /** The span times of the traces this round sampled out, `null` for none yet. */
  private outBounds: TimeBounds | null = null;
  /** Rounds whose sampled-out traces are not slimmed yet, oldest first: when they decided, and those traces' span times. */
  private readonly unslimmed: Array<{ decidedUs: number; bounds: TimeBounds }> = [];
  private readonly startedUs: number;
  private readonly leaseName: string;

  constructor(private readonly options: SamplingRunnerOptions) {
    this.startedUs = options.nowUs();
    this.leaseName = `sampling/${options.projectId}`;
    this.clock = new CommitClock(() => options.db.evaluators.head(), options.traceQuietMs * 1000);
  }

  /**
   * One round under `policy` (set at `sinceUs`; `null`: no policy, every trace is kept and nothing
   * is decided). Errors are reported, never thrown.
   */
  async tick(policy: ResolvedPolicy | null, sinceUs: number): Promise<void> {
    const { db, projectId } = this.options;
    const nowUs = this.options.nowUs();
    try {
      if (policy === null || !(await this.holdLease(nowUs))) {
        // No policy now: one set later decides what completes from then on. Or another server
        // decides: this one starts afresh (from its look back) if the lease comes to it. Either
        // way the rounds this one held back are slimmed still: their decisions stand.
        this.scan = null;
        this.lag = null;
        if (policy !== null) this.live = null;
        await this.slimRounds(nowUs);
        return;
      }
      await this.clock.tick(nowUs);
      const head = this.clock.head;
      const lookbackUs = (this.options.startLookbackMs ?? 3_600_000) * 1000;
      // What completes after the policy was set: the commits quiet from then on.
      const fromUs = Math.max(sinceUs - this.options.traceQuietMs * 1000, this.startedUs - lookbackUs);
      const scan = (this.scan ??= new CompletionScan({
        db,
        projectId,
        filter: NO_FILTER,
        slimmedToo: true,
        staleAfterMs: this.options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
        start: async () => this.clock.at(fromUs) ?? (await db.evaluators.commitsAt(fromUs)),
      }));
      this.outBounds = null;
      const limit = this.options.tracesPerRead ?? 2000;
      for (let read = 0; read < (this.options.maxReadsPerRound ?? 16); read++) {
        if (read > 0 && this.options.ingestBusy?.() === true) break;
        const page = await scan.next(this.clock, nowUs, limit);
        await this.decide(policy, page.traces, nowUs);
        page.advance();
        if (!page.more) break;
      }
      // Logs of a trace slimmed before (each round's slimming deletes those committed until then).
      if (this.live !== null) await db.sampling.deleteLateLogs(projectId, this.live, head);
      // What the round sampled out, slimmed now or, while ingest is busy, later (a round that failed
      // before here leaves its traces' decisions recorded and its cursors where they were: they
      // are found again, and slimmed; after a restart, its look back finds those left unslimmed).
      if (this.outBounds !== null) this.unslimmed.push({ decidedUs: nowUs, bounds: this.outBounds });
      this.live = head;
      this.lag = await scan.lag(this.clock, nowUs);
      this.clock.forget(scan.cursor === null ? [] : [scan.cursor], nowUs);
      await this.slimRounds(nowUs);
    } catch (error) {
      this.options.onError?.('a tail-sampling round failed; the next round tries again', { projectId, err: error });
    }
  }

  /** Decides these complete traces (the scan left out those with a span running) as of the round's `nowUs`, and widens the round's bounds by those sampled out. */
  private async decide(policy: ResolvedPolicy, traces: readonly CompleteTrace[], nowUs: number): Promise<void> {
    const { db, projectId } = this.options;
    if (traces.length === 0) return;
    const outcome = await db.sampling.decide(
      projectId,
      traces.map((t) => t.traceId),
      policy,
      nowUs,
    );
    const b = outcome.outBounds;
    if (b !== null) {
      this.outBounds = this.outBounds === null ? b : { fromUs: Math.min(this.outBounds.fromUs, b.fromUs), toUs: Math.max(this.outBounds.toUs, b.toUs) };
    }
    this.options.onDecided?.(projectId, outcome);
  }

  /** Slims the rounds left unslimmed, oldest first, while ingest is idle or they have waited too long. */
  private async slimRounds(nowUs: number): Promise<void> {
    const maxDelayUs = (this.options.maxSlimDelayMs ?? 30_000) * 1000;
    for (let oldest = this.unslimmed[0]; oldest !== undefined; oldest = this.unslimmed[0]) {
      if (this.options.ingestBusy?.() === true && nowUs - oldest.decidedUs < maxDelayUs) return;
      await this.options.db.sampling.slimRound(this.options.projectId, oldest.decidedUs, oldest.bounds);
      this.unslimmed.shift();
    }
  }

  /** Whether this runner holds the lease now, renewing it when half of it has gone. */
  private async holdLease(nowUs: number): Promise<boolean> {
    const ttlUs = (this.options.leaseTtlMs ?? 30_000) * 1000;
    if (this.leaseUntilUs - nowUs > ttlUs / 2) return true;
    const held = await this.options.db.evaluators.takeLease(this.leaseName, this.options.holder, nowUs, ttlUs);
    this.leaseUntilUs = held ? nowUs + ttlUs : 0;
    return held;
  }
}
