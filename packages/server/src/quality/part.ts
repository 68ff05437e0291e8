import { DEFAULT_PROJECT_ID } from '@spoor/model';
import type { ServeConfig } from '../config.js';
import type { DbClient } from '../dbthread/calls.js';
import type { CountedScore } from '../metrics/score-metrics.js';
import { type Part, routes } from '../parts/part.js';
import type { PriceBooks } from '../pricing/price-books.js';
import type { Provider } from '../replay/providers.js';
import type { Ingest, Replayer } from '../replay/replayer.js';
import type { SelfMetrics } from '../self-metrics.js';
import type { Shares, WaitingShares } from '../shares.js';
import { lagGauges } from './completion.js';
import { datasetRoutes } from './dataset-routes.js';
import type { EvaluatorBackend } from './backend.js';
import { EvaluatorService } from './evaluator-service.js';
import { evaluatorRoutes } from './evaluator-routes.js';
import { loadEvaluatorsFile } from './evaluators-file.js';
import { type ExperimentBackend, ExperimentService } from './experiment-service.js';
import { experimentRoutes } from './experiment-routes.js';
import { type LlmJudgeConfig, createLlmJudgeKind } from './judge.js';
import { scoreRoutes } from './score-routes.js';
import { type AnyKind, anyKind, kindsOf } from './spec.js';

const nowUs = (): number => Date.now() * 1000;

/** The evaluator kinds this server judges with; an llm-judge stores its own call through `judge.ingest`. */
export function evaluatorKinds(judge: LlmJudgeConfig): ReadonlyMap<string, AnyKind> {
  return kindsOf([anyKind(createLlmJudgeKind(judge))]);
}

/** A log line of the services' own failures. */
interface ErrorLog {
  error: (data: object, message: string) => void;
}

/** What the evaluators need of the parts before them. */
interface EvaluatorsNeeds {
  config: Pick<ServeConfig, 'traceQuietMs' | 'staleAfterMs'>;
  log: ErrorLog;
  selfMetrics: SelfMetrics;
  serverId: string;
  providers: readonly Provider[];
  /** The judges' books, kept current as the decode thread's are, so a judge's call is priced as its span is. */
  judgeBooks: Pick<PriceBooks, 'bookFor'>;
  shares: { providerCalls?: WaitingShares; scoreWrites?: Shares };
  thread: { calls: EvaluatorBackend & Pick<DbClient, 'scores'> };
  /** Counts the scores made on `/metrics`, as those of ingest and the API are. */
  decoder: { countScores: (scores: readonly CountedScore[]) => void };
  ring: { projects(): readonly string[] };
  /** Evaluators judge a quarter of their rounds while ingest is busy. */
  load: { busy(): boolean };
  /** Where a judge's own call goes as a trace: into ingest, which started before, so a judgement finishing while the server stops is still stored. */
  ingestTrace: Ingest;
  /** Spoor's own events (an evaluator paused by its budget), as log records of the project. */
  ownEvent: (projectId: string, event: { name: string; severity: 'warn'; body: string; attributes: Record<string, string>; timeUs: number }) => void;
}

/**
 * Online evaluators: judged on this thread, off the ingest path, their reads and writes calls to
 * the database thread. The `--evaluators` file is checked before any part starts (a bad one stops
 * the start, with its line and field). Gives the scores' and evaluators' routes.
 */
export function evaluatorsPart(base: { config: Pick<ServeConfig, 'evaluatorsFile'>; providers: readonly Provider[] }): Part<
  EvaluatorsNeeds,
  { evaluators: EvaluatorService },
  readonly unknown[]
> {
  return {
    name: 'evaluators',
    check: () => {
      if (base.config.evaluatorsFile === null) return [];
      // Checked with kinds whose judge stores nothing: checking a spec never calls its judge.
      const never = (): Promise<never> => Promise.reject(new Error('a judge called while its file was checked'));
      return loadEvaluatorsFile(base.config.evaluatorsFile, evaluatorKinds({ providers: base.providers, ingest: never, priceBookFor: never }));
    },
    start: async (life, have, fileSpecs) => {
      const { config, log, selfMetrics, thread, decoder, ring, load } = have;
      const evaluatorRuns = selfMetrics.counter(
        'spoor_evaluator_runs_total',
        'Evaluator judgements, by evaluator and outcome (ok: a score made, error, not_applicable: nothing to judge).',
      );
      const kinds = evaluatorKinds({
        providers: have.providers,
        ingest: have.ingestTrace,
        priceBookFor: (projectId) => have.judgeBooks.bookFor(projectId),
        providerCalls: have.shares.providerCalls,
      });
      const evaluators = await life.start(
        'the evaluators',
        () =>
          EvaluatorService.start(
            {
              db: thread.calls,
              kinds,
              serverId: have.serverId,
              traceQuietMs: config.traceQuietMs,
              fileSpecs,
              onScores: (scores) => decoder.countScores(scores),
              onRun: (evaluator, outcome) => evaluatorRuns({ evaluator, outcome }),
              onPaused: (projectId, evaluator, reason) =>
                have.ownEvent(projectId, {
                  name: 'spoor.evaluator.paused',
                  severity: 'warn',
                  body: `evaluator ${evaluator} paused: ${reason}`,
                  attributes: { 'spoor.evaluator.name': evaluator, 'spoor.evaluator.reason': reason },
                  timeUs: Date.now() * 1000,
                }),
              onError: (message, data) => log.error(data, message),
              runner: { ingestBusy: () => load.busy(), staleAfterMs: config.staleAfterMs },
            },
            [DEFAULT_PROJECT_ID, ...ring.projects()],
          ),
        (started) => started.close(),
      );
      lagGauges(selfMetrics, 'evaluator', 'the evaluators (the slowest of each project)', () => evaluators.lags());
      selfMetrics.gaugeSeries('spoor_evaluator_paused', 'Whether an evaluator is paused (1: by hand or its daily budget spent) or active (0).', () =>
        evaluators.pausedStates().map(({ projectId, evaluator, paused }) => ({ labels: { project: projectId, evaluator }, value: paused ? 1 : 0 })),
      );
      return { evaluators };
    },
    routes: ({ thread, decoder, shares, evaluators }) => [
      routes('scores', scoreRoutes, { db: thread.calls, nowUs, countScores: (scores) => decoder.countScores(scores), writes: shares.scoreWrites }),
      routes('evaluators', evaluatorRoutes, { evaluators, nowUs }),
    ],
  };
}

/** What experiments need of the parts before them. */
interface ExperimentsNeeds {
  config: Pick<ServeConfig, 'store' | 'maxBodyBytes'>;
  log: ErrorLog & { warn: (data: object, message: string) => void };
  shares: { experiments?: Shares };
  thread: { calls: ExperimentBackend & Pick<DbClient, 'datasets'> };
  ring: { projects(): readonly string[] };
  /** Resolves when every request acknowledged so far is visible to queries. */
  queue: { whenVisible(): Promise<void> };
  evaluators: Pick<EvaluatorService, 'forExperiment'>;
  /** An experiment's LLM calls are replays, their traces stored through ingest. */
  replayer: Replayer;
}

/**
 * Experiments over datasets: a dataset's items run through the replayer or read from traces, then
 * judged by the evaluators. Their calls go into ingest, which started before them, so experiments
 * running here stop (recorded as failed) while their calls can still be stored. Gives the routes
 * of datasets and experiments.
 */
export const experimentsPart: Part<ExperimentsNeeds, { experiments: ExperimentService }> = {
  name: 'experiments',
  start: async (life, { config, log, shares, thread, ring, queue, evaluators, replayer }) => {
    const experiments = await life.start(
      'the experiments',
      () =>
        new ExperimentService({
          db: thread.calls,
          evaluators: (projectId, names) => evaluators.forExperiment(projectId, names),
          replayer,
          visible: () => queue.whenVisible(),
          onError: (message, data) => log.error(data, message),
          running: shares.experiments,
        }),
      (started) => started.close(),
    );
    // A DuckDB store has one server: an LLM-call experiment still running in it was left by a crash.
    if (config.store.kind === 'duckdb') {
      const orphans = await experiments.failOrphans([DEFAULT_PROJECT_ID, ...ring.projects()]);
      if (orphans > 0) log.warn({ experiments: orphans }, 'marked failed the LLM-call experiments a stop before had left running');
    }
    return { experiments };
  },
  routes: ({ config, thread, experiments }) => [
    routes('datasets', datasetRoutes, { db: thread.calls, nowUs, maxBodyBytes: config.maxBodyBytes }),
    routes('experiments', experimentRoutes, { experiments }),
  ],
};
