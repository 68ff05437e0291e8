import { Status } from '../components/Status';
import { severityKindOf, severityLabel } from './log-severity';

/** A record's severity: symbol, colour and name; trace and debug get a hollow dot in soft text. */
export function LogSeverity({ record }: { record: { severityNumber: number; severityText: string } }) {
  return <Status kind={severityKindOf(record.severityNumber, record.severityText)}>{severityLabel(record)}</Status>;
}
