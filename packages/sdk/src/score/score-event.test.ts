import { TraceFlags, type SpanContext } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { feedbackFields, scoreEvent, scoreFields, type Ambient, type FeedbackOptions, type ScoreOptions } from './score-event.js';

const TRACE = 'ab'.repeat(16);
const SPAN = 'cd'.repeat(8);
const ACTIVE: SpanContext = { traceId: '12'.repeat(16), spanId: '34'.repeat(8), traceFlags: TraceFlags.SAMPLED };
const IN_SPAN: Ambient = { spanContext: ACTIVE, sessionId: undefined };
const IN_WORKFLOW: Ambient = { spanContext: ACTIVE, sessionId: 'chat-7' };
const NOWHERE: Ambient = { spanContext: undefined, sessionId: undefined };

describe('scoreFields', () => {
  it.each<[string, unknown, string]>([
    ['no options', undefined, 'score(): options: must be an object'],
    ['no name', { value: 1 }, 'score(): name: a score needs a name'],
    ['a blank name', { name: '  ', value: 1 }, 'score(): name:'],
    ['neither value nor label', { name: 'helpful' }, 'score(): value: a score needs a value or a label'],
    ['a value that is no number', { name: 'helpful', value: '0.5' }, 'score(): value: must be a finite number'],
    ['an infinite value', { name: 'helpful', value: Infinity }, 'score(): value: must be a finite number'],
    ['an empty label', { name: 'helpful', label: '' }, 'score(): label: must be a non-empty string'],
    ['a misspelt option', { name: 'helpful', value: 1, commment: 'typo' }, 'score(): commment: not an option of score()'],
    ['an unknown target', { name: 'helpful', value: 1, target: 'run' }, "score(): target: must be 'span', 'trace' or 'session'"],
    ['a short trace id', { name: 'helpful', value: 1, traceId: 'abc' }, 'score(): traceId: must be 32 hex digits'],
    ['an all-zero trace id', { name: 'helpful', value: 1, traceId: '0'.repeat(32) }, 'score(): traceId: must be 32 hex digits, not all zero'],
    ['a span id that is no hex', { name: 'helpful', value: 1, traceId: TRACE, spanId: 'z'.repeat(16) }, 'score(): spanId: must be 16 hex digits'],
    ['a span id without its trace', { name: 'helpful', value: 1, spanId: SPAN }, 'score(): traceId: a spanId needs the traceId'],
    [
      'a span target naming only the trace',
      { name: 'helpful', value: 1, traceId: TRACE, target: 'span' },
      "score(): spanId: target 'span' with a traceId needs",
    ],
    ['an empty session id', { name: 'helpful', value: 1, sessionId: '' }, 'score(): sessionId: must be a non-empty string'],
    ['a comment that is no string', { name: 'helpful', value: 1, comment: 3 }, 'score(): comment: must be a string'],
  ])('throws a TypeError naming the field for %s', (_case, options, message) => {
    expect(() => scoreFields(options as ScoreOptions)).toThrow(TypeError);
    expect(() => scoreFields(options as ScoreOptions)).toThrow(message);
  });

  it.each<[string, ScoreOptions, Partial<ReturnType<typeof scoreFields>>]>([
    [
      'the active span by default',
      { name: ' helpful ', value: 0.5 },
      { name: 'helpful', value: 0.5, label: null, target: 'span', traceId: null, spanId: null },
    ],
    ['a trace named alone', { name: 'ok', label: 'yes', traceId: TRACE.toUpperCase() }, { target: 'trace', traceId: TRACE, spanId: null }],
    ['a span named with its trace', { name: 'ok', value: 1, traceId: TRACE, spanId: SPAN }, { target: 'span', traceId: TRACE, spanId: SPAN }],
    ['a session named alone', { name: 'ok', value: 1, sessionId: 'chat-1' }, { target: 'session', sessionId: 'chat-1' }],
    ['the trace of the active span', { name: 'ok', value: 1, target: 'trace' }, { target: 'trace', traceId: null }],
    ['a blank comment as none', { name: 'ok', value: 1, comment: '' }, { comment: null }],
  ])('resolves %s', (_case, options, expected) => {
    expect(scoreFields(options)).toMatchObject({ call: 'score', source: 'sdk', author: null, ...expected });
  });
});

describe('feedbackFields', () => {
  it.each<[string, FeedbackOptions, Partial<ReturnType<typeof feedbackFields>>]>([
    ['a thumbs up as label up and value 1', { value: 'up', traceId: TRACE }, { name: 'thumbs', label: 'up', value: 1, target: 'trace' }],
    ['a thumbs down as label down and value 0', { value: 'down', traceId: TRACE, spanId: SPAN }, { label: 'down', value: 0, target: 'span', spanId: SPAN }],
    ['a rating as a value alone', { value: 4, name: 'stars', userId: 'u-9' }, { name: 'stars', label: null, value: 4, author: 'u-9' }],
  ])('reads %s, from a human', (_case, options, expected) => {
    expect(feedbackFields(options)).toMatchObject({ call: 'feedback', source: 'human', sessionId: null, ...expected });
  });

  it.each<[string, unknown, string]>([
    ['a vote that is neither up nor down', { value: 'meh' }, "feedback(): value: must be 'up', 'down' or a finite number (got \"meh\")"],
    ['no value', {}, "feedback(): value: must be 'up', 'down' or a finite number"],
    ['NaN', { value: NaN }, 'feedback(): value:'],
    ['an empty name', { value: 'up', name: '' }, 'feedback(): name: must be a non-empty string'],
    ['an empty user id', { value: 'up', userId: '' }, 'feedback(): userId: must be a non-empty string'],
    ['a score option', { value: 'up', target: 'session' }, 'feedback(): target: not an option of feedback()'],
    ['a bad trace id', { value: 'up', traceId: 'nope' }, 'feedback(): traceId: must be 32 hex digits'],
  ])('throws a TypeError naming the field for %s', (_case, options, message) => {
    expect(() => feedbackFields(options as FeedbackOptions)).toThrow(TypeError);
    expect(() => feedbackFields(options as FeedbackOptions)).toThrow(message);
  });
});

describe('scoreEvent', () => {
  it('parents a span score to the active span, with the source and no target attribute', () => {
    const event = scoreEvent(scoreFields({ name: 'helpful', value: 0.5, label: 'mostly', comment: 'fine' }), IN_SPAN);
    expect(event).toEqual({
      spanContext: ACTIVE,
      attributes: {
        'gen_ai.evaluation.name': 'helpful',
        'gen_ai.evaluation.score.value': 0.5,
        'gen_ai.evaluation.score.label': 'mostly',
        'gen_ai.evaluation.explanation': 'fine',
        'spoor.score.source': 'sdk',
      },
    });
  });

  it('marks a trace score and keeps it in the context of the span it was made under', () => {
    const event = scoreEvent(scoreFields({ name: 'ok', value: 1, target: 'trace' }), IN_SPAN);
    expect(event).toMatchObject({ spanContext: ACTIVE, attributes: { 'spoor.score.target': 'trace' } });
  });

  it('puts ids given in the context, over the active span, with no span id for a trace', () => {
    expect(scoreEvent(scoreFields({ name: 'ok', value: 1, traceId: TRACE }), IN_SPAN)).toMatchObject({
      spanContext: { traceId: TRACE, spanId: '', traceFlags: TraceFlags.NONE },
      attributes: { 'spoor.score.target': 'trace' },
    });
    const span = scoreEvent(feedbackFields({ value: 'up', traceId: TRACE, spanId: SPAN, userId: 'u-1' }), NOWHERE);
    expect(span).toEqual({
      spanContext: { traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.NONE },
      attributes: {
        'gen_ai.evaluation.name': 'thumbs',
        'gen_ai.evaluation.score.value': 1,
        'gen_ai.evaluation.score.label': 'up',
        'spoor.score.source': 'human',
        'spoor.score.author': 'u-1',
        'user.id': 'u-1',
      },
    });
  });

  it("scores the workflow's session, or the one named, in the active span's context when there is one", () => {
    expect(scoreEvent(scoreFields({ name: 'resolved', label: 'yes', target: 'session' }), IN_WORKFLOW)).toMatchObject({
      spanContext: ACTIVE,
      attributes: { 'spoor.score.target': 'session', 'session.id': 'chat-7' },
    });
    expect(scoreEvent(scoreFields({ name: 'resolved', label: 'yes', sessionId: 'chat-9' }), NOWHERE)).toEqual({
      spanContext: undefined,
      attributes: {
        'gen_ai.evaluation.name': 'resolved',
        'gen_ai.evaluation.score.label': 'yes',
        'spoor.score.source': 'sdk',
        'spoor.score.target': 'session',
        'session.id': 'chat-9',
      },
    });
  });

  it('says why a score has nothing to score, naming the field to pass', () => {
    expect(scoreEvent(scoreFields({ name: 'ok', value: 1 }), NOWHERE)).toBe(
      'score(): traceId: no active span to score; pass traceId (and spanId), or call inside a span',
    );
    expect(scoreEvent(feedbackFields({ value: 'down' }), NOWHERE)).toMatch(/^feedback\(\): traceId: no active span/);
    expect(scoreEvent(scoreFields({ name: 'ok', value: 1, target: 'session' }), IN_SPAN)).toMatch(/^score\(\): sessionId: no session to score/);
  });
});
