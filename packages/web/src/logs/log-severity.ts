import { SEVERITY_NUMBERS, type SeverityName } from '@spoor/model';

/** How log severities read on the logs page. Pure; tested in log-severity.test.ts. */

/** `muted` is for trace and debug records: they are there, but not what one looks for. */
export type SeverityKind = 'error' | 'warn' | 'info' | 'muted';

const NAMES = Object.keys(SEVERITY_NUMBERS) as SeverityName[];

/** `ERROR` for 17, `WARN3` for 15 (OTLP's short names); `UNSPECIFIED` for 0 or out of range. */
export function severityNameOf(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 24) return 'UNSPECIFIED';
  const name = NAMES[Math.floor((n - 1) / 4)] ?? 'fatal';
  const step = (n - 1) % 4;
  return `${name.toUpperCase()}${step === 0 ? '' : step + 1}`;
}

/** By number; a record without one (0) is judged by its text, as some loggers send only that. */
export function severityKindOf(severityNumber: number, severityText = ''): SeverityKind {
  if (severityNumber >= SEVERITY_NUMBERS.error) return 'error';
  if (severityNumber >= SEVERITY_NUMBERS.warn) return 'warn';
  if (severityNumber >= SEVERITY_NUMBERS.info) return 'info';
  if (severityNumber >= SEVERITY_NUMBERS.trace) return 'muted';
  const text = severityText.trim().toUpperCase();
  if (/^(FATAL|CRIT|ALERT|EMERG|ERR|SEVERE)/.test(text)) return 'error';
  if (/^WARN/.test(text)) return 'warn';
  if (/^(INFO|NOTICE)/.test(text)) return 'info';
  return 'muted';
}

/** What the record calls its severity, else the OTLP name of its number. */
export function severityLabel(record: { severityNumber: number; severityText: string }): string {
  const text = record.severityText.trim();
  return text !== '' ? text : severityNameOf(record.severityNumber);
}

/** The minimum severities the API's `severity=` takes, least first. */
export const MIN_SEVERITIES: readonly SeverityName[] = NAMES;

/** `severity=` of the page's URL when the API would take it (case-insensitive), else `null`. */
export function minSeverityFrom(value: string | null): SeverityName | null {
  const name = value?.toLowerCase() ?? '';
  return (NAMES as readonly string[]).includes(name) ? (name as SeverityName) : null;
}
