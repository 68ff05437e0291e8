/**
 * How a function's time grows with its input, measured within one test so that it holds on any
 * machine at any load: no wall-clock limit, only a ratio of two timings taken side by side.
 * Shared by the tests of every package (the model is the one they all depend on).
 */

/** Options of `timeGrowth`. */
export interface GrowthOptions {
  /** Pairs of calls timed, one of each size. Default 200. */
  pairs?: number;
  /** No pair starts after this much time in all, so a slow implementation fails after one pair. Default 1,000 ms. */
  budgetMs?: number;
}

/**
 * How many times longer `run(large)` takes than `run(small)`: the fastest of many calls of each,
 * timed alternately. A pause (another process on the core, a collection) only ever slows a call,
 * and a busy machine leaves most calls of a millisecond or less untouched, so the fastest call is
 * the work's own time. Linear work gives at most about `large / small` (fixed costs make it
 * less); quadratic work its square. Each call should take a microsecond or more, well above the
 * clock's grain.
 *
 * @example expect(timeGrowth((n) => parse(texts[n]), 2_500, 20_000)).toBeLessThan(20)
 */
export function timeGrowth(run: (size: number) => void, small: number, large: number, options: GrowthOptions = {}): number {
  const { pairs = 200, budgetMs = 1_000 } = options;
  // Warms the small size only: on a slow implementation one large call may take seconds.
  for (let i = 0; i < 3; i++) run(small);
  const startMs = performance.now();
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let pair = 0; pair < pairs && (pair === 0 || performance.now() - startMs < budgetMs); pair++) {
    smallMs = Math.min(smallMs, callMs(run, small));
    largeMs = Math.min(largeMs, callMs(run, large));
  }
  return largeMs / smallMs;
}

function callMs(run: (size: number) => void, size: number): number {
  const startMs = performance.now();
  run(size);
  return performance.now() - startMs;
}
