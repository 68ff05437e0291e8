import { describe, expect, it } from 'vitest';
import { statusActions, statusFilterFrom, statusKind } from './error-status';

describe('statusActions', () => {
  it.each([
    ['unresolved', ['Resolve', 'Ignore']],
    ['resolved', ['Ignore', 'Reopen']],
    ['ignored', ['Resolve', 'Reopen']],
  ] as const)('offers a %s group %j', (status, labels) => {
    expect(statusActions(status).map((a) => a.label)).toEqual(labels);
  });

  it('reopens to unresolved', () => {
    expect(statusActions('resolved').find((a) => a.label === 'Reopen')?.status).toBe('unresolved');
  });
});

describe('statusKind', () => {
  it.each([
    ['unresolved', 'error'],
    ['resolved', 'ok'],
    ['ignored', 'info'],
  ] as const)('shows %s as %s', (status, kind) => {
    expect(statusKind(status)).toBe(kind);
  });
});

describe('statusFilterFrom', () => {
  it.each([
    [null, 'unresolved'],
    ['resolved', 'resolved'],
    ['ignored', 'ignored'],
    ['all', 'all'],
    ['bogus', 'unresolved'],
  ])('reads %s as %s', (value, filter) => {
    expect(statusFilterFrom(value)).toBe(filter);
  });
});
