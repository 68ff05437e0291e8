import { evaluatorCalls } from '../../src/quality/backend.js';
import { type SamplingBackend, samplingCalls } from '../../src/sampling/backend.js';
import type { Store } from '../../src/store/store.js';

/** The calls the tail sampler makes, on `store` in this process (the server makes them on the database thread). */
export function samplingBackendOf(store: Store): SamplingBackend {
  const { completeTracesCommitted, commitsAt, tracesTouched, head, takeLease, runningTraces } = evaluatorCalls.make({ store });
  return { sampling: samplingCalls.make({ store }), evaluators: { completeTracesCommitted, commitsAt, tracesTouched, head, takeLease, runningTraces } };
}
