import { useState } from 'react';
import type { DashboardDoc } from './document';

export interface DashboardEditBarProps {
  draft: DashboardDoc;
  onChange: (draft: DashboardDoc) => void;
  onAddPanel: () => void;
  onSave: () => void;
  onCancel: () => void;
}

/** While editing: the title, the variables (a name and the label it picks), add a panel, save or cancel. */
export function DashboardEditBar({ draft, onChange, onAddPanel, onSave, onCancel }: DashboardEditBarProps) {
  const [varName, setVarName] = useState('');
  const [varLabel, setVarLabel] = useState('service');
  const canAdd = /^[A-Za-z_][A-Za-z0-9_]*$/.test(varName) && varLabel.trim() !== '' && !draft.variables.some((v) => v.name === varName);
  return (
    <div className="panel dash-editbar" data-testid="dash-editbar">
      <label>
        Title <input aria-label="Dashboard title" value={draft.title} onChange={(e) => onChange({ ...draft, title: e.target.value })} size={28} />
      </label>
      <span className="dash-vars">
        Variables: {draft.variables.length === 0 && <span className="muted">none</span>}
        {draft.variables.map((v) => (
          <span key={v.name} className="dash-badge">
            ${v.name} ← {v.label}{' '}
            <button
              type="button"
              aria-label={`Remove variable ${v.name}`}
              onClick={() => onChange({ ...draft, variables: draft.variables.filter((x) => x.name !== v.name) })}
            >
              ✕
            </button>
          </span>
        ))}
      </span>
      <form
        className="dash-var-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!canAdd) return;
          onChange({ ...draft, variables: [...draft.variables, { name: varName, label: varLabel.trim(), default: '' }] });
          setVarName('');
        }}
      >
        <input aria-label="Variable name" placeholder="name" value={varName} onChange={(e) => setVarName(e.target.value)} size={10} />
        <input aria-label="Variable label" placeholder="label" value={varLabel} onChange={(e) => setVarLabel(e.target.value)} size={10} />
        <button type="submit" disabled={!canAdd}>
          Add variable
        </button>
      </form>
      <span className="toolbar-spacer" />
      <button type="button" onClick={onAddPanel}>
        Add panel
      </button>
      <button type="button" className="primary" onClick={onSave}>
        Save
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
