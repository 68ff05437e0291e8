import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBytes, parseDuration, parseRetention } from './config-values.js';
import { DEFAULTS, checkBinding, isLoopback, resolveServeConfig } from './config.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['45s', 45 * SECOND],
    ['90m', 90 * MINUTE],
    ['12h', 12 * HOUR],
    ['7d', 7 * DAY],
    ['2w', 14 * DAY],
    ['1.5h', 90 * MINUTE],
    [' 30d ', 30 * DAY],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '7', 'd', '7x', '7 d', '-1d', '7D', '1e3s', 'seven days'])('rejects %j with a message that shows how to write one', (text) => {
    expect(() => parseDuration(text)).toThrow(`'${text}' is not a duration; write a number and a unit`);
  });
});

describe('parseBytes', () => {
  it.each([
    ['0', 0],
    ['1024', 1024],
    ['10b', 10],
    ['10kb', 10_000],
    ['512KiB', 512 * 1024],
    ['10MB', 10_000_000],
    ['16MiB', 16 * 1024 * 1024],
    ['16mib', 16 * 1024 * 1024],
    ['2 GiB', 2 * 1024 ** 3],
    ['1GB', 1e9],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each(['', 'MiB', '1.5MiB', '-1', '16 MiBs', '16TiB', 'lots'])('rejects %j with a message that names the units', (text) => {
    expect(() => parseBytes(text)).toThrow(`'${text}' is not a size; write bytes or a number with KiB, MiB or GiB`);
  });
});

describe('parseRetention', () => {
  it.each([
    ['7d', { tracesMs: 7 * DAY, logsMs: 7 * DAY, metricsMs: 7 * DAY }],
    ['12h', { tracesMs: 12 * HOUR, logsMs: 12 * HOUR, metricsMs: 12 * HOUR }],
    ['traces=7d,logs=3d,metrics=90d', { tracesMs: 7 * DAY, logsMs: 3 * DAY, metricsMs: 90 * DAY }],
    ['logs=3d', { tracesMs: 30 * DAY, logsMs: 3 * DAY, metricsMs: 30 * DAY }],
    [' traces = 1w , metrics = 2d ', { tracesMs: 7 * DAY, logsMs: 30 * DAY, metricsMs: 2 * DAY }],
  ])('reads %j', (text, expected) => {
    expect(parseRetention(text)).toEqual(expected);
  });

  it.each([
    ['7x', "'7x' is not a duration"],
    ['spans=7d', "retention names unknown signal 'spans'; use traces, logs or metrics"],
    ['traces=7d,', "retention names unknown signal ''"],
    ['traces=', "'' is not a duration"],
    ['logs=3days', "'3days' is not a duration"],
  ])('rejects %j: %s', (text, message) => {
    expect(() => parseRetention(text)).toThrow(message);
  });
});

describe('resolveServeConfig', () => {
  const DEFAULT_SHARES = {
    experiments: { project: 4, server: 16 },
    providerCalls: { project: 32, server: 64 },
    exports: { project: 2, server: 4 },
    scoreWrites: { project: 64, server: 256 },
  };
  /** The live streams' shares when no flag or variable names them. */
  const LIVE_DEFAULTS = { maxStreams: 1000, maxStreamsPerProject: 250, maxStreamsPerKey: 100, maxListFilters: 100, maxListFiltersPerProject: 20 };

  it("takes the live streams' shares from flags over variables, and refuses one under 1 naming its flag", () => {
    const env = {
      SPOOR_LIVE_STREAMS: '500',
      SPOOR_LIVE_STREAMS_PER_PROJECT: '50',
      SPOOR_LIVE_STREAMS_PER_KEY: '5',
      SPOOR_LIVE_LIST_FILTERS: '40',
      SPOOR_LIVE_LIST_FILTERS_PER_PROJECT: '4',
    };
    expect(resolveServeConfig({}, env).live).toEqual({
      maxStreams: 500,
      maxStreamsPerProject: 50,
      maxStreamsPerKey: 5,
      maxListFilters: 40,
      maxListFiltersPerProject: 4,
    });
    expect(
      resolveServeConfig({ liveStreams: 9, liveStreamsPerProject: '8', liveStreamsPerKey: '7', liveListFilters: '6', liveListFiltersPerProject: '5' }, env)
        .live,
    ).toEqual({
      maxStreams: 9,
      maxStreamsPerProject: 8,
      maxStreamsPerKey: 7,
      maxListFilters: 6,
      maxListFiltersPerProject: 5,
    });
    expect(() => resolveServeConfig({ liveStreamsPerKey: '0' }, {})).toThrow(
      "--live-streams-per-key must be a whole number of at least 1, not '0' (or SPOOR_LIVE_STREAMS_PER_KEY)",
    );
    expect(() => resolveServeConfig({}, { SPOOR_LIVE_LIST_FILTERS_PER_PROJECT: '2.5' })).toThrow(/--live-list-filters-per-project must be a whole number/);
  });

  it('uses loopback, port 4318, ./.spoor, 30 days, 16 MiB and info when nothing is set', () => {
    expect(resolveServeConfig({}, {})).toEqual({
      host: '127.0.0.1',
      port: 4318,
      grpcPort: 4317,
      dataDir: resolve('.spoor'),
      retention: { tracesMs: 30 * DAY, logsMs: 30 * DAY, metricsMs: 30 * DAY, intervalMs: HOUR },
      maxBodyBytes: 16 * 1024 * 1024,
      logLevel: 'info',
      pricesFile: null,
      alertsFile: null,
      alertIntervalMs: 15_000,
      defaultAlerts: true,
      evaluatorsFile: null,
      traceQuietMs: 30_000,
      staleAfterMs: 600_000,
      externalUrl: null,
      allowedHosts: [],
      auth: 'auto',
      metricsToken: null,
      corsOrigins: [],
      rateLimit: 100,
      live: LIVE_DEFAULTS,
      metricsMaxSeries: 2000,
      providers: [],
      maskFile: null,
      regexLimits: { maxChars: 131_072, maxStepsPerChar: 64 },
      samplingFile: null,
      store: { kind: 'duckdb', path: resolve('.spoor', 'spoor.duckdb') },
      spoolMaxBytes: 1024 ** 3,
      diskReserveBytes: null,
      roles: { ingest: true, query: true, alerting: true },
      forward: [],
      forwardSpoolMaxBytes: 1024 ** 3,
      shares: DEFAULT_SHARES,
    });
    expect(DEFAULTS.host).toBe('127.0.0.1');
  });

  it('takes --disk-reserve as a size, 0 or auto, and names the flag of a value that is none', () => {
    expect(resolveServeConfig({ diskReserve: '256MiB' }, {}).diskReserveBytes).toBe(256 * 1024 ** 2);
    expect(resolveServeConfig({ diskReserve: 'AUTO' }, {}).diskReserveBytes).toBeNull();
    expect(resolveServeConfig({}, { SPOOR_DISK_RESERVE: '0' }).diskReserveBytes).toBe(0);
    expect(() => resolveServeConfig({ diskReserve: 'lots' }, {})).toThrow(/--disk-reserve \(SPOOR_DISK_RESERVE\): 'lots' is not a size/);
  });

  it('takes the ClickHouse store, the spool limit and the roles from flags or variables, and says what is missing', () => {
    const url = 'http://spoor:secret@ch:8123/spoor';
    expect(
      resolveServeConfig({ store: 'clickhouse', clickhouseUrl: url, clickhouseCluster: 'three', spoolMax: '10GiB', role: 'ingest, query' }, {}),
    ).toMatchObject({
      store: { kind: 'clickhouse', url, cluster: 'three' },
      spoolMaxBytes: 10 * 1024 ** 3,
      roles: { ingest: true, query: true, alerting: false },
    });
    expect(resolveServeConfig({}, { SPOOR_STORE: 'clickhouse', SPOOR_CLICKHOUSE_URL: url, SPOOR_ROLE: 'alerting' })).toMatchObject({
      store: { kind: 'clickhouse', url, cluster: null },
      roles: { ingest: false, query: false, alerting: true },
    });
    expect(resolveServeConfig({ role: 'all' }, {}).roles).toEqual({ ingest: true, query: true, alerting: true });
    expect(() => resolveServeConfig({ store: 'clickhouse' }, {})).toThrow(/--store clickhouse needs --clickhouse-url http:\/\/USER:PASS@HOST:8123\/DB/);
    expect(() => resolveServeConfig({ clickhouseUrl: url }, {})).toThrow(/add --store clickhouse/);
    expect(() => resolveServeConfig({ store: 'postgres' }, {})).toThrow(/duckdb or clickhouse, not 'postgres'/);
    expect(() => resolveServeConfig({ store: 'clickhouse', clickhouseUrl: 'ch:8123' }, {})).toThrow(/must look like http:\/\/USER:PASS@HOST:8123\/DB/);
    expect(() => resolveServeConfig({ role: 'ingest,writer' }, {})).toThrow(/a role is ingest, query, alerting or all, not 'writer'/);
  });

  const env = {
    SPOOR_HOST: '0.0.0.0',
    SPOOR_PORT: '9000',
    SPOOR_GRPC_PORT: '9317',
    SPOOR_DATA: '/var/lib/spoor-env',
    SPOOR_RETENTION: '3d',
    SPOOR_MAX_BODY: '1MiB',
    SPOOR_LOG_LEVEL: 'debug',
    SPOOR_PRICES: '/etc/spoor/prices.json',
    SPOOR_ALERTS: '/etc/spoor/alerts.yaml',
    SPOOR_ALERT_INTERVAL: '30s',
    SPOOR_DEFAULT_ALERTS: '0',
    SPOOR_EVALUATORS: '/etc/spoor/evaluators.yaml',
    SPOOR_TRACE_QUIET: '45s',
    SPOOR_STALE_AFTER: '2m',
    SPOOR_EXTERNAL_URL: 'https://spoor.example.com/',
    SPOOR_ALLOWED_HOSTS: 'spoor.internal, 10.0.0.5',
    SPOOR_AUTH: 'off',
    SPOOR_METRICS_TOKEN: 'scrape-token',
    SPOOR_CORS_ORIGIN: 'https://app.example.com, http://localhost:5173',
    SPOOR_RATE_LIMIT: '20',
    SPOOR_METRICS_MAX_SERIES: '5000',
    SPOOR_STORE: 'clickhouse',
    SPOOR_CLICKHOUSE_URL: 'http://spoor:env@ch-env:8123/spoor',
    SPOOR_CLICKHOUSE_CLUSTER: 'env-cluster',
    SPOOR_SPOOL_MAX: '2GiB',
    SPOOR_DISK_RESERVE: '0',
    SPOOR_ROLE: 'query',
    SPOOR_FORWARD: 'jaeger=http://jaeger:4318',
    SPOOR_FORWARD_SPOOL_MAX: '2GiB',
    SPOOR_SAMPLING_FILE: '/etc/spoor/sampling.json',
    SPOOR_EXPORTS_MAX: 'project=1',
    SPOOR_REGEX_MAX_CHARS: '65536',
    SPOOR_REGEX_MAX_COST: '32',
  };
  /** A destination as `--forward NAME=http://NAME:4318` resolves. */
  const destination = (name: string) => ({
    name,
    baseUrl: `http://${name}:4318`,
    urls: { traces: `http://${name}:4318/v1/traces`, logs: `http://${name}:4318/v1/logs`, metrics: `http://${name}:4318/v1/metrics` },
    headers: [],
    signals: ['traces', 'logs', 'metrics'],
    filters: [],
  });

  it('takes every setting from SPOOR_* variables over the defaults', () => {
    expect(resolveServeConfig({}, env)).toEqual({
      host: '0.0.0.0',
      port: 9000,
      // SPOOR_ROLE=query: no ingest here, so no OTLP/gRPC port either.
      grpcPort: null,
      dataDir: '/var/lib/spoor-env',
      retention: { tracesMs: 3 * DAY, logsMs: 3 * DAY, metricsMs: 3 * DAY, intervalMs: HOUR },
      maxBodyBytes: 1024 * 1024,
      logLevel: 'debug',
      pricesFile: '/etc/spoor/prices.json',
      alertsFile: '/etc/spoor/alerts.yaml',
      alertIntervalMs: 30_000,
      defaultAlerts: false,
      evaluatorsFile: '/etc/spoor/evaluators.yaml',
      traceQuietMs: 45_000,
      staleAfterMs: 120_000,
      externalUrl: 'https://spoor.example.com',
      allowedHosts: ['spoor.internal', '10.0.0.5'],
      auth: 'off',
      metricsToken: 'scrape-token',
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      rateLimit: 20,
      live: LIVE_DEFAULTS,
      metricsMaxSeries: 5000,
      providers: [],
      maskFile: null,
      regexLimits: { maxChars: 65_536, maxStepsPerChar: 32 },
      samplingFile: '/etc/spoor/sampling.json',
      store: { kind: 'clickhouse', url: 'http://spoor:env@ch-env:8123/spoor', cluster: 'env-cluster' },
      spoolMaxBytes: 2 * 1024 ** 3,
      diskReserveBytes: 0,
      roles: { ingest: false, query: true, alerting: false },
      forward: [destination('jaeger')],
      forwardSpoolMaxBytes: 2 * 1024 ** 3,
      shares: { ...DEFAULT_SHARES, exports: { project: 1, server: 4 } },
    });
  });

  it('lets every flag beat its variable', () => {
    const flags = {
      host: '::1',
      port: '0',
      grpcPort: '4417',
      data: '/srv/flag',
      retention: 'traces=1d',
      maxBody: '2048',
      logLevel: 'warn',
      prices: '/srv/prices.json',
      alerts: '/srv/alerts.yaml',
      alertInterval: '1m',
      defaultAlerts: 'on',
      evaluators: '/srv/evaluators.yaml',
      traceQuiet: '1m',
      staleAfter: '5s',
      externalUrl: 'http://10.0.0.5:4318',
      allowedHosts: 'flag.example',
      auth: 'auto',
      metricsToken: 'flag-token',
      corsOrigin: 'https://flag.example',
      rateLimit: '0',
      metricsMaxSeries: '300',
      store: 'duckdb',
      clickhouseUrl: '',
      spoolMax: '5MiB',
      diskReserve: '1GiB',
      role: 'ingest',
      forward: 'tempo=http://tempo:4318',
      forwardSpoolMax: '64MiB',
      sampling: '/srv/sampling.json',
      exportsMax: 'server=0',
      regexMaxChars: '1000000',
      regexMaxCost: 128,
    };
    expect(resolveServeConfig(flags, env)).toEqual({
      host: '::1',
      port: 0,
      grpcPort: 4417,
      dataDir: '/srv/flag',
      retention: { tracesMs: DAY, logsMs: 30 * DAY, metricsMs: 30 * DAY, intervalMs: HOUR },
      maxBodyBytes: 2048,
      logLevel: 'warn',
      pricesFile: '/srv/prices.json',
      alertsFile: '/srv/alerts.yaml',
      alertIntervalMs: 60_000,
      defaultAlerts: true,
      evaluatorsFile: '/srv/evaluators.yaml',
      traceQuietMs: 60_000,
      staleAfterMs: 5_000,
      externalUrl: 'http://10.0.0.5:4318',
      allowedHosts: ['flag.example'],
      auth: 'auto',
      metricsToken: 'flag-token',
      corsOrigins: ['https://flag.example'],
      rateLimit: 0,
      live: LIVE_DEFAULTS,
      metricsMaxSeries: 300,
      providers: [],
      maskFile: null,
      regexLimits: { maxChars: 1_000_000, maxStepsPerChar: 128 },
      samplingFile: '/srv/sampling.json',
      store: { kind: 'duckdb', path: '/srv/flag/spoor.duckdb' },
      spoolMaxBytes: 5 * 1024 ** 2,
      diskReserveBytes: 1024 ** 3,
      roles: { ingest: true, query: false, alerting: false },
      forward: [destination('tempo')],
      forwardSpoolMaxBytes: 64 * 1024 ** 2,
      shares: { ...DEFAULT_SHARES, exports: { project: 2, server: 0 } },
    });
  });

  it('refuses a regex limit that is not a whole number, 1 or more, naming the flag and the variable', () => {
    expect(() => resolveServeConfig({ regexMaxChars: '0' }, {})).toThrow(
      "--regex-max-chars must be a whole number, 1 or more, not '0' (--regex-max-chars or SPOOR_REGEX_MAX_CHARS)",
    );
    expect(() => resolveServeConfig({}, { SPOOR_REGEX_MAX_COST: '1.5' })).toThrow(
      "--regex-max-cost must be a whole number, 1 or more, not '1.5' (--regex-max-cost or SPOOR_REGEX_MAX_COST)",
    );
  });

  it('opens OTLP/gRPC on 4317, another port, or none (0, or a server without the ingest role)', () => {
    expect(resolveServeConfig({}, { SPOOR_GRPC_PORT: '5317' }).grpcPort).toBe(5317);
    expect(resolveServeConfig({ grpcPort: 6317 }, { SPOOR_GRPC_PORT: '5317' }).grpcPort).toBe(6317);
    expect(resolveServeConfig({ grpcPort: '0' }, {}).grpcPort).toBeNull();
    expect(resolveServeConfig({}, { SPOOR_GRPC_PORT: '0' }).grpcPort).toBeNull();
    expect(resolveServeConfig({ role: 'query,alerting' }, {}).grpcPort).toBeNull();
    expect(() => resolveServeConfig({ grpcPort: 'grpc' }, {})).toThrow(
      "the gRPC port must be an integer from 1 to 65535, or 0 for no OTLP/gRPC, not 'grpc' (--grpc-port or SPOOR_GRPC_PORT)",
    );
    expect(() => resolveServeConfig({}, { SPOOR_GRPC_PORT: '70000' })).toThrow(/not '70000' \(--grpc-port or SPOOR_GRPC_PORT\)/);
  });

  it('reads replay providers, their keys from the environment, and says what is wrong with one', () => {
    const env = { OPENAI_API_KEY: 'sk-one', ANTHROPIC_KEY: 'ak-two' };
    expect(
      resolveServeConfig({ provider: ['openai=env:OPENAI_API_KEY,base=http://127.0.0.1:9/v1,timeout=5s', 'anthropic=env:ANTHROPIC_KEY'] }, env).providers,
    ).toEqual([
      { name: 'openai', apiKey: 'sk-one', baseUrl: 'http://127.0.0.1:9/v1', timeoutMs: 5000 },
      { name: 'anthropic', apiKey: 'ak-two', baseUrl: null, timeoutMs: 60_000 },
    ]);
    expect(resolveServeConfig({}, { ...env, SPOOR_PROVIDER: 'openai=env:OPENAI_API_KEY;anthropic=env:ANTHROPIC_KEY' }).providers.map((p) => p.name)).toEqual([
      'openai',
      'anthropic',
    ]);
    expect(() => resolveServeConfig({ provider: 'openai=sk-literal' }, env)).toThrow(/write NAME=env:VARIABLE or NAME=file:PATH/);
    expect(() => resolveServeConfig({ provider: 'openai=env:MISSING' }, env)).toThrow(/the variable MISSING is not set/);
    expect(() => resolveServeConfig({ provider: 'gemini=env:OPENAI_API_KEY' }, env)).toThrow(/replay speaks openai and anthropic/);
    expect(() => resolveServeConfig({ provider: 'demo=env:OPENAI_API_KEY' }, env)).toThrow(
      '--provider demo: the demo provider is built in and needs no key; leave it out',
    );
    expect(() => resolveServeConfig({ provider: 'openai=env:OPENAI_API_KEY,retries=3' }, env)).toThrow(/'retries' is not an option/);
  });

  it('refuses to bind beyond loopback without keys unless authentication is turned off on purpose, and says how', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'spoor.example.com']) {
      const config = resolveServeConfig({ host, data: '/srv/spoor' }, {});
      expect(() => checkBinding(config, false), host).toThrow(
        /read every trace.*spoor keys create --data \/srv\/spoor --project default --role admin.*--auth off \(SPOOR_AUTH=off\)/,
      );
      expect(() => checkBinding(config, true), host).not.toThrow();
      expect(() => checkBinding({ ...config, auth: 'off' }, false), host).not.toThrow();
      expect(() => checkBinding({ ...config, auth: 'required' }, false), host).not.toThrow();
    }
    for (const host of ['127.0.0.1', '127.8.0.1', 'localhost', '::1', '[::1]']) {
      expect(isLoopback(host), host).toBe(true);
      expect(() => checkBinding(resolveServeConfig({ host }, {}), false)).not.toThrow();
    }
    expect(() => resolveServeConfig({ auth: 'none' }, {})).toThrow(/auth must be auto, required or off, not 'none' \(--auth or SPOOR_AUTH\)/);
    expect(() => resolveServeConfig({ corsOrigin: 'https://a.example/path' }, {})).toThrow(/CORS origin is scheme:\/\/host\[:port\] with no path/);
    expect(() => resolveServeConfig({ rateLimit: '-1' }, {})).toThrow(/rate limit must be requests per second/);
    expect(() => resolveServeConfig({ scoreWritesMax: '64' }, {})).toThrow(/--score-writes-max \(SPOOR_SCORE_WRITES_MAX\) takes project=N,server=N/);
    expect(() => resolveServeConfig({ metricsMaxSeries: '99' }, {})).toThrow(/--metrics-max-series or SPOOR_METRICS_MAX_SERIES/);
  });

  it('refuses an alert interval under a second and an external URL that is not http(s)', () => {
    expect(() => resolveServeConfig({ alertInterval: '500ms' }, {})).toThrow(
      /alert interval must be at least 1s, not '500ms' \(--alert-interval or SPOOR_ALERT_INTERVAL\)/,
    );
    expect(() => resolveServeConfig({ alertInterval: 'often' }, {})).toThrow(/'often' is not a duration/);
    expect(() => resolveServeConfig({ staleAfter: '500ms' }, {})).toThrow(
      /stale-after time must be at least 1s, such as 10m, not '500ms' \(--stale-after or SPOOR_STALE_AFTER\)/,
    );
    expect(() => resolveServeConfig({ traceQuiet: '10ms' }, {})).toThrow(
      /trace quiet time must be at least 1s, such as 30s, not '10ms' \(--trace-quiet or SPOOR_TRACE_QUIET\)/,
    );
    expect(() => resolveServeConfig({ externalUrl: 'spoor.example.com' }, {})).toThrow(/external URL must be an http\(s\) URL/);
  });

  it('turns the default alert rules off with --no-default-alerts or SPOOR_DEFAULT_ALERTS=0, and refuses other words', () => {
    expect(resolveServeConfig({ defaultAlerts: 'off' }, {}).defaultAlerts).toBe(false);
    expect(resolveServeConfig({}, { SPOOR_DEFAULT_ALERTS: 'false' }).defaultAlerts).toBe(false);
    expect(resolveServeConfig({}, { SPOOR_DEFAULT_ALERTS: 'ON' }).defaultAlerts).toBe(true);
    expect(() => resolveServeConfig({}, { SPOOR_DEFAULT_ALERTS: 'maybe' })).toThrow(
      /default alerts are on or off \(1 or 0\), not 'maybe' \(--no-default-alerts or SPOOR_DEFAULT_ALERTS\)/,
    );
  });

  it('accepts the port as a number as well as a string', () => {
    expect(resolveServeConfig({ port: 8080 }, {}).port).toBe(8080);
  });

  it('resolves a relative data directory against the working directory', () => {
    expect(resolveServeConfig({ data: 'rel/dir' }, {}).dataDir).toBe(resolve('rel/dir'));
  });

  it('treats an empty SPOOR_* variable as unset, so SPOOR_HOST= still binds loopback only', () => {
    const empty = { SPOOR_HOST: '', SPOOR_PORT: '', SPOOR_DATA: '', SPOOR_RETENTION: '', SPOOR_MAX_BODY: '', SPOOR_LOG_LEVEL: '' };
    expect(resolveServeConfig({}, empty)).toEqual(resolveServeConfig({}, {}));
  });

  it.each([
    [{ port: 'abc' }, {}, "port must be an integer from 0 to 65535, not 'abc' (--port or SPOOR_PORT)"],
    [{ port: '65536' }, {}, "not '65536'"],
    [{ port: '-1' }, {}, "not '-1'"],
    [{ port: '80.5' }, {}, "not '80.5'"],
    [{}, { SPOOR_PORT: 'http' }, "not 'http' (--port or SPOOR_PORT)"],
    [{ logLevel: 'verbose' }, {}, 'log level must be one of fatal, error, warn, info, debug, trace, silent (--log-level or SPOOR_LOG_LEVEL)'],
    [{}, { SPOOR_LOG_LEVEL: 'loud' }, 'log level must be one of'],
    [{ retention: '7x' }, {}, "'7x' is not a duration"],
    [{}, { SPOOR_RETENTION: 'forever' }, "'forever' is not a duration"],
    [{ maxBody: 'huge' }, {}, "'huge' is not a size"],
  ])('rejects flags %j with env %j: %s', (flags, envVars, message) => {
    expect(() => resolveServeConfig(flags, envVars)).toThrow(message);
  });

  it('reads process.env when no environment is passed', () => {
    const saved = process.env.SPOOR_LOG_LEVEL;
    process.env.SPOOR_LOG_LEVEL = 'trace';
    try {
      expect(resolveServeConfig({}).logLevel).toBe('trace');
    } finally {
      if (saved === undefined) delete process.env.SPOOR_LOG_LEVEL;
      else process.env.SPOOR_LOG_LEVEL = saved;
    }
  });
});
