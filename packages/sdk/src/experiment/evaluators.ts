import type { JsonValue, NewExperimentResult } from '@spoor/model';
import { messageOf } from './item.js';

/** What a local evaluator is given: the item and what the task answered. */
export interface EvaluatorInput {
  input: JsonValue;
  /** What the task returned (as JSON). */
  output: JsonValue | null;
  expectedOutput: JsonValue | null;
  metadata: Record<string, JsonValue>;
}

/** What a local evaluator answers: a number (higher is better), a pass (true = 1, false = 0), or a score's fields. */
export type EvaluatorAnswer = number | boolean | { value?: number | null; label?: string | null; comment?: string | null };

/**
 * An evaluator run in your process on each item the task answered; its score is stored on the
 * item's trace (source `sdk`, author `experiment`) beside the server evaluators' ones.
 * @example
 * const exact: LocalEvaluator = { name: 'exact', evaluate: ({ output, expectedOutput }) => output === expectedOutput };
 */
export interface LocalEvaluator {
  /** The score's name. */
  name: string;
  evaluate(input: EvaluatorInput): EvaluatorAnswer | Promise<EvaluatorAnswer>;
}

/** An evaluator of `runExperiment`: a server evaluator's name (made with `POST /api/evaluators`), or a local one. */
export type ExperimentEvaluator = string | LocalEvaluator;

type Score = NonNullable<NewExperimentResult['scores']>[number];

/**
 * The local evaluators' scores of one answered item. An evaluator that throws, or answers
 * something else than it may, gives no score but a comment saying why, so the item still counts.
 */
export async function localScores(evaluators: readonly LocalEvaluator[], input: EvaluatorInput): Promise<Score[]> {
  return Promise.all(
    evaluators.map(async (evaluator): Promise<Score> => {
      try {
        return scoreOf(evaluator.name, await evaluator.evaluate(input));
      } catch (error) {
        return { name: evaluator.name, value: null, label: 'error', comment: `the evaluator threw: ${messageOf(error)}` };
      }
    }),
  );
}

/** An evaluator's answer as a score (pure). */
export function scoreOf(name: string, answer: unknown): Score {
  if (typeof answer === 'boolean') return { name, value: answer ? 1 : 0, label: answer ? 'pass' : 'fail' };
  if (typeof answer === 'number' && Number.isFinite(answer)) return { name, value: answer };
  if (typeof answer === 'object' && answer !== null && !Array.isArray(answer)) {
    const { value, label, comment } = answer as Record<string, unknown>;
    const valueOk = value === undefined || value === null || (typeof value === 'number' && Number.isFinite(value));
    const labelOk = label === undefined || label === null || (typeof label === 'string' && label !== '');
    const commentOk = comment === undefined || comment === null || typeof comment === 'string';
    if (valueOk && labelOk && commentOk && (typeof value === 'number' || typeof label === 'string')) {
      const score: Score = { name, value: (value as number | null | undefined) ?? null, label: (label as string | null | undefined) ?? null };
      if (typeof comment === 'string') score.comment = comment;
      return score;
    }
  }
  return {
    name,
    value: null,
    label: 'error',
    comment: `the evaluator answered ${describe(answer)}; answer a finite number, true/false, or { value?, label?, comment? } with a value or a label`,
  };
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
