import { TraceFlags, type Span } from '@opentelemetry/api';
import type { CassetteEntry } from './cassette.js';
import { REPLAY_OUTCOME_ATTRIBUTE, type Decision, type ReplaySession } from './session.js';

/**
 * Runs the decision and marks the call's span with it: `spoor.replay.outcome` and a link to the
 * recorded span, so the replay run reads as a trace of its own that points at the original.
 */
export function decided(span: Span, session: ReplaySession, decide: () => Decision): Decision {
  let decision: Decision;
  try {
    decision = decide();
  } catch (error) {
    span.setAttribute(REPLAY_OUTCOME_ATTRIBUTE, 'diverged');
    throw error;
  }
  span.setAttribute(REPLAY_OUTCOME_ATTRIBUTE, decision.kind === 'replay' ? 'replayed' : 'live');
  if (decision.entry !== undefined) linkTo(span, session.config.traceId, decision.entry);
  return decision;
}

function linkTo(span: Span, traceId: string, entry: CassetteEntry): void {
  span.addLink({ context: { traceId, spanId: entry.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true }, attributes: { 'spoor.link.type': 'replay_of' } });
}
