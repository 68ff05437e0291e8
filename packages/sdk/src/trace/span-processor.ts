import type { Context, Span as ApiSpan, SpanOptions, Tracer } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CORRELATION_KEY, correlationIdIn } from '../context/correlation.js';
import { scopedReplayIn, scopedReplayOpen } from '../replay/scope.js';
import type { ReplaySession } from '../replay/session.js';
import { WorkflowUsage } from './usage.js';

/** The attribute `traced()` names the wrapped function by. */
export const FUNCTION_NAME_ATTRIBUTE = 'code.function.name';

/** The function name for the span being started by {@link startFunctionSpan}; set only during that call. */
let pendingFunctionName: string | undefined;

/**
 * Starts a span on the tracer of the SDK's own provider, whose processor gives it
 * `code.function.name` as it starts. For a span with no other start attributes this is what
 * passing the name in `options.attributes` gives, one attribute set instead of three passes
 * OpenTelemetry makes over start attributes (two copies, then one set each): 40-60 ns of the
 * 2.4 µs a `traced()` span costs here. Only for a span the sampler need not see the name on.
 */
export function startFunctionSpan(tracer: Tracer, name: string, options: SpanOptions, parent: Context, functionName: string): ApiSpan {
  pendingFunctionName = functionName;
  try {
    return tracer.startSpan(name, options, parent);
  } finally {
    // A span that was never recorded (tracing suppressed) did not reach the processor.
    pendingFunctionName = undefined;
  }
}

/**
 * The one processor `init()` gives the tracer provider. It names the function of a span
 * {@link startFunctionSpan} started, puts the correlation id on each span, notes the workflow a
 * span starts in (so the LLM usage inside is summed into it), and hands the span on to the
 * exporting processor. One processor for these jobs, not one each: the provider calls every
 * processor it holds at a span's start, ending and end.
 */
export class SpoorSpanProcessor implements SpanProcessor {
  private readonly usage = new WorkflowUsage();

  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    // First, where start attributes would have been set: the attributes keep their order.
    const functionName = pendingFunctionName;
    if (functionName !== undefined) {
      pendingFunctionName = undefined;
      span.setAttribute(FUNCTION_NAME_ATTRIBUTE, functionName);
    }
    // An experiment's item places its calls by the spans above them, like a replay of the whole process.
    if (scopedReplayOpen()) scopedReplayIn(parentContext)?.spanStarted(span, span.name, parentContext);
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
 * Its spans get their function name in the start options (`runtime.functionNameByProcessor` is off),
 * so `spoor.replay.of` still comes after it.
 */
export class ReplayingSpanProcessor extends SpoorSpanProcessor {
  constructor(
    next: SpanProcessor,
    private readonly session: ReplaySession,
  ) {
    super(next);
  }

  override onStart(span: Span, parentContext: Context): void {
    // A span of an experiment's item belongs to the item's own session (placed by the base class).
    if (!scopedReplayOpen() || scopedReplayIn(parentContext) === undefined) this.session.spanStarted(span, span.name, parentContext);
    super.onStart(span, parentContext);
  }
}
