#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { resolveServeConfig } from '../config.js';
import { exportCommandLine } from '../export/command.js';
import { FILE_FLAGS } from '../file-flags.js';
import { SHARES } from '../shares.js';
import type { DeclaredCommand } from './command.js';

// Each command's module is loaded when that command runs: the server's alone took 1.5-2 s to
// load, which `spoor --help`, a mistyped flag and every other command paid before doing anything.

/** The commands their features declare in their own folders (`cli/command.ts`): one line each. */
const COMMANDS: readonly DeclaredCommand[] = [exportCommandLine];

const USAGE = `Usage:
  spoor serve [--host H] [--port P] [--grpc-port 4317] [--data DIR] [--retention 30d] [--max-body 16MiB] [--log-level info]
              [--alert-interval 15s] [--no-default-alerts] [--trace-quiet 30s] [--stale-after 10m] [--external-url URL] [--allowed-hosts H1,H2]
              [--auth auto|required|off] [--metrics-token TOKEN] [--cors-origin URL1,URL2] [--rate-limit 100] [--metrics-max-series 2000]
              [--provider openai=env:OPENAI_API_KEY[,base=URL][,timeout=60s]]… [--regex-max-chars 131072] [--regex-max-cost 64]
              [--store duckdb|clickhouse] [--clickhouse-url http://USER:PASS@HOST:8123/DB] [--clickhouse-cluster NAME]
              [--spool-max 1GiB] [--disk-reserve auto] [--role ingest,query,alerting]
              [--oidc-issuer URL --oidc-client-id ID --oidc-client-secret env:VAR|file:PATH --oidc-roles RULES [--oidc-scopes "openid email profile"] [--oidc-groups-claim groups]]
              [--forward NAME=URL[,headers=K:V;K2:env:VAR][,signals=traces,logs,metrics][,filter=service=NAME]]… [--forward-spool-max 1GiB]
              ${FILE_FLAGS.map((file) => `[${file.flag} ${file.example}]`).join(' ')}
              ${SHARES.map((share) => `[${share.flag} ${share.default}]`).join(' ')}
              [--live-streams 1000] [--live-streams-per-project 250] [--live-streams-per-key 100] [--live-list-filters 100] [--live-list-filters-per-project 20]
  spoor demo [--endpoint http://127.0.0.1:4318] [--runs 24] [--key KEY] [--live [--live-minutes 3]]   runs over four days, evaluators, a dataset, experiments, an alert
  spoor keys create --project NAME --role ingest|read|admin [--name TEXT] [--data DIR | --url URL | --clickhouse-url URL]   prints the key once
  spoor keys list [--data DIR | --url URL | --clickhouse-url URL]
  spoor keys revoke ID… [--data DIR | --url URL | --clickhouse-url URL]
  spoor migrate --from DATA_DIR --to clickhouse://USER:PASS@HOST:8123/DB [--cluster NAME]   copy an embedded store into ClickHouse (resumable)
  spoor datasets import NAME FILE [--format jsonl|csv] [--url URL]   add a file's items to a dataset (made when missing), all or none
  spoor datasets export NAME [--version N] [--format jsonl|csv] [--url URL]   write a dataset version's items to standard output
  spoor experiments compare A B [--fail-on-regression] [--metric NAME] [--tolerance X] [--url URL]   B against the baseline A; exits 1 on a regression
${COMMANDS.map((declared) => declared.usage).join('\n')}
  spoor mcp [--url http://127.0.0.1:4318 | --data DIR] [--project P]   MCP tools for agents on stdio: a running Spoor's (SPOOR_API_KEY), or a stopped one's data, read-only
  spoor spool quarantine [--url http://127.0.0.1:4318]          list the requests the store kept refusing
  spoor spool replay-quarantine [ID…] [--url http://127.0.0.1:4318]   hand them (or those named) back to ingest

Flags beat SPOOR_HOST, SPOOR_PORT, SPOOR_GRPC_PORT (0: no OTLP/gRPC), SPOOR_DATA, SPOOR_RETENTION, SPOOR_MAX_BODY, SPOOR_LOG_LEVEL,
SPOOR_ALERT_INTERVAL, SPOOR_DEFAULT_ALERTS (0: --no-default-alerts), SPOOR_EXTERNAL_URL, SPOOR_ALLOWED_HOSTS, SPOOR_AUTH,
SPOOR_METRICS_TOKEN, SPOOR_CORS_ORIGIN, SPOOR_RATE_LIMIT, SPOOR_METRICS_MAX_SERIES, SPOOR_PROVIDER (';'-separated), SPOOR_STORE,
SPOOR_CLICKHOUSE_URL, SPOOR_CLICKHOUSE_CLUSTER, SPOOR_SPOOL_MAX, SPOOR_ROLE, SPOOR_FORWARD (';'-separated), SPOOR_FORWARD_SPOOL_MAX,
SPOOR_LIVE_STREAMS, SPOOR_LIVE_STREAMS_PER_PROJECT, SPOOR_LIVE_STREAMS_PER_KEY, SPOOR_LIVE_LIST_FILTERS, SPOOR_LIVE_LIST_FILTERS_PER_PROJECT,
${FILE_FLAGS.map((file) => file.env).join(', ')},
${SHARES.map((share) => share.env).join(', ')}, SPOOR_REGEX_MAX_CHARS, SPOOR_REGEX_MAX_COST
and SPOOR_OIDC_ISSUER, SPOOR_OIDC_CLIENT_ID, SPOOR_OIDC_CLIENT_SECRET, SPOOR_OIDC_ROLES, SPOOR_OIDC_SCOPES, SPOOR_OIDC_GROUPS_CLAIM,
which beat the defaults. Commands that talk to a server (spool, keys and export with --url, datasets, experiments, demo, mcp) send
SPOOR_API_KEY as its key.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const known =
    command === 'serve' ||
    command === 'demo' ||
    command === 'spool' ||
    command === 'keys' ||
    command === 'migrate' ||
    command === 'datasets' ||
    command === 'experiments' ||
    command === 'mcp' ||
    COMMANDS.some((declared) => declared.name === command);
  if (known && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'serve') return serve(rest);
  if (command === 'demo') return demo(rest);
  if (command === 'spool') return (await import('./spool.js')).spoolCommand(rest, (text) => process.stdout.write(text));
  if (command === 'migrate') {
    const { migrateCommand } = await import('./migrate.js');
    // Ctrl-C stops between two chunks: what was committed stays, and the next run goes on from there.
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    return migrateCommand(rest, {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      tty: process.stderr.isTTY === true,
      signal: stop.signal,
    });
  }
  if (command === 'datasets') return (await import('./datasets.js')).datasetsCommand(rest, (text) => process.stdout.write(text));
  if (command === 'experiments') return (await import('./experiments.js')).experimentsCommand(rest, (text) => process.stdout.write(text));
  if (command === 'mcp') return (await import('./mcp.js')).mcpCommand(rest, (text) => process.stderr.write(text));
  const declared = COMMANDS.find((candidate) => candidate.name === command);
  if (declared !== undefined) return declared.run(rest, { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) });
  if (command === 'keys')
    return (await import('./keys.js')).keysCommand(
      rest,
      (text) => process.stdout.write(text),
      (text) => process.stderr.write(text),
    );
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 1 : 0;
  }
  process.stderr.write(`spoor: unknown command '${command}'\n\n${USAGE}\n`);
  return 1;
}

/** Each share's flag (`shares.ts`), as `parseArgs` reads it: `exports-max`. */
const SHARE_FLAGS = Object.fromEntries(SHARES.map((share) => [share.flag.slice(2), { type: 'string' as const }]));
/** Each file's flag (`file-flags.ts`), as `parseArgs` reads it: `prices`. */
const FILE_OPTIONS = Object.fromEntries(FILE_FLAGS.map((file) => [file.flag.slice(2), { type: 'string' as const }]));

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'grpc-port': { type: 'string' },
      data: { type: 'string' },
      retention: { type: 'string' },
      'alert-interval': { type: 'string' },
      // Default alert rules.
      'no-default-alerts': { type: 'boolean' },
      'trace-quiet': { type: 'string' },
      'stale-after': { type: 'string' },
      'external-url': { type: 'string' },
      'allowed-hosts': { type: 'string' },
      auth: { type: 'string' },
      'metrics-token': { type: 'string' },
      'cors-origin': { type: 'string' },
      'rate-limit': { type: 'string' },
      'metrics-max-series': { type: 'string' },
      provider: { type: 'string', multiple: true },
      'regex-max-chars': { type: 'string' },
      'regex-max-cost': { type: 'string' },
      'max-body': { type: 'string' },
      'log-level': { type: 'string' },
      store: { type: 'string' },
      'clickhouse-url': { type: 'string' },
      'clickhouse-cluster': { type: 'string' },
      'spool-max': { type: 'string' },
      'disk-reserve': { type: 'string' },
      role: { type: 'string' },
      // Single sign-on (auth/oidc-config.ts).
      'oidc-issuer': { type: 'string' },
      'oidc-client-id': { type: 'string' },
      'oidc-client-secret': { type: 'string' },
      'oidc-roles': { type: 'string' },
      'oidc-scopes': { type: 'string' },
      'oidc-groups-claim': { type: 'string' },
      forward: { type: 'string', multiple: true },
      'forward-spool-max': { type: 'string' },
      ...SHARE_FLAGS,
      ...FILE_OPTIONS,
      // Live streams' shares (live/hub.ts).
      'live-streams': { type: 'string' },
      'live-streams-per-project': { type: 'string' },
      'live-streams-per-key': { type: 'string' },
      'live-list-filters': { type: 'string' },
      'live-list-filters-per-project': { type: 'string' },
    },
    strict: true,
  });
  const config = resolveServeConfig({
    store: values.store,
    clickhouseUrl: values['clickhouse-url'],
    clickhouseCluster: values['clickhouse-cluster'],
    spoolMax: values['spool-max'],
    diskReserve: values['disk-reserve'],
    role: values.role,
    forward: values.forward,
    forwardSpoolMax: values['forward-spool-max'],
    ...Object.fromEntries(SHARES.map((share) => [share.option, (values as Record<string, string | undefined>)[share.flag.slice(2)]])),
    ...Object.fromEntries(FILE_FLAGS.map((file) => [file.option, (values as Record<string, string | undefined>)[file.flag.slice(2)]])),
    // Live streams' shares (live/hub.ts).
    liveStreams: values['live-streams'],
    liveStreamsPerProject: values['live-streams-per-project'],
    liveStreamsPerKey: values['live-streams-per-key'],
    liveListFilters: values['live-list-filters'],
    liveListFiltersPerProject: values['live-list-filters-per-project'],
    host: values.host,
    port: values.port,
    grpcPort: values['grpc-port'],
    data: values.data,
    retention: values.retention,
    alertInterval: values['alert-interval'],
    defaultAlerts: values['no-default-alerts'] === true ? 'off' : undefined,
    traceQuiet: values['trace-quiet'],
    staleAfter: values['stale-after'],
    externalUrl: values['external-url'],
    allowedHosts: values['allowed-hosts'],
    auth: values.auth,
    metricsToken: values['metrics-token'],
    corsOrigin: values['cors-origin'],
    rateLimit: values['rate-limit'],
    metricsMaxSeries: values['metrics-max-series'],
    provider: values.provider,
    regexMaxChars: values['regex-max-chars'],
    regexMaxCost: values['regex-max-cost'],
    maxBody: values['max-body'],
    logLevel: values['log-level'],
    // Single sign-on (auth/oidc-config.ts).
    oidcIssuer: values['oidc-issuer'],
    oidcClientId: values['oidc-client-id'],
    oidcClientSecret: values['oidc-client-secret'],
    oidcRoles: values['oidc-roles'],
    oidcScopes: values['oidc-scopes'],
    oidcGroupsClaim: values['oidc-groups-claim'],
  });
  // Loaded once the flags are known to be good: a bad one is refused without loading the server.
  const { startServer } = await import('../serve/server.js');
  const server = await startServer(config);
  const storeText = config.store.kind === 'duckdb' ? `data: ${config.dataDir}` : `store: ClickHouse, spool: ${config.dataDir}`;

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`spoor: ${signal} again, exiting without waiting\n`);
        process.exit(1);
      }
      stopping = true;
      process.stdout.write(`Spoor is stopping (${signal}): finishing acknowledged writes\n`);
      server.close().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`spoor: shutdown failed: ${(error as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    void server.failed.then((error) => {
      process.stderr.write(`spoor: ${error.message}; stopping (acknowledged data is replayed from the spool on the next start)\n`);
      void server.close().finally(() => resolve(1));
    });
    // Said once signals are handled: a supervisor that signals as soon as it reads the line gets a clean stop.
    process.stdout.write(`Spoor is listening on ${server.url} (${storeText})\n`);
    // A line of its own: scripts read the first line's URL and data directory as they were.
    if (server.grpcUrl !== null) process.stdout.write(`Spoor takes OTLP/gRPC on ${server.grpcUrl}\n`);
  });
}

async function demo(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { endpoint: { type: 'string' }, runs: { type: 'string' }, key: { type: 'string' }, live: { type: 'boolean' }, 'live-minutes': { type: 'string' } },
    strict: true,
  });
  const endpoint = (values.endpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318').replace(/\/+$/, '');
  const [{ DEFAULT_DEMO_RUNS, MAX_DEMO_RUNS, runEverything }, { DEFAULT_LIVE_MINUTES }] = await Promise.all([import('./demo.js'), import('./demo-live.js')]);
  const runs = values.runs === undefined ? DEFAULT_DEMO_RUNS : demoRuns(values.runs, MAX_DEMO_RUNS);
  const minutes = values['live-minutes'] === undefined ? DEFAULT_LIVE_MINUTES : demoRuns(values['live-minutes'], 60, '--live-minutes');
  const liveMinutes = values.live === true || values['live-minutes'] !== undefined ? minutes : undefined;
  // The key goes where the exporters and the API calls read it.
  if (values.key !== undefined) process.env.SPOOR_API_KEY = values.key;
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  const started = performance.now();
  const made = await runEverything({ endpoint, runs, liveMinutes, signal: stop.signal, say: (line) => process.stdout.write(`  ${line}\n`) });
  const [a, b] = made.seeded.experiments;
  process.stdout.write(
    `Sent the demo to ${endpoint} in ${((performance.now() - started) / 1000).toFixed(1)} s; the newest run:\n  open:  ${endpoint}/traces/${made.traceId}\n` +
      `  trace: ${endpoint}/api/traces/${made.traceId}\n  list:  ${endpoint}/api/traces\n  big trace: ${endpoint}/traces/${made.bigTraceId}\n` +
      `  experiments: ${endpoint}/experiments/${a}/compare/${b}\n`,
  );
  return 0;
}

function demoRuns(value: string, max: number, flag = '--runs'): number {
  const runs = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(runs >= 1 && runs <= max)) throw new Error(`${flag} must be a whole number from 1 to ${max}, not '${value}'`);
  return runs;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`spoor: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
