import { useState } from 'react';
import type { Alert, AlertRule, AlertRuleListResponse } from '@spoor/model';
import { ErrorBox } from '../components/ErrorBox';
import { formatTime } from '../format';
import { useApi } from '../use-api';
import { useConfirmedDelete } from '../use-confirmed-delete';
import { RuleEditor } from './RuleEditor';
import { RuleRow } from './RuleRow';
import { ruleAlertCounts } from './alert-view';
import { EMPTY_RULE_FORM, ruleFormFromSpec } from './rule-form';

type Editing = { mode: 'create' } | { mode: 'edit'; rule: AlertRule } | null;

/** Every rule with its health and state; rules made through the API can be changed here. */
export function RulesTab({ alerts, rule: highlighted, onChange }: { alerts: Alert[]; rule: string | null; onChange: () => void }) {
  const { data, error, loading, reload } = useApi<AlertRuleListResponse>('/api/alerts/rules', { refreshMs: 15_000 });
  const [editing, setEditing] = useState<Editing>(null);
  const nowMs = Date.now();

  const saved = () => {
    setEditing(null);
    reload();
    onChange();
  };
  const { confirming, setConfirming, error: actionError, remove } = useConfirmedDelete((name) => `/api/alerts/rules/${encodeURIComponent(name)}`, saved);

  const file = data?.file ?? null;
  const hasFileRules = data?.rules.some((r) => r.source === 'file') ?? false;
  return (
    <>
      <div className="toolbar">
        <button type="button" className="primary" onClick={() => setEditing({ mode: 'create' })} disabled={editing !== null}>
          New rule
        </button>
        <button type="button" onClick={reload} disabled={loading}>
          Refresh
        </button>
      </div>
      {file !== null && (
        <p className="muted rules-file">
          Rules file <code>{file.path}</code>
          {file.loadedAt !== null && <>, loaded {formatTime(file.loadedAt)}</>}.
          {hasFileRules && ' Its rules are read-only here: change them in the file, which is read again when it changes.'}
        </p>
      )}
      {file !== null && file.error !== null && (
        <div className="error-box" role="alert">
          <strong>The rules file has a problem</strong> (the last good rules stay in force): <span className="mono">{file.error}</span>
        </div>
      )}
      <ErrorBox error={error} />
      <ErrorBox error={actionError} />
      {editing !== null && (
        <RuleEditor
          key={editing.mode === 'edit' ? editing.rule.spec.name : ''}
          mode={editing.mode}
          initial={editing.mode === 'edit' ? ruleFormFromSpec(editing.rule.spec) : EMPTY_RULE_FORM}
          onSaved={saved}
          onCancel={() => setEditing(null)}
        />
      )}
      {data === undefined && loading && <p className="muted">Loading rules…</p>}
      {data !== undefined && data.rules.length === 0 && (
        <div className="empty">
          No rules yet. Start the server with <code>--alerts rules.yaml</code>, or make one with “New rule”.
        </div>
      )}
      {data !== undefined && data.rules.length > 0 && (
        <table className="list rules-table">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Expression</th>
              <th>For</th>
              <th>Severity</th>
              <th>Source</th>
              <th>Health</th>
              <th>State</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {data.rules.map((r) => (
              <RuleRow
                key={r.spec.name}
                rule={r}
                counts={ruleAlertCounts(alerts, r.spec.name)}
                highlighted={r.spec.name === highlighted}
                confirmingDelete={confirming === r.spec.name}
                onEdit={() => setEditing({ mode: 'edit', rule: r })}
                onDelete={() => remove(r.spec.name)}
                onConfirmDelete={(yes) => setConfirming(yes ? r.spec.name : null)}
                nowMs={nowMs}
              />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
