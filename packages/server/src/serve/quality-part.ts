import { DEFAULT_PROJECT_ID } from '@spoor/model';
import type { KeyRing } from '../auth/key-ring.js';
import type { DbThread } from '../dbthread/db-client.js';
import type { DecodeThread } from '../ingest/decode-client.js';
import type { OwnEvent } from '../ingest/own-events.js';
import type { IngestQueue } from '../pipeline/ingest-queue.js';
import { lagGauges } from '../quality/completion.js';
import { EvaluatorService } from '../quality/evaluator-service.js';
import { ExperimentService } from '../quality/experiment-service.js';
import type { PriceBooks } from '../pricing/price-books.js';
import { Replayer } from '../replay/replayer.js';
import { SamplingService } from '../sampling/service.js';
import { type JudgeIngest, type ServeBase, evaluatorKinds } from './base.js';
import type { IngestLoad } from '../pipeline/ingest-load.js';
import type { Lifecycle } from '../parts/lifecycle.js';
import type { Part } from '../parts/part.js';
import { KEY_REFRESH_MS } from '../auth/part.js';
import { ProjectAlerting } from './project-alerting.js';

/**
 * Each project's alerting; notifications already decided are delivered (or given up on) and
 * recorded before the store closes. The projects keys name are given the default rules, and one
 * whose first key is made later starts (and is seeded) within a key refresh.
 */
export async function startAlerting(life: Lifecycle, { config, log, state }: ServeBase, thread: DbThread, ring: KeyRing) {
  const alerting = await life.start(
    'alerting',
    () => new ProjectAlerting({ db: thread.calls, config, log, externalUrl: () => config.externalUrl ?? state.url }),
    (started) => started.close(),
  );
  alerting.follow(() => ring.projects(), KEY_REFRESH_MS);
  const alerts = await alerting.of(DEFAULT_PROJECT_ID);
  // Projects with keys evaluate their rules from the start, not from their first request.
  for (const projectId of ring.projects()) await alerting.of(projectId);
  return { alerting, alerts };
}

/** The server id (the store part's) and the judges' books (the price table part's), beside the base. */
type QualityBase = ServeBase & { serverId: string; judgeBooks: PriceBooks };

interface QualityNeeds {
  thread: DbThread;
  decoder: DecodeThread;
  ring: KeyRing;
  queue: IngestQueue;
  load: IngestLoad;
  /** Where a judge's, a replay's or an experiment's own call goes as a trace. */
  ingestTrace: JudgeIngest;
  ownEvent: (projectId: string, event: OwnEvent) => void;
}

/**
 * Evaluators, tail sampling and experiments: judged and decided on this thread, off the ingest
 * path, their reads and writes calls to the database thread. Their own calls go into ingest,
 * which started before them, so a judgement finishing while the server stops is still stored.
 */
export async function startQuality(life: Lifecycle, base: QualityBase, { thread, decoder, ring, queue, load, ingestTrace, ownEvent }: QualityNeeds) {
  const { config, log, selfMetrics, serverId } = base;
  // Evaluators judge a quarter of their rounds, and tail sampling reads once a round, while busy.
  const ingestBusy = (): boolean => load.busy();
  const evaluatorRuns = selfMetrics.counter(
    'spoor_evaluator_runs_total',
    'Evaluator judgements, by evaluator and outcome (ok: a score made, error, not_applicable: nothing to judge).',
  );
  const evaluators = await life.start(
    'the evaluators',
    () =>
      EvaluatorService.start(
        {
          db: thread.calls,
          kinds: evaluatorKinds(base, ingestTrace),
          serverId,
          traceQuietMs: config.traceQuietMs,
          fileSpecs: base.evaluatorSpecs,
          // Counted on /metrics as the scores of ingest and the API are.
          onScores: (scores) => decoder.countScores(scores),
          onRun: (evaluator, outcome) => evaluatorRuns({ evaluator, outcome }),
          onPaused: (projectId, evaluator, reason) =>
            ownEvent(projectId, {
              name: 'spoor.evaluator.paused',
              severity: 'warn',
              body: `evaluator ${evaluator} paused: ${reason}`,
              attributes: { 'spoor.evaluator.name': evaluator, 'spoor.evaluator.reason': reason },
              timeUs: Date.now() * 1000,
            }),
          onError: (message, data) => log.error(data, message),
          runner: { ingestBusy, staleAfterMs: config.staleAfterMs },
        },
        [DEFAULT_PROJECT_ID, ...ring.projects()],
      ),
    (started) => started.close(),
  );
  lagGauges(selfMetrics, 'evaluator', 'the evaluators (the slowest of each project)', () => evaluators.lags());
  selfMetrics.gaugeSeries('spoor_evaluator_paused', 'Whether an evaluator is paused (1: by hand or its daily budget spent) or active (0).', () =>
    evaluators.pausedStates().map(({ projectId, evaluator, paused }) => ({ labels: { project: projectId, evaluator }, value: paused ? 1 : 0 })),
  );
  // Tail sampling: each project's runner decides its complete traces under the project's sampling lease.
  const sampledOut = selfMetrics.counter('spoor_traces_sampled_out_total', 'Traces tail sampling did not keep whole (slimmed), by project.');
  const keptWhole = selfMetrics.counter(
    'spoor_traces_kept_total',
    'Traces tail sampling kept whole, by project and the rule that kept them (errors, slow, cost, score, filter, rate).',
  );
  const sampling = await life.start(
    'tail sampling',
    () =>
      SamplingService.start({
        db: thread.calls,
        serverId,
        traceQuietMs: config.traceQuietMs,
        staleAfterMs: config.staleAfterMs,
        runner: { ingestBusy },
        ingestIdle: () => load.idle(),
        file: base.samplingFile,
        projects: () => [DEFAULT_PROJECT_ID, ...ring.projects()],
        onDecided: (project, outcome) => {
          for (const [reason, n] of Object.entries(outcome.decided)) {
            if (reason === 'sampled_out') sampledOut({ project }, n);
            else keptWhole({ project, reason }, n);
          }
        },
        onError: (message, data) => log.error(data, message),
      }),
    (started) => started.close(),
  );
  // How far behind each runner is, so a lag is seen before it is a loss (by project: projects are the keys' few).
  lagGauges(selfMetrics, 'sampling', 'tail sampling', () => sampling.lags());
  const replayer = new Replayer(base.providers, ingestTrace, base.shares.providerCalls);
  const experiments = await life.start(
    'the experiments',
    () =>
      new ExperimentService({
        db: thread.calls,
        evaluators: (projectId, names) => evaluators.forExperiment(projectId, names),
        replayer,
        visible: () => queue.whenVisible(),
        onError: (message, data) => log.error(data, message),
        running: base.shares.experiments,
      }),
    // Experiments running here stop (recorded as failed) while their calls can still be stored.
    (started) => started.close(),
  );
  // A DuckDB store has one server: an LLM-call experiment still running in it was left by a crash.
  if (config.store.kind === 'duckdb') {
    const orphans = await experiments.failOrphans([DEFAULT_PROJECT_ID, ...ring.projects()]);
    if (orphans > 0) log.warn({ experiments: orphans }, 'marked failed the LLM-call experiments a stop before had left running');
  }
  return { evaluators, sampling, replayer, experiments };
}

export const alertingPart: Part<ServeBase & { thread: DbThread; ring: KeyRing }, Awaited<ReturnType<typeof startAlerting>>> = {
  name: 'alerting',
  start: (life, have) => startAlerting(life, have, have.thread, have.ring),
};

export const qualityPart: Part<QualityBase & QualityNeeds, Awaited<ReturnType<typeof startQuality>>> = {
  name: 'quality',
  start: (life, have) => startQuality(life, have, have),
};
