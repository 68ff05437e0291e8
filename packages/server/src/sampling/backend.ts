import type { CompletionBackend } from '../quality/completion.js';
import type { TraceFilter } from '../store/ports/evaluators.js';
import type { SamplingDecision, SamplingStore } from '../store/ports/sampling.js';
import { type TimeBounds, boundsOf } from '../store/sql/trace-bounds.js';
import type { Store } from '../store/store.js';
import { type SamplingReason, decide } from './decide.js';
import type { ResolvedPolicy } from './policy.js';
import { callGroup } from '../threads/groups.js';

/** The trace list's filter that matches every trace, to which a score filter is added. */
const EVERY_TRACE: TraceFilter = {
  service: null,
  spanName: null,
  text: null,
  status: null,
  minDurationMs: null,
  maxDurationMs: null,
  attributes: [],
  sessionId: null,
  model: null,
  scores: [],
};

/** What a round of decisions did: traces decided, by reason, and sampled-out traces slimmed again (a late span). */
export interface DecideOutcome {
  decided: Partial<Record<SamplingReason, number>>;
  again: number;
  /** The span times of the traces sampled out, `null` for none: the round slims them in one statement (`sampling.slimRound`). */
  outBounds: TimeBounds | null;
}

/**
 * Decides these complete traces by the policy, in a few reads whatever their number, and records
 * the decisions of those not decided before; the round slims the traces it sampled out in one
 * statement once its reads are done (`sampling.slimRound`): a statement per read took some 260 ms
 * of DuckDB's time for 2,000 traces, and on ClickHouse each is a mutation. A trace decided
 * sampled out before and found complete again (a span came late and moved its end) is slimmed again here: its decision stands. Recorded before slimming, so a crash
 * between the two leaves a decision whose trace the next round (after a restart, its look back)
 * finds complete again and slims.
 */
export async function decideTraces(
  store: SamplingStore,
  projectId: string,
  traceIds: readonly string[],
  policy: ResolvedPolicy,
  nowUs: number,
): Promise<DecideOutcome> {
  // Every trace's facts first: their times bound the read of decisions (a table of every trace
  // decided, read whole per round before).
  const all = await store.facts(projectId, traceIds);
  if (all.length === 0) return { decided: {}, again: 0, outBounds: null };
  const decided = await store.decisionsOf(projectId, traceIds, boundsOf(all)!);
  const again = all.filter((f) => decided.get(f.traceId) === false);
  const facts = all.filter((f) => !decided.has(f.traceId));
  const reasons = new Map(facts.map((f) => [f.traceId, decide(f, policy, { score: false, filter: false })]));
  // The filter and score rules only for the traces the cheaper rules and the rate would not keep.
  const undecided = facts.filter((f) => reasons.get(f.traceId) === 'sampled_out').map((f) => f.traceId);
  if (undecided.length > 0) {
    const scored = new Set<string>();
    for (const score of policy.scoreUnder) for (const id of await store.matching(projectId, undecided, { ...EVERY_TRACE, scores: [score] })) scored.add(id);
    const filtered = new Set(policy.filter === null ? [] : await store.matching(projectId, undecided, policy.filter));
    for (const id of undecided)
      if (scored.has(id)) reasons.set(id, 'score');
      else if (filtered.has(id)) reasons.set(id, 'filter');
  }
  const decisions: SamplingDecision[] = facts.map((f) => {
    const reason = reasons.get(f.traceId)!;
    return { traceId: f.traceId, kept: reason !== 'sampled_out', reason, startUs: f.startUs, endUs: f.endUs, decidedUs: nowUs };
  });
  await store.record(projectId, decisions);
  // The traces sampled out now are slimmed with the round's others (`slimDecided`), by their times known here.
  const outBounds = boundsOf(decisions.filter((d) => !d.kept));
  // Found again for a span that came late (few).
  if (again.length > 0)
    await store.slim(
      projectId,
      again.map((f) => f.traceId),
      boundsOf(again) ?? undefined,
    );
  const counts: Partial<Record<SamplingReason, number>> = {};
  for (const d of decisions) counts[d.reason as SamplingReason] = (counts[d.reason as SamplingReason] ?? 0) + 1;
  return { decided: counts, again: again.length, outBounds };
}

/**
 * Tail sampling's calls on the database thread (`db.sampling.decide(…)`): policies, a round of
 * decisions (deciding is done there, beside the reads, so only ids and counts cross threads), and
 * the late spans' sweep.
 */
export const samplingCalls = callGroup(({ store }: { store: Pick<Store, 'sampling'> }) => {
  const s = store.sampling;
  return {
    policies: s.policies.listPolicies.bind(s.policies),
    putPolicy: s.policies.putPolicy.bind(s.policies),
    deletePolicy: s.policies.deletePolicy.bind(s.policies),
    /** `policy` resolved by the caller (`resolvePolicy`, on the HTTP thread), its filter parsed. */
    decide: (projectId: string, traceIds: readonly string[], policy: ResolvedPolicy, nowUs: number): Promise<DecideOutcome> =>
      decideTraces(s, projectId, traceIds, policy, nowUs),
    /** Slims the traces a round (its `nowUs`) sampled out, within the span times of them all. */
    slimRound: s.slimDecided.bind(s),
    /** Puts off (or no longer) reclaiming what slimming deleted, while ingest has work. */
    deferVacuum: s.deferVacuum.bind(s),
    /** Reclaims now what was put off (a checkpoint that holds commits meanwhile: while ingest is idle). */
    reclaim: s.reclaim.bind(s),
    /** Deletes the logs commits after `after` up to `upTo` wrote of sampled-out traces. */
    deleteLateLogs: s.deleteLateLogs.bind(s),
  };
});

export type SamplingCalls = ReturnType<typeof samplingCalls.make>;

/** The calls the runner and the API make (a `DbClient` has them all): sampling's, with the lease and the reads of complete traces evaluators share. */
export type SamplingBackend = {
  readonly sampling: SamplingCalls;
  readonly evaluators: CompletionBackend['evaluators'] & { takeLease: Store['evaluators']['takeLease'] };
};
