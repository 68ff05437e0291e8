import type { RetainedRecords, Retention, RunningSpanStore, Signal } from '../store/store.js';

export interface RetentionConfig {
  /** How long each signal is kept, in milliseconds. */
  tracesMs: number;
  logsMs: number;
  metricsMs: number;
  /** How often retention runs after the run at start-up. */
  intervalMs: number;
}

export interface RetentionResult {
  signal: Signal;
  deleted: number;
}

/**
 * What each signal's retention deletes, in this order; the first is what `RetentionResult`
 * counts. The errors of traces, the alert history (which links to them) and the silences that
 * ended go with the traces: the same for every engine.
 */
export const RETAINED: Readonly<Record<Signal, readonly RetainedRecords[]>> = {
  traces: [
    'spans',
    'spanStats',
    'traceParts',
    'errors',
    'scores',
    'llmResponses',
    'evaluatorRuns',
    'runningSpans',
    'samplingDecisions',
    'alertHistory',
    'silences',
  ],
  logs: ['logs'],
  metrics: ['metricPoints'],
};

/**
 * Deletes what is older than each signal's retention, relative to `nowMs`. Once `stopped()` says so
 * it deletes no more (the server is closing): what it left goes at the next run.
 */
export async function applyRetention(
  store: Retention,
  config: RetentionConfig,
  nowMs: number,
  stopped: () => boolean = () => false,
): Promise<RetentionResult[]> {
  const windows: Array<[Signal, number]> = [
    ['traces', config.tracesMs],
    ['logs', config.logsMs],
    ['metrics', config.metricsMs],
  ];
  const results: RetentionResult[] = [];
  for (const [signal, keepMs] of windows) {
    const cutoffUs = (nowMs - keepMs) * 1000;
    if (stopped()) break;
    const [counted, ...rest] = RETAINED[signal];
    const deleted = await store.deleteOlderThan(counted!, cutoffUs);
    for (const records of rest) if (!stopped()) await store.deleteOlderThan(records, cutoffUs);
    results.push({ signal, deleted });
  }
  return results;
}

/** A schedule of retention runs. */
export interface RetentionSchedule {
  /** Settles when the run made at once (`runNow`) has ended; at once without one. */
  first: Promise<void>;
  /** Clears the timer; a run in progress deletes no more and is waited for, so the store is not closed under its delete. */
  stop: () => Promise<void>;
}

/**
 * Runs retention every `intervalMs`, and at once with `runNow` (the timer does not keep the process
 * alive); never two runs at once. Each run's results, or its failure, are reported with how long it
 * took; a failed run is tried again at the next interval.
 */
export function scheduleRetention(
  store: Retention,
  config: RetentionConfig,
  report: (results: RetentionResult[] | null, error: unknown, ms: number) => void,
  { runNow = false }: { runNow?: boolean } = {},
): RetentionSchedule {
  let running: Promise<void> | null = null;
  let stopped = false;
  const run = (): Promise<void> => {
    if (running !== null) return running;
    const began = performance.now();
    running = applyRetention(store, config, Date.now(), () => stopped)
      .then(
        (results) => report(results, undefined, performance.now() - began),
        (error: unknown) => report(null, error, performance.now() - began),
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  // A report that throws is the caller's bug; it must not become an unhandled rejection of a timer.
  const timer = setInterval(() => void run().catch(() => undefined), config.intervalMs);
  timer.unref();
  return {
    first: runNow ? run() : Promise.resolve(),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * How often running snapshots that a later snapshot or the ended span replaced are deleted. Reads
 * never show them (they keep the newest snapshot of a span not stored ended), so this only bounds
 * the table: an agent sending a snapshot of each open span every 5 s leaves some six rows per
 * span between sweeps.
 */
export const RUNNING_SWEEP_INTERVAL_MS = 30_000;

/** Sweeps running snapshots every `intervalMs` (the timer does not keep the process alive); a failure is reported and the next run tries again. */
export function scheduleRunningSweep(store: Pick<RunningSpanStore, 'sweep'>, intervalMs: number, report: (error: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    store
      .sweep()
      .catch(report)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
