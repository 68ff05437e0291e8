import { context, type SpanOptions } from '@opentelemetry/api';
import { replaySessionFor } from '../replay/scope.js';
import { runtime } from '../runtime.js';
import { isMethodDecoratorContext, sameShape, type AnyFunction, type FunctionWrapper } from '../wrap.js';
import { callNoted, recordArguments, recordResult, replayedTool } from './captured-call.js';
import { runInSpan } from './run-in-span.js';
import { spanOptionsFrom, parentFor, type SpanHelperOptions } from './span-options.js';
import { FUNCTION_NAME_ATTRIBUTE, startFunctionSpan } from './span-processor.js';

/** Options of {@link traced}. */
export interface TracedOptions extends SpanHelperOptions {
  /** Span name. Default: the function's name, or `Class.method` for a decorated method. */
  name?: string;
  /**
   * Record the arguments as `input.value` and the result as `output.value` (JSON, masked, at most
   * 4 KiB each), and the result whole (up to 32 KiB) as `spoor.tool.result` with a hash of the
   * arguments, which makes the function a tool a replay (`init({ replay })`) answers for instead
   * of calling it. Default: false.
   */
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
export function traced(first?: AnyFunction | string | TracedOptions, second?: AnyFunction | ClassMethodDecoratorContext): AnyFunction | FunctionWrapper {
  if (typeof first === 'function') return wrap(first, {}, second);
  const options: TracedOptions = typeof first === 'string' ? { name: first } : (first ?? {});
  if (typeof second === 'function') return wrap(second, options, undefined);
  return <F extends AnyFunction>(fn: F, ctx?: ClassMethodDecoratorContext) => wrap(fn, options, ctx);
}

function wrap<F extends AnyFunction>(fn: F, options: TracedOptions, decoratorContext: unknown): F {
  const method = isMethodDecoratorContext(decoratorContext) ? decoratorContext : undefined;
  const functionName = String(method?.name ?? fn.name);
  const spanOptions: SpanOptions = spanOptionsFrom(options, { [FUNCTION_NAME_ATTRIBUTE]: functionName });
  // With no other start attributes the SDK's span processor can add the name as the span starts:
  // the same attributes in the same order, for less work (see startFunctionSpan).
  const bareOptions = hasStartAttributes(options) ? undefined : spanOptionsFrom(options);
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
    const span =
      bareOptions !== undefined && runtime.functionNameByProcessor
        ? startFunctionSpan(runtime.tracer, name, bareOptions, parent, functionName)
        : runtime.tracer.startSpan(name, spanOptions, parent);
    if (!capture) return runInSpan(span, parent, () => fn.apply(this, args));
    recordArguments(span, args);
    const call = () => fn.apply(this, args);
    const session = replaySessionFor(parent);
    if (session !== undefined) return runInSpan(span, parent, () => replayedTool(session, span, name, args, parent, fn, call), recordResult);
    return runInSpan(span, parent, () => callNoted(span, call), recordResult);
  };
  return sameShape(tracedFunction as F, fn);
}

function hasStartAttributes(options: TracedOptions): boolean {
  return options.force === true || (options.attributes !== undefined && Object.keys(options.attributes).length > 0);
}

function methodSpanName(owner: { name?: string } | undefined, method: ClassMethodDecoratorContext): string {
  return owner?.name ? `${owner.name}.${String(method.name)}` : String(method.name);
}
