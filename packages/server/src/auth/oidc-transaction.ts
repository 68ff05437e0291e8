import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A sign-in in progress: the `state`, `nonce` and PKCE `code_verifier` made when the browser left
 * for the provider, and where to go back to, kept in the browser as a short-lived signed cookie
 * until the provider sends it back to `/auth/callback`. Any server sharing the store (and its
 * secret) can finish it, as any can honour a session. The cookie is `HttpOnly` and only sent to
 * the callback's path; `SameSite=Lax`, because the provider's redirect back is a navigation from
 * another site, which a `Strict` cookie would not follow.
 *
 * Signed with a key of its own derived from the session secret, so no transaction can pass for a
 * session or the reverse.
 */

export const TRANSACTION_COOKIE = 'spoor_oidc';
export const CALLBACK_PATH = '/auth/callback';
/** Long enough to type a password and answer a second factor; short enough that a stolen cookie soon expires. */
export const TRANSACTION_MS = 10 * 60_000;

export interface Transaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The dashboard's page to go back to: a path of this server. */
  next: string;
  expiresMs: number;
}

function keyOf(secret: string): Buffer {
  return createHmac('sha256', secret).update('spoor oidc transaction').digest();
}

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', keyOf(secret)).update(payload).digest();
}

export function transactionValue(secret: string, transaction: Transaction): string {
  const payload = Buffer.from(
    JSON.stringify([transaction.state, transaction.nonce, transaction.codeVerifier, transaction.next, transaction.expiresMs]),
  ).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The transaction a cookie value carries, or `null` when it is malformed, altered or expired. */
export function transactionOf(secret: string, value: string, nowMs: number): Transaction | null {
  const [payload, signature, ...rest] = value.split('.');
  if (payload === undefined || signature === undefined || rest.length > 0) return null;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const [state, nonce, codeVerifier, next, expiresMs] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [
    string,
    string,
    string,
    string,
    number,
  ];
  if (!(expiresMs > nowMs)) return null;
  return { state, nonce, codeVerifier, next, expiresMs };
}

/** The `Set-Cookie` of a transaction; an empty value with no age removes it. */
export function transactionCookie(value: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return `${TRANSACTION_COOKIE}=${value}; Path=${CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age=${options.maxAgeSeconds}${options.secure ? '; Secure' : ''}`;
}

/**
 * `next` when it is a path of this server, else `/`: the page a sign-in returns to is never
 * another site (`//evil.example`, `/\evil.example` and `https://…` are not paths of this one).
 */
export function localPath(next: string | undefined): string {
  // The dashboard sends its address as the browser shows it, percent-encoded: printable ASCII. Anything
  // else (a control character that would split the Location header, a backslash browsers read as a
  // slash) returns home.
  if (next === undefined || !next.startsWith('/') || next.startsWith('//') || /[^!-~]|\\/.test(next)) return '/';
  return next.length > 2000 ? '/' : next;
}
