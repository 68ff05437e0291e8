import type { UserSummary } from '@spoor/model';

export type UserSort = 'userId' | 'sessionCount' | 'runCount' | 'failedRuns' | 'errorCount' | 'costUsd' | 'firstSeen' | 'lastSeen';

/** The users sorted by a column; an unknown cost sorts below every known one, ties by user id. */
export function sortUsers(users: readonly UserSummary[], by: UserSort, desc: boolean): UserSummary[] {
  const value = (u: UserSummary): number | string => {
    const v = u[by];
    return v === null ? Number.NEGATIVE_INFINITY : v;
  };
  return [...users].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return (desc ? -order : order) || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);
  });
}
