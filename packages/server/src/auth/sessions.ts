import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The dashboard's sign-in session, as a signed cookie value: `keyId.project.expiresMs.signature`.
 * Nothing is kept per session on the server, so any server sharing the store (and its secret)
 * honours it, a restart signs no one out, and revoking the key ends every session made with it
 * (the key is looked up on each request). The key itself is never in the cookie.
 */

export const SESSION_COOKIE = 'spoor_session';
export const SESSION_HOURS = 12;

export interface Session {
  keyId: string;
  /** The project the dashboard shows. */
  projectId: string;
  expiresMs: number;
}

function signature(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function sessionValue(secret: string, session: Session): string {
  const payload = `${session.keyId}.${session.projectId}.${session.expiresMs}`;
  return `${payload}.${signature(secret, payload).toString('base64url')}`;
}

/** The session a cookie value carries, or `null` when it is malformed, forged or expired. */
export function sessionOf(secret: string, value: string, nowMs: number): Session | null {
  const parts = value.split('.');
  if (parts.length < 4) return null;
  // A project name may hold dots; the key id, the time and the signature do not.
  const keyId = parts[0]!;
  const mac = parts[parts.length - 1]!;
  const expiresMs = Number(parts[parts.length - 2]);
  const projectId = parts.slice(1, -2).join('.');
  const given = Buffer.from(mac, 'base64url');
  const expected = signature(secret, `${keyId}.${projectId}.${parts[parts.length - 2]}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!Number.isFinite(expiresMs) || expiresMs <= nowMs) return null;
  return { keyId, projectId, expiresMs };
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
