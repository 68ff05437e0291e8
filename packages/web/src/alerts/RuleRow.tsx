import { useEffect, useRef } from 'react';
import type { AlertRule } from '@spoor/model';
import { Link } from '../components/Link';
import { Status } from '../components/Status';
import { formatAgo, formatDuration, formatTime } from '../format';
import { pathWith } from '../router';
import { ruleSeverityText } from './alert-view';

interface RuleRowProps {
  rule: AlertRule;
  counts: { firing: number; pending: number };
  highlighted: boolean;
  confirmingDelete: boolean;
  onEdit: () => void;
  onDelete: () => void;
  onConfirmDelete: (confirm: boolean) => void;
  nowMs: number;
}

/** One rule: what it checks, where it comes from, whether it evaluates, and whether it fires. */
export function RuleRow({ rule, counts, highlighted, confirmingDelete, onEdit, onDelete, onConfirmDelete, nowMs }: RuleRowProps) {
  const { spec, health } = rule;
  const row = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    if (highlighted) row.current?.scrollIntoView({ block: 'center' });
  }, [highlighted]);

  return (
    <tr ref={row} className={highlighted ? 'rule-highlighted' : undefined} aria-current={highlighted ? 'true' : undefined}>
      <td>
        <strong>{spec.name}</strong>
        {spec.annotations?.['summary'] !== undefined && <div className="muted rule-summary">{spec.annotations['summary']}</div>}
      </td>
      <td>
        <code className="rule-expr">{spec.expr}</code>
      </td>
      <td>{spec.for ?? <span className="muted">0s</span>}</td>
      <td>{ruleSeverityText(spec)}</td>
      <td>
        <span className={`tag rule-source-${rule.source}`}>{rule.source}</span>
      </td>
      <td className="rule-health">
        {health.error !== null ? (
          <Status kind="error">
            <span className="rule-error">{health.error}</span>
          </Status>
        ) : health.lastEvaluatedAt === null ? (
          <span className="muted">not evaluated yet</span>
        ) : (
          <Status kind="ok">ok</Status>
        )}
        {health.lastEvaluatedAt !== null && (
          <div className="muted" title={formatTime(health.lastEvaluatedAt)}>
            {formatAgo(health.lastEvaluatedAt, nowMs)}, took {formatDuration(health.durationMs)}
          </div>
        )}
      </td>
      <td>
        {counts.firing > 0 && (
          <Link to={pathWith('/alerts', { rule: spec.name })}>
            <Status kind="error">firing {counts.firing}</Status>
          </Link>
        )}
        {counts.pending > 0 && (
          <Link to={pathWith('/alerts', { rule: spec.name })}>
            <Status kind="warn">pending {counts.pending}</Status>
          </Link>
        )}
        {counts.firing === 0 && counts.pending === 0 && <span className="muted">inactive</span>}
      </td>
      <td className="rule-actions">
        {rule.source === 'file' ? (
          <span className="muted" title="Rules of the rules file change in the file">
            read-only
          </span>
        ) : confirmingDelete ? (
          <>
            <button type="button" className="danger" onClick={onDelete}>
              Delete {spec.name}
            </button>
            <button type="button" onClick={() => onConfirmDelete(false)}>
              Keep
            </button>
          </>
        ) : (
          <>
            <button type="button" onClick={onEdit}>
              Edit
            </button>
            <button type="button" onClick={() => onConfirmDelete(true)}>
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
