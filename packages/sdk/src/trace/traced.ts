import { context, type Span, type SpanOptions } from '@opentelemetry/api';
import { runtime } from '../runtime.js';
import { isMethodDecoratorContext, sameShape, type AnyFunction, type FunctionWrapper } from '../wrap.js';
import { capturedJson } from './capture.js';
import { runInSpan } from './run-in-span.js';
import { spanOptionsFrom, parentFor, type SpanHelperOptions } from './span-options.js';

/** Options of {@link traced}. */
export interface TracedOptions extends SpanHelperOptions {
  /** Span name. Default: the function's name, or `Class.method` for a decorated method. */
  name?: string;
  /** Record the arguments as `input.value` and the result as `output.value` (JSON, masked, at most 4 KiB each). Default: false. */
  captureArgs?: boolean;
}

/**
 * Makes every call of a function a span: duration, status, and the exception (type, message,
 * stack) when it throws or rejects. Works on sync functions, async functions and generators
 * (the span covers the whole iteration), as a wrapper or as a method decorator.
 * @example
 * const retrieve = traced(async function retrieve(query: string) { return index.search(query); });
 * const rerank = traced('rerank', (docs: Doc[]) => model.rerank(docs));
 * class Planner { @traced({ captureArgs: true }) async plan(goal: string) { … } }
 */
export function traced<F extends AnyFunction>(fn: F, decoratorContext?: ClassMethodDecoratorContext): F;
export function traced<F extends AnyFunction>(nameOrOptions: string | TracedOptions, fn: F): F;
export function traced(nameOrOptions?: string | TracedOptions): FunctionWrapper;
export function traced(
  first?: AnyFunction | string | TracedOptions,
  second?: AnyFunction | ClassMethodDecoratorContext,
): AnyFunction | FunctionWrapper {
  if (typeof first === 'function') return wrap(first, {}, second);
  const options: TracedOptions = typeof first === 'string' ? { name: first } : (first ?? {});
  if (typeof second === 'function') return wrap(second, options, undefined);
  return <F extends AnyFunction>(fn: F, ctx?: ClassMethodDecoratorContext) => wrap(fn, options, ctx);
}

function wrap<F extends AnyFunction>(fn: F, options: TracedOptions, decoratorContext: unknown): F {
  const method = isMethodDecoratorContext(decoratorContext) ? decoratorContext : undefined;
  const spanOptions: SpanOptions = spanOptionsFrom(options, { 'code.function.name': String(method?.name ?? fn.name) });
  const capture = options.captureArgs === true;
  const fixedName = options.name ?? (method === undefined ? fn.name || 'anonymous' : undefined);
  // A decorated method is named after the class it is called on (a subclass calls it too); the
  // name is remembered for the last class seen, so a steady caller builds no string per call.
  let lastOwner: unknown;
  let lastName = '';

  const tracedFunction = function (this: unknown, ...args: unknown[]) {
    if (runtime.off) return fn.apply(this, args);
    let name = fixedName;
    if (name === undefined) {
      const owner = method!.static ? this : (this as object | undefined)?.constructor;
      if (owner !== lastOwner) {
        lastOwner = owner;
        lastName = methodSpanName(owner as { name?: string } | undefined, method!);
      }
      name = lastName;
    }
    const parent = parentFor(options, context.active());
    const span = runtime.tracer.startSpan(name, spanOptions, parent);
    if (capture && span.isRecording()) span.setAttribute('input.value', capturedJson(args));
    return runInSpan(span, parent, () => fn.apply(this, args), capture ? captureResult : undefined);
  };
  return sameShape(tracedFunction as F, fn);
}

function captureResult(span: Span, failed: boolean, result: unknown): void {
  if (!failed && result !== undefined && span.isRecording()) span.setAttribute('output.value', capturedJson(result));
}

function methodSpanName(owner: { name?: string } | undefined, method: ClassMethodDecoratorContext): string {
  return owner?.name ? `${owner.name}.${String(method.name)}` : String(method.name);
}
