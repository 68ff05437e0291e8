import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Logger, pino } from 'pino';
import type { ServeConfig } from '../config.js';
import { PriceBooks } from '../pricing/price-books.js';
import { loadEvaluatorsFile } from '../quality/evaluators-file.js';
import { createLlmJudgeKind } from '../quality/judge.js';
import type { Provider } from '../replay/providers.js';
import { DEMO_PROVIDER } from '../replay/replayer.js';
import { type AnyKind, anyKind, kindsOf } from '../quality/spec.js';
import type { SamplingFile } from '../sampling/policy.js';
import { setRegexLimits } from '../regex.js';
import { SelfMetrics, createIngestMetrics } from '../self-metrics.js';
import { serverShares } from '../shares.js';
import { readSamplingFile } from './files.js';
import { ServerState } from '../parts/server-state.js';
import { type ServerMetrics, serverMetrics } from './server-metrics.js';

import type { JudgeIngest } from '../ingest/part.js';

export type { JudgeIngest };

/**
 * What every part of the server is given: the config, the log, the shared state and metrics, and
 * the files read before anything starts.
 */
export interface ServeBase {
  config: ServeConfig;
  log: Logger;
  state: ServerState;
  selfMetrics: SelfMetrics;
  ingestMetrics: ReturnType<typeof createIngestMetrics>;
  metrics: ServerMetrics;
  shares: ReturnType<typeof serverShares>;
  /** What replays, experiments and judges call: the `--provider`s, then the built-in demo provider. */
  providers: readonly Provider[];
  spoolDir: string;
  quarantineDir: string;
  /** A DuckDB file on the spool's disk: when it lacks room, so does the spool. */
  storeOnSpoolDisk: boolean;
  evaluatorSpecs: readonly unknown[];
  samplingFile: SamplingFile | null;
}

/** The evaluator kinds this server judges with; an llm-judge stores its own call through `ingest`. */
export function evaluatorKinds(base: Pick<ServeBase, 'providers' | 'shares'> & { judgeBooks: PriceBooks }, ingest: JudgeIngest): ReadonlyMap<string, AnyKind> {
  return kindsOf([
    anyKind(
      createLlmJudgeKind({
        providers: base.providers,
        ingest,
        priceBookFor: (projectId) => base.judgeBooks.bookFor(projectId),
        providerCalls: base.shares.providerCalls,
      }),
    ),
  ]);
}

/**
 * Checks and reads what the server needs before anything starts (a bad file stops the start with
 * its line and field), and makes what every part shares.
 */
export async function serveBase(config: ServeConfig): Promise<ServeBase> {
  const spoolDir = join(config.dataDir, 'spool');
  const quarantineDir = join(config.dataDir, 'quarantine');
  await mkdir(spoolDir, { recursive: true });
  const storeOnSpoolDisk = config.store.kind === 'duckdb' && statSync(dirname(config.store.path)).dev === statSync(spoolDir).dev;
  const state = new ServerState();
  const selfMetrics = new SelfMetrics();
  // Logs go to stderr, so stdout carries only the start-up line (and what a user asked for).
  const log = pino({ level: config.logLevel }, process.stderr);
  if (config.auth === 'off') {
    log.warn(
      { host: config.host },
      `authentication is off: anyone who can reach ${config.host}:${config.port} can read every trace, prompt and log, and change prices, alert rules and silences`,
    );
  }
  // Before any pattern is compiled or thread started: each thread takes the limits as it starts.
  setRegexLimits(config.regexLimits);
  const shares = serverShares(config.shares, selfMetrics);
  // Checked with kinds whose judge stores nothing: checking a spec never calls its judge.
  const providers = [...config.providers, DEMO_PROVIDER];
  const checkKinds = evaluatorKinds({ providers, judgeBooks: new PriceBooks(null), shares }, () =>
    Promise.reject(new Error('a judge called while its file was checked')),
  );
  return {
    config,
    log,
    state,
    selfMetrics,
    ingestMetrics: createIngestMetrics(selfMetrics),
    metrics: serverMetrics(selfMetrics, {
      quarantineDir,
      dbPath: config.store.kind === 'duckdb' ? config.store.path : null,
      storeHealthy: () => state.store.healthy,
    }),
    shares,
    providers,
    spoolDir,
    quarantineDir,
    storeOnSpoolDisk,
    evaluatorSpecs: config.evaluatorsFile === null ? [] : await loadEvaluatorsFile(config.evaluatorsFile, checkKinds),
    // A bad --sampling file stops the start, naming what is wrong.
    samplingFile: config.samplingFile === null ? null : await readSamplingFile(config.samplingFile),
  };
}
