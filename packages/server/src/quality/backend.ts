import type { EvaluatorTarget } from '@spoor/model';
import type { Store } from '../store/store.js';
import { spanRecordFromStored } from '../store/stored-trace.js';
import type { EvaluationTarget } from './kind.js';
import { targetsOfTrace } from './targets.js';

/**
 * What evaluators need of the store, as the database thread serves it (`dbthread/calls.ts`): the
 * definitions, runs, lease and complete traces of `store.evaluators`, scores, and the targets of
 * traces, built there from their spans so that only the targets cross to the main thread.
 */
export function evaluatorCalls(store: Store) {
  const e = store.evaluators;
  return {
    evaluatorList: e.listEvaluators.bind(e),
    evaluatorLatest: e.latestEvaluator.bind(e),
    evaluatorPut: e.putEvaluator.bind(e),
    evaluatorAddRuns: e.addRuns.bind(e),
    evaluatorRunsOf: e.runsOf.bind(e),
    evaluatorFailedRuns: e.failedRuns.bind(e),
    evaluatorRunTotals: e.runTotals.bind(e),
    evaluatorCompleteTraces: e.completeTraces.bind(e),
    evaluatorTakeLease: e.takeLease.bind(e),
    evaluatorAddScores: store.scores.addScores.bind(store.scores),
    /**
     * The targets of these traces, in the order of the ids. One read per trace: the runner asks
     * for a bounded batch (`runner.ts`), off the ingest path.
     */
    evaluationTargets: async (projectId: string, traceIds: readonly string[], target: EvaluatorTarget): Promise<EvaluationTarget[]> => {
      const targets: EvaluationTarget[] = [];
      for (const traceId of traceIds) {
        const trace = await store.getTrace(projectId, traceId);
        if (trace !== null) targets.push(...targetsOfTrace(projectId, trace.spans.map(spanRecordFromStored), target));
      }
      return targets;
    },
  };
}

export type EvaluatorCalls = ReturnType<typeof evaluatorCalls>;

/** The calls as the main thread makes them (a `DbClient` has them all). */
export type EvaluatorBackend = { readonly [K in keyof EvaluatorCalls]: EvaluatorCalls[K] };
