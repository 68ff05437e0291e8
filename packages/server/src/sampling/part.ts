import { DEFAULT_PROJECT_ID } from '@spoor/model';
import type { ServeConfig } from '../config.js';
import { type Part, routes } from '../parts/part.js';
import { lagGauges } from '../quality/completion.js';
import type { SelfMetrics } from '../self-metrics.js';
import { readJsonFile } from '../user-file.js';
import type { SamplingBackend } from './backend.js';
import { type SamplingFile, samplingFileOf } from './policy.js';
import { samplingRoutes } from './routes.js';
import { SamplingService } from './service.js';

/** Tail sampling: the `--sampling` file, checked whole. */
export async function readSamplingFile(path: string): Promise<SamplingFile> {
  return samplingFileOf(await readJsonFile(path, 'the sampling file'), `the sampling file ${path}`);
}

/** What tail sampling needs of the parts before it. */
interface SamplingNeeds {
  config: Pick<ServeConfig, 'traceQuietMs' | 'staleAfterMs'>;
  log: { error: (data: object, message: string) => void };
  selfMetrics: SelfMetrics;
  serverId: string;
  thread: { calls: SamplingBackend };
  ring: { projects(): readonly string[] };
  /** Runners read once a round while ingest is busy, and put off reclaiming what slimming deleted until it is idle. */
  load: { busy(): boolean; idle(): boolean };
}

/**
 * Tail sampling: each project's runner decides its complete traces under the project's sampling
 * lease, off the ingest path. The `--sampling` file is checked before any part starts (a bad one
 * stops the start, naming what is wrong). Gives the routes of a project's keep policy.
 */
export function samplingPart(config: Pick<ServeConfig, 'samplingFile'>): Part<SamplingNeeds, { sampling: SamplingService }, SamplingFile | null> {
  return {
    name: 'sampling',
    check: () => (config.samplingFile === null ? null : readSamplingFile(config.samplingFile)),
    start: async (life, { config, log, selfMetrics, serverId, thread, ring, load }, file) => {
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
            runner: { ingestBusy: () => load.busy() },
            ingestIdle: () => load.idle(),
            file,
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
      return { sampling };
    },
    routes: ({ sampling }) => [routes('sampling', samplingRoutes, { sampling })],
  };
}
