import type { ModelPrice } from './prices.js';
import type { LogRecord } from './log.js';
import type { MetricDescriptor, MetricPoint } from './metric.js';
import type { ScoreFilter } from './score.js';
import type { TraceSummary } from './trace.js';
import type { SamplingCount } from './sampling.js';

/** The id of the project every record belongs to until API keys exist. */
export const DEFAULT_PROJECT_ID = 'default';

/** `GET /api/session`: who is signed in, and the projects the dashboard may show. */
export interface SessionInfo {
  /** Whether the server requires a key now. */
  authRequired: boolean;
  signedIn: boolean;
  /** The key's id; for a person signed in by single sign-on, `user:` and their address (what the audit log and their scores name). */
  keyId: string | null;
  /** The role on the project shown. */
  role: 'ingest' | 'read' | 'admin';
  /** The project the dashboard shows. */
  projectId: string;
  /** The projects the key (or the person) covers: the project switcher's choices. */
  projects: string[];
  /** Signed in by single sign-on: who, as their provider says. `null` for a key, or when no one is signed in. */
  user: SessionUserInfo | null;
  /** The single sign-on the sign-in page offers, or `null` when none is configured. */
  singleSignOn: SingleSignOnInfo | null;
}

/** A person signed in by single sign-on. */
export interface SessionUserInfo {
  /** The provider's id of them (`sub`). */
  subject: string;
  email: string | null;
  name: string | null;
}

/** The OpenID Connect provider a person may sign in through (`GET /auth/login`). */
export interface SingleSignOnInfo {
  /** "Okta", "Google", "Microsoft", "Keycloak", "Dex", else the issuer's host. */
  provider: string;
  /** Whether the provider answered when last asked; when not, signing in tries it again. */
  reachable: boolean;
}

/** A time range in epoch microseconds; either end may be open. */
export interface TimeRange {
  fromUs: number | null;
  toUs: number | null;
}

/** An `attribute key = value` filter; matches span or resource attributes, compared as text. */
export interface AttributeFilter {
  key: string;
  value: string;
}

/**
 * The service name of the traces Spoor records itself: an LLM judge's calls, an experiment's runs
 * and replays. Reserved: the server refuses spans of this service from clients, so a trace of it
 * is Spoor's own, whoever could send spans to the project.
 */
export const SPOOR_SERVICE_NAME = 'spoor-replay';

/**
 * Whose traces a production view reads (`origin=`): `app` (the default of the API's lists,
 * statistics and charts) the app's alone, `spoor` Spoor's own (`SPOOR_SERVICE_NAME`: judges,
 * experiments, replays; their cost is Spoor's own cost), `all` both.
 */
export const TRACE_ORIGINS = ['app', 'spoor', 'all'] as const;
export type TraceOrigin = (typeof TRACE_ORIGINS)[number];

/** What `GET /api/traces` filters on, resolved and validated. */
export interface TraceQuery {
  projectId: string;
  /** Trace start time range. */
  range: TimeRange;
  /** A span of the trace belongs to this service. */
  service: string | null;
  /** A span of the trace has exactly this name. */
  spanName: string | null;
  /** A span of the trace has a name containing this text (case-insensitive). */
  text: string | null;
  /** `error`: the trace has an error span; `ok`: it has none. */
  status: 'ok' | 'error' | null;
  minDurationMs: number | null;
  maxDurationMs: number | null;
  /** A span of the trace carries every one of these attributes. */
  attributes: AttributeFilter[];
  /** A span of the trace belongs to this session (`session.id` or `gen_ai.conversation.id`). */
  sessionId: string | null;
  /** A span of the trace called this model (request or response model). */
  model: string | null;
  /** The trace's scores meet every one of these (`score=NAME<0.7`, `score=thumbs=down`). */
  scores: ScoreFilter[];
  /** Whose traces (`TRACE_ORIGINS`); absent: all, as every read inside the server asks. */
  origin?: TraceOrigin;
  /** The list's order (default `start`: newest first); see `TRACE_SORTS`. */
  sort?: TraceSort;
  limit: number;
  cursor: string | null;
}

/**
 * The trace list's orders, each greatest first, ties to the greater trace id: `start` (newest),
 * `duration` (slowest), `cost` (costliest; a trace without a cost last) and `tokens` (input and
 * output tokens together).
 */
export const TRACE_SORTS = ['start', 'duration', 'cost', 'tokens'] as const;
export type TraceSort = (typeof TRACE_SORTS)[number];

/** What the sort keys are read from: a trace summary's times, tokens and cost. */
interface SortedTrace {
  startTimeUs: number;
  endTimeUs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

/**
 * A trace's place in `sort`, as a whole number so a cursor holds it exactly: microseconds, tokens,
 * or the cost in nano-dollars rounded (-1 for a trace without one). The stores sort by the same.
 */
export function traceSortKey(sort: TraceSort, trace: SortedTrace): number {
  switch (sort) {
    case 'start':
      return trace.startTimeUs;
    case 'duration':
      return trace.endTimeUs - trace.startTimeUs;
    case 'cost':
      return trace.costUsd === null ? -1 : Math.round(trace.costUsd * 1e9);
    case 'tokens':
      return (trace.inputTokens ?? 0) + (trace.outputTokens ?? 0);
  }
}

/** What `GET /api/logs` filters on. */
export interface LogQuery {
  projectId: string;
  range: TimeRange;
  /** Minimum OTLP severity number. */
  minSeverity: number | null;
  service: string | null;
  traceId: string | null;
  /** Text the body contains (case-insensitive). */
  text: string | null;
  limit: number;
  cursor: string | null;
}

/** What `GET /api/metrics/points` filters on. */
export interface MetricPointQuery {
  projectId: string;
  range: TimeRange;
  name: string;
  service: string | null;
  limit: number;
  cursor: string | null;
}

export interface TraceListResponse {
  traces: TraceSummary[];
  nextCursor: string | null;
  /** On a first page (no cursor) of a project whose tail sampling dropped some trace of the range: how many of the matching traces were kept whole. */
  sampling?: SamplingCount;
}

export interface LogListResponse {
  logs: LogRecord[];
  nextCursor: string | null;
}

/** A service that sent spans, logs or metric points in the range. */
export interface ServiceSummary {
  name: string;
  spanCount: number;
  errorCount: number;
  logCount: number;
  metricPointCount: number;
  /** ISO-8601 with microseconds: its newest span start, log or metric point. */
  lastSeen: string;
}

export interface ServiceListResponse {
  services: ServiceSummary[];
}

export interface MetricListResponse {
  metrics: MetricDescriptor[];
}

export interface MetricPointListResponse {
  points: MetricPoint[];
  nextCursor: string | null;
}

/** Every API error has this body, with a fitting 4xx or 5xx status. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** A price in force, and where it came from. */
export interface EffectiveModelPrice extends ModelPrice {
  /** `default`: Spoor's table; `file`: the `--prices` file; `api`: set with `PUT /api/prices/:model`. */
  origin: 'default' | 'file' | 'api';
}

/** `GET /api/prices`: every price in force, one entry per model (aliases inside). */
export interface PriceListResponse {
  /** The newest `asOf` date of the tables in force. */
  asOf: string;
  models: EffectiveModelPrice[];
}

/** A model seen on LLM spans with tokens but no price: its spans have `costUsd: null`. */
export interface UnpricedModel {
  model: string;
  provider: string | null;
  spanCount: number;
  inputTokens: number;
  outputTokens: number;
  /** ISO-8601 start of its newest span. */
  lastSeen: string;
}

/** `GET /api/prices/unpriced`. */
export interface UnpricedModelListResponse {
  models: UnpricedModel[];
}

/** `POST /api/prices/reprice`: how many LLM spans got a new cost, and in how many traces. */
export interface RepriceResponse {
  spans: number;
  traces: number;
}
