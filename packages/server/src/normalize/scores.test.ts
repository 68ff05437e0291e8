import { type Attributes, type ScoreRecord, scoreIdOf } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { T0, log, sid, span, tid } from '../../test/support/record-fixtures.js';
import { isEvaluationLog, scoresFromLogs, scoresFromSpans } from './scores.js';

/**
 * Scores from OpenTelemetry's `gen_ai.evaluation.result` events: a log record named so (or, from
 * older SDKs, carrying `event.name`), parented to the evaluated span, and a span event.
 */

const EVENT = 'gen_ai.evaluation.result';
const PARENTED = { traceId: tid(1), spanId: sid(2) };

/** The score an evaluation log with these attributes (and trace context) gives. */
function expected(over: Partial<ScoreRecord>): ScoreRecord {
  const slot = {
    projectId: 'default',
    traceId: tid(1),
    spanId: sid(2),
    sessionId: null,
    responseId: null,
    name: 'relevance',
    source: 'otel' as const,
    author: '',
    ...over,
  };
  return { timeUs: T0, value: null, label: null, comment: null, ...slot, scoreId: scoreIdOf(slot) };
}

const evaluationLog = (attributes: Attributes, context: { traceId: string | null; spanId: string | null } = PARENTED) =>
  log({ eventName: EVENT, attributes, ...context });

describe('scoresFromLogs', () => {
  it.each<[string, Attributes, { traceId: string | null; spanId: string | null }, Partial<ScoreRecord>]>([
    ['a value about the span it is parented to', { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.8 }, PARENTED, { value: 0.8 }],
    ['an integer value', { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 3 }, PARENTED, { value: 3 }],
    [
      'a value sent as text (some SDKs stringify attributes)',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': ' 0.25 ' },
      PARENTED,
      { value: 0.25 },
    ],
    ['a label alone', { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.label': 'relevant' }, PARENTED, { label: 'relevant' }],
    [
      'a value, a label and an explanation (the comment)',
      {
        'gen_ai.evaluation.name': 'relevance',
        'gen_ai.evaluation.score.value': 1,
        'gen_ai.evaluation.score.label': 'pass',
        'gen_ai.evaluation.explanation': 'cites the context',
      },
      PARENTED,
      { value: 1, label: 'pass', comment: 'cites the context' },
    ],
    ['a name padded with spaces, trimmed', { 'gen_ai.evaluation.name': '  relevance ', 'gen_ai.evaluation.score.value': 1 }, PARENTED, { value: 1 }],
    [
      'only a response id, without trace context: the span of that response, found when read',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, 'gen_ai.response.id': 'chatcmpl-9' },
      { traceId: null, spanId: null },
      { traceId: null, spanId: null, responseId: 'chatcmpl-9', value: 1 },
    ],
    [
      'a response id within trace context: the span it is parented to wins',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, 'gen_ai.response.id': 'chatcmpl-9' },
      PARENTED,
      { value: 1 },
    ],
    [
      'spoor.score.target trace: the whole trace',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, 'spoor.score.target': 'trace' },
      PARENTED,
      { spanId: null, value: 1 },
    ],
    [
      'spoor.score.target session with session.id: the session',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, 'spoor.score.target': 'session', 'session.id': 'sess-1' },
      PARENTED,
      { traceId: null, spanId: null, sessionId: 'sess-1', value: 1 },
    ],
    [
      'spoor.score.target session without session.id: the span it is parented to',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, 'spoor.score.target': 'session' },
      PARENTED,
      { value: 1 },
    ],
    [
      'a session id alone, without trace context: the session',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, 'session.id': 'sess-1' },
      { traceId: null, spanId: null },
      { traceId: null, spanId: null, sessionId: 'sess-1', value: 1 },
    ],
    [
      'a session id within trace context: about the span, the session not kept',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, 'session.id': 'sess-1' },
      PARENTED,
      { value: 1 },
    ],
    [
      'source sdk claimed, with its author',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, 'spoor.score.source': 'sdk', 'spoor.score.author': 'checkout-app' },
      PARENTED,
      { source: 'sdk', author: 'checkout-app', value: 1 },
    ],
    [
      'source human claimed',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.label': 'up', 'spoor.score.source': 'human' },
      PARENTED,
      { source: 'human', label: 'up' },
    ],
    [
      'source evaluator claimed',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, 'spoor.score.source': 'evaluator', 'spoor.score.author': 'relevance@3' },
      PARENTED,
      { source: 'evaluator', author: 'relevance@3', value: 1 },
    ],
    // An event cannot pass for the REST API or invent a source: it is OpenTelemetry's.
    [
      'source api claimed: otel',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, 'spoor.score.source': 'api' },
      PARENTED,
      { value: 1 },
    ],
    [
      'an unknown source claimed: otel',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, 'spoor.score.source': 'robot' },
      PARENTED,
      { value: 1 },
    ],
  ])('takes %s', (_name, attributes, context, over) => {
    const found = scoresFromLogs([evaluationLog(attributes, context)]);
    expect(found).toEqual({ scores: [expected(over)], refused: new Set(), refusedEvents: 0, refuseReason: null });
  });

  it.each<[string, Attributes, { traceId: string | null; spanId: string | null }, string]>([
    ['no name', { 'gen_ai.evaluation.score.value': 1 }, PARENTED, 'gen_ai.evaluation.result event: gen_ai.evaluation.name is missing'],
    [
      'a blank name',
      { 'gen_ai.evaluation.name': ' ', 'gen_ai.evaluation.score.value': 1 },
      PARENTED,
      'gen_ai.evaluation.result event: gen_ai.evaluation.name is missing',
    ],
    [
      'a name that is no text',
      { 'gen_ai.evaluation.name': 7, 'gen_ai.evaluation.score.value': 1 },
      PARENTED,
      'gen_ai.evaluation.result event: gen_ai.evaluation.name is missing',
    ],
    ['neither value nor label', { 'gen_ai.evaluation.name': 'relevance' }, PARENTED, 'gen_ai.evaluation.result event: value: a score needs a value or a label'],
    [
      'a value of text that is no number',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 'high' },
      PARENTED,
      'gen_ai.evaluation.result event: value: must be a finite number',
    ],
    [
      'a value of blank text',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': ' ' },
      PARENTED,
      'gen_ai.evaluation.result event: value: must be a finite number',
    ],
    [
      'a value that is not finite (protobuf doubles carry NaN)',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': Number.NaN },
      PARENTED,
      'gen_ai.evaluation.result event: value: must be a finite number',
    ],
    [
      'an infinite value as text',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 'Infinity' },
      PARENTED,
      'gen_ai.evaluation.result event: value: must be a finite number',
    ],
    [
      'an empty label and no value',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.label': '' },
      PARENTED,
      'gen_ai.evaluation.result event: label: must be a non-empty string',
    ],
    [
      'no target: no trace context, response id or session',
      { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1 },
      { traceId: null, spanId: null },
      'gen_ai.evaluation.result event: names no target (no trace context, gen_ai.response.id or session.id)',
    ],
  ])('refuses %s, naming why', (_name, attributes, context, reason) => {
    const record = evaluationLog(attributes, context);
    expect(scoresFromLogs([record])).toEqual({ scores: [], refused: new Set([record]), refusedEvents: 1, refuseReason: reason });
  });

  it('finds evaluation records by their event name, or an event.name attribute when the record has none', () => {
    expect(isEvaluationLog(log({ eventName: EVENT }))).toBe(true);
    expect(isEvaluationLog(log({ attributes: { 'event.name': EVENT } }))).toBe(true);
    // The record's own event name is what it is: an attribute does not rename it.
    expect(isEvaluationLog(log({ eventName: 'order.received', attributes: { 'event.name': EVENT } }))).toBe(false);
    expect(isEvaluationLog(log({ eventName: 'gen_ai.client.inference.operation.details' }))).toBe(false);
    expect(isEvaluationLog(log())).toBe(false);
  });

  it('leaves other records alone, keeps the good scores of a request and names the first refusal', () => {
    const ordinary = log({ logId: 'plain', attributes: { 'gen_ai.evaluation.name': 'looks like one' } });
    const good = log({
      logId: 'good',
      eventName: '',
      ...PARENTED,
      attributes: { 'event.name': EVENT, 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.5 },
    });
    const noName = evaluationLog({ 'gen_ai.evaluation.score.value': 1 });
    const noValue = evaluationLog({ 'gen_ai.evaluation.name': 'relevance' });
    const found = scoresFromLogs([ordinary, noName, good, noValue]);
    expect(found.scores).toEqual([expected({ value: 0.5 })]);
    expect(found.refused).toEqual(new Set([noName, noValue]));
    expect(found.refusedEvents).toBe(2);
    expect(found.refuseReason).toBe('gen_ai.evaluation.result event: gen_ai.evaluation.name is missing');
  });

  it('dates a record without its own time by when it was observed', () => {
    const [score] = scoresFromLogs([
      log({
        eventName: EVENT,
        ...PARENTED,
        timeUs: 0,
        observedTimeUs: T0 + 9,
        attributes: { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1 },
      }),
    ]).scores;
    expect(score!.timeUs).toBe(T0 + 9);
  });

  it('gives one slot to every version of a target, name, source and author, and another to each of them changed', () => {
    const idOf = (attributes: Attributes, context = PARENTED): string =>
      scoresFromLogs([evaluationLog({ 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1, ...attributes }, context)]).scores[0]!.scoreId;
    const first = idOf({});
    expect(idOf({ 'gen_ai.evaluation.score.value': 0, 'gen_ai.evaluation.explanation': 'changed' })).toBe(first);
    const others = [
      idOf({ 'gen_ai.evaluation.name': 'faithfulness' }),
      idOf({ 'spoor.score.source': 'sdk' }),
      idOf({ 'spoor.score.author': 'someone' }),
      idOf({}, { traceId: tid(1), spanId: sid(3) }),
      idOf({ 'spoor.score.target': 'trace' }),
    ];
    expect(new Set([first, ...others]).size).toBe(6);
  });
});

describe('scoresFromSpans', () => {
  it('takes each evaluation event of a span as a score of that span, at the event time', () => {
    const event = (attributes: Attributes, timeUs = T0 + 50) => ({ name: EVENT, timeUs, attributes, droppedAttributesCount: 0 });
    const judged = span({
      traceId: tid(1),
      spanId: sid(2),
      events: [
        event({ 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.9 }),
        { name: 'exception', timeUs: T0 + 60, attributes: { 'exception.message': 'x' }, droppedAttributesCount: 0 },
        event({ 'gen_ai.evaluation.name': 'toxicity', 'gen_ai.evaluation.score.label': 'none', 'gen_ai.evaluation.explanation': 'polite' }, T0 + 70),
        event({ 'gen_ai.evaluation.name': 'session-ok', 'gen_ai.evaluation.score.value': 1, 'spoor.score.target': 'session', 'session.id': 'sess-1' }, T0 + 80),
      ],
    });
    const found = scoresFromSpans([span({ spanId: sid(1) }), judged]);
    expect(found).toEqual({
      scores: [
        expected({ timeUs: T0 + 50, value: 0.9 }),
        expected({ timeUs: T0 + 70, name: 'toxicity', label: 'none', comment: 'polite' }),
        expected({ timeUs: T0 + 80, name: 'session-ok', traceId: null, spanId: null, sessionId: 'sess-1', value: 1 }),
      ],
      refused: new Set(),
      refusedEvents: 0,
      refuseReason: null,
    });
  });

  it('names the span of an event that is no score, counts each such event, and keeps the good events of the others', () => {
    const nameless = { name: EVENT, timeUs: T0, attributes: { 'gen_ai.evaluation.score.value': 1 }, droppedAttributesCount: 0 };
    const bad = span({ spanId: sid(3), events: [nameless, nameless] });
    const good = span({
      spanId: sid(2),
      events: [
        { name: EVENT, timeUs: T0, attributes: { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1 }, droppedAttributesCount: 0 },
      ],
    });
    const found = scoresFromSpans([bad, good]);
    expect(found.scores).toEqual([expected({ value: 1 })]);
    expect(found.refused).toEqual(new Set([bad]));
    expect(found.refusedEvents).toBe(2);
    expect(found.refuseReason).toBe('gen_ai.evaluation.result event: gen_ai.evaluation.name is missing');
  });
});
