import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReplaySession } from './session.js';

/**
 * Tells the replay session about every span as it starts, so that a call knows the path of spans
 * above it (its position) and the replay run's roots carry `spoor.replay.of`. Only installed when
 * `init()` replays.
 */
export class ReplaySpanProcessor implements SpanProcessor {
  constructor(private readonly session: ReplaySession) {}

  onStart(span: Span, parentContext: Context): void {
    this.session.spanStarted(span, span.name, parentContext);
  }

  onEnd(_span: ReadableSpan): void {
    // Paths are held weakly by span; nothing to do when one ends.
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
