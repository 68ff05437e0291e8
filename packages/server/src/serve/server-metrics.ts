import { statSync } from 'node:fs';
import type { SpillReason } from '../pipeline/ingest-queue.js';
import { quarantineCount } from '../pipeline/quarantine.js';
import type { RetentionResult } from '../pipeline/retention.js';
import { STALL_CAUSES, type StallCause } from '../dbthread/stall-watch.js';
import { type Counter, STORE_COMMIT_SECONDS_BUCKETS, type SelfMetrics } from '../self-metrics.js';

/** The server's own metrics about its store, spool, quarantine and keys (ingest's are `createIngestMetrics`). */
export interface ServerMetrics {
  commitFailures: Counter;
  commitSeconds: (seconds: number) => void;
  quarantined: Counter;
  failedAttempts: Counter;
  damagedBytes: Counter;
  /** Requests acknowledged into the spool alone, by `reason` (`SpillReason`). */
  spilledRequests: Counter;
  /** Seconds with no commit while records waited, by `cause` (`StallCause`). */
  stallSeconds: Counter;
  /** Commits that took over a second, by `cause`. */
  slowCommits: Counter;
  /** A checkpoint the server ran (DuckDB), in seconds. */
  checkpointSeconds: (seconds: number) => void;
  /** A run of retention ended, done (with what it deleted) or failed, after `seconds`. */
  retentionRun: (outcome: { results: RetentionResult[] } | { error: string }, seconds: number) => void;
}

/** A run deletes an hour's records in well under a second and a day's of a big store in seconds; one held by a slow store takes minutes. */
const RETENTION_SECONDS_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export interface ServerMetricsOptions {
  quarantineDir: string;
  /** The DuckDB file whose size (with its WAL) is shown; `null` on ClickHouse. */
  dbPath: string | null;
  storeHealthy: () => boolean;
}

export function serverMetrics(registry: SelfMetrics, { quarantineDir, dbPath, storeHealthy }: ServerMetricsOptions): ServerMetrics {
  const quarantined = registry.counter(
    'spoor_ingest_quarantined_total',
    'Acknowledged requests the writer gave up on (the store kept refusing them, or they no longer decode) and moved to the quarantine.',
  );
  quarantined({}, 0); // shown as 0 from the start, so an alert on its increase has a series to watch
  const damagedBytes = registry.counter(
    'spoor_spool_damaged_bytes_total',
    'Bytes of the spool found damaged at start-up (kept in the quarantine folder); the entries after them were replayed.',
  );
  damagedBytes({}, 0);
  const spilledRequests = registry.counter(
    'spoor_ingest_spilled_requests_total',
    'Requests acknowledged into the spool alone, their batches read back from disk to be committed, by reason: store_down (the store takes no commits) or store_stalled (no commit finished for seconds, e.g. a checkpoint, while the write queue was full).',
  );
  for (const reason of ['store_down', 'store_stalled'] satisfies SpillReason[]) spilledRequests({ reason }, 0);
  const stallSeconds = registry.counter(
    'spoor_store_stall_seconds_total',
    'Seconds in which no commit finished while records waited, by what the writer was doing: checkpoint (DuckDB checkpointing inside a commit), commit, append, read (only calls of the API in progress), waiting (the writer between tries).',
  );
  const slowCommits = registry.counter(
    'spoor_store_slow_commits_total',
    'Commits that took over a second, by cause: checkpoint (DuckDB checkpointed inside it) or commit.',
  );
  for (const cause of STALL_CAUSES) stallSeconds({ cause }, 0);
  for (const cause of ['checkpoint', 'commit'] satisfies StallCause[]) slowCommits({ cause }, 0);
  registry.gauge('spoor_ingest_quarantine_entries', 'Requests in the quarantine, waiting for `spoor spool replay-quarantine`.', () =>
    quarantineCount(quarantineDir),
  );
  registry.gauge(
    'spoor_store_healthy',
    'Whether the store took the last commit (0 while it refuses them, as on a full disk or with ClickHouse down; /ready answers 503 then).',
    () => (storeHealthy() ? 1 : 0),
  );
  if (dbPath !== null) {
    registry.gauge(
      'spoor_store_size_bytes',
      'Bytes of the store on disk: the database file and its write-ahead log.',
      () => fileBytes(dbPath) + fileBytes(`${dbPath}.wal`),
    );
  }
  const retentionRuns = registry.counter('spoor_retention_runs_total', 'Runs of retention (at start and hourly), by outcome: done or failed.');
  for (const outcome of ['done', 'failed']) retentionRuns({ outcome }, 0);
  const retentionDeleted = registry.counter(
    'spoor_retention_deleted_total',
    'Records retention deleted, by signal: spans for traces (their errors, scores and the rest go with them), log records, metric points.',
  );
  const retentionSeconds = registry.histogram(
    'spoor_retention_duration_seconds',
    'How long each run of retention took; ingest and reads go on beside it.',
    RETENTION_SECONDS_BUCKETS,
  );
  return {
    retentionRun: (outcome, seconds) => {
      retentionRuns({ outcome: 'error' in outcome ? 'failed' : 'done' });
      if ('results' in outcome) for (const { signal, deleted } of outcome.results) retentionDeleted({ signal }, deleted);
      retentionSeconds(seconds);
    },
    commitFailures: registry.counter('spoor_store_commit_failures_total', 'Store transactions that failed and were retried.'),
    commitSeconds: registry.histogram(
      'spoor_store_commit_duration_seconds',
      'Time from asking the store to commit a transaction until its records are durable.',
      STORE_COMMIT_SECONDS_BUCKETS,
    ),
    quarantined,
    failedAttempts: registry.counter(
      'spoor_auth_failed_attempts_total',
      "Keys refused as not valid (outcome 'refused'), and attempts refused unheard because their address or key id failed too often ('limited').",
    ),
    damagedBytes,
    spilledRequests,
    stallSeconds,
    slowCommits,
    checkpointSeconds: registry.histogram(
      'spoor_store_checkpoint_duration_seconds',
      "DuckDB checkpoints the server ran (between commits, when ingest has no backlog or the log reached its bound): how long each held the store's writes.",
      STORE_COMMIT_SECONDS_BUCKETS,
    ),
  };
}

/** A file's size, 0 when it does not exist (a WAL between checkpoints). */
function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
