/**
 * An experiment's row: one per change of its state (made running, finished, failed, deleted); a
 * read keeps the newest row of an id (by `timeUs`, then by state rank: deleted > failed > done >
 * running, so a finish and a deletion in one microsecond read as the later).
 */
export interface ExperimentRecord {
  /** 32 hex digits. */
  experimentId: string;
  name: string;
  dataset: string;
  datasetVersion: number;
  /** JSON texts: the target, the evaluator names (an array), the metadata (an object). */
  target: string;
  evaluators: string;
  metadata: string;
  state: 'running' | 'done' | 'failed';
  error: string | null;
  /** Items of the dataset version when it started. */
  itemCount: number;
  createdUs: number;
  /** When this row was written. */
  timeUs: number;
  finishedUs: number | null;
  deleted: boolean;
}

/** An item's result: one row per run of the item (a rerun's row is newer and replaces it). */
export interface ExperimentResultRecord {
  experimentId: string;
  itemId: string;
  traceId: string | null;
  spanId: string | null;
  /** JSON text, `null` when the item errored. */
  output: string | null;
  error: string | null;
  latencyMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  timeUs: number;
  /** The run's LLM calls with tokens but no price, which `costUsd` leaves out; `null` when not counted (no trace, or stored before Spoor counted them). */
  unpricedCalls: number | null;
}

/** Per experiment, sums over its items' newest results. */
export interface ExperimentResultTotals {
  experimentId: string;
  done: number;
  errored: number;
  /** `null` when no result has one. */
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** The results' calls without a price, which `costUsd` leaves out. */
  unpricedCalls: number;
  latencyMsMean: number | null;
}

/**
 * Experiments and their results, append-only. Nothing is removed by retention: an experiment
 * outlives the traces it made (its results keep outputs, tokens, cost and latency; its trace
 * links then answer 404).
 */
export interface ExperimentStore {
  /** Appends a row of an experiment (its first, or a change of state). */
  putExperiment(projectId: string, record: ExperimentRecord): Promise<void>;
  /** The newest row of an experiment, `null` when there is none or it was deleted. */
  getExperiment(projectId: string, experimentId: string): Promise<ExperimentRecord | null>;
  /** The experiment of that name made last (deleted ones left out), `null` when none. */
  latestByName(projectId: string, name: string): Promise<ExperimentRecord | null>;
  /** Experiments (deleted ones left out), newest made first, of one dataset when `dataset` is not null, at most `limit`. */
  listExperiments(projectId: string, dataset: string | null, limit: number): Promise<ExperimentRecord[]>;
  /** Appends results (durable when it resolves); an item's newer row replaces its older. */
  addResults(projectId: string, results: readonly ExperimentResultRecord[]): Promise<void>;
  /** An experiment's results, the newest per item, by item id, after `afterItemId`, at most `limit`. */
  listResults(projectId: string, experimentId: string, afterItemId: string | null, limit: number): Promise<ExperimentResultRecord[]>;
  /** The totals of these experiments' results, one per experiment that has any. */
  resultTotals(projectId: string, experimentIds: readonly string[]): Promise<ExperimentResultTotals[]>;
  /** Every row of the project's experiments, as stored (for `spoor migrate`). */
  allRows(projectId: string): Promise<{ experiments: ExperimentRecord[]; results: ExperimentResultRecord[] }>;
  /** Appends rows as they are (for `spoor migrate`). */
  appendRows(projectId: string, experiments: readonly ExperimentRecord[], results: readonly ExperimentResultRecord[]): Promise<void>;
}
