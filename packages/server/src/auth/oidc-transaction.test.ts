import { describe, expect, it } from 'vitest';
import { localPath, transactionOf, transactionValue } from './oidc-transaction.js';
import { sessionOf, sessionValue } from './sessions.js';

const SECRET = 'session-secret';
const NOW = 1_700_000_000_000;
const TRANSACTION = { state: 'st', nonce: 'no', codeVerifier: 'cv', next: '/traces?x=1', expiresMs: NOW + 600_000 };

describe('the sign-in transaction cookie', () => {
  it('carries state, nonce, verifier and the page to return to, signed', () => {
    expect(transactionOf(SECRET, transactionValue(SECRET, TRANSACTION), NOW)).toEqual(TRANSACTION);
  });

  it('is void when altered, signed with another secret, expired, or passed off as a session', () => {
    const value = transactionValue(SECRET, TRANSACTION);
    const [payload, mac] = value.split('.') as [string, string];
    const other = Buffer.from(JSON.stringify(['st', 'no', 'cv', '//evil.test', NOW + 600_000])).toString('base64url');
    expect(transactionOf(SECRET, `${other}.${mac}`, NOW)).toBeNull();
    expect(transactionOf('another-secret', value, NOW)).toBeNull();
    expect(transactionOf(SECRET, value, NOW + 600_000)).toBeNull();
    expect(transactionOf(SECRET, `${payload}.${mac}.x`, NOW)).toBeNull();
    expect(transactionOf(SECRET, 'garbage', NOW)).toBeNull();
    // Keys of their own: a session's signature is no transaction's, and the reverse.
    const session = sessionValue(SECRET, { keyId: 'abc', projectId: 'default', expiresMs: NOW + 1000 });
    expect(transactionOf(SECRET, session, NOW)).toBeNull();
    expect(sessionOf(SECRET, value, NOW)).toBeNull();
  });
});

describe('localPath', () => {
  it.each([
    [undefined, '/'],
    ['/traces/abc?from=1', '/traces/abc?from=1'],
    ['/', '/'],
    ['//evil.test/x', '/'],
    ['/\\evil.test', '/'],
    ['https://evil.test/', '/'],
    ['traces', '/'],
    ['/a\r\nSet-Cookie: x=1', '/'],
    ['/traces/\u00fc', '/'],
    ['/traces/%C3%BC?q=a%20b', '/traces/%C3%BC?q=a%20b'],
    [`/${'a'.repeat(3000)}`, '/'],
  ])('returns to %j as %j', (next, expected) => {
    expect(localPath(next)).toBe(expected);
  });
});

describe('a person’s session cookie', () => {
  const user = {
    subject: 'u-1',
    email: 'ann@example.com',
    name: 'Ann Ö. Example',
    actor: 'user:ann@example.com',
    grants: [{ projectId: 'shop.eu', role: 'admin' as const }],
    rules: 'fp',
  };

  it('carries the person and their grants, with a project name holding dots', () => {
    const value = sessionValue(SECRET, { keyId: user.actor, projectId: 'shop.eu', expiresMs: NOW + 1000, user });
    expect(value.startsWith('~')).toBe(true);
    expect(sessionOf(SECRET, value, NOW)).toEqual({ keyId: 'user:ann@example.com', projectId: 'shop.eu', expiresMs: NOW + 1000, user });
  });

  it('is void when the person or their grants are altered', () => {
    const value = sessionValue(SECRET, { keyId: user.actor, projectId: 'shop.eu', expiresMs: NOW + 1000, user });
    const forged = sessionValue('another-secret', {
      keyId: user.actor,
      projectId: 'shop.eu',
      expiresMs: NOW + 1000,
      user: { ...user, grants: [{ projectId: '*', role: 'admin' }] },
    });
    expect(sessionOf(SECRET, `${forged.split('.')[0]}.${value.split('.').slice(1).join('.')}`, NOW)).toBeNull();
  });

  it('keeps a key session as it was', () => {
    expect(sessionOf(SECRET, sessionValue(SECRET, { keyId: 'K1', projectId: 'default', expiresMs: NOW + 1000 }), NOW)).toEqual({
      keyId: 'K1',
      projectId: 'default',
      expiresMs: NOW + 1000,
    });
  });
});
