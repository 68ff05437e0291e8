import { DEFAULT_STALE_AFTER_MS } from '../query/query-service.js';
import type { LiveCursor } from '../store/live-cursor.js';
import type { CompleteTrace } from '../store/ports/evaluators.js';
import type { TimeBounds } from '../store/sql/trace-bounds.js';
import type { TimeKey, TraceFilter } from '../store/store.js';
import { MAX_WINDOW_US, endedOnly, nextWindowUs } from '../quality/runner.js';
import type { DecideOutcome, SamplingBackend } from './backend.js';
import type { ResolvedPolicy } from './policy.js';

/**
 * The tail sampler of one project. Each round it takes (or keeps) the project's sampling lease,
 * the lease evaluators take, under the name `sampling/<project>` (`EvaluatorStore.takeLease`), so
 * of the servers sharing a store one decides a project's traces, and a trace whose parts reached
 * two servers is decided once. It then finds the traces completed since its cursor by THE rule of
 * completeness evaluators judge by (`quality/runner.ts`): the root span has ended and no span of
 * the trace ended within the last `traceQuietMs`; a trace with a span still running (not
 * abandoned) waits until that span ends (its end then moves past the cursor and the trace is
 * found again). Those traces are decided on the database thread (`decideTraces`) and recorded;
 * those sampled out are slimmed once the round's reads are done, in one statement (while ingest
 * is busy, later: `ingestBusy`). A trace found again whose decision is recorded keeps it, so a restart,
 * which looks back `startLookbackMs`, decides nothing twice.
 *
 * Spans committed after the scan by end time passed them (an exporter that sent late, a spool
 * replayed) are found by the commits since the last round (`samplingLateTraces`): a trace they
 * complete is decided then, and a sampled-out trace they belong to is slimmed again; logs they
 * brought of a sampled-out trace are deleted.
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
   * Whether ingest is busy now (`serve/ingest-load.ts`). Then a round makes one read (`tracesPerRead`
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
  /** How far back the first round after a start looks, ms (decisions recorded keep it from deciding twice). Default 1 h. */
  startLookbackMs?: number;
  onDecided?: (projectId: string, outcome: DecideOutcome) => void;
  onError?: (message: string, data: Record<string, unknown>) => void;
}

const NO_FILTER: TraceFilter = {
  service: null, spanName: null, text: null, status: null, minDurationMs: null, maxDurationMs: null, attributes: [], sessionId: null, model: null, scores: [],
};

export class SamplingRunner {
  private cursor: TimeKey | null = null;
  private live: LiveCursor | null = null;
  private leaseUntilUs = 0;
  /** The span times of the traces this round sampled out, `null` for none yet. */
  private outBounds: TimeBounds | null = null;
  /** Rounds whose sampled-out traces are not slimmed yet, oldest first: when they decided, and those traces' span times. */
  private readonly unslimmed: Array<{ decidedUs: number; bounds: TimeBounds }> = [];
  /** How far past the cursor the next read looks. */
  private windowUs = MAX_WINDOW_US;
  private readonly startedUs: number;
  private readonly leaseName: string;

  constructor(private readonly options: SamplingRunnerOptions) {
    this.startedUs = options.nowUs();
    this.leaseName = `sampling/${options.projectId}`;
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
        // decides: this one starts afresh if the lease comes to it. Either way the rounds this one
        // held back are slimmed still: their decisions stand.
        this.cursor = null;
        if (policy !== null) this.live = null;
        await this.slimRounds(nowUs);
        return;
      }
      const lookbackUs = (this.options.startLookbackMs ?? 3_600_000) * 1000;
      this.outBounds = null;
      let cursor = this.cursor ?? { timeUs: Math.max(sinceUs, this.startedUs - lookbackUs), id: '' };
      // Before the scan: what came late of what the rounds before scanned (this round's scan finds the rest).
      const head = await this.decideLate(policy, cursor.timeUs, nowUs);
      const upToUs = nowUs - this.options.traceQuietMs * 1000;
      const limit = this.options.tracesPerRead ?? 2000;
      for (let read = 0; read < (this.options.maxReadsPerRound ?? 16) && upToUs >= cursor.timeUs; read++) {
        if (read > 0 && this.options.ingestBusy?.() === true) break;
        // A stretch of end times at a time (`nextWindowUs`): behind by 20 s of load, each read of
        // 2,000 traces had read all 20 s (126 reads, 15 s of the database thread in bench:sampling).
        const toUs = Math.min(upToUs, cursor.timeUs + this.windowUs);
        const traces = await db.evaluatorCompleteTraces(projectId, NO_FILTER, cursor, toUs, limit);
        await this.decide(policy, traces, nowUs);
        this.windowUs = nextWindowUs(this.windowUs, cursor, traces, limit);
        // Not full: every complete trace up to `toUs` was taken.
        cursor = traces.length === limit ? { timeUs: traces.at(-1)!.endUs, id: traces.at(-1)!.traceId } : { timeUs: toUs + 1, id: '' };
      }
      // What the round sampled out, slimmed now or, while ingest is busy, later (a round that failed
      // before here leaves its traces' decisions recorded and both its cursors where they were: they
      // are found again, and slimmed; after a restart, its look back finds those left unslimmed).
      if (this.outBounds !== null) this.unslimmed.push({ decidedUs: nowUs, bounds: this.outBounds });
      this.cursor = cursor;
      this.live = head;
      await this.slimRounds(nowUs);
    } catch (error) {
      this.options.onError?.('a tail-sampling round failed; the next round tries again', { projectId, err: error });
    }
  }

  /**
   * Decides (or slims again) the traces that spans committed since the last round completed after
   * the scan passed `scannedToUs`; answers the commits' head, where the next round's sweep starts
   * once this one has slimmed what it sampled out.
   */
  private async decideLate(policy: ResolvedPolicy, scannedToUs: number, nowUs: number): Promise<LiveCursor> {
    const { db, projectId } = this.options;
    const head = await db.liveHead();
    if (this.live !== null) {
      const late = await db.samplingLateTraces(projectId, this.live, head, scannedToUs);
      const limit = this.options.tracesPerRead ?? 2000;
      // A read's worth at a time, as the scan decides them.
      for (let i = 0; i < late.length; i += limit) await this.decide(policy, late.slice(i, i + limit), nowUs);
      // Logs of a trace slimmed before (each round's slimming deletes those committed until then).
      await db.samplingDeleteLateLogs(projectId, this.live, head);
    }
    return head;
  }

  /** Decides those of these complete traces with no span running, as of the round's `nowUs`, and widens the round's bounds by those sampled out. */
  private async decide(policy: ResolvedPolicy, traces: readonly CompleteTrace[], nowUs: number): Promise<void> {
    const { db, projectId } = this.options;
    const ended = await endedOnly(db.evaluatorRunningTraces, projectId, traces, nowUs, this.options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS);
    if (ended.length === 0) return;
    const outcome = await db.samplingDecide(projectId, ended, policy, nowUs);
    const b = outcome.outBounds;
    if (b !== null) {
      this.outBounds = this.outBounds === null ? b : { fromUs: Math.min(this.outBounds.fromUs, b.fromUs), toUs: Math.max(this.outBounds.toUs, b.toUs) };
    }
    this.options.onDecided?.(projectId, outcome);
  }

  /**
   * How far behind the quiet point its scan of complete traces is, µs: traces that ended in that
   * stretch wait to be decided (a round's interval, 2 s, when caught up). `null` while it decides
   * nothing: no policy, or another server holds the lease.
   */
  behindUs(nowUs: number): number | null {
    if (this.cursor === null) return null;
    return Math.max(0, nowUs - this.options.traceQuietMs * 1000 - this.cursor.timeUs);
  }

  /** Slims the rounds left unslimmed, oldest first, while ingest is idle or they have waited too long. */
  private async slimRounds(nowUs: number): Promise<void> {
    const maxDelayUs = (this.options.maxSlimDelayMs ?? 30_000) * 1000;
    for (let oldest = this.unslimmed[0]; oldest !== undefined; oldest = this.unslimmed[0]) {
      if (this.options.ingestBusy?.() === true && nowUs - oldest.decidedUs < maxDelayUs) return;
      await this.options.db.samplingSlimRound(this.options.projectId, oldest.decidedUs, oldest.bounds);
      this.unslimmed.shift();
    }
  }

  /** Whether this runner holds the lease now, renewing it when half of it has gone. */
  private async holdLease(nowUs: number): Promise<boolean> {
    const ttlUs = (this.options.leaseTtlMs ?? 30_000) * 1000;
    if (this.leaseUntilUs - nowUs > ttlUs / 2) return true;
    const held = await this.options.db.evaluatorTakeLease(this.leaseName, this.options.holder, nowUs, ttlUs);
    this.leaseUntilUs = held ? nowUs + ttlUs : 0;
    return held;
  }

}
