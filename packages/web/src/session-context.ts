import { createContext, useContext } from 'react';
import type { SessionInfo } from '@spoor/model';

/** Who is signed in (or that no key is needed), for the parts of a page that act as them: a vote. */
export const SessionContext = createContext<SessionInfo | null>(null);

export function useSession(): SessionInfo | null {
  return useContext(SessionContext);
}

/**
 * The author the server writes on what this person posts (`POST /api/scores`): the key they
 * signed in with (or `user:ADDRESS`, signed in by single sign-on), or `open` on a server that needs no key (access-control.ts's open principal;
 * `GET /api/session` answers `keyId: null` there). A vote of theirs is one with this author.
 */
export function authorOf(session: SessionInfo): string {
  return session.keyId ?? 'open';
}

/** Whether this person may post a score: an ingest or admin key may (a read key may only look). */
export function mayScore(session: SessionInfo): boolean {
  return session.role === 'admin' || session.role === 'ingest';
}
