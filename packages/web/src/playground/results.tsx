import type { ReplaySide } from '../trace/replay-answer';
import { Link } from '../components/Link';
import { formatCost, formatDuration, formatInteger } from '../format';
import { ChatMessages } from '../trace/ChatMessages';

/** A run in the playground: its answer and the trace it was recorded as, or why it failed. */
export interface RunOutcome {
  model: string;
  side: ReplaySide | null;
  trace: string | null;
  error: string | null;
}

/**
 * The recorded call (when one was opened) and each run, side by side: model, tokens, cost, time
 * and completion, each run linking to its trace.
 */
export function PlaygroundResults({ original, runs }: { original: ReplaySide | null; runs: RunOutcome[] }) {
  const columns: Array<{ title: string; side: ReplaySide | null; run: RunOutcome | null }> = [];
  if (original !== null) columns.push({ title: 'Recorded', side: original, run: null });
  runs.forEach((run, i) => columns.push({ title: `Run ${i + 1}: ${run.model}`, side: run.side, run }));
  return (
    <div className="playground-results" data-testid="playground-results">
      {columns.map(({ title, side, run }) => (
        <section key={title} className="playground-side" aria-label={title}>
          <h3>{title}</h3>
          {run?.error != null && <p className="error">{run.error}</p>}
          {side !== null && (
            <>
              <dl className="playground-facts">
                <dt>Model</dt>
                <dd data-testid="side-model">{side.model ?? '–'}</dd>
                <dt>Tokens in / out</dt>
                <dd data-testid="side-tokens">
                  {formatInteger(side.inputTokens)} / {formatInteger(side.outputTokens)}
                </dd>
                <dt>Cost</dt>
                <dd>{formatCost(side.costUsd)}</dd>
                <dt>Time</dt>
                <dd>{formatDuration(side.durationMs)}</dd>
              </dl>
              <ChatMessages messages={side.completion} label={`${title} completion`} />
            </>
          )}
          {run?.trace != null && <Link to={run.trace}>Open the run's trace</Link>}
        </section>
      ))}
    </div>
  );
}
