import type { ErrorGroupDetail, ErrorGroupStatus } from '@spoor/model';
import { useState } from 'react';
import { apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { statusActions } from './error-status';

export interface StatusActionsProps {
  fingerprint: string;
  status: ErrorGroupStatus;
  /** Called with the server's answer once the new status is saved. */
  onChanged: (detail: ErrorGroupDetail) => void;
}

/** Resolve, Ignore or Reopen a group with `PATCH /api/errors/:fingerprint`. */
export function StatusActions({ fingerprint, status, onChanged }: StatusActionsProps) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const change = async (next: ErrorGroupStatus) => {
    setSaving(true);
    setError(undefined);
    try {
      onChanged(await apiSend<ErrorGroupDetail>('PATCH', `/api/errors/${encodeURIComponent(fingerprint)}`, { status: next }));
    } catch (e) {
      setError(e as Error);
    } finally {
      setSaving(false);
    }
  };
  return (
    <div className="error-actions">
      {statusActions(status).map((action) => (
        <button key={action.label} type="button" disabled={saving} onClick={() => void change(action.status)}>
          {action.label}
        </button>
      ))}
      <ErrorBox error={error} />
    </div>
  );
}
