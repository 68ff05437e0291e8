import type { UserSummary } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { sortUsers } from './user-view';

const user = (userId: string, runCount: number, costUsd: number | null): UserSummary => ({
  userId,
  sessionCount: 1,
  runCount,
  failedRuns: 0,
  errorCount: 0,
  inputTokens: null,
  outputTokens: null,
  costUsd,
  unpricedCalls: 0,
  firstSeen: '2026-11-28T06:00:00.000000Z',
  lastSeen: '2026-11-28T06:00:00.000000Z',
  traceScores: {},
});

describe('sortUsers', () => {
  const users = [user('bo', 2, null), user('ana', 2, 0.5), user('cy', 5, 0.1)];
  it('sorts by a column either way, ties by user id', () => {
    expect(sortUsers(users, 'runCount', true).map((u) => u.userId)).toEqual(['cy', 'ana', 'bo']);
    expect(sortUsers(users, 'runCount', false).map((u) => u.userId)).toEqual(['ana', 'bo', 'cy']);
    expect(sortUsers(users, 'userId', false).map((u) => u.userId)).toEqual(['ana', 'bo', 'cy']);
  });
  it('puts an unknown cost below every known one', () => {
    expect(sortUsers(users, 'costUsd', true).map((u) => u.userId)).toEqual(['ana', 'cy', 'bo']);
  });
});
