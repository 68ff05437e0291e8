import type { ErrorGroupStatus } from '@spoor/model';
import { Status } from '../components/Status';
import { formatTime } from '../format';
import { STATUS_LABELS, statusKind } from './error-status';

/** A group's status with its symbol, and "regressed" when a resolved group came back. */
export function ErrorStatusBadge({ status, regressed, resolvedAt }: { status: ErrorGroupStatus; regressed: boolean; resolvedAt?: string | null }) {
  return (
    <span className="error-status">
      <Status kind={statusKind(status)}>{STATUS_LABELS[status]}</Status>
      {regressed && (
        <span
          className="tag tag-regressed"
          title={resolvedAt ? `Seen again after it was resolved at ${formatTime(resolvedAt)}` : 'Seen again after it was resolved'}
        >
          regressed
        </span>
      )}
    </span>
  );
}
