import type { DatasetItem, EvaluatorTarget, JsonValue, ScoreRecord, ScoreSlot } from '@spoor/model';
import { scoreIdOf } from '@spoor/model';
import type { ExperimentRecord, ExperimentResultRecord } from '../store/ports/experiments.js';
import type { EvaluatorRecord } from '../store/store.js';
import type { TraceFigures } from './experiment-backend.js';
import { textOfValue } from './experiment-answers.js';
import type { EvaluationTarget } from './kind.js';
import type { JudgeOutcome } from './runner.js';
import type { ResolvedEvaluator } from './spec.js';

/**
 * Records a batch of an experiment's item runs: once their traces are visible, reads them once
 * (their tokens and cost, and the targets every evaluator of the experiment judges), judges each
 * target with the item's expected output, stores the scores the SDK's own evaluators made, and
 * writes the results. Used by both kinds of experiment, a batch at a time, never per item.
 */

/** What judging needs of the database thread (the main thread's `DbClient` has it). */
export interface JudgingBackend {
  readonly experiments: {
    traces(
      projectId: string,
      traceIds: readonly string[],
      kinds: readonly EvaluatorTarget[],
    ): Promise<{ figures: TraceFigures[]; targets: EvaluationTarget[][] }>;
    /** Writes results (masked by the project's policy) and answers them as written. */
    addResults(projectId: string, results: readonly ExperimentResultRecord[]): Promise<readonly ExperimentResultRecord[]>;
    /** Stores the SDK's scores of runs, masked by the project's policy. */
    addScores(scores: readonly ScoreRecord[], writtenUs: number): Promise<void>;
  };
}

/** An evaluator as an experiment runs it: its current version, and a way to judge and record targets. */
export interface ExperimentEvaluator {
  record: EvaluatorRecord;
  resolved: ResolvedEvaluator;
  judge(targets: readonly EvaluationTarget[]): Promise<JudgeOutcome>;
}

/** A score the SDK's own evaluator function made of an item's run. */
export interface ClientScore {
  name: string;
  value: number | null;
  label: string | null;
  comment: string | null;
}

/** One item's run, before its trace's figures are read. */
export interface ItemRun {
  item: Pick<DatasetItem, 'itemId' | 'input' | 'expectedOutput'>;
  result: ExperimentResultRecord;
  clientScores: ClientScore[];
  /** Resolves once the run's trace is acknowledged by this server's ingest (a run the server made). */
  stored?: Promise<void>;
}

export interface JudgeBatch {
  db: JudgingBackend;
  projectId: string;
  experiment: ExperimentRecord;
  evaluators: readonly ExperimentEvaluator[];
  /** Resolves once everything acknowledged so far is visible to reads (the items' traces among it). */
  visible: () => Promise<void>;
  nowUs: () => number;
}

/** Records the runs (their results with their traces' figures, judged), and answers the results as written. */
export async function recordRuns(batch: JudgeBatch, given: readonly ItemRun[]): Promise<readonly ExperimentResultRecord[]> {
  const { db, projectId, evaluators } = batch;
  const runs = await Promise.all(given.map(storedOrErrored));
  const traced = runs.filter((r) => r.result.traceId !== null && r.result.error === null);
  if (traced.length > 0) await batch.visible();
  const traceIds = [...new Set(traced.map((r) => r.result.traceId!))];
  const kinds = [...new Set(evaluators.map((e) => e.resolved.target))];
  const { figures, targets } = traceIds.length === 0 ? { figures: [], targets: kinds.map(() => []) } : await db.experiments.traces(projectId, traceIds, kinds);
  const figuresOf = new Map(figures.map((f) => [f.traceId, f]));
  const results = runs.map(({ result }) => {
    const f = result.traceId === null ? undefined : figuresOf.get(result.traceId);
    if (f === undefined || !f.stored) return result;
    // What the run's own span counted wins: the trace's sum includes a judge's or a tool's calls only when they are part of the run.
    return {
      ...result,
      inputTokens: result.inputTokens ?? f.inputTokens,
      outputTokens: result.outputTokens ?? f.outputTokens,
      costUsd: result.costUsd ?? f.costUsd,
      unpricedCalls: result.unpricedCalls ?? f.unpricedCalls,
    };
  });
  const byTrace = new Map(traced.map((r) => [r.result.traceId!, r]));
  for (const evaluator of evaluators) {
    const list = targets[kinds.indexOf(evaluator.resolved.target)] ?? [];
    const own = list.flatMap((t) => {
      const run = byTrace.get(t.traceId);
      if (run === undefined) return [];
      const expected = textOfValue(run.item.expectedOutput);
      // A whole run is judged on what the task answered for the item's input, whatever its spans recorded.
      if (t.spanId === null) return [{ ...t, input: textOfValue(run.item.input), output: textOfValue(outputOf(run.result)), expected }];
      return [{ ...t, expected }];
    });
    if (own.length > 0) await evaluator.judge(own);
  }
  const clientScores = clientScoreRecords(projectId, traced, batch.nowUs());
  if (clientScores.length > 0) await db.experiments.addScores(clientScores, batch.nowUs());
  return db.experiments.addResults(projectId, results);
}

function outputOf(result: ExperimentResultRecord): JsonValue {
  return result.output === null ? null : (JSON.parse(result.output) as JsonValue);
}

/** The SDK's scores as scores of the item's trace: source `sdk`, author `experiment`. */
function clientScoreRecords(projectId: string, runs: readonly ItemRun[], timeUs: number): ScoreRecord[] {
  const out: ScoreRecord[] = [];
  for (const run of runs) {
    for (const s of run.clientScores) {
      const slot: ScoreSlot = {
        projectId,
        traceId: run.result.traceId,
        spanId: null,
        sessionId: null,
        responseId: null,
        name: s.name,
        source: 'sdk',
        author: 'experiment',
      };
      out.push({ ...slot, scoreId: scoreIdOf(slot), timeUs, value: s.value, label: s.label, comment: s.comment });
    }
  }
  return out;
}

/** A run whose trace this server could not store (ingest refused it) is errored: its output cannot be judged or looked at. */
async function storedOrErrored(run: ItemRun): Promise<ItemRun> {
  try {
    await run.stored;
    return run;
  } catch (error) {
    const message = `the run's trace could not be stored: ${(error as Error).message ?? String(error)}`;
    return { ...run, result: { ...run.result, traceId: null, spanId: null, output: null, error: message } };
  }
}
