import type { AlertSeverity } from '@spoor/model';
import { Status } from '../components/Status';
import { severityKind } from './alert-view';

/** An alert's severity: symbol, colour and the word. */
export function SeverityStatus({ severity }: { severity: AlertSeverity }) {
  return <Status kind={severityKind(severity)}>{severity}</Status>;
}
