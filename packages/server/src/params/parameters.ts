import {
  microsFromIso,
  SEVERITY_NUMBERS,
  type AttributeFilter,
  type ScoreFilter,
  type SpanGroupBy,
  SPAN_GROUP_COLUMNS,
  type SpanGroupColumn,
  type TimeRange,
  SPOOR_SERVICE_NAME,
  TRACE_ORIGINS,
  type TraceOrigin,
  type TraceQuery,
} from '@spoor/model';
import { type SchemaOptions, type Static, type TLiteral, type TObject, type TUnion, Type } from '@sinclair/typebox';
import { parseDurationUs } from '../duration.js';
import { AppError } from '../errors.js';

/**
 * The kinds of parameter the REST API takes, each declared once as a schema (its shape, which
 * the validator checks and the OpenAPI document shows) with one converter where the shape alone
 * does not make a value: a time, a duration, an `attr` filter, a hex id, a severity, a group-by.
 * Routes compose their query schemas from these and never check a parameter by hand.
 */

/**
 * Latest time accepted: the start of the year 10000, in epoch microseconds. Also the bound of
 * every duration, so that no time or duration a query computes leaves a 64-bit integer.
 */
export const MAX_TIME_US = 253_402_300_800_000_000;
const MAX_MS = MAX_TIME_US / 1000;

export function invalid(name: string, message: string): AppError {
  return new AppError('ERR_INVALID_PARAMETER', `'${name}' ${message}`);
}

/** One of the names given: a union of literals, whose type is the union of the names. */
export function oneOf<const T extends string>(values: readonly T[], options: SchemaOptions = {}): TUnion<Array<TLiteral<T>>> {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  ) as TUnion<Array<TLiteral<T>>>;
}

/** The query of an API route that declares none (`app.ts`): any parameter given is refused by name. */
export const NO_QUERY = Type.Object({}, { additionalProperties: false });

/** Text that must not be empty. */
export const text = (description: string) => Type.String({ minLength: 1, description });

export interface LimitSpec {
  fallback: number;
  max: number;
}

/** What a list (traces, logs, sessions, error groups, history, audit) answers at once: 50 unless asked, at most 1000. */
export const LIST_LIMIT: LimitSpec = { fallback: 50, max: 1000 };

/** `limit`: how many items one answer holds at most. */
export const limit = ({ fallback, max }: LimitSpec) =>
  Type.Optional(Type.Integer({ minimum: 1, maximum: max, default: fallback, description: `the most items in one answer (default ${fallback})` }));

/** An opaque cursor: the `nextCursor` of the answer before. The query layer decodes it (`query/cursor.ts`). */
export const cursor = () =>
  Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{1,1000}$',
      description: 'where to go on: the nextCursor of the answer before',
      'x-must-be': 'a cursor this server gave (its nextCursor)',
    }),
  );

/** The cursor of a list without a unique sort key (alert history, audit): the offset the answer before gave, in decimal. */
export const offsetCursor = () =>
  Type.Optional(Type.String({ pattern: '^\\d{1,15}$', description: 'the nextCursor of the answer before', 'x-must-be': 'a cursor this endpoint gave' }));

// Times: ISO-8601 or epoch milliseconds.

/** An ISO-8601 date, with or without its time, or up to 16 digits of epoch milliseconds. `Date.parse`'s extras (`-1`, `May 3`) are not times. */
const TIME_PATTERN = '^(?:\\d{1,16}|\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?)$';
const TIME_MUST_BE = 'an ISO-8601 time or epoch milliseconds between 1970 and 9999';

export const time = (description: string) => Type.String({ pattern: TIME_PATTERN, description, 'x-must-be': TIME_MUST_BE });

/** `from` and `to`. */
export const TIME_RANGE = {
  from: Type.Optional(time('start of the range: ISO-8601 or epoch milliseconds')),
  to: Type.Optional(time('end of the range: ISO-8601 or epoch milliseconds')),
};

/** A time of the declared shape as epoch microseconds; the range is checked here (a date may say month 13). */
export function timeUs(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  const us = /^\d+$/.test(value) ? Number(value) * 1000 : microsFromIso(value);
  if (us === null || !(us >= 0 && us < MAX_TIME_US)) throw invalid(name, `must be ${TIME_MUST_BE}, not '${value}'`);
  return us;
}

/** The query of a route that takes a range and nothing else. */
export const RANGE_QUERY = Type.Object(TIME_RANGE, { additionalProperties: false });

export function timeRange(q: { from?: string; to?: string }): TimeRange {
  const fromUs = timeUs(q.from, 'from');
  const toUs = timeUs(q.to, 'to');
  if (fromUs !== null && toUs !== null && fromUs > toUs) throw invalid('from', "must not be after 'to'");
  return { fromUs, toUs };
}

/** A range with both ends: `to` defaults to now, `from` to `defaultSpanUs` before `to`. */
export function closedRange(q: { from?: string; to?: string }, nowUs: number, defaultSpanUs: number): { fromUs: number; toUs: number } {
  const range = timeRange(q);
  const toUs = range.toUs ?? Math.max(nowUs, (range.fromUs ?? 0) + 1);
  return { fromUs: range.fromUs ?? toUs - defaultSpanUs, toUs };
}

// Durations: `500ms`, `30s`, `5m`, `1h`, `1d`, or milliseconds.

const DURATION_MUST_BE = 'a duration from 1ms to 8,000 years like 500ms, 30s, 5m, 1h, 1d (or milliseconds)';

export const duration = (description: string) =>
  Type.Optional(Type.String({ pattern: '^\\s*\\d{1,20}(?:\\.\\d{1,20})?(?:ms|s|m|h|d|w)?\\s*$', description, 'x-must-be': DURATION_MUST_BE }));

/** A duration of the declared shape in microseconds, checked against its bounds. */
export function durationUs(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  const us = parseDurationUs(value, { bareMs: true }) ?? Number.NaN;
  if (!(us >= 1000 && us <= MAX_TIME_US)) throw invalid(name, `must be ${DURATION_MUST_BE}, not '${value}'`);
  return us;
}

// Ids.

const TRACE_ID = Type.String({ pattern: '^[0-9a-fA-F]{32}$', description: 'a trace id: 32 hex characters', 'x-must-be': '32 hex characters' });
const SPAN_ID = Type.String({ pattern: '^[0-9a-fA-F]{16}$', description: 'a span id: 16 hex characters', 'x-must-be': '16 hex characters' });
export const FINGERPRINT = Type.String({ pattern: '^[0-9a-f]{16}$', description: "an error group's fingerprint", 'x-must-be': '16 lowercase hex characters' });

export const TRACE_PATH = Type.Object({ traceId: TRACE_ID });
export const SPAN_PATH = Type.Object({ traceId: TRACE_ID, spanId: SPAN_ID });
export const traceId = (description = 'a trace id: 32 hex characters') => Type.String({ ...TRACE_ID, description });
export const spanId = (description = 'a span id: 16 hex characters') => Type.String({ ...SPAN_ID, description });

/** Ids are lowercase inside Spoor; the API takes either case. */
export const hexId = (value: string): string => value.toLowerCase();

// Span filters, shared by the trace list and the statistics.

const STATUS = oneOf(['ok', 'error'], { description: 'spans (or traces) with this status' });

export const DURATION_BOUNDS = {
  minDurationMs: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: MAX_MS,
      description: 'shortest duration, in milliseconds',
      'x-must-be': `a number of milliseconds from 0 to ${MAX_MS}`,
    }),
  ),
  maxDurationMs: Type.Optional(
    Type.Number({ minimum: 0, maximum: MAX_MS, description: 'longest duration, in milliseconds', 'x-must-be': `a number of milliseconds from 0 to ${MAX_MS}` }),
  ),
};

/** `minDurationMs` and `maxDurationMs`, checked against each other. */
export function durationBounds(q: { minDurationMs?: number; maxDurationMs?: number }): { minDurationMs: number | null; maxDurationMs: number | null } {
  const minDurationMs = q.minDurationMs ?? null;
  const maxDurationMs = q.maxDurationMs ?? null;
  if (minDurationMs !== null && maxDurationMs !== null && minDurationMs > maxDurationMs)
    throw invalid('minDurationMs', "must not be more than 'maxDurationMs'");
  return { minDurationMs, maxDurationMs };
}

/**
 * The most `attr=` filters one query takes. Each is a condition of its own on every span (and a
 * subquery over resources): on DuckDB 20 took 36 ms, 200 took 1.6 s and 900 seven seconds before
 * the store gave up, so a query is refused past a number no one writes by hand.
 */
export const MAX_ATTR_FILTERS = 20;

const ATTR = Type.Array(Type.String({ pattern: '^[^=]+=', 'x-must-be': 'key=value' }), {
  maxItems: MAX_ATTR_FILTERS,
  description: `key=value: a span or resource attribute equal to the value (repeatable, at most ${MAX_ATTR_FILTERS} times)`,
});

/** The `attr=key=value` filters. */
export function attributeFilters(pairs: readonly string[] | undefined): AttributeFilter[] {
  return (pairs ?? []).map((pair) => {
    const eq = pair.indexOf('=');
    return { key: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
}

/** What the trace list and the statistics filter spans by. */
export const SPAN_FILTER = {
  ...TIME_RANGE,
  service: Type.Optional(text('service name')),
  name: Type.Optional(text('span name')),
  text: Type.Optional(text('text in span names')),
  status: Type.Optional(STATUS),
  ...DURATION_BOUNDS,
  attr: Type.Optional(ATTR),
  sessionId: Type.Optional(text('session id')),
  model: Type.Optional(text('LLM model')),
};

export type SpanFilterQuery = Static<TObject<typeof SPAN_FILTER>>;

/** Whose traces a production view reads; `app` when not given (`TRACE_ORIGINS`). */
export const ORIGIN = {
  origin: Type.Optional(
    oneOf(TRACE_ORIGINS, {
      description: "whose traces: app (the app's, the default), spoor (Spoor's own: LLM judges, experiments, replays), all",
    }),
  ),
};

/** The origin a production view reads: the app's unless asked, or unless Spoor's own service is (its traces are all Spoor's own). */
export const originOf = (q: { origin?: TraceOrigin; service?: string }): TraceOrigin => q.origin ?? (q.service === SPOOR_SERVICE_NAME ? 'spoor' : 'app');

/** The trace list's filters as the store takes them, shared by `GET /api/traces` and every analytics filter. */
export function spanFilterFields(q: SpanFilterQuery): Omit<TraceQuery, 'projectId' | 'range' | 'limit' | 'cursor' | 'scores'> {
  return {
    service: q.service ?? null,
    spanName: q.name ?? null,
    text: q.text ?? null,
    status: q.status ?? null,
    ...durationBounds(q),
    attributes: attributeFilters(q.attr),
    sessionId: q.sessionId ?? null,
    model: q.model ?? null,
  };
}

// Score filters of the trace list: `score=NAME<0.7`, `score=thumbs=down`.

const SCORE_OP = '<=|>=|!=|<|>|=';
const SCORE_MUST_BE = 'NAME, then one of <, <=, >, >=, =, !=, then a number (or, after = or !=, a label), like faithfulness<0.7 or thumbs=down';
/** A decimal number as people write one: `0.7`, `-1`, `.5`, `1e-3`. */
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The most `score=` filters one query takes: each is a set of traces read from the scores (on DuckDB 20 took 0.1 s, 100 took 2 s). */
export const MAX_SCORE_FILTERS = 20;

export const SCORE = Type.Array(Type.String({ pattern: `^[^<>=!]+(?:${SCORE_OP}).+$`, 'x-must-be': SCORE_MUST_BE }), {
  maxItems: MAX_SCORE_FILTERS,
  description:
    `NAME op VALUE: the trace's scores of NAME meet it (repeatable, at most ${MAX_SCORE_FILTERS} times). A number compares the mean of the trace's values of NAME ` +
    '(<, <=, >, >=, =, !=); any other text is a label: `=` asks for a score labelled so, `!=` for scores of NAME none labelled so',
});

/** The `score=` filters of the declared shape; a label compared by order, or a number out of range, is refused naming `score`. */
export function scoreFilters(values: readonly string[] | undefined): ScoreFilter[] {
  return (values ?? []).map((text) => {
    const [, name, op, operand] = new RegExp(`^([^<>=!]+)(${SCORE_OP})(.+)$`).exec(text) ?? [];
    if (name === undefined || op === undefined || operand === undefined) throw invalid('score', `must be ${SCORE_MUST_BE}, not '${text}'`);
    const trimmed = name.trim();
    if (trimmed === '') throw invalid('score', `must name a score: ${SCORE_MUST_BE}, not '${text}'`);
    if (NUMBER.test(operand.trim())) {
      const value = Number(operand);
      if (!Number.isFinite(value)) throw invalid('score', `compares with a number too large: '${text}'`);
      return { name: trimmed, op: op as ScoreFilter['op'], value };
    }
    if (op !== '=' && op !== '!=') throw invalid('score', `compares a label only with = or != (a number with ${op}), not '${text}'`);
    return { name: trimmed, op, label: operand };
  });
}

// Log severities: a name in any case, or a number.

const SEVERITY_NAMES = Object.keys(SEVERITY_NUMBERS);
/** A map, not the object: `SEVERITY_NUMBERS['constructor']` finds Object's own constructor. */
const SEVERITY_BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(SEVERITY_NUMBERS));
const SEVERITY_MUST_BE = `one of ${SEVERITY_NAMES.join(', ')} or a number from 1 to 24`;

export const SEVERITY = Type.String({
  pattern: '^(?:[A-Za-z]{1,10}|\\d{1,2})$',
  description: `lowest severity: ${SEVERITY_NAMES.join(', ')} (any case), or a number from 1 to 24`,
  'x-must-be': SEVERITY_MUST_BE,
});

export function severityNumber(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = /^\d+$/.test(value) ? Number(value) : SEVERITY_BY_NAME.get(value.toLowerCase());
  if (n === undefined || n < 1 || n > 24) throw invalid('severity', `must be ${SEVERITY_MUST_BE}, not '${value}'`);
  return n;
}

// Group-by: a span column or an attribute key.

export const groupBy = (description: string) =>
  Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 256,
      description: `${description}: ${SPAN_GROUP_COLUMNS.join(', ')}, or any span or resource attribute key`,
      'x-must-be': 'a column or an attribute key of at most 256 characters',
    }),
  );

export function groupByOf(value: string | undefined): SpanGroupBy | null {
  if (value === undefined) return null;
  return (SPAN_GROUP_COLUMNS as readonly string[]).includes(value) ? { column: value as SpanGroupColumn } : { attribute: value };
}
