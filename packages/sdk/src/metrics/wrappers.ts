import { callSettled } from '../settle.js';
import { errorTypeOf } from '../trace/errors.js';
import { sameShape, type AnyFunction, type FunctionWrapper } from '../wrap.js';
import { counter, timer, type Labels } from './instruments.js';

/**
 * Records every call's duration in seconds in the timer `name`, failures included (labelled
 * `status: 'error'`).
 * @example const search = measureTime('search.duration')(async (q: string) => index.search(q))
 */
export function measureTime(name: string, labels?: Labels): FunctionWrapper {
  const timing = timer(name);
  return <F extends AnyFunction>(fn: F) =>
    sameShape(
      function (this: unknown, ...args: unknown[]) {
        const stop = timing.start(labels);
        return callSettled(
          () => fn.apply(this, args),
          (failed) => stop(failed ? FAILED : OK),
        );
      } as F,
      fn,
    );
}

/**
 * Counts every call in the counter `name`.
 * @example class Cache { @countCalls('cache.lookups') get(key: string) { … } }
 */
export function countCalls(name: string, labels?: Labels): FunctionWrapper {
  const calls = counter(name);
  return <F extends AnyFunction>(fn: F) =>
    sameShape(
      function (this: unknown, ...args: unknown[]) {
        calls.add(1, labels);
        return fn.apply(this, args);
      } as F,
      fn,
    );
}

/**
 * Counts calls that throw or reject in the counter `name`, labelled with `error.type`.
 * @example const fetchPage = measureErrors('crawler.errors')(fetchPageRaw)
 */
export function measureErrors(name: string, labels?: Labels): FunctionWrapper {
  const errors = counter(name);
  return <F extends AnyFunction>(fn: F) =>
    sameShape(
      function (this: unknown, ...args: unknown[]) {
        return callSettled(
          () => fn.apply(this, args),
          (failed, error) => failed && errors.add(1, { ...labels, 'error.type': errorTypeOf(error) }),
        );
      } as F,
      fn,
    );
}

const OK = { status: 'ok' };
const FAILED = { status: 'error' };
