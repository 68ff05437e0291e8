import { useState } from 'react';
import type { Evaluator } from '@spoor/model';
import { ErrorBox } from '../components/ErrorBox';
import { EMPTY_EVALUATOR_FORM, type EvaluatorForm, formFromSpec } from '../evaluators/evaluator-form';
import { EvaluatorEditor } from '../evaluators/EvaluatorEditor';
import { EvaluatorRow } from '../evaluators/EvaluatorRow';
import { useSession } from '../session-context';
import { useApi } from '../use-api';
import '../evaluators/evaluators.css';

/** Scores made and cost today move while the page is open. */
const REFRESH_MS = 10_000;

/** Online evaluators: what each judges, whether it runs, what it made and cost; make and change them (admin). */
export function EvaluatorsPage() {
  const list = useApi<{ evaluators: Evaluator[] }>('/api/evaluators', { refreshMs: REFRESH_MS });
  const session = useSession();
  const mayEdit = session?.role === 'admin';
  const [editing, setEditing] = useState<{ mode: 'create' | 'edit'; form: EvaluatorForm; key: string } | null>(null);
  const [failure, setFailure] = useState<Error | undefined>(undefined);
  const evaluators = list.data?.evaluators ?? [];
  return (
    <div className="evaluators-page">
      <h1>Evaluators</h1>
      <p className="muted">
        Each evaluator judges complete traces as they arrive and writes its judgements as scores named after it (see{' '}
        <a href="/docs/quality#evaluators" target="_blank" rel="noreferrer">
          the docs, “Evaluators”
        </a>
        ).
      </p>
      {mayEdit && editing === null && (
        <p>
          <button type="button" className="primary" onClick={() => setEditing({ mode: 'create', form: EMPTY_EVALUATOR_FORM, key: 'new' })}>
            New evaluator
          </button>
        </p>
      )}
      {editing !== null && (
        <EvaluatorEditor
          key={editing.key}
          initial={editing.form}
          mode={editing.mode}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            list.reload();
          }}
        />
      )}
      <ErrorBox error={list.error ?? failure} />
      {list.data !== undefined && evaluators.length === 0 && <div className="empty">No evaluators yet.{mayEdit ? ' Make one with “New evaluator”.' : ''}</div>}
      {evaluators.length > 0 && (
        <table className="list evaluators-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Judges</th>
              <th>State</th>
              <th className="num">Scores made</th>
              <th className="num">Errors</th>
              <th className="num">Nothing to judge</th>
              <th className="num">Cost today</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {evaluators.map((e) => (
              <EvaluatorRow
                key={e.name}
                evaluator={e}
                mayEdit={mayEdit}
                onChanged={() => {
                  setFailure(undefined);
                  list.reload();
                }}
                onError={setFailure}
                onEdit={() => setEditing({ mode: 'edit', form: formFromSpec(e.spec), key: `${e.name}@${e.version}` })}
              />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
