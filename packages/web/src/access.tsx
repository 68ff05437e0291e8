import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from 'react';
import type { SessionInfo } from '@spoor/model';
import { ApiError, SIGNED_OUT_EVENT, apiGet, apiSend } from './api';

/**
 * Signing in: when the server requires a key, the dashboard asks for a read or admin key once and
 * the server keeps the session in an HttpOnly cookie (scripts never see the key again). A 401 from
 * any later request (the key revoked, the session expired) brings the sign-in page back. With
 * single sign-on the page first offers the provider (`/auth/login`, a navigation: the server sends
 * the browser there and back, and sets the same cookie).
 */

export function AccessGate({ children }: { children: (session: SessionInfo, actions: SessionActions) => ReactNode }) {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const load = useCallback(() => {
    apiGet<SessionInfo>('/api/session').then(setSession, (error: Error) => setFailure(error.message));
  }, []);
  useEffect(() => {
    load();
    window.addEventListener(SIGNED_OUT_EVENT, load);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, load);
  }, [load]);

  if (failure !== null) return <p className="empty">Spoor does not answer: {failure}</p>;
  if (session === null) return <p className="muted">Loading…</p>;
  if (session.authRequired && !session.signedIn) return <SignIn singleSignOn={session.singleSignOn} onSignedIn={setSession} />;
  const actions: SessionActions = {
    switchProject: async (project) => {
      await apiSend<SessionInfo>('PUT', '/api/session', { project });
      // Every page's data belongs to the project: start afresh.
      window.location.reload();
    },
    signOut: async () => {
      await apiSend('DELETE', '/api/session');
      load();
    },
  };
  return <>{children(session, actions)}</>;
}

export interface SessionActions {
  switchProject: (project: string) => Promise<void>;
  signOut: () => Promise<void>;
}

function SignIn({ singleSignOn, onSignedIn }: { singleSignOn: SessionInfo['singleSignOn']; onSignedIn: (session: SessionInfo) => void }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    apiSend<SessionInfo>('POST', '/api/session', { key: key.trim() }).then(
      (session) => {
        setKey('');
        onSignedIn(session);
      },
      (error: Error) => {
        setBusy(false);
        setProblem(error instanceof ApiError && error.status === 401 ? 'That key is not valid: unknown, revoked or mistyped.' : error.message);
      },
    );
  };
  return (
    <div className="sign-in">
      <h1>Sign in to Spoor</h1>
      {singleSignOn !== null && (
        <div className="sign-in-sso">
          {/* The page to come back to: where the sign-in page was asked for. */}
          <a className="button" href={`/auth/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`}>
            Sign in with {singleSignOn.provider}
          </a>
          {!singleSignOn.reachable && <p className="muted">{singleSignOn.provider} did not answer when last asked; signing in asks it again.</p>}
        </div>
      )}
      <p className="muted">
        {singleSignOn === null ? 'Paste' : 'Or paste'} a read or admin key. An admin makes one with <code>spoor keys create --project NAME --role read</code>.
      </p>
      <form onSubmit={submit}>
        <label>
          Key
          <input
            type="password"
            name="key"
            autoComplete="off"
            spellCheck={false}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="spoor_read_…"
          />
        </label>
        <button type="submit" disabled={busy || key.trim() === ''}>
          Sign in
        </button>
      </form>
      {problem !== null && (
        <p className="sign-in-problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

/** The project switcher (when the key covers several) and sign-out, at the right of the top bar. */
export function AccountMenu({ session, actions }: { session: SessionInfo; actions: SessionActions }) {
  return (
    <div className="account">
      {session.projects.length > 1 ? (
        <label>
          Project
          <select aria-label="Project" value={session.projectId} onChange={(e) => void actions.switchProject(e.target.value)}>
            {session.projects.map((project) => (
              <option key={project} value={project}>
                {project}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <span className="muted" aria-label="Project">
          {session.projectId}
        </span>
      )}
      {session.user !== null && (
        <span aria-label="Signed in as" title={session.user.email ?? session.user.subject}>
          {session.user.name ?? session.user.email ?? session.user.subject}
        </span>
      )}
      {session.signedIn && (
        <button type="button" onClick={() => void actions.signOut()}>
          Sign out
        </button>
      )}
    </div>
  );
}
