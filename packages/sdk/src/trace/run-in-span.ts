import { context, trace, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
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
    finish(span, true, error, onEnd);
    throw error;
  }
  if (isThenable(result)) {
    return result.then(
      (value) => {
        finish(span, false, value, onEnd);
        return value;
      },
      (error: unknown) => {
        finish(span, true, error, onEnd);
        throw error;
      },
    ) as R;
  }
  if (isAsyncGenerator(result)) return tracedAsyncGenerator(result, span, active, onEnd) as R;
  if (isGenerator(result)) return tracedGenerator(result, span, active, onEnd) as R;
  finish(span, false, result, onEnd);
  return result;
}

/** Marks the span failed with the exception's type, message and stack. */
export function recordError(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.recordException({ name: errorTypeOf(error), message: String(error) });
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  }
  span.setAttribute('error.type', errorTypeOf(error));
  countError(error);
}

function finish(span: Span, failed: boolean, errorOrResult: unknown, onEnd: SpanEndHook | undefined): void {
  if (failed) recordError(span, errorOrResult);
  if (onEnd !== undefined) {
    try {
      onEnd(span, failed, errorOrResult);
    } catch {
      // A metrics hook must not turn a finished call into a failed one.
    }
  }
  span.end();
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown, unknown, unknown> {
  return (value as { [Symbol.toStringTag]?: string } | null)?.[Symbol.toStringTag] === 'AsyncGenerator';
}

function isGenerator(value: unknown): value is Generator<unknown, unknown, unknown> {
  return (value as { [Symbol.toStringTag]?: string } | null)?.[Symbol.toStringTag] === 'Generator';
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
  let open = true;
  const settle = (step: Promise<IteratorResult<T, TReturn>>, stopping: boolean) =>
    step.then(
      (item) => {
        if (open && (item.done || stopping)) {
          open = false;
          finish(span, false, undefined, onEnd);
        }
        return item;
      },
      (error: unknown) => {
        if (open) {
          open = false;
          finish(span, true, error, onEnd);
        }
        throw error;
      },
    );
  const outer: AsyncGenerator<T, TReturn, TNext> = {
    next: (...args: [] | [TNext]) => settle(context.with(active, () => inner.next(...args)), false),
    return: (value) => settle(context.with(active, () => inner.return(value)), true),
    throw: (error) => settle(context.with(active, () => inner.throw(error)), false),
    [Symbol.asyncIterator]: () => outer,
  };
  return outer;
}

function tracedGenerator<T, TReturn, TNext>(
  inner: Generator<T, TReturn, TNext>,
  span: Span,
  active: Context,
  onEnd: SpanEndHook | undefined,
): Generator<T, TReturn, TNext> {
  let open = true;
  const step = (run: () => IteratorResult<T, TReturn>, stopping: boolean): IteratorResult<T, TReturn> => {
    let item: IteratorResult<T, TReturn>;
    try {
      item = context.with(active, run);
    } catch (error) {
      if (open) {
        open = false;
        finish(span, true, error, onEnd);
      }
      throw error;
    }
    if (open && (item.done || stopping)) {
      open = false;
      finish(span, false, undefined, onEnd);
    }
    return item;
  };
  const outer: Generator<T, TReturn, TNext> = {
    next: (...args: [] | [TNext]) => step(() => inner.next(...args), false),
    return: (value) => step(() => inner.return(value), true),
    throw: (error) => step(() => inner.throw(error), false),
    [Symbol.iterator]: () => outer,
  };
  return outer;
}
