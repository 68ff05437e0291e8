/**
 * Calls `onDone` once when `result` is finished, and returns what the caller should hand back.
 *
 * - A native `Promise` is chained, so `onDone` runs before the app's own handlers see the value.
 * - A Promise subclass (an SDK's `APIPromise`, a child process) is returned untouched, with
 *   handlers attached beside, so its extra methods keep working.
 * - Any other thenable (a lazy query builder) is not a Promise we may start: it counts as a
 *   plain value and is done at once.
 */
export function whenSettled<R>(result: R, onDone: (failed: boolean, errorOrValue: unknown) => void): R {
  if (!(result instanceof Promise)) {
    onDone(false, result);
    return result;
  }
  if (result.constructor === Promise) {
    return result.then(
      (value: unknown) => {
        onDone(false, value);
        return value;
      },
      (error: unknown) => {
        onDone(true, error);
        throw error;
      },
    ) as R;
  }
  result.then(
    (value: unknown) => onDone(false, value),
    (error: unknown) => onDone(true, error),
  );
  return result;
}

/** Calls `run` and reports once how it ended: a synchronous throw, or as {@link whenSettled}. */
export function callSettled<R>(run: () => R, onDone: (failed: boolean, errorOrValue: unknown) => void): R {
  let result: R;
  try {
    result = run();
  } catch (error) {
    onDone(true, error);
    throw error;
  }
  return whenSettled(result, onDone);
}
