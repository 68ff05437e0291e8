import { context, trace, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import { whenSettled } from '../settle.js';
import { countError, errorTypeOf } from './errors.js';

/**
 * Called once just before the span ends: with the error when the work failed, else with its
 * result (the resolved value of a promise; nothing for a generator).
 */
export type SpanEndHook = (span: Span, failed: boolean, errorOrResult: unknown) => void;

/**
 * Runs `fn` with `span` active and ends the span when the work is done: on return for a plain
 * value, on settle for a promise, and on completion, error or `return()` for a generator. An
 * exception is recorded on the span and rethrown unchanged.
 */
export function runInSpan<R>(span: Span, parent: Context, fn: () => R, onEnd?: SpanEndHook): R {
  const active = trace.setSpan(parent, span);
  let result: R;
  try {
    result = context.with(active, fn);
  } catch (error) {
    finish(span, active, true, error, onEnd);
    throw error;
  }
  if (isAsyncGenerator(result)) return tracedAsyncGenerator(result, span, active, onEnd) as R;
  if (isGenerator(result)) return tracedGenerator(result, span, active, onEnd) as R;
  return whenSettled(result, (failed, errorOrResult) => finish(span, active, failed, errorOrResult, onEnd));
}

/** Marks the span failed with the exception's type, message and stack; never throws. */
export function recordError(span: Span, error: unknown, where: Context): void {
  try {
    const type = errorTypeOf(error);
    const message = error instanceof Error ? error.message : describe(error);
    span.recordException(error instanceof Error ? error : { name: type, message });
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.setAttribute('error.type', type);
    countError(error, where);
  } catch {
    // An exotic thrown value must not replace the app's exception or leave the span open.
  }
}

function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function finish(span: Span, where: Context, failed: boolean, errorOrResult: unknown, onEnd: SpanEndHook | undefined): void {
  if (failed) recordError(span, errorOrResult, where);
  if (onEnd !== undefined) {
    try {
      onEnd(span, failed, errorOrResult);
    } catch {
      // A metrics hook must not turn a finished call into a failed one.
    }
  }
  span.end();
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown, unknown, unknown> {
  return (value as { [Symbol.toStringTag]?: string } | null)?.[Symbol.toStringTag] === 'AsyncGenerator';
}

function isGenerator(value: unknown): value is Generator<unknown, unknown, unknown> {
  return (value as { [Symbol.toStringTag]?: string } | null)?.[Symbol.toStringTag] === 'Generator';
}

/** Ends the span on the first call only: a generator can finish, throw and be returned in any order. */
function endOnce(span: Span, active: Context, onEnd: SpanEndHook | undefined): (failed: boolean, error?: unknown) => void {
  let open = true;
  return (failed, error) => {
    if (!open) return;
    open = false;
    finish(span, active, failed, error, onEnd);
  };
}

/**
 * The generator as the app sees it, with each step run inside the span. The span covers the
 * whole iteration and ends when the generator finishes, throws, or the consumer stops early
 * (`break` calls `return()`).
 */
function tracedAsyncGenerator<T, TReturn, TNext>(
  inner: AsyncGenerator<T, TReturn, TNext>,
  span: Span,
  active: Context,
  onEnd: SpanEndHook | undefined,
): AsyncGenerator<T, TReturn, TNext> {
  const end = endOnce(span, active, onEnd);
  const step = (run: () => Promise<IteratorResult<T, TReturn>>, stopping: boolean) =>
    context.with(active, run).then(
      (item) => {
        if (item.done || stopping) end(false);
        return item;
      },
      (error: unknown) => {
        end(true, error);
        throw error;
      },
    );
  const outer = {
    next: (...args: [] | [TNext]) => step(() => inner.next(...args), false),
    return: (value: TReturn | PromiseLike<TReturn>) => step(() => inner.return(value), true),
    throw: (error: unknown) => step(() => inner.throw(error), false),
    [Symbol.asyncIterator]: () => outer,
    // So a helper around this one (withSpan(() => tracedGenerator())) also waits for the iteration.
    [Symbol.toStringTag]: 'AsyncGenerator',
  } as AsyncGenerator<T, TReturn, TNext>;
  return outer;
}

function tracedGenerator<T, TReturn, TNext>(
  inner: Generator<T, TReturn, TNext>,
  span: Span,
  active: Context,
  onEnd: SpanEndHook | undefined,
): Generator<T, TReturn, TNext> {
  const end = endOnce(span, active, onEnd);
  const step = (run: () => IteratorResult<T, TReturn>, stopping: boolean): IteratorResult<T, TReturn> => {
    let item: IteratorResult<T, TReturn>;
    try {
      item = context.with(active, run);
    } catch (error) {
      end(true, error);
      throw error;
    }
    if (item.done || stopping) end(false);
    return item;
  };
  const outer = {
    next: (...args: [] | [TNext]) => step(() => inner.next(...args), false),
    return: (value: TReturn) => step(() => inner.return(value), true),
    throw: (error: unknown) => step(() => inner.throw(error), false),
    [Symbol.iterator]: () => outer,
    [Symbol.toStringTag]: 'Generator',
  } as Generator<T, TReturn, TNext>;
  return outer;
}
