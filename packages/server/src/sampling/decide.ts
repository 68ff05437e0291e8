import { sampledIn } from '../quality/sampled-in.js';
import type { SamplingFacts } from '../store/ports/sampling.js';
import type { ResolvedPolicy } from './policy.js';

/** Why a trace was kept whole (the first keep rule that held, in this order), or `sampled_out`. */
export type SamplingReason = 'errors' | 'slow' | 'cost' | 'score' | 'filter' | 'rate' | 'sampled_out';

/**
 * Whether a complete trace is kept whole, and why: a keep rule holds (a failed span; a span
 * longer than its category's threshold; a total cost over the limit; a score under its limit
 * or a match of the filter, both found by the store: `matched`), else the trace is among the
 * `rate` its id samples in, by the same hash of the id on every server as evaluators sample by
 * (`sampledIn`). Pure.
 */
export function decide(facts: SamplingFacts, policy: ResolvedPolicy, matched: { score: boolean; filter: boolean }): SamplingReason {
  if (policy.errors && facts.errorCount > 0) return 'errors';
  if (policy.slowerThanUs.some((limitUs, i) => limitUs !== null && facts.longestUs[i]! > limitUs)) return 'slow';
  if (policy.costOverUsd !== null && facts.costUsd !== null && facts.costUsd > policy.costOverUsd) return 'cost';
  if (matched.score) return 'score';
  if (matched.filter) return 'filter';
  return sampledIn(facts.traceId, policy.rate) ? 'rate' : 'sampled_out';
}
