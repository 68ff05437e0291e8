import type { EvaluatorTarget } from '@spoor/model';
import type { EvaluationSpan, Store } from '../store/store.js';
import { callGroup } from '../threads/groups.js';
import type { EvaluationTarget } from './kind.js';
import { type TargetSpan, targetsOfTrace } from './targets.js';

/**
 * What evaluators need of the store, as the database thread serves it (`db.evaluators.list(…)`):
 * the definitions, runs, lease and complete traces of `store.evaluators`, scores, and the targets
 * of traces, built there from their spans so that only the targets cross to the main thread.
 */
export const evaluatorCalls = callGroup(({ store }: { store: Store }) => {
  const e = store.evaluators;
  return {
    list: e.listEvaluators.bind(e),
    latest: e.latestEvaluator.bind(e),
    put: e.putEvaluator.bind(e),
    addRuns: e.addRuns.bind(e),
    runsOf: e.runsOf.bind(e),
    failedRuns: e.failedRuns.bind(e),
    runTotals: e.runTotals.bind(e),
    completeTraces: e.completeTraces.bind(e),
    /** THE rule of completeness, by commits (`completion.ts`), and what it measures by: the head of the commits, the commits at a time, a count of traces waiting. */
    completeTracesCommitted: e.completeTracesCommitted.bind(e),
    commitsAt: e.commitsAt.bind(e),
    tracesTouched: e.tracesTouched.bind(e),
    head: () => store.live.head(),
    takeLease: e.takeLease.bind(e),
    addScores: store.scores.addScores.bind(store.scores),
    /** Per trace of these with a running span, when its newest snapshot was received: a trace still running is not judged (`runner.ts`). */
    runningTraces: store.runningSpans.lastHeard.bind(store.runningSpans),
    /**
     * The targets of these traces for each kind of target asked (the i-th list the i-th kind's), in
     * the order of the ids, from one read of their spans: the runner asks for a bounded batch for
     * every kind its evaluators judge (`runner.ts`), off the ingest path.
     */
    targets: async (projectId: string, traceIds: readonly string[], kinds: readonly EvaluatorTarget[]): Promise<EvaluationTarget[][]> => {
      const traces = [...spansByTrace(traceIds, await e.evaluationSpans(projectId, traceIds)).values()];
      return kinds.map((kind) => traces.flatMap((spans) => targetsOfTrace(projectId, spans, kind)));
    },
  };
});

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

export type EvaluatorCalls = ReturnType<typeof evaluatorCalls.make>;

/** The calls as the main thread makes them (a `DbClient` has them all). */
export type EvaluatorBackend = { readonly evaluators: { readonly [K in keyof EvaluatorCalls]: EvaluatorCalls[K] } };
