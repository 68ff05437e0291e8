import { diffWords } from '@spoor/model';
import { useMemo } from 'react';
import type { ReplaySide } from '../trace/replay-answer';
import { Link } from '../components/Link';
import { formatCost, formatDuration, formatInteger } from '../format';
import { ChatMessages } from '../trace/ChatMessages';
import { type Baseline, type RunOutcome, completionText } from './compared';

/**
 * The recorded call (when one was opened) and each run, side by side: model, tokens, cost, time
 * and completion, the completion shown as it streams, then compared word by word with what it
 * is set against (`baselineOf`), each run linking to its trace.
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
          {run !== null && side === null && run.error === null && (
            <p className="playground-streaming" aria-live="polite" aria-label={`${title} as it streams`}>
              {run.streamed === '' ? <span className="muted">Waiting for the first token…</span> : run.streamed}
            </p>
          )}
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
              {run?.baseline != null && <CompletionDiff baseline={run.baseline} text={completionText(side.completion)} />}
            </>
          )}
          {run?.trace != null && <Link to={run.trace}>Open the run's trace</Link>}
        </section>
      ))}
    </div>
  );
}

/** The completion against its baseline, word by word: removed words struck through, added ones marked. */
function CompletionDiff({ baseline, text }: { baseline: Baseline; text: string }) {
  const runs = useMemo(() => diffWords(baseline.text, text), [baseline.text, text]);
  return (
    <details className="playground-diff" open>
      <summary>Compared with {baseline.title}</summary>
      {baseline.text === text ? (
        <p className="muted">The same text, word for word.</p>
      ) : (
        <p className="word-diff" aria-label={`Diff against ${baseline.title}`}>
          {runs.map((run, i) =>
            run.op === '=' ? <span key={i}>{run.text}</span> : run.op === '-' ? <del key={i}>{run.text}</del> : <ins key={i}>{run.text}</ins>,
          )}
        </p>
      )}
    </details>
  );
}
