/**
 * Online evaluators: a named check run on completed traces whose judgements become scores
 * (`source: 'evaluator'`, author `name@version`). A definition's `version` rises on every change
 * of what it judges, so each version judges each target once.
 */

/** What an evaluator judges: each LLM call of a trace, each span, or the whole trace. */
export const EVALUATOR_TARGETS = ['llm', 'span', 'trace'] as const;
export type EvaluatorTarget = (typeof EVALUATOR_TARGETS)[number];

export const EVALUATOR_STATES = ['active', 'paused'] as const;
export type EvaluatorState = (typeof EVALUATOR_STATES)[number];

/**
 * An evaluator as an admin writes it (the API's body, one entry of the `--evaluators` file). The
 * kind's own fields (`pattern`, `text`, `maxMs`, ...) sit beside these.
 */
export interface EvaluatorSpec {
  name: string;
  /** `regex`, `contains`, `equals`, `json-schema`, `length`, `latency`, `cost`, `tool-called`, or `llm-judge`. */
  kind: string;
  target: EvaluatorTarget;
  /** The trace list's filters as a query string (`service=api&model=gpt-4o`); default: every trace. */
  filter?: string;
  /** The share of complete traces judged, 0 to 1, chosen by trace id (a trace is always in or out at one rate). Default 1. */
  sampleRate?: number;
  /** Past this spend in a day (UTC), USD, the evaluator is paused. Default: no limit. */
  dailyBudgetUsd?: number;
  [field: string]: unknown;
}

/** An evaluator as the API answers it. */
export interface Evaluator {
  name: string;
  version: number;
  /** `name@version`: the author of its scores. */
  author: string;
  spec: EvaluatorSpec;
  state: EvaluatorState;
  /** Why it is paused (by hand, or its daily budget spent); `null` when active. */
  pausedReason: string | null;
  /** `file` for one of the `--evaluators` file (read-only through the API), else `api`. */
  source: 'api' | 'file';
  /** ISO-8601. */
  createdAt: string;
  updatedAt: string;
  /** Targets this version judged (a score made), and those whose judging failed (see retry). */
  scoresMade: number;
  errors: number;
  /** Targets without what it judges (no output to match, no known cost, a template variable without a value): neither scored nor failed. */
  notApplicable: number;
  /** What its judgements cost since midnight UTC, USD. */
  costTodayUsd: number;
}

/** One target's judgement, as a preview shows it. */
export interface EvaluatorPreviewItem {
  traceId: string;
  spanId: string | null;
  value: number | null;
  label: string | null;
  comment: string | null;
  costUsd: number;
  /** The judge's error, when it failed. */
  error: string | null;
  /** Why there was nothing to judge (no output, no known cost, ...), else `null`. */
  notApplicable: string | null;
}

/** A backfill: the evaluator's current version run over traces that completed in a past range. */
export interface EvaluatorBackfill {
  evaluator: string;
  version: number;
  state: 'running' | 'done' | 'failed';
  /** ISO-8601: the range of trace end times. */
  from: string;
  to: string;
  /** Complete traces seen in the range, those sampled in, targets judged now, skipped (judged before), failed. */
  traces: number;
  sampled: number;
  judged: number;
  skipped: number;
  errors: number;
  /** Targets judged now that had nothing to judge (see `Evaluator.notApplicable`). */
  notApplicable: number;
  startedAt: string;
  finishedAt: string | null;
  /** Why it stopped, when it failed. */
  error: string | null;
}

/**
 * A target whose newest judging by an evaluator's current version failed: the provider's error or
 * why the judge's answer could not be read. `POST /api/evaluators/:name/retry` judges it again.
 */
export interface EvaluatorError {
  traceId: string;
  /** `null` when the target is the trace. */
  spanId: string | null;
  error: string;
  /** ISO-8601: when the failed judging was recorded. */
  time: string;
}

/** `GET /api/evaluators/:name/errors`: newest first. */
export interface EvaluatorErrorsResponse {
  errors: EvaluatorError[];
}
