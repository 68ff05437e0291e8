import type { ReplayDivergence } from './errors.js';
import type { ReplayConfig } from './session.js';

/** What `init({ replay })` accepts: which recorded run to replay, and how strictly. */
export interface ReplayOptions {
  /** The recorded trace, 32 hex digits as the trace view shows it. Default: `SPOOR_REPLAY_TRACE`. */
  traceId: string;
  /** The Spoor server to read the trace from. Default: `init()`'s `endpoint` (Spoor serves OTLP and its API on one port). */
  endpoint?: string;
  /** A read key of the trace's project, sent as `Authorization: Bearer KEY`. Default: `init()`'s `apiKey` or authorization header. */
  apiKey?: string;
  /** Make a call that does not match its recording live (and record it) instead of failing it with a `ReplayDivergence`. Default: false. */
  passthrough?: boolean;
  /** Called with every divergence, before the call fails or (with `passthrough`) goes live. */
  onDivergence?: (divergence: ReplayDivergence) => void;
}

const REPLAY_OPTION_NAMES: ReadonlySet<string> = new Set(['traceId', 'endpoint', 'apiKey', 'passthrough', 'onDivergence']);
const TRACE_ID = /^[0-9a-f]{32}$/i;

/**
 * The `replay` option (or `SPOOR_REPLAY_TRACE`) to a config, or undefined when there is no replay.
 * `fail` throws the caller's configuration error with the message.
 */
export function replayConfigFrom(
  replay: unknown,
  envTraceId: string | undefined,
  defaults: { endpoint: string; headers: Record<string, string> },
  fail: (message: string) => never,
): ReplayConfig | undefined {
  if (replay === undefined && (envTraceId === undefined || envTraceId === '')) return undefined;
  const options = (replay ?? { traceId: envTraceId }) as Partial<ReplayOptions>;
  if (typeof options !== 'object' || options === null) fail(`replay must be an object, e.g. replay: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }`);
  for (const key of Object.keys(options)) {
    if (!REPLAY_OPTION_NAMES.has(key)) fail(`unknown replay option '${key}'. Known replay options: ${[...REPLAY_OPTION_NAMES].join(', ')}`);
  }
  const traceId = options.traceId;
  if (typeof traceId !== 'string' || !TRACE_ID.test(traceId)) {
    fail(`replay.traceId must be a trace id of 32 hex digits, as the trace view and GET /api/traces show it (got ${JSON.stringify(traceId)})`);
  }
  const { endpoint, headers } = apiTargetFrom(options.endpoint, options.apiKey, defaults);
  if (typeof endpoint !== 'string' || !/^https?:\/\/[^/\s]+/.test(endpoint))
    fail(`replay.endpoint must be the http(s) URL of a Spoor server (got '${String(endpoint)}')`);
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey === ''))
    fail("replay.apiKey must be a non-empty string: a read key of the recorded trace's project");
  if (options.passthrough !== undefined && typeof options.passthrough !== 'boolean')
    fail(`replay.passthrough must be true or false (got ${JSON.stringify(options.passthrough)})`);
  if (options.onDivergence !== undefined && typeof options.onDivergence !== 'function') fail('replay.onDivergence must be a function');
  return {
    traceId: traceId.toLowerCase(),
    endpoint,
    headers,
    passthrough: options.passthrough ?? false,
    onDivergence: options.onDivergence,
  };
}

/**
 * Where a helper that reads or writes through the Spoor API (`replay`, `runExperiment`,
 * `assertNoRegression`) sends: its own `endpoint`, else `init()`'s, without trailing slashes; its
 * own `apiKey` as a bearer token, else the authorization of `init()`'s export headers only.
 */
export function apiTargetFrom(
  endpoint: string | undefined,
  apiKey: string | undefined,
  defaults: { endpoint: string; headers: Record<string, string> },
): { endpoint: string; headers: Record<string, string> } {
  return {
    endpoint: (endpoint ?? defaults.endpoint).replace(/\/+$/, ''),
    headers: apiKey === undefined ? authorizationOf(defaults.headers) : { authorization: `Bearer ${apiKey}` },
  };
}

/** Only the authorization of the export headers: the others are for the OTLP receiver. */
function authorizationOf(headers: Record<string, string>): Record<string, string> {
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization');
  return entry === undefined ? {} : { authorization: entry[1] };
}
