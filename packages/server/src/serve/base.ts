import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Logger, pino } from 'pino';
import type { ServeConfig } from '../config.js';
import type { Provider } from '../replay/providers.js';
import { DEMO_PROVIDER } from '../replay/replayer.js';
import { setRegexLimits } from '../regex.js';
import { SelfMetrics, createIngestMetrics } from '../self-metrics.js';
import { serverShares } from '../shares.js';
import { ServerState } from '../parts/server-state.js';
import { type ServerMetrics, serverMetrics } from './server-metrics.js';

/** What every part of the server is given: the config, the log, the shared state and metrics. */
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
}

/** Makes what every part shares; the files a part reads before anything starts are its own `check`'s. */
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
  const providers = [...config.providers, DEMO_PROVIDER];
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
  };
}
