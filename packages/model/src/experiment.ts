/**
 * Experiments: a dataset version run through a new version of an app (an LLM call the server
 * makes again with changes, or the user's own code through the SDK), each item's run a trace of
 * its own, scored by evaluators, and compared item by item with another experiment.
 */
import type { JsonValue } from './dataset.js';
import type { TextDiffLine, TraceDiff } from './diff.js';

/** The attributes an experiment item's trace carries on its root span. */
export const EXPERIMENT_ATTRIBUTES = {
  /** The experiment's id. */
  id: 'spoor.experiment.id',
  /** The dataset item the trace ran. */
  item: 'spoor.experiment.item',
} as const;

/** What an experiment runs on each item. */
export type ExperimentTarget =
  /** The item's recorded LLM call (its source span, or the trace's one LLM call), made again by the server with these changes; `demo` is the built-in provider's canned answers. */
  | { kind: 'llm-call'; provider: 'openai' | 'anthropic' | 'demo'; model: string; system?: string; temperature?: number; maxTokens?: number }
  /**
   * A version of a stored prompt (`/api/prompts`), compiled with each item's input as its variables and sent to the
   * provider with the version's config (model, temperature, max tokens, tools) unless given here.
   */
  | { kind: 'prompt'; name: string; version: number; provider: 'openai' | 'anthropic' | 'demo'; model?: string; temperature?: number; maxTokens?: number }
  /** The user's own code, run by `runExperiment` in `@spoor/sdk`; `replay` says what its item's recording answered. */
  | { kind: 'sdk'; replay: 'none' | 'tools' | 'all-but-target' };

export const EXPERIMENT_STATES = ['running', 'done', 'failed'] as const;
export type ExperimentState = (typeof EXPERIMENT_STATES)[number];

/** A score name's summary over an experiment's items: the mean of each item's value (an item's mean when it has several). */
export interface ExperimentScoreSummary {
  name: string;
  /** `null` when no item has a value (label-only scores). */
  mean: number | null;
  /** Items with a value. */
  count: number;
  /** Per label, the items given it. */
  labels: Record<string, number>;
}

/** An experiment as the REST API returns it. */
export interface Experiment {
  /** 32 hex digits. */
  id: string;
  /** Not unique: runs of one suite share a name; a name given where an id is asked means the newest experiment of that name. */
  name: string;
  dataset: string;
  /** The dataset version the experiment ran on. */
  datasetVersion: number;
  target: ExperimentTarget;
  /** The evaluators (by name) run on every item's result. */
  evaluators: string[];
  metadata: Record<string, JsonValue>;
  state: ExperimentState;
  /** Why a failed experiment stopped (items that errored do not fail it). */
  error: string | null;
  /** Items of the dataset version. */
  itemCount: number;
  /** Items with a result recorded, errored ones included. */
  itemsDone: number;
  itemsErrored: number;
  /** Sums over the items' results, `null` when none is known. */
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** The items' LLM calls with tokens but no price, which `costUsd` leaves out. */
  unpricedCalls: number;
  /** The items' mean latency. */
  latencyMsMean: number | null;
  scores: ExperimentScoreSummary[];
  createdAt: string;
  finishedAt: string | null;
}

/** One item's run in an experiment. */
export interface ExperimentResult {
  itemId: string;
  /** The item's trace (the replayed call's for an LLM-call experiment), `null` when the run made none. */
  traceId: string | null;
  /** The span judged as the call (an LLM-call experiment's replayed call), `null` for a whole run. */
  spanId: string | null;
  input: JsonValue;
  expectedOutput: JsonValue | null;
  /** What the run answered, `null` when it errored. */
  output: JsonValue | null;
  /** Why the item errored (the task threw, the provider failed), `null` when it did not. */
  error: string | null;
  latencyMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** The run's LLM calls with tokens but no price, which `costUsd` leaves out; `null` when not counted. */
  unpricedCalls: number | null;
  /** Per score name, the item's value (the mean of the trace's scores of that name) and label (the most given). */
  scores: Record<string, { value: number | null; label: string | null }>;
  time: string;
}

/** `POST /api/experiments`. */
export interface NewExperiment {
  dataset: string;
  /** Default: the dataset's newest version. */
  datasetVersion?: number;
  name: string;
  target: ExperimentTarget;
  evaluators?: string[];
  metadata?: Record<string, JsonValue>;
  /** Items run at once (LLM-call experiments). Default 4, at most 64. */
  concurrency?: number;
}

/**
 * What `POST /api/experiments/:id/results` takes from the SDK, per item: its trace and what the
 * task answered or threw, with scores the SDK's own evaluator functions made.
 */
export interface NewExperimentResult {
  itemId: string;
  traceId: string | null;
  output?: JsonValue;
  error?: string | null;
  latencyMs?: number;
  scores?: Array<{ name: string; value?: number | null; label?: string | null; comment?: string | null }>;
}

export interface ExperimentListResponse {
  experiments: Experiment[];
}

export interface ExperimentResultsResponse {
  experiment: string;
  results: ExperimentResult[];
  nextCursor: string | null;
}

/** How one item fared in B against A. */
export type ItemVerdict = 'better' | 'worse' | 'same' | 'errored' | 'fixed' | 'missing';

/** One item in a comparison of experiment A (the baseline) with B. */
export interface ComparedItem {
  itemId: string;
  input: JsonValue;
  expectedOutput: JsonValue | null;
  a: ExperimentResult | null;
  b: ExperimentResult | null;
  /** The two outputs as text, line by line. */
  outputDiff: TextDiffLine[];
  /** Per score name either side has, `b - a` where both have a value. */
  scores: Array<{ name: string; a: number | null; b: number | null; delta: number | null }>;
  /** `b - a`, `null` where either side has none. */
  deltas: { inputTokens: number | null; outputTokens: number | null; costUsd: number | null; latencyMs: number | null };
  /**
   * `errored`: B errored where A did not; `fixed`: A errored where B did not; `missing`: one side
   * has no result; else by the sum of the score deltas: `better`, `worse` or `same`.
   */
  verdict: ItemVerdict;
  /** `GET /api/traces/:a/diff/:b` of the two runs, `null` when either has no trace. */
  traceDiff: string | null;
}

/** A score name over the items both experiments scored. */
export interface ComparedScore {
  name: string;
  meanA: number | null;
  meanB: number | null;
  /** `meanB - meanA` over the items both have a value for. */
  delta: number | null;
  /** Items with a value on both sides. */
  pairs: number;
  better: number;
  worse: number;
  /** Wilcoxon signed-rank test over the pairs' differences (zeros dropped), `null` with fewer than 5 non-zero differences' worth of data. */
  wilcoxon: { n: number; w: number; z: number | null; pValue: number } | null;
  labelsA: Record<string, number>;
  labelsB: Record<string, number>;
}

/** `GET /api/experiments/:a/compare/:b`. */
export interface ExperimentComparison {
  a: Experiment;
  b: Experiment;
  scores: ComparedScore[];
  /** `b - a` of the summed tokens and cost and of the mean latency. */
  deltas: { inputTokens: number | null; outputTokens: number | null; costUsd: number | null; latencyMsMean: number | null };
  /** Items per verdict. */
  verdicts: Record<ItemVerdict, number>;
  items: ComparedItem[];
}

/** `GET /api/experiments/:a/compare/:b/items/:itemId`: one item with the trace diff of its two runs. */
export interface ComparedItemDetail extends ComparedItem {
  traceDiffDetail: TraceDiff | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._ :/-]{0,199}$/;

/** Why an experiment's name is refused, or `null`. */
export function experimentNameProblem(name: unknown): string | null {
  return typeof name === 'string' && NAME.test(name) ? null : 'name: 1 to 200 letters, digits, spaces or . _ : / -, starting with a letter or digit';
}

/** Score deltas this small are float noise, not a change. */
const EPSILON = 1e-9;

/** What a regression check found: the scores whose mean fell by more than the tolerance, and the items B errored on where A did not. */
export interface Regressions {
  scores: ComparedScore[];
  errored: number;
  /** The metric asked for is a score neither experiment has. */
  unknownMetric: boolean;
}

/**
 * What `spoor experiments compare --fail-on-regression` and `assertNoRegression` decide of a
 * comparison (A the baseline): B regressed when any score's mean (or `metric`'s alone) over the
 * items both scored fell by more than `tolerance`, or B errored on items A ran.
 */
export function regressionsOf(comparison: ExperimentComparison, metric: string | null, tolerance: number): Regressions {
  const scores = comparison.scores.filter((s) => (metric === null || s.name === metric) && s.delta !== null && s.delta < -tolerance - EPSILON);
  const unknownMetric = metric !== null && !comparison.scores.some((s) => s.name === metric);
  return { scores, errored: comparison.verdicts.errored, unknownMetric };
}

/** Whether a check found a regression. */
export function regressed(found: Regressions): boolean {
  return found.scores.length > 0 || found.errored > 0 || found.unknownMetric;
}
