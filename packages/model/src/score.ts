import type { TimeRange } from './api.js';

/**
 * Scores: a judgement of a trace, a span or a session, from any of five sources. One model for
 * all of them; for one target, name, source and author the newest score replaces the older, so a
 * request sent again or a vote changed never counts twice.
 */

export const SCORE_SOURCES = ['otel', 'sdk', 'api', 'human', 'evaluator'] as const;
export type ScoreSource = (typeof SCORE_SOURCES)[number];

/** The event name of the GenAI semantic conventions' evaluation result (a log record or a span event). */
export const EVALUATION_EVENT = 'gen_ai.evaluation.result';

/** The attributes of `gen_ai.evaluation.result`, and the one an SDK adds to say it sent the score. */
export const EVALUATION_ATTRIBUTES = {
  name: 'gen_ai.evaluation.name',
  value: 'gen_ai.evaluation.score.value',
  label: 'gen_ai.evaluation.score.label',
  explanation: 'gen_ai.evaluation.explanation',
  responseId: 'gen_ai.response.id',
  /** Spoor's: `sdk`, `human` or `evaluator` when the event came from the SDK (else the source is `otel`). */
  source: 'spoor.score.source',
  /** Spoor's: who made the score (an evaluator's `name@version`, a user), when the sender knows. */
  author: 'spoor.score.author',
  /** Spoor's: `trace` or `session` when the score is about the whole trace or the session rather than the span it is parented to. */
  target: 'spoor.score.target',
  /** The session a score is about, when its target is a session. */
  sessionId: 'session.id',
} as const;

/**
 * A score as the server holds it; times are epoch microseconds. The target is a span (`traceId`
 * and `spanId`), a trace (`traceId` alone), a session (`sessionId` alone), or, for an OTel
 * evaluation event that named only the call's `gen_ai.response.id`, the span that carries that
 * response id (found when read, so the span may arrive after the score).
 */
export interface ScoreRecord {
  projectId: string;
  /** Names the slot a score fills: a hash of its target, name, source and author. */
  scoreId: string;
  timeUs: number;
  traceId: string | null;
  spanId: string | null;
  sessionId: string | null;
  responseId: string | null;
  name: string;
  value: number | null;
  label: string | null;
  comment: string | null;
  source: ScoreSource;
  /** The evaluator (`name@version`), the key id or the user that made it; `''` when unknown. */
  author: string;
}

/**
 * A score as the REST API returns it: `time` as ISO-8601; `traceId` is the target's trace (`null`
 * for a session's score, or for a response id no stored span has yet).
 */
export type Score = Omit<ScoreRecord, 'projectId' | 'timeUs'> & { time: string };

/** What `GET /api/scores` filters on. */
export interface ScoreQuery {
  projectId: string;
  /** Score time range. */
  range: TimeRange;
  traceId: string | null;
  spanId: string | null;
  sessionId: string | null;
  name: string | null;
  source: ScoreSource | null;
}

export interface ScoreListResponse {
  scores: Score[];
  nextCursor: string | null;
}

/** Why a score's fields make it invalid (naming the field), or `null`. */
export function scoreProblem(score: { name: unknown; value?: unknown; label?: unknown }): string | null {
  if (typeof score.name !== 'string' || score.name.trim() === '') return 'name: a score needs a name';
  const value = score.value ?? null;
  const label = score.label ?? null;
  if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) return 'value: must be a finite number';
  if (label !== null && (typeof label !== 'string' || label === '')) return 'label: must be a non-empty string';
  if (value === null && label === null) return 'value: a score needs a value or a label';
  return null;
}

/** What a score's slot is made of: one slot per target, name, source and author. */
export interface ScoreSlot {
  projectId: string;
  traceId: string | null;
  spanId: string | null;
  sessionId: string | null;
  responseId: string | null;
  name: string;
  source: ScoreSource;
  author: string;
}

/**
 * The id of a score's slot: the same for every version of one target's score by one name,
 * source and author, so the newest replaces the others. The target is the span, else the trace,
 * else the LLM response id, else the session. 32 hex digits.
 */
export function scoreIdOf(slot: ScoreSlot): string {
  const target =
    slot.traceId !== null ? `t:${slot.traceId}/${slot.spanId ?? ''}` : slot.responseId !== null ? `r:${slot.responseId}` : `s:${slot.sessionId ?? ''}`;
  return hash128(`${slot.projectId}\0${target}\0${slot.name}\0${slot.source}\0${slot.author}`);
}

/**
 * A 128-bit hash of a text as 32 hex digits: four 32-bit multiplicative lanes over its UTF-16
 * units, each lane mixed with the others and finished with an avalanche step. Not for secrets:
 * slot ids only need to be stable and, among one project's scores, distinct.
 */
function hash128(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  let c = 0x85ebca6b;
  let d = 0xc2b2ae35;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    c = Math.imul(c ^ unit, 0x27d4eb2f);
    d = Math.imul(d ^ unit, 0x165667b1);
  }
  a = avalanche(a ^ b ^ text.length);
  b = avalanche(b ^ c ^ a);
  c = avalanche(c ^ d ^ b);
  d = avalanche(d ^ a ^ c);
  return [a, b, c, d].map((lane) => (lane >>> 0).toString(16).padStart(8, '0')).join('');
}

function avalanche(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The scores of one name over a trace (its own and its spans'), or over a session's traces: how
 * many there are, the mean of their values (`null` when none has a value: only labels), and how
 * many carry each label.
 */
export interface ScoreSummary {
  mean: number | null;
  count: number;
  labels: Record<string, number>;
}

/** The comparisons a `score=` filter of the trace list takes. */
export const SCORE_FILTER_OPS = ['<', '<=', '>', '>=', '=', '!='] as const;
export type ScoreFilterOp = (typeof SCORE_FILTER_OPS)[number];

/**
 * A trace list filter on the trace's scores of `name` (`score=NAME<0.7`, `score=thumbs=down`).
 * A `value` compares the mean of the trace's values of that name (a trace with no value of that
 * name matches no comparison); a `label` (with `=` or `!=` only) asks that the trace has a score
 * of that name with the label (`=`), or has scores of that name and none with the label (`!=`).
 */
export type ScoreFilter = { name: string; op: ScoreFilterOp; value: number } | { name: string; op: '=' | '!='; label: string };
