import { isValidSpanId, isValidTraceId, TraceFlags, type SpanContext } from '@opentelemetry/api';
import type { LogAttributes } from '@opentelemetry/api-logs';
import { EVALUATION_ATTRIBUTES as A, scoreProblem } from '@spoor/model';

/**
 * The pure half of `score()` and `feedback()`: what the caller passed, checked field by field,
 * and the `gen_ai.evaluation.result` record that carries it. No clock, no runtime: the caller
 * hands in what is active.
 */

/** What a score is about: one span, a whole trace, or a session of several traces. */
export type ScoreTarget = 'span' | 'trace' | 'session';

/** What {@link score} takes. A score needs a `value`, a `label`, or both. */
export interface ScoreOptions {
  /** What is judged, e.g. `helpfulness` or `answer_correct`. */
  name: string;
  /** A finite number, e.g. `0.8`. */
  value?: number;
  /** A category, e.g. `correct` or `hallucination`. */
  label?: string;
  /** Why, in words. Masked like log lines before it leaves the process. */
  comment?: string;
  /** The trace scored, 32 hex digits. Default: the active span's trace. */
  traceId?: string;
  /** The span scored, 16 hex digits, given with its `traceId`. Default: the active span. */
  spanId?: string;
  /** The session scored. Default: the `sessionId` of the `workflow()` around the call. */
  sessionId?: string;
  /**
   * What the score is about. Default: `session` when only a `sessionId` is given, `trace` when a
   * `traceId` is given without a `spanId`, else `span`.
   */
  target?: ScoreTarget;
}

/** What {@link feedback} takes. */
export interface FeedbackOptions {
  /** `up` (stored as label `up`, value 1), `down` (label `down`, value 0), or a rating such as 4. */
  value: 'up' | 'down' | number;
  /** What the user wrote. Masked like log lines. */
  comment?: string;
  /** The trace the feedback is about, 32 hex digits. Default: the active span's trace. */
  traceId?: string;
  /** The span the feedback is about, given with its `traceId`. Default: none, the feedback is about the whole trace. */
  spanId?: string;
  /** The score's name. Default: `thumbs`. */
  name?: string;
  /** Who gave it; each user's latest feedback on a target is kept beside the others'. Default: none. */
  userId?: string;
}

/** A score call's fields, checked; ids lowercase. */
export interface ScoreFields {
  call: 'score' | 'feedback';
  source: 'sdk' | 'human';
  name: string;
  value: number | null;
  label: string | null;
  comment: string | null;
  traceId: string | null;
  spanId: string | null;
  sessionId: string | null;
  target: ScoreTarget;
  author: string | null;
}

/** What the code calling `score()` runs inside. */
export interface Ambient {
  /** The active span's context; undefined outside any (valid) span. */
  spanContext: SpanContext | undefined;
  /** The session of the innermost workflow that named one. */
  sessionId: string | undefined;
}

/** A score as the OTLP log record that carries it: its attributes, and the span it is parented to. */
export interface ScoreEvent {
  attributes: LogAttributes;
  /** The trace and span in the record's context; the span id is `''` for a trace named by id alone. */
  spanContext: SpanContext | undefined;
}

const SCORE_KEYS: ReadonlySet<string> = new Set(['name', 'value', 'label', 'comment', 'traceId', 'spanId', 'sessionId', 'target']);
const FEEDBACK_KEYS: ReadonlySet<string> = new Set(['value', 'comment', 'traceId', 'spanId', 'name', 'userId']);
const TARGETS: readonly ScoreTarget[] = ['span', 'trace', 'session'];

/** The fields of a `score()` call; throws a TypeError naming the first wrong field. */
export function scoreFields(options: ScoreOptions): ScoreFields {
  const o = checkedObject(options, 'score', SCORE_KEYS);
  const problem = scoreProblem({ name: o.name, value: o.value, label: o.label });
  if (problem !== null) fail('score', problem);
  const target = o.target;
  if (target !== undefined && !TARGETS.includes(target as ScoreTarget))
    fail('score', `target: must be 'span', 'trace' or 'session' (got ${JSON.stringify(target)})`);
  const ids = idsOf(o, 'score');
  const sessionId = optionalText(o.sessionId, 'sessionId', 'score');
  const resolved: ScoreTarget =
    (target as ScoreTarget | undefined) ??
    (sessionId !== null && ids.traceId === null ? 'session' : ids.traceId !== null && ids.spanId === null ? 'trace' : 'span');
  if (resolved === 'span' && ids.traceId !== null && ids.spanId === null) fail('score', "spanId: target 'span' with a traceId needs the span's id too");
  return {
    call: 'score',
    source: 'sdk',
    name: (o.name as string).trim(),
    value: (o.value as number | undefined) ?? null,
    label: (o.label as string | undefined) ?? null,
    comment: commentOf(o.comment, 'score'),
    ...ids,
    sessionId,
    target: resolved,
    author: null,
  };
}

/** The fields of a `feedback()` call: thumbs as label and value, from a human. Throws a TypeError naming the first wrong field. */
export function feedbackFields(options: FeedbackOptions): ScoreFields {
  const o = checkedObject(options, 'feedback', FEEDBACK_KEYS);
  const raw = o.value;
  let value: number;
  let label: string | null = null;
  if (raw === 'up' || raw === 'down') {
    label = raw;
    value = raw === 'up' ? 1 : 0;
  } else if (typeof raw === 'number' && Number.isFinite(raw)) value = raw;
  else return fail('feedback', `value: must be 'up', 'down' or a finite number (got ${JSON.stringify(raw) ?? String(raw)})`);
  const name = o.name === undefined ? 'thumbs' : o.name;
  if (typeof name !== 'string' || name.trim() === '') fail('feedback', 'name: must be a non-empty string');
  const ids = idsOf(o, 'feedback');
  return {
    call: 'feedback',
    source: 'human',
    name: name.trim(),
    value,
    label,
    comment: commentOf(o.comment, 'feedback'),
    ...ids,
    sessionId: null,
    target: ids.spanId === null ? 'trace' : 'span',
    author: optionalText(o.userId, 'userId', 'feedback'),
  };
}

/**
 * The record for a score, or why it has no target (no span active and no id given, or no
 * session). Ids given win over the active span; a score of a session still travels in the active
 * span's context when there is one, so a backend can show it beside the work that made it.
 */
export function scoreEvent(fields: ScoreFields, ambient: Ambient): ScoreEvent | string {
  const given: SpanContext | undefined =
    fields.traceId === null ? undefined : { traceId: fields.traceId, spanId: fields.spanId ?? '', traceFlags: TraceFlags.NONE };
  const spanContext = given ?? ambient.spanContext;
  const attributes: LogAttributes = { [A.name]: fields.name, [A.source]: fields.source };
  if (fields.value !== null) attributes[A.value] = fields.value;
  if (fields.label !== null) attributes[A.label] = fields.label;
  if (fields.comment !== null) attributes[A.explanation] = fields.comment;
  if (fields.author !== null) {
    attributes[A.author] = fields.author;
    attributes['user.id'] = fields.author;
  }
  if (fields.target === 'session') {
    const sessionId = fields.sessionId ?? ambient.sessionId;
    if (sessionId === undefined) return `${fields.call}(): sessionId: no session to score; pass sessionId, or call inside a workflow() given one`;
    attributes[A.target] = 'session';
    attributes[A.sessionId] = sessionId;
    return { attributes, spanContext };
  }
  if (spanContext === undefined) return `${fields.call}(): traceId: no active span to score; pass traceId (and spanId), or call inside a span`;
  if (fields.target === 'trace') attributes[A.target] = 'trace';
  return { attributes, spanContext };
}

function checkedObject(options: unknown, call: ScoreFields['call'], keys: ReadonlySet<string>): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    fail(call, `options: must be an object, e.g. ${call}({ name: 'helpful', value: 1 })`);
  for (const key of Object.keys(options)) {
    if (!keys.has(key)) fail(call, `${key}: not an option of ${call}(); known: ${[...keys].join(', ')}`);
  }
  return options as Record<string, unknown>;
}

function idsOf(o: Record<string, unknown>, call: ScoreFields['call']): { traceId: string | null; spanId: string | null } {
  const traceId = hexId(o.traceId, 'traceId', isValidTraceId, 32, call);
  const spanId = hexId(o.spanId, 'spanId', isValidSpanId, 16, call);
  if (spanId !== null && traceId === null) fail(call, 'traceId: a spanId needs the traceId of its trace');
  return { traceId, spanId };
}

/** An id as OpenTelemetry's own check takes it (lowercase hex, not all zero), from any case. */
function hexId(raw: unknown, field: string, isValid: (id: string) => boolean, digits: number, call: ScoreFields['call']): string | null {
  if (raw === undefined) return null;
  const id = typeof raw === 'string' ? raw.toLowerCase() : raw;
  if (typeof id !== 'string' || !isValid(id)) fail(call, `${field}: must be ${digits} hex digits, not all zero (got ${JSON.stringify(raw) ?? String(raw)})`);
  return id;
}

function optionalText(raw: unknown, field: string, call: ScoreFields['call']): string | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || raw === '') fail(call, `${field}: must be a non-empty string (got ${JSON.stringify(raw) ?? String(raw)})`);
  return raw;
}

/** A comment, or none: an empty one (a feedback form left blank) is no comment. */
function commentOf(raw: unknown, call: ScoreFields['call']): string | null {
  if (raw === undefined || raw === '') return null;
  if (typeof raw !== 'string') fail(call, `comment: must be a string (got ${JSON.stringify(raw) ?? String(raw)})`);
  return raw;
}

function fail(call: ScoreFields['call'], problem: string): never {
  throw new TypeError(`${call}(): ${problem}`);
}
