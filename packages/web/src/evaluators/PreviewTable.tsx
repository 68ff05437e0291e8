import type { EvaluatorPreviewItem } from '@spoor/model';
import { Link } from '../components/Link';
import { Status } from '../components/Status';
import { formatCost } from '../format';
import { pathWith } from '../router';
import { scoreValueText } from '../scores/score-view';

/** What an unsaved spec judged on recent matching targets: each one's value or label, why, and its cost. */
export function PreviewTable({ items }: { items: readonly EvaluatorPreviewItem[] }) {
  if (items.length === 0) return <p className="muted">No recent complete trace matches this evaluator: nothing to judge yet.</p>;
  return (
    <table className="list preview-table" aria-label="Preview">
      <thead>
        <tr>
          <th>Trace</th>
          <th>Span</th>
          <th>Result</th>
          <th>Why</th>
          <th className="num">Cost</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={`${item.traceId}/${item.spanId ?? ''}`}>
            <td className="mono">
              <Link to={pathWith(`/traces/${item.traceId}`, { span: item.spanId })}>{item.traceId.slice(0, 12)}…</Link>
            </td>
            <td className="mono">{item.spanId ?? '–'}</td>
            <td data-testid="preview-result">
              {item.error !== null ? (
                <Status kind="error">error</Status>
              ) : item.notApplicable !== null ? (
                <span className="muted">nothing to judge</span>
              ) : (
                scoreValueText(item)
              )}
            </td>
            <td>{item.error ?? item.notApplicable ?? item.comment ?? ''}</td>
            <td className="num">{formatCost(item.costUsd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
