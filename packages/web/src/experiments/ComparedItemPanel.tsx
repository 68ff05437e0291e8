import type { ComparedItemDetail, ExperimentResult } from '@spoor/model';
import { apiUrl } from '../api';
import { TextDiff } from '../compare/TextDiff';
import { TraceDiffView } from '../compare/TraceDiffView';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { Status } from '../components/Status';
import { formatChange, formatCost, formatDuration, formatInteger } from '../format';
import { pathWith } from '../router';
import { scoreNumberText } from '../scores/score-view';
import { useApi } from '../use-api';
import { valueText } from '../value-text';
import { changeTone } from './compare-view';

/**
 * One item of a comparison opened: its input and expected output, the two runs' outputs as a line
 * diff (A's lines `-`, B's `+`), each score and the cost and latency side by side, and the trace
 * diff of its two runs as the trace comparison page shows it.
 */
export function ComparedItemPanel({ a, b, itemId }: { a: string; b: string; itemId: string }) {
  const detail = useApi<ComparedItemDetail>(apiUrl(`/api/experiments/${encodeURIComponent(a)}/compare/${encodeURIComponent(b)}/items/${itemId}`));
  const item = detail.data;
  if (item === undefined) return detail.error !== undefined ? <ErrorBox error={detail.error} /> : <p className="muted">Loading item…</p>;
  const traceA = item.a?.traceId ?? null;
  const traceB = item.b?.traceId ?? null;
  return (
    <div className="compared-item" role="region" aria-label={`Item ${itemId}`}>
      <dl className="kv">
        <dt>input</dt>
        <dd>{valueText(item.input, true)}</dd>
        <dt>expectedOutput</dt>
        <dd>{item.expectedOutput === null ? '–' : valueText(item.expectedOutput, true)}</dd>
      </dl>
      <h4>Output, A → B</h4>
      <RunError side="A" result={item.a} />
      <RunError side="B" result={item.b} />
      {item.outputDiff.length === 0 ? <p className="muted">Neither run answered.</p> : <TextDiff title="Output" lines={item.outputDiff} />}
      <h4>Scores</h4>
      {item.scores.length === 0 ? (
        <p className="muted">Neither run of this item has a score.</p>
      ) : (
        <table className="list item-scores" aria-label="Scores of this item">
          <thead>
            <tr>
              <th>Score</th>
              <th className="num">A</th>
              <th className="num">B</th>
              <th className="num">Change</th>
            </tr>
          </thead>
          <tbody>
            {item.scores.map((s) => (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td className="num">{s.a === null ? '–' : scoreNumberText(s.a)}</td>
                <td className="num">{s.b === null ? '–' : scoreNumberText(s.b)}</td>
                <td className={`num delta-${changeTone(s.delta, true) ?? 'none'}`}>{formatChange(s.delta, scoreNumberText)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        tokens in {formatChange(item.deltas.inputTokens, formatInteger)} · out {formatChange(item.deltas.outputTokens, formatInteger)} · cost{' '}
        {formatChange(item.deltas.costUsd, formatCost)} · latency {formatChange(item.deltas.latencyMs, formatDuration)}
      </p>
      <h4>Trace diff</h4>
      <p>
        {traceA !== null && <Link to={`/traces/${traceA}`}>A’s trace</Link>}
        {traceA !== null && traceB !== null && ' · '}
        {traceB !== null && <Link to={`/traces/${traceB}`}>B’s trace</Link>}
        {traceA !== null && traceB !== null && (
          <>
            {' · '}
            <Link to={pathWith('/compare', { a: traceA, b: traceB })}>Open in the trace comparison</Link>
          </>
        )}
      </p>
      {item.traceDiffDetail === null ? <p className="muted">No trace diff: a run of this item has no trace.</p> : <TraceDiffView diff={item.traceDiffDetail} />}
    </div>
  );
}

function RunError({ side, result }: { side: string; result: ExperimentResult | null }) {
  if (result === null) return <p className="muted">{side} has no result for this item.</p>;
  if (result.error === null) return null;
  return (
    <p>
      <Status kind="error">{side} errored</Status> {result.error}
    </p>
  );
}
