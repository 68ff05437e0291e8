import { useState } from 'react';
import type { Evaluator } from '@spoor/model';
import { apiSend } from '../api';
import { Status } from '../components/Status';
import { formatCost, formatCount } from '../format';
import { BackfillPanel } from './BackfillPanel';
import { EvaluatorErrors } from './EvaluatorErrors';

/** The columns of the evaluators table: a row's panel spans them all. */
const COLUMNS = 9;

/**
 * One evaluator: what it judges, whether it runs (and why not), what it made, erred and spent
 * today; below it, on demand, its errors with a retry, or a backfill with its progress.
 */
export function EvaluatorRow({
  evaluator: e,
  mayEdit,
  onChanged,
  onEdit,
  onError,
}: { evaluator: Evaluator; mayEdit: boolean; onChanged: () => void; onEdit: () => void; onError: (error: Error) => void }) {
  const [busy, setBusy] = useState(false);
  const [panel, setPanel] = useState<'errors' | 'backfill' | null>(null);
  // Delete asks once more in the row itself: the evaluator stops judging (its scores stay).
  const [confirming, setConfirming] = useState(false);
  const toggleOpen = (which: 'errors' | 'backfill') => setPanel(panel === which ? null : which);
  const path = `/api/evaluators/${encodeURIComponent(e.name)}`;
  const send = (sent: Promise<unknown>) => {
    setBusy(true);
    sent.then(
      () => {
        setBusy(false);
        onChanged();
      },
      (error: Error) => {
        setBusy(false);
        onError(error);
      },
    );
  };
  // Both take a JSON body (`{}`: nothing to say; a pause's reason defaults to "paused by hand").
  const toggle = () => send(apiSend('POST', `${path}/${e.state === 'active' ? 'pause' : 'resume'}`, {}));
  const remove = () => {
    setConfirming(false);
    send(apiSend('DELETE', path));
  };
  return (
    <>
      <tr data-evaluator={e.name}>
        <td>
          <strong>{e.name}</strong> <span className="muted mono">v{e.version}</span>
          {e.source === 'file' && <span className="muted"> · from the evaluators file</span>}
        </td>
        <td className="mono">{e.spec.kind}</td>
        <td>{e.spec.target}</td>
        <td data-testid="evaluator-state">
          {e.state === 'active' ? <Status kind="ok">active</Status> : <Status kind="warn">paused</Status>}
          {e.pausedReason !== null && <span className="muted"> {e.pausedReason}</span>}
        </td>
        <td className="num">{formatCount(e.scoresMade)}</td>
        <td className="num" data-testid="evaluator-errors">
          {e.errors > 0 ? (
            <button
              type="button"
              className="link-button"
              onClick={() => toggleOpen('errors')}
              aria-expanded={panel === 'errors'}
              aria-label={`Errors of ${e.name}`}
            >
              <Status kind="error">{formatCount(e.errors)}</Status>
            </button>
          ) : (
            <span className="muted">0</span>
          )}
        </td>
        <td className="num" title="Targets without what it judges (no output, no known cost): neither scored nor failed">
          {e.notApplicable > 0 ? formatCount(e.notApplicable) : <span className="muted">0</span>}
        </td>
        <td className="num">{formatCost(e.costTodayUsd)}</td>
        <td className="evaluator-actions">
          {mayEdit && (
            <>
              <button type="button" onClick={toggle} disabled={busy} aria-label={`${e.state === 'active' ? 'Pause' : 'Resume'} ${e.name}`}>
                {e.state === 'active' ? 'Pause' : 'Resume'}
              </button>
              <button type="button" onClick={() => toggleOpen('backfill')} aria-expanded={panel === 'backfill'} aria-label={`Backfill ${e.name}`}>
                Backfill
              </button>
              {e.source === 'api' && (
                <button type="button" onClick={onEdit} aria-label={`Edit ${e.name}`}>
                  Edit
                </button>
              )}
              {e.source === 'api' &&
                (confirming ? (
                  <span className="evaluator-confirm" role="group" aria-label={`Delete ${e.name}?`}>
                    Delete it? Its scores stay.{' '}
                    <button type="button" onClick={remove} disabled={busy} aria-label={`Confirm deleting ${e.name}`}>
                      Delete
                    </button>
                    <button type="button" onClick={() => setConfirming(false)} aria-label={`Keep ${e.name}`}>
                      Keep
                    </button>
                  </span>
                ) : (
                  <button type="button" onClick={() => setConfirming(true)} disabled={busy} aria-label={`Delete ${e.name}`}>
                    Delete
                  </button>
                ))}
            </>
          )}
        </td>
      </tr>
      {panel !== null && (
        <tr className="evaluator-panel" data-evaluator-panel={e.name}>
          <td colSpan={COLUMNS}>
            {panel === 'errors' ? (
              <EvaluatorErrors name={e.name} errorCount={e.errors} mayRetry={mayEdit} onRetried={onChanged} />
            ) : (
              <BackfillPanel name={e.name} onFinished={onChanged} onClose={() => setPanel(null)} />
            )}
          </td>
        </tr>
      )}
    </>
  );
}
