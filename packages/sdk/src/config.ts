import type { Attributes } from '@opentelemetry/api';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { validateRedactOptions, type RedactOptions } from '@spoor/model';
import { replayConfigFrom, type ReplayOptions } from './replay/options.js';
import type { ReplayConfig } from './replay/session.js';

/** Where telemetry goes: bring your own exporters, e.g. the OTel SDK's in-memory ones in tests. */
export interface SpoorExporters {
  spans?: SpanExporter;
  logs?: LogRecordExporter;
  metrics?: PushMetricExporter;
}

/** Log levels, lowest first. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Something log lines can be written to, one JSON line per call. */
export interface LogDestination {
  write(line: string): unknown;
}

/** What `init()` accepts. Every field is optional; defaults are listed per field. */
export interface SpoorOptions {
  /** Resource attribute `service.name`. Default: `OTEL_SERVICE_NAME`, else `unknown_service:node`. */
  serviceName?: string;
  /** Resource attribute `service.version`. Default: none. */
  serviceVersion?: string;
  /** Resource attribute `deployment.environment.name`, e.g. `production`. Default: none. */
  environment?: string;
  /** More resource attributes, e.g. `{ 'service.instance.id': 'worker-3' }`. */
  resourceAttributes?: Attributes;
  /** OTLP/HTTP base URL; `/v1/traces`, `/v1/logs` and `/v1/metrics` are appended. Default: `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://127.0.0.1:4318`. */
  endpoint?: string;
  /** Headers sent with every export, e.g. `{ authorization: 'Bearer …' }`. Default: none. */
  headers?: Record<string, string>;
  /** A Spoor ingest key, sent as `Authorization: Bearer KEY` (a `headers` authorization wins). Default: `SPOOR_API_KEY`, else none. */
  apiKey?: string;
  /** Share of traces kept, 0 to 1, decided once per trace. Default: `SPOOR_SAMPLE_RATE`, else 1. */
  sampleRate?: number;
  /** Sample by this key instead of the trace id: `'correlation.id'`, or the name of a span attribute or baggage entry such as `'user.id'`. The same key always gets the same decision. */
  sampleBy?: string;
  /** PII masking. Default: on, every detector, mode `mask`. `false` turns it off. */
  redact?: boolean | RedactOptions;
  /** `false` turns the SDK into no-ops. `SPOOR_ENABLED=false` or `OTEL_SDK_DISABLED=true` do the same and win over this. Default: true. */
  enabled?: boolean;
  /** `'otlp'` (default) sends to `endpoint`; `'console'` prints spans readably; `'none'` records but sends nothing; or your own exporters. */
  exporter?: 'otlp' | 'console' | 'none' | SpoorExporters;
  /** Lowest level the logger writes. Default: `SPOOR_LOG_LEVEL`, else `info`. */
  logLevel?: LogLevel;
  /** `json` lines, `pretty` one-line text, or `auto`: pretty on a terminal, JSON otherwise. Default: `auto`. */
  logFormat?: 'auto' | 'json' | 'pretty';
  /** Where log lines go. Default: standard output. */
  logDestination?: LogDestination;
  /** How often metrics are pushed, in ms. Default: 15000. */
  metricsIntervalMs?: number;
  /** Called when an export fails; the default prints one line to stderr at most once a minute per signal. */
  onExportError?: (error: Error, signal: 'spans' | 'logs' | 'metrics') => void;
  /**
   * Replay a recorded run: the instrumented LLM clients and the `traced` functions with
   * `captureArgs` answer from that trace's recorded calls instead of calling out. Default:
   * `SPOOR_REPLAY_TRACE` (a trace id), else no replay.
   */
  replay?: ReplayOptions;
  /**
   * Live mode: besides each ended span, send running snapshots of open spans (the same OTLP span
   * with `endTimeUnixNano` 0 and its attributes and events so far) about a second after they start,
   * then again every `liveIntervalMs` while they change (and at least every 30 s), so a long agent
   * run shows on the server while it runs and a crash leaves its last snapshot. Masked and sampled
   * as ended spans are. Needs a sending exporter (`'otlp'` or your own); `'console'` and `'none'`
   * send no snapshot. Default: `SPOOR_LIVE` (`1`/`true` on, `0`/`false` off), else off.
   */
  live?: boolean;
  /** How often open spans are looked at for a new snapshot in live mode, in ms; at least 1000. Default: 5000. */
  liveIntervalMs?: number;
}

/** The resolved form of {@link SpoorOptions}: every field decided. */
export interface SpoorConfig {
  enabled: boolean;
  serviceName: string;
  serviceVersion: string | undefined;
  environment: string | undefined;
  resourceAttributes: Attributes;
  endpoint: string;
  headers: Record<string, string>;
  sampleRate: number;
  sampleBy: string | undefined;
  redact: RedactOptions | false;
  exporter: 'otlp' | 'console' | 'none' | SpoorExporters;
  logLevel: LogLevel;
  logFormat: 'json' | 'pretty';
  logDestination: LogDestination | undefined;
  metricsIntervalMs: number;
  onExportError: ((error: Error, signal: 'spans' | 'logs' | 'metrics') => void) | undefined;
  replay: ReplayConfig | undefined;
  live: boolean;
  liveIntervalMs: number;
}

/** Thrown by `init()` for a configuration mistake; the message says how to fix it. */
export class SpoorConfigError extends Error {
  override name = 'SpoorConfigError';
}

const OPTION_NAMES: ReadonlySet<string> = new Set([
  'serviceName',
  'serviceVersion',
  'environment',
  'resourceAttributes',
  'endpoint',
  'headers',
  'apiKey',
  'sampleRate',
  'sampleBy',
  'redact',
  'enabled',
  'exporter',
  'logLevel',
  'logFormat',
  'logDestination',
  'metricsIntervalMs',
  'onExportError',
  'replay',
  'live',
  'liveIntervalMs',
]);
const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const DEFAULT_ENDPOINT = 'http://127.0.0.1:4318';
const DEFAULT_LIVE_INTERVAL_MS = 5000;
/** Below a second a snapshot would go out about as often as the batch processor exports ended spans anyway. */
const MIN_LIVE_INTERVAL_MS = 1000;

type Env = Readonly<Record<string, string | undefined>>;

/** Options and environment to a config; throws {@link SpoorConfigError} on the first mistake. Pure: pass the environment. */
export function resolveConfig(options: SpoorOptions = {}, env: Env = {}, isTerminal = false): SpoorConfig {
  if (typeof options !== 'object' || options === null) fail(`options must be an object, e.g. init({ serviceName: 'my-agent' })`);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) fail(`unknown option '${key}'. Known options: ${[...OPTION_NAMES].join(', ')}`);
  }
  const enabled = optionalBoolean(options.enabled, 'enabled') ?? true;
  const sampleRate = options.sampleRate ?? rateFromEnv(env.SPOOR_SAMPLE_RATE);
  if (typeof sampleRate !== 'number' || !(sampleRate >= 0 && sampleRate <= 1)) {
    fail(`sampleRate must be a number from 0 to 1 (got ${String(sampleRate)}); 0.1 keeps one trace in ten`);
  }
  const endpoint = (options.endpoint ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/.test(endpoint)) fail(`endpoint must be an http(s) URL such as ${DEFAULT_ENDPOINT} (got '${endpoint}')`);
  const logLevel = options.logLevel ?? (env.SPOOR_LOG_LEVEL as LogLevel | undefined) ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) fail(`logLevel must be one of ${LOG_LEVELS.join(', ')} (got '${String(logLevel)}')`);
  const logFormat = options.logFormat ?? 'auto';
  if (!['auto', 'json', 'pretty'].includes(logFormat)) fail(`logFormat must be 'auto', 'json' or 'pretty' (got '${String(logFormat)}')`);
  const metricsIntervalMs = options.metricsIntervalMs ?? 15_000;
  if (!Number.isInteger(metricsIntervalMs) || metricsIntervalMs < 100)
    fail(`metricsIntervalMs must be a whole number of milliseconds, at least 100 (got ${String(metricsIntervalMs)})`);
  const live = optionalBoolean(options.live, 'live') ?? liveFromEnv(env.SPOOR_LIVE);
  const liveIntervalMs = options.liveIntervalMs ?? DEFAULT_LIVE_INTERVAL_MS;
  if (!Number.isInteger(liveIntervalMs) || liveIntervalMs < MIN_LIVE_INTERVAL_MS) {
    fail(`liveIntervalMs must be a whole number of milliseconds, at least ${MIN_LIVE_INTERVAL_MS} (got ${String(liveIntervalMs)})`);
  }
  const on = enabled && !disabledByEnv(env);
  const headers = withKey(headersFrom(options.headers), optionalText(options.apiKey, 'apiKey') ?? (env.SPOOR_API_KEY || undefined));
  const replay = replayConfigFrom(options.replay, env.SPOOR_REPLAY_TRACE, { endpoint, headers }, fail);
  if (replay !== undefined && !on) {
    fail(
      'replay needs the SDK on: a disabled SDK (enabled: false, SPOOR_ENABLED=false or OTEL_SDK_DISABLED=true) would send every call out instead of replaying it',
    );
  }
  return {
    enabled: on,
    serviceName: optionalText(options.serviceName, 'serviceName') ?? env.OTEL_SERVICE_NAME ?? 'unknown_service:node',
    serviceVersion: optionalText(options.serviceVersion, 'serviceVersion'),
    environment: optionalText(options.environment, 'environment'),
    resourceAttributes: options.resourceAttributes ?? {},
    endpoint,
    headers,
    sampleRate,
    sampleBy: optionalText(options.sampleBy, 'sampleBy'),
    redact: redactFrom(options.redact),
    exporter: exporterFrom(options.exporter),
    logLevel,
    logFormat: logFormat === 'auto' ? (isTerminal ? 'pretty' : 'json') : logFormat,
    logDestination: destinationFrom(options.logDestination),
    metricsIntervalMs,
    onExportError: functionFrom(options.onExportError, 'onExportError'),
    replay,
    live,
    liveIntervalMs,
  };
}

function liveFromEnv(raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  return fail(`SPOOR_LIVE must be 1 or 0 (true or false) (got '${raw}')`);
}

function disabledByEnv(env: Env): boolean {
  return /^(false|0|no|off)$/i.test(env.SPOOR_ENABLED ?? '') || /^true$/i.test(env.OTEL_SDK_DISABLED ?? '');
}

function rateFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const rate = Number(raw);
  if (!(rate >= 0 && rate <= 1)) fail(`SPOOR_SAMPLE_RATE must be a number from 0 to 1 (got '${raw}')`);
  return rate;
}

/** The headers with the key as a bearer token, unless they carry an authorization of their own. */
function withKey(headers: Record<string, string>, apiKey: string | undefined): Record<string, string> {
  if (apiKey === undefined || Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) return headers;
  return { ...headers, authorization: `Bearer ${apiKey}` };
}

function headersFrom(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (typeof headers !== 'object' || headers === null) fail(`headers must be an object of strings, e.g. { authorization: 'Bearer …' }`);
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') fail(`headers['${name}'] must be a string (got ${typeof value})`);
  }
  return { ...(headers as Record<string, string>) };
}

function redactFrom(redact: unknown): RedactOptions | false {
  if (redact === undefined || redact === true) return {};
  if (redact === false) return false;
  try {
    validateRedactOptions(redact);
  } catch (error) {
    fail(`redact: ${(error as Error).message}`);
  }
  return redact as RedactOptions;
}

function exporterFrom(exporter: unknown): SpoorConfig['exporter'] {
  if (exporter === undefined) return 'otlp';
  if (exporter === 'otlp' || exporter === 'console' || exporter === 'none') return exporter;
  if (typeof exporter === 'object' && exporter !== null) {
    for (const [signal, value] of Object.entries(exporter)) {
      if (!['spans', 'logs', 'metrics'].includes(signal)) fail(`exporter.${signal} is not a signal; use spans, logs or metrics`);
      if (typeof (value as { export?: unknown })?.export !== 'function') fail(`exporter.${signal} must be an exporter with an export() method`);
    }
    return exporter as SpoorExporters;
  }
  return fail(`exporter must be 'otlp', 'console', 'none' or { spans, logs, metrics } exporters (got ${JSON.stringify(exporter)})`);
}

function destinationFrom(destination: unknown): LogDestination | undefined {
  if (destination === undefined) return undefined;
  if (typeof (destination as LogDestination)?.write !== 'function') fail('logDestination must have a write(line) method, like a stream');
  return destination as LogDestination;
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') fail(`${name} must be a non-empty string (got ${JSON.stringify(value)})`);
  return value;
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  return fail(`${name} must be true or false (got ${JSON.stringify(value)})`);
}

function functionFrom<F>(value: unknown, name: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') fail(`${name} must be a function`);
  return value as F;
}

function fail(message: string): never {
  throw new SpoorConfigError(`spoor init(): ${message}`);
}
