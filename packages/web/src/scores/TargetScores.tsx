import { Feedback } from './Feedback';
import { ScoreTable } from './ScoreTable';
import { scoresOfTarget } from './score-view';
import { useTraceScores } from './trace-scores';

/** The scores of the open trace (`spanId` null) or of one of its spans, and the person's vote on it. */
export function TargetScores({ spanId }: { spanId: string | null }) {
  const held = useTraceScores();
  if (held === null) return null;
  const scores = scoresOfTarget(held.scores, spanId);
  const what = spanId === null ? 'trace' : 'span';
  return (
    <section className="target-scores" aria-label={`Scores of this ${what}`}>
      <ScoreTable scores={scores} label={`Scores of this ${what}`} />
      <Feedback key={spanId ?? ''} traceId={held.traceId} spanId={spanId} scores={held.scores} onScored={held.onScored} />
    </section>
  );
}
