import type { SpanCategory } from './span.js';

/**
 * What a project's tail sampling keeps whole whatever the rate: a trace is kept when any rule
 * holds. Every field is optional; a policy set with `rate` and no `keep` gets
 * {@link DEFAULT_SAMPLING_KEEP}.
 */
export interface SamplingKeep {
  /** Keep a trace with a failed span. */
  errors?: boolean;
  /** Keep a trace with a span of this category that ran longer than this: `"600s"`, `"2m"`, `"500ms"`. */
  slowerThan?: Partial<Record<SpanCategory, string>>;
  /** Keep a trace whose spans cost more than this in total, USD. */
  costOverUsd?: number;
  /** Keep a trace with a score of this name under this value (scores present when the trace is decided). */
  scoreUnder?: Record<string, number>;
  /** Keep a trace the trace list's filter matches, written as its query string: `service=checkout&model=gpt-4o`. */
  filter?: string;
}

/** A project's tail-sampling policy (`PUT /api/projects/:projectId/sampling`). */
export interface SamplingPolicy {
  /** The share of the traces no keep rule holds for that is kept, 0 to 1, by trace id. */
  rate: number;
  keep: SamplingKeep;
}

/**
 * The keep rules of a policy set without its own (the defaults, the alert presets'
 * thresholds): errors; a workflow over 600 s, a step over 120 s, an LLM call over 30 s; a run
 * costing over $1.
 */
export const DEFAULT_SAMPLING_KEEP: SamplingKeep = {
  errors: true,
  slowerThan: { workflow: '600s', step: '120s', llm: '30s' },
  costOverUsd: 1,
};

/** `GET /api/projects/:projectId/sampling`: the policy in force and where it comes from. */
export interface SamplingAnswer {
  projectId: string;
  /** `api` (set through the API), `file` (`--sampling`), or `none`: every trace is kept. */
  source: 'api' | 'file' | 'none';
  policy: SamplingPolicy | null;
  /** When the API's policy was set; `null` for the file's or none. */
  updatedAt: string | null;
}

/** The trace list's count of its range: of `total` traces, `kept` were kept whole (the rest are sampled out). */
export interface SamplingCount {
  kept: number;
  total: number;
}
