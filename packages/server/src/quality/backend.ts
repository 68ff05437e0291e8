import type { EvaluatorTarget } from '@spoor/model';
import type { EvaluationSpan, Store } from '../store/store.js';
import type { EvaluationTarget } from './kind.js';
import { type TargetSpan, targetsOfTrace } from './targets.js';

/**
 * What evaluators need of the store, as the database thread serves it (`dbthread/calls.ts`): the
 * definitions, runs, lease and complete traces of `store.evaluators`, scores, and the targets of
 * traces, built there from their spans so that only the targets cross to the main thread.
 */
export function evaluatorCalls(store: Pick<Store, 'evaluators' | 'live' | 'scores' | 'runningSpans'>) {
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
    /** THE rule of completeness, by commits (`completion.ts`), and what it measures by: the head of the commits, the commits at a time, a count of traces waiting. */
    evaluatorCompleteTracesCommitted: e.completeTracesCommitted.bind(e),
    evaluatorCommitsAt: e.commitsAt.bind(e),
    evaluatorTracesTouched: e.tracesTouched.bind(e),
    evaluatorHead: () => store.live.head(),
    evaluatorTakeLease: e.takeLease.bind(e),
    evaluatorAddScores: store.scores.addScores.bind(store.scores),
    /** Per trace of these with a running span, when its newest snapshot was received: a trace still running is not judged (`runner.ts`). */
    evaluatorRunningTraces: store.runningSpans.lastHeard.bind(store.runningSpans),
    /**
     * The targets of these traces for each kind of target asked (the i-th list the i-th kind's), in
     * the order of the ids, from one read of their spans: the runner asks for a bounded batch for
     * every kind its evaluators judge (`runner.ts`), off the ingest path.
     */
    evaluationTargets: async (projectId: string, traceIds: readonly string[], kinds: readonly EvaluatorTarget[]): Promise<EvaluationTarget[][]> => {
      const traces = [...spansByTrace(traceIds, await e.evaluationSpans(projectId, traceIds)).values()];
      return kinds.map((kind) => traces.flatMap((spans) => targetsOfTrace(projectId, spans, kind)));
    },
  };
}

/**
 * The spans read of these traces, as the targets are made of them (attributes parsed): per trace
 * in the order of the ids (none for a trace not stored), each trace's in start order, as every
 * engine reads them alike (a preview shows the first targets). A span stored twice (sent again
 * after a restart) is one span.
 */
export function spansByTrace(traceIds: readonly string[], rows: readonly EvaluationSpan[]): Map<string, TargetSpan[]> {
  const byTrace = new Map<string, Map<string, TargetSpan>>(traceIds.map((id) => [id, new Map()]));
  for (const s of rows) byTrace.get(s.traceId)?.set(s.spanId, targetSpanOf(s));
  const inOrder = (spans: Map<string, TargetSpan>) => [...spans.values()].sort((a, b) => a.startTimeUs - b.startTimeUs || (a.spanId < b.spanId ? -1 : 1));
  return new Map([...byTrace].map(([id, spans]) => [id, inOrder(spans)]));
}

/** A span as read for judging, as the targets are made of it (its attributes parsed). */
function targetSpanOf(s: EvaluationSpan): TargetSpan {
  const { attributesJson, isLlm, costUsd, inputTokens: _i, outputTokens: _o, ...fields } = s;
  return { ...fields, attributes: JSON.parse(attributesJson), llm: isLlm ? { costUsd } : null };
}

export type EvaluatorCalls = ReturnType<typeof evaluatorCalls>;

/** The calls as the main thread makes them (a `DbClient` has them all). */
export type EvaluatorBackend = { readonly [K in keyof EvaluatorCalls]: EvaluatorCalls[K] };
