/** Calls `run` on a `signal()`, at most once every `intervalMs`: signals in between make one call at the interval's end. */
export interface Throttle {
  signal(): void;
  /** Drops a call waiting for its turn. */
  cancel(): void;
}

export function createThrottle(run: () => void, intervalMs: number, nowMs: () => number = Date.now): Throttle {
  let lastMs = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = (): void => {
    timer = undefined;
    lastMs = nowMs();
    run();
  };
  return {
    signal() {
      if (timer !== undefined) return;
      const waitMs = lastMs + intervalMs - nowMs();
      if (waitMs <= 0) fire();
      else timer = setTimeout(fire, waitMs);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
