import { evaluatorCalls } from '../../src/quality/backend.js';
import { type SamplingBackend, samplingCalls } from '../../src/sampling/backend.js';
import type { Store } from '../../src/store/store.js';

/** The calls the tail sampler makes, on `store` in this process (the server makes them on the database thread). */
export function samplingBackendOf(store: Store): SamplingBackend {
  const evaluators = evaluatorCalls(store);
  return {
    ...samplingCalls(store),
    evaluatorCompleteTracesCommitted: evaluators.evaluatorCompleteTracesCommitted,
    evaluatorCommitsAt: evaluators.evaluatorCommitsAt,
    evaluatorTracesTouched: evaluators.evaluatorTracesTouched,
    evaluatorHead: evaluators.evaluatorHead,
    evaluatorTakeLease: evaluators.evaluatorTakeLease,
    evaluatorRunningTraces: evaluators.evaluatorRunningTraces,
  };
}
