import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Grant } from './oidc-roles.js';

/**
 * The dashboard's sign-in session, as a signed cookie value: `keyId.project.expiresMs.signature`.
 * Nothing is kept per session on the server, so any server sharing the store (and its secret)
 * honours it, a restart signs no one out, and revoking the key ends every session made with it
 * (the key is looked up on each request). The key itself is never in the cookie.
 *
 * A person signed in by single sign-on has `~USER` in the key id's place: the person and what the
 * rules granted them at sign-in, as base64url JSON (a few hundred bytes; their groups are not kept,
 * as a provider may send hundreds). The rules' fingerprint is in it, so a session made under
 * other rules (the server restarted with new --oidc-roles) is void.
 */

export const SESSION_COOKIE = 'spoor_session';
export const SESSION_HOURS = 12;

/** A person signed in by single sign-on, as the session carries them. */
export interface SessionUser {
  /** The provider's subject identifier (`sub`): stable, unlike an address. */
  subject: string;
  email: string | null;
  name: string | null;
  /** What names them in the audit log and as a score's author: `user:` and their verified address, username or subject. */
  actor: string;
  grants: Grant[];
  /** `OidcConfig.fingerprint` of the server that signed them in. */
  rules: string;
}

export interface Session {
  /** The key's id; for a person, their `actor` (`user:ann@example.com`). */
  keyId: string;
  /** The project the dashboard shows. */
  projectId: string;
  expiresMs: number;
  /** Signed in by single sign-on: the person. */
  user?: SessionUser;
}

/** Room for long names without nearing a browser's 4 KB per cookie. */
const MAX_TEXT = 200;

function userPart(user: SessionUser): string {
  const clip = (text: string | null): string | null => (text === null ? null : text.slice(0, MAX_TEXT));
  const packed = { s: user.subject, e: clip(user.email), n: clip(user.name), a: user.actor, g: user.grants.map((g) => [g.projectId, g.role]), r: user.rules };
  return `~${Buffer.from(JSON.stringify(packed)).toString('base64url')}`;
}

/** The person a `~USER` part carries; `null` when it is not one (it was signed, so only a bug makes it so). */
function userOf(part: string): SessionUser | null {
  try {
    const packed = JSON.parse(Buffer.from(part.slice(1), 'base64url').toString('utf8')) as {
      s: string;
      e: string | null;
      n: string | null;
      a: string;
      g: Array<[string, 'read' | 'admin']>;
      r: string;
    };
    if (typeof packed.s !== 'string' || typeof packed.a !== 'string' || !Array.isArray(packed.g)) return null;
    return {
      subject: packed.s,
      email: packed.e,
      name: packed.n,
      actor: packed.a,
      grants: packed.g.map(([projectId, role]) => ({ projectId, role })),
      rules: packed.r,
    };
  } catch {
    // Not JSON: no session (a forged value never gets here; its signature fails first).
    return null;
  }
}

function signature(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function sessionValue(secret: string, session: Session): string {
  const payload = `${session.user === undefined ? session.keyId : userPart(session.user)}.${session.projectId}.${session.expiresMs}`;
  return `${payload}.${signature(secret, payload).toString('base64url')}`;
}

/** The session a cookie value carries, or `null` when it is malformed, forged or expired. */
export function sessionOf(secret: string, value: string, nowMs: number): Session | null {
  const parts = value.split('.');
  if (parts.length < 4) return null;
  // A project name may hold dots; the key id (or the person, in base64url), the time and the signature do not.
  const keyId = parts[0]!;
  const mac = parts[parts.length - 1]!;
  const expiresMs = Number(parts[parts.length - 2]);
  const projectId = parts.slice(1, -2).join('.');
  const given = Buffer.from(mac, 'base64url');
  const expected = signature(secret, `${keyId}.${projectId}.${parts[parts.length - 2]}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!Number.isFinite(expiresMs) || expiresMs <= nowMs) return null;
  if (!keyId.startsWith('~')) return { keyId, projectId, expiresMs };
  const user = userOf(keyId);
  return user === null ? null : { keyId: user.actor, projectId, expiresMs, user };
}

/** The value of one cookie of a `Cookie` header, or `null`. */
export function cookieOf(header: string | null, name: string): string | null {
  if (header === null) return null;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}

/** A `Set-Cookie` value: readable by no script, sent on no cross-site request, only over https when served so. */
export function sessionCookie(value: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${options.maxAgeSeconds}${options.secure ? '; Secure' : ''}`;
}
