/**
 * What every evaluator kind implements: a check of its own fields (an admin's mistake is a 400
 * naming the field) and a judgement of one target. The runner (finding complete traces, sampling,
 * exactly-once runs, writing scores) knows kinds only through this.
 */

/** What an evaluator judges: an LLM call, a span or a whole trace, with what its kinds read. */
export interface EvaluationTarget {
  projectId: string;
  traceId: string;
  /** The span judged; `null` when the target is the trace. */
  spanId: string | null;
  /** The call's or run's input and output as text (an LLM call's messages, a root span's input and output), `null` when unknown. */
  input: string | null;
  output: string | null;
  /** What the trace's retriever spans returned, one text per document. */
  context: string[];
  /** The expected output, when run in an experiment. */
  expected: string | null;
  durationMs: number;
  /** `null` when unknown (no priced LLM call). */
  costUsd: number | null;
  /** The names of the tools the trace (or the span's subtree) called. */
  toolNames: string[];
}

/** A judgement: a value and/or a label, with an explanation kept as the score's comment. */
export interface Judgement {
  value: number | null;
  label: string | null;
  comment: string | null;
  /** What the judgement cost (a judge's own LLM call), USD; 0 for deterministic kinds. */
  costUsd: number;
}

/**
 * Thrown by a kind for a target that lacks what it judges (no output to match, no known cost, no
 * expected output, a template variable without a value): no score and no evaluator error, but a
 * run recorded as not applicable, so the target is neither counted as a failure nor retried.
 */
export class NothingToJudge extends Error {
  override name = 'NothingToJudge';
}

/** What a kind may use besides the target: the configured LLM providers, the clock, cancellation. */
export interface JudgeContext {
  signal: AbortSignal;
}

export interface EvaluatorKind<Spec> {
  readonly kind: string;
  /**
   * The fields a spec of this kind may have besides every evaluator's (`name`, `kind`, `target`,
   * `filter`, `sampleRate`, `dailyBudgetUsd`); a new spec with any other is refused with a 400
   * naming it (a misspelt `pattren` or a `webhook` no kind reads would be stored and do nothing).
   * A kind without the list (a test's) checks its fields in `problem` alone.
   */
  readonly fields?: readonly string[];
  /**
   * The budget (USD a UTC day) of an evaluator of this kind whose spec names none: a kind that
   * pays for its judgements has one, so a filter wider than meant cannot spend without bound.
   */
  readonly defaultDailyBudgetUsd?: number;
  /** Checks a spec's kind fields (`spec` is the parsed JSON); a message naming the field, or `null`. */
  problem(spec: Record<string, unknown>): string | null;
  /** Judges one target. Throws `NothingToJudge` for a target without what it judges, anything else for an evaluator error (a provider failure, an unparsable answer). */
  judge(spec: Spec, target: EvaluationTarget, context: JudgeContext): Promise<Judgement>;
}
