import { createContext, useContext } from 'react';
import type { Score } from '@spoor/model';

/**
 * The open trace's scores (its own and its spans'), held by the trace page so a vote cast in the
 * span panel shows in the header at once and a changed vote replaces the one before (its slot).
 */
export interface TraceScores {
  traceId: string;
  scores: readonly Score[];
  /** A score the server just stored: put in its slot. */
  onScored: (score: Score) => void;
}

export const TraceScoresContext = createContext<TraceScores | null>(null);

export function useTraceScores(): TraceScores | null {
  return useContext(TraceScoresContext);
}
