/** Any function, whatever its `this`, arguments and result. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a wrapper must accept every function type unchanged
export type AnyFunction = (this: any, ...args: any[]) => any;

/**
 * Wraps a function and returns one of the same type. Works as a call, `wrapper(fn)`, and as a
 * TypeScript 5 standard decorator on class methods, `@wrapper`.
 */
export interface FunctionWrapper {
  <F extends AnyFunction>(fn: F, context?: ClassMethodDecoratorContext): F;
}

/** True when `value` is the context object TypeScript passes to a method decorator. */
export function isMethodDecoratorContext(value: unknown): value is ClassMethodDecoratorContext {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'method';
}

/** Keeps the wrapped function's name and arity visible to stack traces and frameworks. */
export function sameShape<F extends AnyFunction>(wrapper: F, original: AnyFunction): F {
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  return wrapper;
}
