import { type DatasetItem, type EvaluatorTarget, type ExperimentScoreSummary, type ScoreRecord, isUnpricedCall } from '@spoor/model';
import { callGroup } from '../threads/groups.js';
import type { ExperimentResultRecord } from '../store/ports/experiments.js';
import type { Store } from '../store/store.js';
import { spansByTrace } from './backend.js';
import { itemOf } from './dataset-items.js';
import { type ItemScores, scoresByTrace, summarizeScores } from './experiment-answers.js';
import type { EvaluationTarget } from './kind.js';
import { targetsOfTrace } from './targets.js';

/** Results read at once for an experiment's score summary. */
const SUMMARY_PAGE = 5000;

/** What experiments' calls take of what the database thread hands its groups. */
interface ExperimentDeps {
  store: Pick<Store, 'evaluators' | 'datasets' | 'experiments' | 'scores'>;
  /** The project's masking policy over a JSON value (`ProjectMasking.valueMaskerFor`), `null` for none. */
  masking: { valueMaskerFor(projectId: string): (<T>(value: T) => T) | undefined } | null;
  maskScore: (score: ScoreRecord) => void;
}

/**
 * Experiments' calls on the database thread (`db.experiments.get(…)`): a row per change of an
 * experiment's state and per run of an item, as plain values (not JSON text: the main thread builds
 * the API's answers from them); and what they read beyond their own rows: items' traces (tokens,
 * cost and evaluators' targets), the recorded spans items were taken from, and items by id. Each
 * read is one for a batch of items, built there so only what the main thread uses crosses to it.
 */
export const experimentCalls = callGroup(({ store, masking, maskScore }: ExperimentDeps) => {
  const e = store.evaluators;
  const x = store.experiments;
  return {
    put: x.putExperiment.bind(x),
    get: x.getExperiment.bind(x),
    latestByName: x.latestByName.bind(x),
    list: x.listExperiments.bind(x),
    /** An experiment's outputs, errors and its SDK's scores are the project's data as its spans are: masked as they would be. */
    addResults: async (projectId: string, results: readonly ExperimentResultRecord[]): Promise<readonly ExperimentResultRecord[]> => {
      const masked = maskedResults(results, masking?.valueMaskerFor(projectId));
      await x.addResults(projectId, masked);
      return masked;
    },
    results: x.listResults.bind(x),
    totals: x.resultTotals.bind(x),
    addScores: (added: readonly ScoreRecord[], writtenUs: number): Promise<void> => {
      const copies = added.map((score) => ({ ...score }));
      for (const score of copies) maskScore(score);
      return store.scores.addScores(copies, writtenUs);
    },
    /**
     * What an experiment needs of its items' traces, from one read of their spans: per trace (in
     * the order of the ids) whether it is stored and its LLM calls' tokens and cost, and the
     * targets of each kind asked, experiment runs included (online evaluators leave them alone).
     */
    traces: async (
      projectId: string,
      traceIds: readonly string[],
      kinds: readonly EvaluatorTarget[],
    ): Promise<{ figures: TraceFigures[]; targets: EvaluationTarget[][] }> => {
      const rows = await e.evaluationSpans(projectId, traceIds);
      const figures = new Map<string, TraceFigures>(
        traceIds.map((id) => [id, { traceId: id, stored: false, inputTokens: null, outputTokens: null, costUsd: null, unpricedCalls: 0 }]),
      );
      const seen = new Set<string>();
      for (const s of rows) {
        const f = figures.get(s.traceId);
        // A span stored twice (sent again after a restart) counts once.
        if (f === undefined || seen.has(`${s.traceId}/${s.spanId}`)) continue;
        seen.add(`${s.traceId}/${s.spanId}`);
        f.stored = true;
        if (s.inputTokens !== null) f.inputTokens = (f.inputTokens ?? 0) + s.inputTokens;
        if (s.outputTokens !== null) f.outputTokens = (f.outputTokens ?? 0) + s.outputTokens;
        if (s.costUsd !== null) f.costUsd = (f.costUsd ?? 0) + s.costUsd;
        else if (s.isLlm && isUnpricedCall(s)) f.unpricedCalls++;
      }
      const traces = [...spansByTrace(traceIds, rows).values()];
      return { figures: [...figures.values()], targets: kinds.map((kind) => traces.flatMap((spans) => targetsOfTrace(projectId, spans, kind, 'experiment'))) };
    },
    /** The recorded spans these items were taken from, as read for an LLM-call experiment (one read for a page of items). */
    sourceSpans: async (
      projectId: string,
      refs: ReadonlyArray<{ traceId: string; spanId: string }>,
    ): Promise<Array<{ traceId: string; spanId: string; attributesJson: string }>> => {
      if (refs.length === 0) return [];
      const wanted = new Set(refs.map((r) => `${r.traceId}/${r.spanId}`));
      const rows = await e.evaluationSpans(projectId, [...new Set(refs.map((r) => r.traceId))]);
      return rows.filter((s) => wanted.has(`${s.traceId}/${s.spanId}`)).map(({ traceId, spanId, attributesJson }) => ({ traceId, spanId, attributesJson }));
    },
    /** Per trace of these, per score name, the item's score: the store's tally of the trace's scores, mean value and most given label. */
    scores: async (projectId: string, traceIds: readonly string[]): Promise<Map<string, ItemScores>> =>
      scoresByTrace(await store.scores.tallyTraceScores(projectId, traceIds)),
    /** Per experiment of these, its score summaries over the items that ran: each name's mean of the items' values, and label counts. */
    scoreSummaries: async (projectId: string, experimentIds: readonly string[]): Promise<Map<string, ExperimentScoreSummary[]>> => {
      const out = new Map<string, ExperimentScoreSummary[]>();
      for (const experimentId of experimentIds) {
        const traceIds: string[] = [];
        let after: string | null = null;
        for (;;) {
          const rows = await store.experiments.listResults(projectId, experimentId, after, SUMMARY_PAGE);
          for (const r of rows) if (r.traceId !== null && r.error === null) traceIds.push(r.traceId);
          if (rows.length < SUMMARY_PAGE) break;
          after = rows.at(-1)!.itemId;
        }
        const byTrace = traceIds.length === 0 ? new Map<string, ItemScores>() : scoresByTrace(await store.scores.tallyTraceScores(projectId, traceIds));
        out.set(experimentId, summarizeScores(traceIds.map((id) => byTrace.get(id)).filter((s): s is ItemScores => s !== undefined)));
      }
      return out;
    },
    /** Items of a dataset version by id (fewer when some are not in it), for an experiment's results. */
    items: async (projectId: string, dataset: string, version: number, itemIds: readonly string[]): Promise<DatasetItem[]> => {
      if (itemIds.length === 0) return [];
      const latest = await store.datasets.latestDataset(projectId, dataset);
      if (latest === null) return [];
      // The items as the version the experiment ran on holds them, though the dataset was deleted since.
      const record = { ...latest, deleted: false };
      return (await store.datasets.listItems(projectId, record, version, null, itemIds.length, itemIds)).map(itemOf);
    },
  };
});

export type ExperimentCalls = ReturnType<typeof experimentCalls.make>;

/** An experiment item's trace as counted: its LLM calls' tokens and cost, `null` where none is known. */
export interface TraceFigures {
  traceId: string;
  stored: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** LLM calls with tokens but no price, which `costUsd` leaves out. */
  unpricedCalls: number;
}

/** Results as the project's masking policy keeps its data: outputs and errors masked as a span's attributes would be. */
export function maskedResults(results: readonly ExperimentResultRecord[], mask: (<T>(value: T) => T) | undefined): readonly ExperimentResultRecord[] {
  if (mask === undefined) return results;
  return results.map((r) => ({
    ...r,
    output: r.output === null ? null : JSON.stringify(mask(JSON.parse(r.output) as unknown)),
    error: r.error === null ? null : mask(r.error),
  }));
}
