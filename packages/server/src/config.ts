import { resolve } from 'node:path';
import { DEFAULTS, ENV } from './config-defaults.js';
import { parseBytes, parseDiskReserve, parseDuration, parseRetention } from './config-values.js';
import { type FileConfig, type FileOptions, resolveFiles } from './file-flags.js';
import { SHARES, type ShareLimits, type ShareName, type ShareOptions, parseShareLimits } from './shares.js';
import type { RegexLimits } from './regex.js';
import { type Provider, parseProviders } from './replay/providers.js';
import { type OidcConfig, resolveOidcConfig } from './auth/oidc-config.js';
import { type ForwardDestination, forwardLoopProblem, machineAddresses, parseForwardDestinations, splitForwardList } from './forward/destinations.js';

export { DEFAULTS } from './config-defaults.js';

/** What a user may set, by flag or `SPOOR_*` environment variable. Every field is optional. */
export interface ServeOptions extends ShareOptions, FileOptions {
  /** Interface to bind. Default `127.0.0.1` (loopback only). */
  host?: string;
  /** Port for OTLP, the API and the UI. Default 4318, the OTLP/HTTP port. */
  port?: number | string;
  /** Port for OTLP/gRPC, on the same host; 0 turns it off. Default 4317, the OTLP/gRPC port. */
  grpcPort?: number | string;
  /** Data directory. Default `./.spoor`. */
  data?: string;
  /** `7d`, or per signal: `traces=7d,logs=3d,metrics=30d`. Default 30 days each. */
  retention?: string;
  /** Largest OTLP body after inflating, e.g. `16MiB` or bytes. Default 16 MiB. */
  maxBody?: string;
  /** pino level. Default `info`. */
  logLevel?: string;
  /** How often alert rules are evaluated. Default `15s`. */
  alertInterval?: string;
  /** Default alert rules: whether a new project is given them, `on` or `off`. Default `on`. */
  defaultAlerts?: string;
  /** How long no span of a trace may have ended before the trace is complete (evaluators judge it). Default `30s`. */
  traceQuiet?: string;
  /** How long a trace with a running span may hear nothing (no snapshot, no span ended) before that span is abandoned. Default `10m`. */
  staleAfter?: string;
  /** The address people reach this server at, for links in notifications. Default `http://<host>:<port>`. */
  externalUrl?: string;
  /** More host names requests may be addressed to (comma-separated; `*` for any). Default: none. */
  allowedHosts?: string;
  /**
   * `auto` (default): a key is required once the first one exists, and Spoor binds beyond
   * loopback only then. `required`: a key is required from the start. `off`: no key is ever
   * required, on any address (a warning on every start).
   */
  auth?: string;
  /** A bearer token `/metrics` takes besides a read key of every project. Default: none. */
  metricsToken?: string;
  /** Origins (comma-separated) whose browser pages may send OTLP. Default: none. */
  corsOrigin?: string;
  /** Requests per second each key may make (bursts of twice that); 0 for no limit. Default 100. */
  rateLimit?: number | string;
  /** Series each span-, GenAI- or score-derived family on `/metrics` may expose, buckets included; label sets past them fold into `other`. Default 2000, at least 100. */
  metricsMaxSeries?: number | string;
  /** Characters of a value a user's regular expression reads (masking rules, `regex` evaluators, alert matchers). Default 131072. */
  regexMaxChars?: number | string;
  /** Steps a character a user's regular expression may cost, counted on a probe text when it is made. Default 64. */
  regexMaxCost?: number | string;
  /** LLM providers replays may call: `openai=env:OPENAI_API_KEY[,base=URL][,timeout=60s]`; several separated by `;` in the variable. */
  provider?: string | string[];
  /** `duckdb` (default: one file in the data directory) or `clickhouse` (needs `clickhouseUrl`). */
  store?: string;
  /** `http://USER:PASS@HOST:8123/DB`. Default: none. */
  clickhouseUrl?: string;
  /** Creates the ClickHouse tables `ON CLUSTER` this cluster, replicated behind `Distributed` tables. Default: none (one server). */
  clickhouseCluster?: string;
  /** Largest spool on disk while the store is behind or down, e.g. `10GiB`; past it requests get 503. Default 1 GiB. */
  spoolMax?: string;
  /**
   * Room kept free on the data directory's disk, e.g. `256MiB`, besides as much again as the
   * bodies acknowledged and not yet committed: below it requests get 503, so what was acknowledged
   * always has room to be committed. `0` turns it off. Default `auto`: two spool segments (128 MiB,
   * or a 16th of a disk under 2 GiB).
   */
  diskReserve?: string;
  /**
   * What this server does, comma-separated: `ingest` (OTLP), `query` (the API and the UI),
   * `alerting` (evaluates the rules; one server of those sharing a store). Default: all three.
   */
  role?: string;
  // Single sign-on (auth/oidc-config.ts).
  /** The OpenID Connect provider's issuer URL, e.g. `https://example.okta.com`. Default: none (no single sign-on). */
  oidcIssuer?: string;
  /** The client id registered with the provider. */
  oidcClientId?: string;
  /** Where the client secret is read from: `env:VARIABLE` or `file:PATH`. */
  oidcClientSecret?: string;
  /** Claims to roles: `group:admins=admin@*; email:@example.com=read@default` (auth/oidc-roles.ts). */
  oidcRoles?: string;
  /** Scopes asked for, space- or comma-separated. Default `openid email profile`. */
  oidcScopes?: string;
  /** The claim that holds a person's groups. Default `groups`. */
  oidcGroupsClaim?: string;
  // Forwarding: see forward/destinations.ts.
  /** `NAME=URL[,headers=K:V;…][,signals=…][,filter=…]`, repeatable; several in the variable, each starting `NAME=scheme://` after a `;`. Default: none. */
  forward?: string | string[];
  /** Unsent bytes a destination may fall behind before its oldest are dropped, e.g. `1GiB`. Default 1 GiB. */
  forwardSpoolMax?: string;
  // Live streams' shares (live/hub.ts).
  /** Live streams the server holds at once; past it 503. Default 1,000. */
  liveStreams?: number | string;
  /** Live streams one project may hold; past it 429. Default 250. */
  liveStreamsPerProject?: number | string;
  /** Live streams one key (or signed-in person) may hold; past it 429. Default 100. */
  liveStreamsPerKey?: number | string;
  /** Distinct trace list filters watched live on the server; past it 503. Default 100. */
  liveListFilters?: number | string;
  /** Distinct trace list filters one project may watch live; past it 429. Default 20. */
  liveListFiltersPerProject?: number | string;
}

/** What a server does (`--role`); every one by default. */
export interface ServerRoles {
  ingest: boolean;
  query: boolean;
  alerting: boolean;
}

/** Where the records are kept. */
export type StoreTarget =
  | { kind: 'duckdb'; path: string }
  /** `url` as given: it may hold a password, never log it. */
  | { kind: 'clickhouse'; url: string; cluster: string | null };

/** The resolved configuration: every field set. */
export interface ServeConfig extends FileConfig {
  host: string;
  port: number;
  /** `null`: no OTLP/gRPC (`--grpc-port 0`, or a server without the ingest role); 0: any free port (tests). */
  grpcPort: number | null;
  dataDir: string;
  retention: { tracesMs: number; logsMs: number; metricsMs: number; intervalMs: number };
  maxBodyBytes: number;
  logLevel: string;
  alertIntervalMs: number;
  /** Whether a new project is given the default alert rules (`alerting/default-rules.ts`). */
  defaultAlerts: boolean;
  traceQuietMs: number;
  /** A running span whose trace heard nothing for this long is abandoned (shown so, not as an error). */
  staleAfterMs: number;
  /** `null`: the address the server binds. */
  externalUrl: string | null;
  /** Host names requests may be addressed to besides loopback, the bound address and the external URL's. */
  allowedHosts: string[];
  auth: 'auto' | 'required' | 'off';
  metricsToken: string | null;
  corsOrigins: string[];
  rateLimit: number;
  /** Series each derived family on `/metrics` may expose, buckets included. */
  metricsMaxSeries: number;
  /** `--regex-max-chars` and `--regex-max-cost` (`regex.ts`). */
  regexLimits: RegexLimits;
  /** Providers for `POST /api/replay`, their keys read at start. */
  providers: Provider[];
  store: StoreTarget;
  /** Bytes the spool may hold before requests get 503. */
  spoolMaxBytes: number;
  /** Bytes `--disk-reserve` keeps free (0: off), or `null` for `auto` (from the disk's size). */
  diskReserveBytes: number | null;
  roles: ServerRoles;
  /** The built web UI; unset: `@spoor/web`'s `dist`, `null`: serve no UI. Not a flag: for tests and embedders. */
  webUiDir?: string | null;
  /** Spans a page of `/tree`'s binary stream carries; unset: 50,000. Not a flag: for tests that page small traces. */
  treePageSpans?: number;
  /** Single sign-on through an OpenID Connect provider; unset: none. */
  oidc?: OidcConfig;
  // Forwarding.
  /** Where acknowledged data is forwarded; header values may be secrets. */
  forward: ForwardDestination[];
  /** Unsent bytes per destination before its oldest are dropped. */
  forwardSpoolMaxBytes: number;
  /** Each project's share, and the server's, of what it runs for all (`shares.ts`). */
  shares: Record<ShareName, ShareLimits>;
  /** The live streams' caps (live/hub.ts): the server's, a project's and a key's share. */
  live: LiveLimits;
}

/** What the live streams may hold (`--live-streams` and the flags after it). */
export interface LiveLimits {
  maxStreams: number;
  maxStreamsPerProject: number;
  maxStreamsPerKey: number;
  maxListFilters: number;
  maxListFiltersPerProject: number;
}

/** Resolves flags over environment over defaults. Throws a message that says what to fix. */
export function resolveServeConfig(flags: ServeOptions, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const pick = <K extends keyof ServeOptions>(key: K): string => {
    const flag = flags[key];
    if (flag !== undefined) return Array.isArray(flag) ? flag.join(';') : String(flag);
    // An empty variable counts as unset (as the OpenTelemetry SDK spec has it): `SPOOR_HOST=` must not bind every interface.
    return env[ENV[key]] || String(DEFAULTS[key]);
  };
  const positiveInteger = (key: 'regexMaxChars' | 'regexMaxCost', flag: string): number => {
    const value = Number(pick(key));
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a whole number, 1 or more, not '${pick(key)}' (${flag} or ${ENV[key]})`);
    return value;
  };
  const port = Number(pick('port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`port must be an integer from 0 to 65535, not '${pick('port')}' (--port or ${ENV.port})`);
  }
  const grpcPort = Number(pick('grpcPort'));
  if (!Number.isInteger(grpcPort) || grpcPort < 0 || grpcPort > 65535) {
    throw new Error(`the gRPC port must be an integer from 1 to 65535, or 0 for no OTLP/gRPC, not '${pick('grpcPort')}' (--grpc-port or ${ENV.grpcPort})`);
  }
  const logLevel = pick('logLevel');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new Error(`log level must be one of fatal, error, warn, info, debug, trace, silent (--log-level or ${ENV.logLevel})`);
  }
  const alertIntervalMs = parseDuration(pick('alertInterval'));
  if (alertIntervalMs < 1000)
    throw new Error(`the alert interval must be at least 1s, not '${pick('alertInterval')}' (--alert-interval or ${ENV.alertInterval})`);
  // Default alert rules.
  const defaultAlerts = ({ on: true, '1': true, true: true, off: false, '0': false, false: false } as Record<string, boolean>)[
    pick('defaultAlerts').trim().toLowerCase()
  ];
  if (defaultAlerts === undefined)
    throw new Error(`default alerts are on or off (1 or 0), not '${pick('defaultAlerts')}' (--no-default-alerts or ${ENV.defaultAlerts})`);
  const traceQuietMs = parseDuration(pick('traceQuiet'));
  if (!(traceQuietMs >= 1000))
    throw new Error(`the trace quiet time must be at least 1s, such as 30s, not '${pick('traceQuiet')}' (--trace-quiet or ${ENV.traceQuiet})`);
  const staleAfterMs = parseDuration(pick('staleAfter'));
  if (!(staleAfterMs >= 1000))
    throw new Error(`the stale-after time must be at least 1s, such as 10m, not '${pick('staleAfter')}' (--stale-after or ${ENV.staleAfter})`);
  const externalUrl = pick('externalUrl');
  if (externalUrl !== '' && !/^https?:\/\/[^/]/.test(externalUrl)) {
    throw new Error(`the external URL must be an http(s) URL such as https://spoor.example.com, not '${externalUrl}' (--external-url or ${ENV.externalUrl})`);
  }
  const auth = pick('auth');
  if (auth !== 'auto' && auth !== 'required' && auth !== 'off') throw new Error(`auth must be auto, required or off, not '${auth}' (--auth or ${ENV.auth})`);
  const host = pick('host');
  const rateLimit = Number(pick('rateLimit'));
  if (!Number.isFinite(rateLimit) || rateLimit < 0)
    throw new Error(`the rate limit must be requests per second (0 for none), not '${pick('rateLimit')}' (--rate-limit or ${ENV.rateLimit})`);
  const metricsMaxSeries = Number(pick('metricsMaxSeries'));
  // 100: room for a label set and the folded one in the largest family (34 series each, gen_ai_client_token_usage).
  if (!Number.isInteger(metricsMaxSeries) || metricsMaxSeries < 100)
    throw new Error(
      `the series per /metrics family must be a whole number of at least 100, not '${pick('metricsMaxSeries')}' (--metrics-max-series or ${ENV.metricsMaxSeries})`,
    );
  const corsOrigins = pick('corsOrigin')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/]+$/.test(origin))
      throw new Error(
        `a CORS origin is scheme://host[:port] with no path, such as https://app.example.com, not '${origin}' (--cors-origin or ${ENV.corsOrigin})`,
      );
  }
  const dataDir = resolve(pick('data'));
  const roles = parseRoles(pick('role'));
  // Single sign-on (auth/oidc-config.ts): absent unless an --oidc-* flag is set.
  const oidc = resolveOidcConfig(
    {
      issuer: pick('oidcIssuer'),
      clientId: pick('oidcClientId'),
      clientSecret: pick('oidcClientSecret'),
      roles: pick('oidcRoles'),
      scopes: pick('oidcScopes'),
      groupsClaim: pick('oidcGroupsClaim'),
    },
    externalUrl === '' ? null : externalUrl.replace(/\/+$/, ''),
    auth,
    env,
  );
  // Forwarding: a destination that is this server itself is refused here, and
  // again once the ports are bound (port 0 is known only then).
  const forward = parseForwardDestinations(splitForwardList(pick('forward')), env);
  for (const destination of forward) {
    const problem = forwardLoopProblem(destination, { host, ports: [port, grpcPort].filter((p) => p > 0), interfaces: machineAddresses() });
    if (problem !== null) throw new Error(problem);
  }
  // Live streams' shares (live/hub.ts): each a whole number of at least 1.
  const liveLimit = (
    key: 'liveStreams' | 'liveStreamsPerProject' | 'liveStreamsPerKey' | 'liveListFilters' | 'liveListFiltersPerProject',
    flag: string,
  ): number => {
    const n = Number(pick(key));
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number of at least 1, not '${pick(key)}' (or ${ENV[key]})`);
    return n;
  };
  const live: LiveLimits = {
    maxStreams: liveLimit('liveStreams', '--live-streams'),
    maxStreamsPerProject: liveLimit('liveStreamsPerProject', '--live-streams-per-project'),
    maxStreamsPerKey: liveLimit('liveStreamsPerKey', '--live-streams-per-key'),
    maxListFilters: liveLimit('liveListFilters', '--live-list-filters'),
    maxListFiltersPerProject: liveLimit('liveListFiltersPerProject', '--live-list-filters-per-project'),
  };
  const forwardSpoolMaxBytes = parseBytes(pick('forwardSpoolMax'));
  if (forwardSpoolMaxBytes <= 0) throw new Error(`--forward-spool-max must be more than 0 bytes, such as 1GiB (${ENV.forwardSpoolMax})`);
  return {
    ...(oidc === undefined ? {} : { oidc }),
    // The files features read (`file-flags.ts`): each an absolute path or `null`.
    ...resolveFiles(pick),
    forward,
    forwardSpoolMaxBytes,
    // Each project's share, and the server's (shares.ts): `project=N,server=N`, 0 for no bound.
    shares: Object.fromEntries(
      SHARES.map((share) => [
        share.name,
        parseShareLimits(pick(share.option), parseShareLimits(share.default, { project: 0, server: 0 }, share.flag), `${share.flag} (${share.env})`),
      ]),
    ) as Record<ShareName, ShareLimits>,
    live,
    host,
    port,
    // A server that leaves ingest to others opens no OTLP port of its own.
    grpcPort: grpcPort === 0 || !roles.ingest ? null : grpcPort,
    dataDir,
    store: storeTargetOf(pick('store'), pick('clickhouseUrl'), pick('clickhouseCluster'), dataDir),
    spoolMaxBytes: parseBytes(pick('spoolMax')),
    diskReserveBytes: parseDiskReserve(pick('diskReserve'), `--disk-reserve (${ENV.diskReserve})`),
    roles,
    retention: { ...parseRetention(pick('retention')), intervalMs: 3_600_000 },
    maxBodyBytes: parseBytes(pick('maxBody')),
    logLevel,
    alertIntervalMs,
    defaultAlerts,
    traceQuietMs,
    staleAfterMs,
    externalUrl: externalUrl === '' ? null : externalUrl.replace(/\/+$/, ''),
    allowedHosts: pick('allowedHosts')
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== ''),
    auth,
    metricsToken: pick('metricsToken') === '' ? null : pick('metricsToken'),
    corsOrigins,
    rateLimit,
    metricsMaxSeries,
    regexLimits: { maxChars: positiveInteger('regexMaxChars', '--regex-max-chars'), maxStepsPerChar: positiveInteger('regexMaxCost', '--regex-max-cost') },
    providers: parseProviders(
      pick('provider')
        .split(';')
        .filter((p) => p.trim() !== ''),
      env,
    ),
  };
}

/** `ingest,query`, `all`, ...: the roles named, each at most once. */
function parseRoles(text: string): ServerRoles {
  const roles: ServerRoles = { ingest: false, query: false, alerting: false };
  for (const part of text.split(',').map((r) => r.trim().toLowerCase())) {
    if (part === 'all') Object.assign(roles, { ingest: true, query: true, alerting: true });
    else if (part === 'ingest' || part === 'query' || part === 'alerting') roles[part] = true;
    else throw new Error(`a role is ingest, query, alerting or all, not '${part}' (--role or ${ENV.role})`);
  }
  return roles;
}

/** The store the flags name; says what is missing or wrong. */
function storeTargetOf(kind: string, url: string, cluster: string, dataDir: string): StoreTarget {
  if (kind === 'duckdb') {
    if (url !== '') throw new Error(`--clickhouse-url (${ENV.clickhouseUrl}) is set but the store is duckdb: add --store clickhouse (${ENV.store}=clickhouse)`);
    return { kind: 'duckdb', path: resolve(dataDir, 'spoor.duckdb') };
  }
  if (kind !== 'clickhouse') throw new Error(`the store must be duckdb or clickhouse, not '${kind}' (--store or ${ENV.store})`);
  if (url === '') throw new Error(`--store clickhouse needs --clickhouse-url http://USER:PASS@HOST:8123/DB (or ${ENV.clickhouseUrl})`);
  if (!/^(https?|clickhouse):\/\/[^/]/.test(url))
    throw new Error(`the ClickHouse URL must look like http://USER:PASS@HOST:8123/DB (--clickhouse-url or ${ENV.clickhouseUrl})`);
  return { kind: 'clickhouse', url, cluster: cluster === '' ? null : cluster };
}

/**
 * Refuses to serve beyond loopback while anyone who reaches the port could read and change
 * everything: with `auto` and no key yet. Says how to make the first key.
 */
export function checkBinding(config: Pick<ServeConfig, 'host' | 'auth' | 'dataDir'>, anyKey: boolean): void {
  if (isLoopback(config.host) || config.auth === 'off' || config.auth === 'required' || anyKey) return;
  throw new Error(
    `--host ${config.host} would let anyone who can reach this machine's port read every trace, prompt and log, and change prices and alert rules: ` +
      `this Spoor has no keys yet. Create one first: spoor keys create --data ${config.dataDir} --project default --role admin ` +
      `(then send it as Authorization: Bearer KEY), or pass --auth off (${ENV.auth}=off) to serve ${config.host} without authentication.`,
  );
}

/** Whether an address to bind is this machine's loopback only. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
