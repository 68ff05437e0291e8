/** Why an experiment could not run or be read; `code` names the case, the message says what to do. */
export type ExperimentErrorCode = 'not_initialized' | 'bad_options' | 'not_found' | 'unauthorized' | 'unreachable' | 'refused' | 'server_error';

/**
 * An experiment that cannot run as asked: the SDK is not set up, an option is wrong, the dataset
 * (or experiment) is not on the server, the key may not do it, or the server cannot be reached.
 * Items whose task throws are not this: they are recorded as errored and the experiment goes on.
 */
export class ExperimentError extends Error {
  override name = 'ExperimentError';
  constructor(
    readonly code: ExperimentErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`spoor experiment: ${message}`, options);
  }
}

/** One score that got worse, as {@link RegressionError} lists it. */
export interface WorseScore {
  name: string;
  /** The baseline's mean. */
  before: number;
  /** The new run's mean. */
  after: number;
  delta: number;
}

/** One item that got worse or errored, as {@link RegressionError} lists it. */
export interface WorseItem {
  itemId: string;
  verdict: 'worse' | 'errored';
  /** The item's score deltas (`b - a`) by name, or its error when it errored. */
  detail: string;
}

/**
 * The new run is worse than its baseline: a score's mean dropped by more than the tolerance, or
 * items errored that did not in the baseline. Thrown by `assertNoRegression`, for a CI job to fail.
 */
export class RegressionError extends Error {
  override name = 'RegressionError';
  readonly code = 'regression';
  constructor(
    message: string,
    readonly baseline: string,
    readonly experiment: string,
    readonly scores: readonly WorseScore[],
    readonly items: readonly WorseItem[],
    /** Items that errored in the new run and not in the baseline. */
    readonly newlyErrored: number,
  ) {
    super(message);
  }
}
