import { context, isSpanContextValid, ROOT_CONTEXT, trace, type HrTime } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import { EVALUATION_EVENT } from '@spoor/model';
import { WORKFLOW_KEY, type WorkflowFrame } from '../context/keys.js';
import { SCOPE } from '../log/sink.js';
import { runtime, SDK_NAME, SDK_VERSION, warnOnce } from '../runtime.js';
import {
  feedbackFields,
  scoreEvent,
  scoreFields,
  type Ambient,
  type FeedbackOptions,
  type ScoreEvent,
  type ScoreFields,
  type ScoreOptions,
} from './score-event.js';

/**
 * Records a score of the active span (or of the trace, span or session named) as the
 * OpenTelemetry `gen_ai.evaluation.result` event: an OTLP log record with that event name,
 * parented to the span scored, so any OpenTelemetry backend reads it and Spoor stores it as a
 * score (source `sdk`). For one target and name, the newest score replaces the older.
 *
 * A wrong field throws a TypeError naming it, as does a call with nothing to score (no active
 * span, no ids given). With the SDK disabled it checks the fields and sends nothing.
 * @example
 * await workflow('answer', { sessionId: chat.id }, async () => {
 *   const answer = await step('write', () => writer.write(question));
 *   score({ name: 'grounded', value: judge(answer), comment: 'cites 3 of 3 sources' });
 *   score({ name: 'resolved', label: 'yes', target: 'session' });
 * });
 */
export function score(options: ScoreOptions): void {
  record(scoreFields(options));
}

/**
 * Records a user's feedback (thumbs `up` or `down`, or a rating) on a trace or one of its spans,
 * as {@link score} does, with source `human` and the user as its author, so each user's latest
 * vote counts once. Feedback usually arrives in a later request, after the trace ended: pass the
 * `traceId` (and `spanId`) the app kept, e.g. from `span.spanContext()`. Without ids it is about
 * the active span's trace.
 * @example
 * app.post('/answers/:traceId/feedback', (req) => {
 *   feedback({ traceId: req.params.traceId, value: req.body.up ? 'up' : 'down', comment: req.body.text, userId: req.user.id });
 * });
 */
export function feedback(options: FeedbackOptions): void {
  record(feedbackFields(options));
}

function record(fields: ScoreFields): void {
  // Disabled: the fields were checked, so a mistake shows with the SDK off too; nothing more to do.
  if (runtime.off) return;
  const active = context.active();
  const spanContext = trace.getSpanContext(active);
  const ambient: Ambient = {
    spanContext: spanContext !== undefined && isSpanContextValid(spanContext) ? spanContext : undefined,
    sessionId: (active.getValue(WORKFLOW_KEY) as WorkflowFrame | undefined)?.sessionId,
  };
  const redactor = runtime.redactor;
  if (fields.comment !== null && redactor !== undefined) fields.comment = redactor.string(fields.comment);
  const event = scoreEvent(fields, ambient);
  if (typeof event === 'string') {
    // Before init() there may be no SDK making spans at all; a score with nothing to score is then
    // dropped like the spans around it, not thrown.
    if (runtime.state === 'enabled') throw new TypeError(event);
    return;
  }
  const exported = runtime.logs;
  if (exported !== undefined) {
    const now = Date.now();
    const time: HrTime = [Math.floor(now / 1000), (now % 1000) * 1_000_000];
    // Straight into the logger's batch, as a log line goes: in the same order, flushed by flush().
    exported.batch.add({
      hrTime: time,
      hrTimeObserved: time,
      spanContext: event.spanContext,
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      eventName: EVALUATION_EVENT,
      resource: exported.resource,
      instrumentationScope: SCOPE,
      attributes: event.attributes,
      droppedAttributesCount: 0,
    });
  } else if (runtime.state === 'uninitialized') {
    emitThroughOtelApi(event);
  }
  // Enabled with no log exporter (`exporter: 'none'`, `'console'`, or exporters without `logs`):
  // scores go where log records go, nowhere.
}

/** Before init(): through the global OpenTelemetry logs API, so an app with its own OTel SDK gets the score. */
function emitThroughOtelApi(event: ScoreEvent): void {
  const spanContext = event.spanContext;
  if (spanContext !== undefined && spanContext.spanId === '') {
    // The OTel SDK keeps a record's context only when it names a valid span.
    warnOnce(
      'score:trace-before-init',
      'score(): before init(), a trace named by its traceId alone cannot be scored through the OpenTelemetry logs API; pass its spanId too, or call init() first',
    );
    return;
  }
  logs.getLogger(SDK_NAME, SDK_VERSION).emit({
    eventName: EVALUATION_EVENT,
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    attributes: event.attributes,
    context: spanContext === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, spanContext),
  });
}
