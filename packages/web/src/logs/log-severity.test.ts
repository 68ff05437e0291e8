import { describe, expect, it } from 'vitest';
import { minSeverityFrom, severityKindOf, severityLabel, severityNameOf } from './log-severity';

describe('severityNameOf', () => {
  it.each([
    { n: 0, want: 'UNSPECIFIED' },
    { n: 1, want: 'TRACE' },
    { n: 4, want: 'TRACE4' },
    { n: 5, want: 'DEBUG' },
    { n: 9, want: 'INFO' },
    { n: 11, want: 'INFO3' },
    { n: 13, want: 'WARN' },
    { n: 17, want: 'ERROR' },
    { n: 21, want: 'FATAL' },
    { n: 24, want: 'FATAL4' },
    { n: 25, want: 'UNSPECIFIED' },
  ])('names $n $want', ({ n, want }) => {
    expect(severityNameOf(n)).toBe(want);
  });
});

describe('severityKindOf', () => {
  it.each([
    { n: 1, text: '', want: 'muted' },
    { n: 8, text: '', want: 'muted' },
    { n: 9, text: '', want: 'info' },
    { n: 12, text: '', want: 'info' },
    { n: 13, text: '', want: 'warn' },
    { n: 17, text: '', want: 'error' },
    { n: 24, text: '', want: 'error' },
    { n: 9, text: 'ERROR', want: 'info' },
    { n: 0, text: 'error', want: 'error' },
    { n: 0, text: 'CRITICAL', want: 'error' },
    { n: 0, text: 'Warning', want: 'warn' },
    { n: 0, text: 'notice', want: 'info' },
    { n: 0, text: 'debug', want: 'muted' },
    { n: 0, text: '', want: 'muted' },
  ])('shows number $n with text "$text" as $want', ({ n, text, want }) => {
    expect(severityKindOf(n, text)).toBe(want);
  });
});

describe('severityLabel', () => {
  it.each([
    { record: { severityNumber: 17, severityText: 'ERROR' }, want: 'ERROR' },
    { record: { severityNumber: 13, severityText: 'warning' }, want: 'warning' },
    { record: { severityNumber: 13, severityText: '' }, want: 'WARN' },
    { record: { severityNumber: 0, severityText: ' ' }, want: 'UNSPECIFIED' },
  ])('labels $record as $want', ({ record, want }) => {
    expect(severityLabel(record)).toBe(want);
  });
});

describe('minSeverityFrom', () => {
  it.each([
    { value: 'warn', want: 'warn' },
    { value: 'ERROR', want: 'error' },
    { value: null, want: null },
    { value: '', want: null },
    { value: 'warning', want: null },
    { value: '13', want: null },
  ])('reads severity=$value as $want', ({ value, want }) => {
    expect(minSeverityFrom(value)).toBe(want);
  });
});
