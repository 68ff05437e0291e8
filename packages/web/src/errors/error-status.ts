import type { ErrorGroupStatus } from '@spoor/model';
import type { StatusKind } from '../components/Status';

/** What a group's status looks like and what can be done to it. Pure; tested in error-status.test.ts. */

export const STATUS_LABELS: Record<ErrorGroupStatus, string> = { unresolved: 'Unresolved', resolved: 'Resolved', ignored: 'Ignored' };

/** Unresolved is the one that needs attention. */
export function statusKind(status: ErrorGroupStatus): StatusKind {
  return status === 'unresolved' ? 'error' : status === 'resolved' ? 'ok' : 'info';
}

export interface StatusAction {
  label: 'Resolve' | 'Ignore' | 'Reopen';
  status: ErrorGroupStatus;
}

/** The buttons of a group: every status but its own, "Reopen" being the way back to unresolved. */
export function statusActions(status: ErrorGroupStatus): StatusAction[] {
  const all: StatusAction[] = [
    { label: 'Resolve', status: 'resolved' },
    { label: 'Ignore', status: 'ignored' },
    { label: 'Reopen', status: 'unresolved' },
  ];
  return all.filter((a) => a.status !== status);
}

/** The list's status filter from the URL: unresolved unless it says otherwise; `all` is no filter. */
export function statusFilterFrom(value: string | null): ErrorGroupStatus | 'all' {
  return value === 'resolved' || value === 'ignored' || value === 'all' ? value : 'unresolved';
}
