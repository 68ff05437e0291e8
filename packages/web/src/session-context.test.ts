import type { SessionInfo } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { authorOf, mayScore } from './session-context';

const session = (change: Partial<SessionInfo>): SessionInfo => ({
  authRequired: true,
  signedIn: true,
  keyId: 'k_1',
  role: 'admin',
  projectId: 'default',
  projects: ['default'],
  user: null,
  singleSignOn: null,
  ...change,
});

describe('who votes from the dashboard', () => {
  it.each([
    [session({}), 'k_1'],
    [session({ authRequired: false, signedIn: false, keyId: null }), 'open'],
    // A person signed in by single sign-on votes as `user:ADDRESS`, the author the server writes for them.
    [session({ keyId: 'user:ann@example.com', user: { subject: 'u1', email: 'ann@example.com', name: 'Ann' } }), 'user:ann@example.com'],
  ])('is the author the server writes on their scores (%#)', (s, author) => expect(authorOf(s)).toBe(author));

  it.each([
    ['admin', true],
    ['ingest', true],
    ['read', false],
  ] as const)('with a %s key may post a score: %s', (role, may) => expect(mayScore(session({ role }))).toBe(may));
});
