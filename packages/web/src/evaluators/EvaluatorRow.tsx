import { useState } from 'react';
import type { Evaluator } from '@spoor/model';
import { apiSend } from '../api';
import { Status } from '../components/Status';
import { formatCost, formatCount } from '../format';

/** One evaluator: what it judges, whether it runs (and why not), what it made, erred and spent today. */
export function EvaluatorRow({ evaluator: e, mayEdit, onChanged, onEdit, onError }: { evaluator: Evaluator; mayEdit: boolean; onChanged: () => void; onEdit: () => void; onError: (error: Error) => void }) {
  const [busy, setBusy] = useState(false);
  const path = `/api/evaluators/${encodeURIComponent(e.name)}`;
  const toggle = () => {
    setBusy(true);
    // Both take a JSON body (`{}`: nothing to say; a pause's reason defaults to "paused by hand").
    const sent = apiSend('POST', `${path}/${e.state === 'active' ? 'pause' : 'resume'}`, {});
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
  return (
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
      <td className="num">{e.errors > 0 ? <Status kind="error">{formatCount(e.errors)}</Status> : <span className="muted">0</span>}</td>
      <td className="num">{formatCost(e.costTodayUsd)}</td>
      <td className="evaluator-actions">
        {mayEdit && (
          <>
            <button type="button" onClick={toggle} disabled={busy} aria-label={`${e.state === 'active' ? 'Pause' : 'Resume'} ${e.name}`}>
              {e.state === 'active' ? 'Pause' : 'Resume'}
            </button>
            {e.source === 'api' && (
              <button type="button" onClick={onEdit} aria-label={`Edit ${e.name}`}>
                Edit
              </button>
            )}
          </>
        )}
      </td>
    </tr>
  );
}
