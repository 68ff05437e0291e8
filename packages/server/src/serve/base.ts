import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Logger, pino } from 'pino';
import type { ServeConfig } from '../config.js';
import type { MaskFile } from '../ingest/masking.js';
import type { PriceTable } from '@spoor/model';
import { PriceBooks } from '../pricing/price-books.js';
import type { Provider } from '../replay/providers.js';
import { DEMO_PROVIDER } from '../replay/replayer.js';
import { setRegexLimits } from '../regex.js';
import { SelfMetrics, createIngestMetrics } from '../self-metrics.js';
import { serverShares } from '../shares.js';
import { readMaskFile, readPriceTable, serverIdOf } from './files.js';
import { ServerState } from '../parts/server-state.js';
import { type ServerMetrics, serverMetrics } from './server-metrics.js';

/** Where a judge's own call goes as a trace: into ingest, as a replay's does. */
export type JudgeIngest = (projectId: string, body: Uint8Array) => Promise<void>;

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
  /** The judges' books, kept current as the decode thread's are, so a judge's call is priced as its span is. */
  judgeBooks: PriceBooks;
  spoolDir: string;
  quarantineDir: string;
  /** A DuckDB file on the spool's disk: when it lacks room, so does the spool. */
  storeOnSpoolDisk: boolean;
  prices: PriceTable | null;
  maskFile: MaskFile | null;
  serverId: string;
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
  const prices = config.pricesFile === null ? null : await readPriceTable(config.pricesFile);
  const maskFile = config.maskFile === null ? null : await readMaskFile(config.maskFile);
  const judgeBooks = new PriceBooks(prices);
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
    judgeBooks,
    spoolDir,
    quarantineDir,
    storeOnSpoolDisk,
    prices,
    maskFile,
    serverId: await serverIdOf(config.dataDir),
  };
}
