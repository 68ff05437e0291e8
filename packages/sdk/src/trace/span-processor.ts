import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CORRELATION_KEY, correlationIdIn } from '../context/correlation.js';
import type { ReplaySession } from '../replay/session.js';
import { WorkflowUsage } from './usage.js';

/**
 * The one processor `init()` gives the tracer provider. It puts the correlation id on each span,
 * notes the workflow a span starts in (so the LLM usage inside is summed into it), and hands the
 * span on to the exporting processor. One processor for these jobs, not one each: the provider
 * calls every processor it holds at a span's start, ending and end.
 */
export class SpoorSpanProcessor implements SpanProcessor {
  private readonly usage = new WorkflowUsage();

  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    const correlationId = correlationIdIn(parentContext);
    if (correlationId !== undefined) span.setAttribute(CORRELATION_KEY, correlationId);
    this.usage.started(span, parentContext);
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.usage.ended(span);
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/**
 * {@link SpoorSpanProcessor} that also tells the replay session about every span as it starts, so
 * a call knows the path of spans above it (its position) and the replay run's roots carry
 * `spoor.replay.of`. `init()` picks it only when replaying; other runs pay nothing for replay.
 */
export class ReplayingSpanProcessor extends SpoorSpanProcessor {
  constructor(
    next: SpanProcessor,
    private readonly session: ReplaySession,
  ) {
    super(next);
  }

  override onStart(span: Span, parentContext: Context): void {
    this.session.spanStarted(span, span.name, parentContext);
    super.onStart(span, parentContext);
  }
}
