import { type LogRecord, resolveSpanTree, SPAN_CATEGORIES, SPAN_STATES, type Score, type TraceTree } from '@spoor/model';
import { headOf } from './budget.js';

/**
 * What `get_trace` answers: a trace's headline (what an agent asks first: what ran, how long, how
 * many errors, tokens and cost) and its spans in tree order as one short row each, as many rows
 * as `maxChars` holds, from `offset`. The rows come from `GET /api/traces/:traceId/tree` (the
 * waterfall's columns, ~110 bytes a span) ordered by the one span-tree resolver, so row N here is
 * row N of the REST API's `spans=OFFSET,LIMIT` pages, and `nextSpans` is that parameter's value.
 * Pure.
 */

/** The headline of a trace. */
export interface TraceHeadline {
  traceId: string;
  rootName: string;
  startTime: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  /** Spans not ended yet (running or abandoned); left out when none. */
  running?: number;
  services: string[];
  sessionId: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** LLM calls with tokens but no price, which `costUsd` leaves out; left out when none. */
  unpricedCalls?: number;
  models: string[];
  logCount: number;
  /** The first error logs (severity ERROR and above), bodies cut short. */
  errorLogs: Array<{ time: string; spanId: string | null; body: string }>;
  scores: Array<Pick<Score, 'name' | 'value' | 'label' | 'spanId' | 'source'>>;
}

/** One span of the outline; fields that say nothing (ok status, no LLM) are left out. */
export interface OutlineRow {
  spanId: string;
  depth: number;
  name: string;
  /** Only when the trace has more than one service. */
  service?: string;
  /** Milliseconds after the trace's start. */
  startMs: number;
  durationMs: number;
  status?: 'error';
  /** The error's message (status message, else the exception event's), when the caller read it. */
  error?: string;
  category?: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  state?: 'running' | 'abandoned';
}

export interface TraceOutline {
  trace: TraceHeadline;
  /** The row of the first span shown. */
  offset: number;
  spans: OutlineRow[];
  /** `spans=` of the next call (as the REST API's `nextSpans`), `null` when the last span is shown. */
  nextSpans: string | null;
  /** What was left out and how to get it. */
  note: string;
}

export interface OutlineOptions {
  /** Row to start at, and the most rows wanted (`spans=OFFSET,LIMIT`). */
  offset: number;
  limit: number;
  maxChars: number;
  /** Error messages by span id, for rows with status error. */
  messages?: ReadonlyMap<string, string>;
}

const ERROR_STATUS = 2;
const ERROR_SEVERITY = 17;
const MAX_ERROR_LOGS = 5;
const MAX_SCORES = 20;
/** A message or log body in a row: enough to say what failed; `get_span` has it whole. */
export const MESSAGE_CHARS = 300;
/** Room the envelope (offset, nextSpans, note) takes beside the headline and rows. */
const ENVELOPE_CHARS = 600;

const ms = (us: number): number => Math.round(us) / 1000;
const short = (text: string): string => (text.length > MESSAGE_CHARS ? `${headOf(text, MESSAGE_CHARS)}…` : text);
const sum = (values: readonly (number | null)[]): number | null => values.reduce<number | null>((total, v) => (v === null ? total : (total ?? 0) + v), null);

/** The trace's spans in tree order: row -> column index, and each row's depth. */
export function treeOrder(tree: TraceTree): { order: Int32Array; depth: Int32Array; count: number } {
  const resolved = resolveSpanTree({ spanIds: tree.spanIds, parentSpanIds: tree.parentSpanIds, startUs: tree.startOffsetsUs, durationUs: tree.durationsUs });
  return { order: resolved.order, depth: resolved.depth, count: resolved.count };
}

function headlineOf(tree: TraceTree, firstRow: number): TraceHeadline {
  let endUs = 0;
  let errors = 0;
  let running = 0;
  let unpriced = 0;
  for (let i = 0; i < tree.spanIds.length; i++) {
    endUs = Math.max(endUs, tree.startOffsetsUs[i]! + tree.durationsUs[i]!);
    if (tree.statusCodes[i] === ERROR_STATUS) errors++;
    if (tree.states[i] !== 0) running++;
    if (tree.costUsd[i] == null && (tree.inputTokens[i] != null || tree.outputTokens[i] != null)) unpriced++;
  }
  const models = [...new Set(tree.models.filter((m): m is string => m !== null))];
  const errorLogs = tree.logs.filter((log) => log.severityNumber >= ERROR_SEVERITY).slice(0, MAX_ERROR_LOGS);
  return {
    traceId: tree.traceId,
    rootName: firstRow === -1 ? '' : tree.names[firstRow]!,
    startTime: tree.startTime,
    durationMs: ms(endUs),
    spanCount: tree.spanIds.length,
    errorCount: errors,
    ...(running > 0 ? { running } : {}),
    services: tree.services,
    sessionId: tree.sessionId,
    inputTokens: sum(tree.inputTokens),
    outputTokens: sum(tree.outputTokens),
    costUsd: sum(tree.costUsd),
    ...(unpriced > 0 ? { unpricedCalls: unpriced } : {}),
    models,
    logCount: tree.logs.length,
    errorLogs: errorLogs.map((log) => ({ time: log.time, spanId: log.spanId, body: short(bodyText(log)) })),
    scores: tree.scores.slice(0, MAX_SCORES).map(({ name, value, label, spanId, source }) => ({ name, value, label, spanId, source })),
  };
}

function bodyText(log: LogRecord): string {
  return typeof log.body === 'string' ? log.body : (JSON.stringify(log.body) ?? '');
}

function rowOf(tree: TraceTree, i: number, depth: number, manyServices: boolean, messages: ReadonlyMap<string, string> | undefined): OutlineRow {
  const row: OutlineRow = {
    spanId: tree.spanIds[i]!,
    depth,
    name: tree.names[i]!,
    ...(manyServices ? { service: tree.services[tree.serviceIndexes[i]!] } : {}),
    startMs: ms(tree.startOffsetsUs[i]!),
    durationMs: ms(tree.durationsUs[i]!),
  };
  if (tree.statusCodes[i] === ERROR_STATUS) {
    row.status = 'error';
    const message = messages?.get(row.spanId);
    if (message !== undefined && message !== '') row.error = short(message);
  }
  const category = SPAN_CATEGORIES[tree.categories[i]!];
  if (category !== undefined && category !== 'other') row.category = category;
  if (tree.models[i] != null) row.model = tree.models[i]!;
  if (tree.inputTokens[i] != null) row.inputTokens = tree.inputTokens[i]!;
  if (tree.outputTokens[i] != null) row.outputTokens = tree.outputTokens[i]!;
  if (tree.costUsd[i] != null) row.costUsd = tree.costUsd[i]!;
  const state = SPAN_STATES[tree.states[i]!];
  if (state === 'running' || state === 'abandoned') row.state = state;
  return row;
}

/** The outline of rows `offset ..` that fit `maxChars` (at least one, so paging always moves on). */
export function traceOutline(tree: TraceTree, options: OutlineOptions): TraceOutline {
  const { order, depth, count } = treeOrder(tree);
  const trace = headlineOf(tree, count === 0 ? -1 : order[0]!);
  const manyServices = tree.services.length > 1;
  const spans: OutlineRow[] = [];
  const end = Math.min(count, options.offset + options.limit);
  let length = JSON.stringify(trace).length + ENVELOPE_CHARS;
  for (let row = options.offset; row < end; row++) {
    const outlined = rowOf(tree, order[row]!, depth[row]!, manyServices, options.messages);
    const rowLength = JSON.stringify(outlined).length + 1;
    if (spans.length > 0 && length + rowLength > options.maxChars) break;
    spans.push(outlined);
    length += rowLength;
  }
  const outlineOf = (): TraceOutline => {
    const next = options.offset + spans.length;
    const nextSpans = next < count ? `${next},${options.limit}` : null;
    return { trace, offset: options.offset, spans, nextSpans, note: noteOf(trace.traceId, options, spans.length, count, nextSpans) };
  };
  let outline = outlineOf();
  // The rows were counted against an estimate of the envelope: the whole text is what must fit.
  while (spans.length > 1 && JSON.stringify(outline).length > options.maxChars) {
    spans.pop();
    outline = outlineOf();
  }
  return outline;
}

function noteOf(traceId: string, options: OutlineOptions, shown: number, count: number, nextSpans: string | null): string {
  if (count === 0) return 'the trace has no ended or running span (only logs or scores)';
  if (shown === 0) return `the trace has ${count} spans: row ${options.offset} is past its last; ask with spans="0,${options.limit}"`;
  const range = `spans ${options.offset} to ${options.offset + shown - 1} of ${count} are shown, in tree order`;
  const before = options.offset > 0 ? ` (rows before ${options.offset} are on earlier pages: spans="0,${options.limit}")` : '';
  const inspect = "get_span with traceId and a row's spanId shows that span's attributes, LLM messages, events and logs";
  if (nextSpans === null) return `${range}${before}: that is the rest of the trace. ${inspect}`;
  const why = options.offset + shown < Math.min(count, options.offset + options.limit) ? ` (maxChars ${options.maxChars} held no more)` : '';
  return `${range}${before}${why}; ${count - options.offset - shown} after them are left out: call get_trace with traceId="${traceId}" and spans="${nextSpans}" for the next ones. ${inspect}`;
}

/** The rows of an outline that are errors without their message yet. */
export function errorRowsOf(outline: TraceOutline): string[] {
  return outline.spans.filter((row) => row.status === 'error' && row.error === undefined).map((row) => row.spanId);
}
