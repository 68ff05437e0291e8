import { context, INVALID_SPAN_CONTEXT, trace, type Span } from '@opentelemetry/api';
import { runtime } from '../runtime.js';
import { runInSpan } from './run-in-span.js';
import { optionsAndFn, parentFor, spanOptionsFrom, type SpanHelperOptions } from './span-options.js';

/**
 * Runs a block as a span. The block gets the span to add attributes or events; the span ends
 * when the block returns, its promise settles or its generator finishes.
 * @example
 * const docs = await withSpan('retrieve', { attributes: { 'retrieval.top_k': 5 } }, async (span) => {
 *   const found = await index.search(query, 5);
 *   span.setAttribute('retrieval.found', found.length);
 *   return found;
 * });
 */
export function withSpan<R>(name: string, fn: (span: Span) => R): R;
export function withSpan<R>(name: string, options: SpanHelperOptions, fn: (span: Span) => R): R;
export function withSpan<R>(name: string, optionsOrFn: SpanHelperOptions | ((span: Span) => R), maybeFn?: (span: Span) => R): R {
  const [options, fn] = optionsAndFn<SpanHelperOptions, (span: Span) => R>(optionsOrFn, maybeFn);
  if (runtime.off) return fn(NOOP_SPAN);
  const parent = parentFor(options, context.active());
  const span = runtime.tracer.startSpan(name, spanOptionsFrom(options), parent);
  return runInSpan(span, parent, () => fn(span));
}

/** What a disabled SDK hands to blocks that expect a span: records nothing, costs nothing. */
export const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
