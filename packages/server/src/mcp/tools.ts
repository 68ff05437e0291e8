import { type Static, type TObject, type TProperties, Type } from '@sinclair/typebox';
import type { LlmCallDetail, Span, SpanDetail, TraceDetailPage, TraceTree } from '@spoor/model';
import { parameterChecker } from '../params/check.js';
import { FINGERPRINT, SPAN_PATH, text, traceId } from '../params/parameters.js';
import { DIFF_PATH, ERROR_LIST, SCORE_LIST, SESSION_LIST, SESSION_WINDOW, SPAN_STATS, TRACE_DETAIL, TRACE_LIST } from '../params/queries.js';
import { parseDurationUs } from '../duration.js';
import { MAX_PAGE_SPANS } from '../query/trace-pages.js';
import { type ApiCaller, type ApiFailure, type ApiRequest, type QueryValue, pathOf } from './api-caller.js';
import { DEFAULT_MAX_CHARS, MAX_CHARS, cutNote, fitList, fitStrings } from './budget.js';
import { errorRowsOf, traceOutline } from './trace-outline.js';

/**
 * The tools an agent is offered. Each takes the REST API's own parameters, declared by the route
 * it calls (the same schemas, so the same names, bounds and messages), plus `maxChars`; each
 * answer is the API's answer, sized to `maxChars` (`budget.ts`).
 */

/** A tool's answer: a JSON object, or the API's refusal (or the tool's own, for arguments that do not go together). */
export type ToolAnswer = { ok: true; value: Record<string, unknown> } | { ok: false; failure: ApiFailure };

export interface Tool {
  name: string;
  description: string;
  /** The arguments as JSON Schema (TypeBox), unknown ones refused. */
  schema: TObject;
  /** Checks arguments as the REST API checks parameters; a refusal names the argument and what it must be. */
  check: (args: unknown) => { value: unknown } | { error: { code: string; message: string } };
  run: (args: never, call: ApiCaller) => Promise<ToolAnswer>;
}

/**
 * `last`: a range ending now, for a tool that takes `from`. An agent rarely knows the time, and
 * "the last hour" is what it is asked; so it is one call, not one to learn the time and another.
 */
const LAST = Type.Optional(
  Type.String({
    pattern: '^\\d+(?:\\.\\d+)?(?:ms|s|m|h|d|w)$',
    description: 'the range up to now, instead of from: 30m, 1h, 7d (units ms, s, m, h, d, w)',
    'x-must-be': 'a duration such as 30m, 1h or 7d',
  }),
);

/** `properties` with `last` after `to` (or `from`), when they take `from`. */
function withLast(properties: TProperties): TProperties {
  if (!('from' in properties)) return properties;
  const entries = Object.entries(properties);
  const at = entries.findIndex(([name]) => name === ('to' in properties ? 'to' : 'from')) + 1;
  return Object.fromEntries([...entries.slice(0, at), ['last', LAST], ...entries.slice(at)]);
}

function tool<P extends TProperties>(
  name: string,
  description: string,
  properties: P,
  run: (args: Static<TObject<P>>, call: ApiCaller) => Promise<ToolAnswer>,
): Tool {
  const schema = Type.Object(withLast(properties), { additionalProperties: false });
  const runSince: Tool['run'] = async (args, call) => {
    const { last, ...rest } = args as { last?: string; from?: string };
    if (last === undefined) return run(args, call);
    if (rest.from !== undefined) return refuse("give 'from' or 'last', not both: 'last' is the range from that long ago up to now");
    const fromMs = Math.max(0, Date.now() - (parseDurationUs(last) ?? 0) / 1000);
    return run({ ...rest, from: new Date(Math.floor(fromMs)).toISOString() } as never, call);
  };
  return { name, description, schema: schema as TObject, check: parameterChecker(schema, `the tool ${name}`), run: runSince };
}

/** The parameters a route's query declares: a tool's arguments, each passed on to the route as it is. */
function queryOf<T extends TObject>(schema: T): T['properties'] {
  return schema.properties as T['properties'];
}

/** The arguments bound for the REST query: all but `maxChars` and those named. */
function restQuery(args: object, ...omit: string[]): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  for (const [name, value] of Object.entries(args)) if (name !== 'maxChars' && !omit.includes(name) && value !== undefined) query[name] = value as QueryValue;
  return query;
}

/** A refusal of arguments that do not go together, as the REST API words a parameter it refuses. */
function refuse(message: string): ToolAnswer {
  return { ok: false, failure: { status: 400, code: 'ERR_INVALID_PARAMETER', message } };
}

/** The first of `names` given, to name in a refusal. */
const firstGiven = (args: Record<string, unknown>, names: readonly string[]): string | undefined => names.find((name) => args[name] !== undefined);

/** The API's answer as a tool's, sized: its list `key` cut to `maxChars`. */
async function listAnswer(
  call: ApiCaller,
  request: ApiRequest,
  key: string,
  maxChars: number | undefined,
  shape: (body: Record<string, unknown>) => Record<string, unknown> = (b) => b,
): Promise<ToolAnswer> {
  const answer = await call(request);
  if (!answer.ok) return answer;
  const fitted = fitList(shape(answer.body as Record<string, unknown>), key, maxChars ?? DEFAULT_MAX_CHARS);
  return { ok: true, value: fitted.note === null ? fitted.value : { ...fitted.value, note: fitted.note } };
}

const searchTraces = tool(
  'search_traces',
  'Find traces (runs of an LLM or agent app): newest first, or the slowest, costliest or most tokens first (sort), each with its root span name, service, start, duration, span and error counts, tokens, cost, session, user and scores. ' +
    'A cost leaves out the LLM calls without a known price, and unpricedCalls says how many (above 0: the cost is a lower bound). ' +
    'Use it to find the run a user asks about (by time, service, session, user attribute, model, status=error, duration or score) and get its traceId for get_trace; ' +
    'the slowest run of the last hour is last="1h", sort="duration", limit=1. ' +
    'Takes the trace list filters of GET /api/traces: from/to (ISO-8601 or epoch ms) or last (1h, 30m, 7d: up to now), service, name (a span name any span of the trace has), text (in span names), status, minDurationMs, maxDurationMs, ' +
    'attr (key=value, repeatable), sessionId, model, score (e.g. "faithfulness<0.7", "thumbs=down"), sort (start, duration, cost, tokens), limit and cursor (the nextCursor of the answer before, with the same sort). ' +
    "origin: whose traces, app (the default: the app's), spoor (Spoor's own: its LLM judges', experiments' and replays' calls) or all.",
  { ...queryOf(TRACE_LIST), maxChars: MAX_CHARS },
  async (args, call) => listAnswer(call, { path: '/api/traces', query: restQuery(args) }, 'traces', args.maxChars),
);

const getTrace = tool(
  'get_trace',
  'One trace: its headline (root, duration, span and error counts, services, tokens, cost and unpricedCalls when some calls had no price, models, session, error logs, scores) and its spans in tree order, one short row each ' +
    '(spanId, depth, name, start and duration in ms, status and error message, category, LLM model, tokens and cost, running state). ' +
    "Use it to see what a run did and where it failed; then get_span for a span's attributes, prompt and completion, events and logs. " +
    `A big trace is answered a page at a time: as many rows as maxChars holds, and nextSpans to pass as spans for the rest (spans="OFFSET,LIMIT" as in GET /api/traces/:traceId; LIMIT at most ${MAX_PAGE_SPANS}).`,
  {
    traceId: traceId('the trace: 32 hex characters (a traceId of search_traces, find_errors or list_sessions)'),
    spans: TRACE_DETAIL.properties.spans,
    maxChars: MAX_CHARS,
  },
  async (args, call) => {
    const maxChars = args.maxChars ?? DEFAULT_MAX_CHARS;
    const [offset, limit] = args.spans === undefined ? [0, MAX_PAGE_SPANS] : (args.spans.split(',').map(Number) as [number, number]);
    const tree = await call({ path: pathOf('/api/traces', args.traceId, 'tree') });
    if (!tree.ok) return tree;
    const options = { offset, limit, maxChars };
    const outline = traceOutline(tree.body as TraceTree, options);
    const errors = errorRowsOf(outline);
    if (errors.length === 0) return { ok: true, value: { ...outline } };
    // Error messages are not in the tree's columns: read the rows shown (a page of the same order).
    const page = await call({ path: pathOf('/api/traces', args.traceId), query: { spans: `${offset},${outline.spans.length}` } });
    if (!page.ok) return page;
    const messages = new Map((page.body as TraceDetailPage).spans.map((span) => [span.spanId, errorMessageOf(span)]));
    return { ok: true, value: { ...traceOutline(tree.body as TraceTree, { ...options, messages }) } };
  },
);

/** What a failed span says went wrong: its status message, else its exception event's message. */
function errorMessageOf(span: Span): string {
  if (span.status.message !== '') return span.status.message;
  const exception = span.events.find((event) => event.name === 'exception');
  const message = exception?.attributes['exception.message'];
  const type = exception?.attributes['exception.type'];
  return [type, message].filter((part) => typeof part === 'string' && part !== '').join(': ');
}

/** Room for `get_span`'s notes: the cut strings' and the logs left out. */
const SPAN_NOTES_CHARS = 600;

const getSpan = tool(
  'get_span',
  'One span in full: its attributes, resource, status, events (exceptions with their stack traces), links, canonical LLM fields and, for an LLM call, its messages (system, input, output) as chat messages; and the logs written in it. ' +
    'Use it after get_trace on the span that failed or that made the LLM call you want to read. Long strings are cut to fit maxChars; ask again with a larger maxChars to read them whole.',
  { ...queryOf(SPAN_PATH), maxChars: MAX_CHARS },
  async (args, call) => {
    const maxChars = args.maxChars ?? DEFAULT_MAX_CHARS;
    const found = await call({ path: pathOf('/api/traces', args.traceId, 'spans', args.spanId) });
    if (!found.ok) return found;
    const detail = found.body as SpanDetail;
    let answer: Record<string, unknown> = { ...detail };
    if (detail.span.llm !== null) {
      const llm = await call({ path: pathOf('/api/traces', args.traceId, 'spans', args.spanId, 'llm') });
      if (!llm.ok) return llm;
      answer = { ...answer, messages: (llm.body as LlmCallDetail).messages };
    }
    // Fitted short of maxChars by the room its notes take; a span of more attributes than that holds loses its last ones (`answer-bound.ts`).
    const room = maxChars - SPAN_NOTES_CHARS;
    const strings = fitStrings(answer, room);
    const logs = fitList(strings.value, 'logs', maxChars, room);
    const notes = [strings.cap === null ? null : cutNote(strings.cap, maxChars), logs.note].filter((n) => n !== null);
    return { ok: true, value: notes.length === 0 ? logs.value : { ...logs.value, note: notes.join('; ') } };
  },
);

const LIST_ONLY_ERRORS = ['status', 'service', 'sort', 'limit', 'cursor'] as const;

const findErrors = tool(
  'find_errors',
  'Error groups: errors of spans and logs grouped by fingerprint (type, message pattern, code location), each with its count and distinct traces in the range, first and last seen, services, status (unresolved, resolved, ignored, regressed) and sample trace ids. ' +
    'Use it to answer "what is failing?" and to find failed runs to open with get_trace. Filters of GET /api/errors: from, to, status, service, sort (lastSeen, firstSeen, count), limit, cursor. ' +
    'Give fingerprint (with from/to only) for one group and its newest occurrences, each with its trace and span id.',
  { ...queryOf(ERROR_LIST), fingerprint: Type.Optional(FINGERPRINT), maxChars: MAX_CHARS },
  async (args, call) => {
    if (args.fingerprint === undefined) {
      // The hourly chart is the dashboard's: 24+ points a group, where count and lastSeen say it to an agent.
      const dropHourly = (body: Record<string, unknown>) => ({
        ...body,
        groups: (body.groups as Array<Record<string, unknown>>).map(({ hourly: _hourly, ...group }) => group),
      });
      return listAnswer(call, { path: '/api/errors', query: restQuery(args) }, 'groups', args.maxChars, dropHourly);
    }
    const listOnly = firstGiven(args, LIST_ONLY_ERRORS);
    if (listOnly !== undefined) return refuse(`'${listOnly}' filters the list of groups; with 'fingerprint' give only 'from' and 'to'`);
    const dropHourly = (body: Record<string, unknown>) => {
      const { hourly: _hourly, ...group } = body.group as Record<string, unknown>;
      return { ...body, group };
    };
    return listAnswer(call, { path: pathOf('/api/errors', args.fingerprint), query: restQuery(args, 'fingerprint') }, 'occurrences', args.maxChars, dropHourly);
  },
);

const spanStats = tool(
  'span_stats',
  'Span statistics per group (by span name unless groupBy says service, model, provider, kind, category, operation, session or any attribute key): count, errorCount, errorRate, avgMs, p50Ms, p95Ms, p99Ms, maxMs, tokens and costUsd. ' +
    'Use it for "which step is slow, fails most or costs most", or to tell whether one run is typical. A missing from is one day before to (default now). ' +
    'Filters of GET /api/stats/spans: the trace list filters applied to each span, plus kind, category and root=true.',
  { ...queryOf(SPAN_STATS), maxChars: MAX_CHARS },
  async (args, call) => listAnswer(call, { path: '/api/stats/spans', query: restQuery(args) }, 'groups', args.maxChars),
);

/** Room for one of `compare_traces`' notes. */
const COMPARE_NOTE_CHARS = 400;

const compareTraces = tool(
  'compare_traces',
  "Two runs aligned span by span (GET /api/traces/:traceId/diff/:otherTraceId): spans added in the second, removed from the first, and changed (status, model, tokens, cost, error, with line diffs of prompt and completion and latency deltas), and both runs' totals with their deltas. " +
    'Use it to explain why a run failed or cost more than one that worked, or what a replay changed.',
  { ...queryOf(DIFF_PATH), maxChars: MAX_CHARS },
  async (args, call) => {
    const diff = await call({ path: pathOf('/api/traces', args.traceId, 'diff', args.otherTraceId) });
    if (!diff.ok) return diff;
    // `rows` is the comparison page's side-by-side layout: every span of both runs, the same ones again.
    const { rows: _rows, ...rest } = diff.body as Record<string, unknown>;
    const maxChars = args.maxChars ?? DEFAULT_MAX_CHARS;
    let value: Record<string, unknown> = rest;
    const notes: string[] = [];
    for (const key of ['changed', 'added', 'removed']) {
      // Each list's fitting leaves room for the notes of those after it.
      const fitted = fitList(value, key, maxChars, maxChars - COMPARE_NOTE_CHARS * (notes.length + 1));
      value = fitted.value;
      if (fitted.note !== null) notes.push(fitted.note);
    }
    return { ok: true, value: notes.length === 0 ? value : { ...value, note: notes.join('; ') } };
  },
);

const LIST_ONLY_SESSIONS = ['limit', 'cursor'] as const;

const listSessions = tool(
  'list_sessions',
  'Sessions (conversations: the runs sharing a session.id or gen_ai.conversation.id) with their runs, failures, cost, last activity, users and scores, newest first; a missing from is seven days before to (default now). ' +
    "Give sessionId for one session's runs (each a traceId for get_trace, with status, duration, user and scores) over the last hours (default 24) or from/to. " +
    'Use it when a user talks about a conversation rather than one run.',
  {
    ...queryOf(SESSION_LIST),
    sessionId: Type.Optional(text('one session: its runs (GET /api/sessions/:sessionId)')),
    hours: SESSION_WINDOW.properties.hours,
    maxChars: MAX_CHARS,
  },
  async (args, call) => {
    if (args.sessionId === undefined) {
      if (args.hours !== undefined) return refuse("'hours' is the window of one session's runs: give it with 'sessionId' (the list takes 'from' and 'to')");
      return listAnswer(call, { path: '/api/sessions', query: restQuery(args) }, 'sessions', args.maxChars);
    }
    const listOnly = firstGiven(args, LIST_ONLY_SESSIONS);
    if (listOnly !== undefined) return refuse(`'${listOnly}' pages the list of sessions; with 'sessionId' give 'hours', or 'from' and 'to'`);
    return listAnswer(call, { path: pathOf('/api/sessions', args.sessionId), query: restQuery(args, 'sessionId') }, 'runs', args.maxChars);
  },
);

const getScores = tool(
  'get_scores',
  'Scores (evaluations: user feedback, LLM judges, evaluators, humans) newest first, each with its name, value or label, comment, source, author and the trace, span or session it judges. ' +
    'Use it for "how good were the answers", or to find runs judged badly (then get_trace). Filters of GET /api/scores: traceId (its trace\'s and spans\' scores), spanId, sessionId, name, source, from, to, limit, cursor.',
  { ...queryOf(SCORE_LIST), maxChars: MAX_CHARS },
  async (args, call) => listAnswer(call, { path: '/api/scores', query: restQuery(args) }, 'scores', args.maxChars),
);

/** Every tool, in the order a client lists them. */
export const TOOLS: readonly Tool[] = [searchTraces, getTrace, getSpan, findErrors, spanStats, compareTraces, listSessions, getScores];
