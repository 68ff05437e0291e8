import {
  EVALUATION_ATTRIBUTES as A,
  EVALUATION_EVENT,
  type Attributes,
  type LogRecordData,
  type ScoreRecord,
  type ScoreSlot,
  type ScoreSource,
  type SpanRecord,
  scoreIdOf,
  scoreProblem,
} from '@spoor/model';

/**
 * Scores from OpenTelemetry: the GenAI semantic conventions' `gen_ai.evaluation.result` event,
 * as a log record (its event name, parented to the evaluated span) or as a span event.
 */

/** Sources an OTel event may claim (the SDK's); any other event is `otel`. */
const CLAIMED_SOURCES: ReadonlySet<string> = new Set<ScoreSource>(['sdk', 'human', 'evaluator']);

/** Whether a log record is an evaluation result event (by its event name, or an `event.name` attribute as older SDKs send it). */
export function isEvaluationLog(log: LogRecordData): boolean {
  return log.eventName === EVALUATION_EVENT || (log.eventName === '' && log.attributes['event.name'] === EVALUATION_EVENT);
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * The score an evaluation event's attributes give for `target`, or why they give none. A value
 * sent as a string of a number (some SDKs stringify attributes) counts as that number.
 */
export function scoreFromEvent(
  projectId: string,
  attributes: Attributes,
  target: { traceId: string | null; spanId: string | null },
  timeUs: number,
): ScoreRecord | string {
  const name = attributes[A.name];
  let value: unknown = attributes[A.value] ?? null;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) value = Number(value);
  const label = attributes[A.label] ?? null;
  const problem = scoreProblem({ name, value, label });
  if (problem !== null) return `${EVALUATION_EVENT} event: ${problem.startsWith('name') ? `${A.name} is missing` : problem}`;
  const claimed = text(attributes[A.source]);
  const source: ScoreSource = claimed !== null && CLAIMED_SOURCES.has(claimed) ? (claimed as ScoreSource) : 'otel';
  const responseId = text(attributes[A.responseId]);
  const sessionId = text(attributes[A.sessionId]);
  let { traceId, spanId } = target;
  // The SDK's score of a whole trace travels in the trace's context, under a span of it.
  if (attributes[A.target] === 'trace') spanId = null;
  if (attributes[A.target] === 'session' && sessionId !== null) {
    traceId = null;
    spanId = null;
  }
  if (traceId === null && responseId === null && sessionId === null) {
    return `${EVALUATION_EVENT} event: names no target (no trace context, ${A.responseId} or ${A.sessionId})`;
  }
  const slot: ScoreSlot = {
    projectId,
    traceId,
    spanId: traceId === null ? null : spanId,
    sessionId: traceId === null ? sessionId : null,
    responseId: traceId === null ? responseId : null,
    name: (name as string).trim(),
    source,
    author: text(attributes[A.author]) ?? '',
  };
  const comment = text(attributes[A.explanation]);
  return { ...slot, scoreId: scoreIdOf(slot), timeUs, value: value as number | null, label: label as string | null, comment };
}

/** Scores found in events, and the events that could not be scores (counted, with the first reason). */
export interface FoundScores<T> {
  scores: ScoreRecord[];
  /** The records whose evaluation events could not be scores. */
  refused: Set<T>;
  /** How many evaluation events could not be scores (a span may carry several). */
  refusedEvents: number;
  refuseReason: string | null;
}

/** The scores of the evaluation events on these spans (each about the span that carries it). */
export function scoresFromSpans(spans: readonly SpanRecord[]): FoundScores<SpanRecord> {
  const found: FoundScores<SpanRecord> = { scores: [], refused: new Set(), refusedEvents: 0, refuseReason: null };
  for (const span of spans) {
    if (span.events.length === 0) continue;
    for (const event of span.events) {
      if (event.name !== EVALUATION_EVENT) continue;
      add(found, span, scoreFromEvent(span.projectId, event.attributes, { traceId: span.traceId, spanId: span.spanId }, event.timeUs));
    }
  }
  return found;
}

/** The scores of evaluation log records (each about the span it is parented to, or what its attributes name). */
export function scoresFromLogs(logs: readonly LogRecordData[]): FoundScores<LogRecordData> {
  const found: FoundScores<LogRecordData> = { scores: [], refused: new Set(), refusedEvents: 0, refuseReason: null };
  for (const log of logs) {
    if (!isEvaluationLog(log)) continue;
    add(found, log, scoreFromEvent(log.projectId, log.attributes, { traceId: log.traceId, spanId: log.spanId }, log.timeUs || log.observedTimeUs));
  }
  return found;
}

function add<T>(found: FoundScores<T>, record: T, score: ScoreRecord | string): void {
  if (typeof score !== 'string') found.scores.push(score);
  else {
    found.refused.add(record);
    found.refusedEvents++;
    found.refuseReason ??= score;
  }
}
