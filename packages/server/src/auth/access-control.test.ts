import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { AccessControl, needOf } from './access-control.js';
import { addressKey } from './failed-attempts.js';
import { KeyRing } from './key-ring.js';
import { newKey } from './keys.js';
import { sessionValue } from './sessions.js';

const rings: KeyRing[] = [];
afterEach(() => {
  for (const ring of rings.splice(0)) ring.close();
});

async function control(): Promise<{ access: AccessControl; key: string; other: string; clock: { ms: number }; outcomes: string[] }> {
  const made = newKey({ projectId: 'shop', role: 'read', name: '', createdBy: 'cli', nowUs: 1 });
  const other = newKey({ projectId: 'shop', role: 'ingest', name: '', createdBy: 'cli', nowUs: 1 });
  const ring = await KeyRing.start(async () => [made.record, other.record], { refreshMs: 60_000, onError: () => {} });
  rings.push(ring);
  const clock = { ms: 1_000_000 };
  const outcomes: string[] = [];
  const access = new AccessControl({
    mode: 'auto',
    ring,
    sessionSecret: 'secret',
    metricsToken: null,
    ratePerSecond: 0,
    nowMs: () => clock.ms,
    onFailedAttempt: (outcome) => outcomes.push(outcome),
  });
  return { access, key: made.key, other: other.key, clock, outcomes };
}

/** The status a request with this bearer gets from `clientAddress`: 200 when it passes. */
function statusOf(access: AccessControl, bearer: string, clientAddress: string): number {
  try {
    access.check({ method: 'GET', route: '/api/traces', headers: { authorization: `Bearer ${bearer}` }, clientAddress });
    return 200;
  } catch (error) {
    if (isAppError(error)) return error.status;
    throw error;
  }
}

const wrongSecret = (key: string): string => `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;

describe('needOf', () => {
  it.each([
    ['GET', '/health', 'public'],
    ['GET', '/ready', 'public'],
    ['POST', '/api/session', 'public'],
    ['GET', '/', 'public'],
    ['OPTIONS', '/v1/traces', 'public'],
    ['POST', '/v1/traces', 'ingest'],
    ['GET', '/metrics', 'metrics'],
    ['GET', '/api/keys', 'admin'],
    ['DELETE', '/api/keys/:id', 'admin'],
    ['GET', '/api/traces/:traceId', 'read'],
    ['HEAD', '/api/traces', 'read'],
    ['POST', '/api/alerts/rules', 'admin'],
    // An app posts its users' feedback with its ingest key; reading and deleting scores is not ingest.
    ['POST', '/api/scores', 'ingest'],
    ['GET', '/api/scores', 'read'],
    ['DELETE', '/api/scores/:scoreId', 'admin'],
    // Prometheus's clients post their queries as forms: a query only reads.
    ['POST', '/api/v1/query', 'read'],
    ['GET', '/api/v1/label/:name/values', 'read'],
    // Single sign-on's way out to the provider and back.
    ['GET', '/auth/login', 'public'],
    ['GET', '/auth/callback', 'public'],
    ['GET', '/auth/other', 'admin'],
    // The docs, as the dashboard's files; a route of another name under them is no docs route.
    ['GET', '/docs', 'public'],
    ['GET', '/docs/:page', 'public'],
    ['GET', '/docs/:page/:other', 'admin'],
    // A route named nowhere above is closed, not open.
    ['GET', '/debug', 'admin'],
    ['GET', '/api', 'admin'],
  ])('%s %s needs %s', (method, route, need) => {
    expect(needOf(method, route)).toBe(need);
  });

  // A route's own declaration (an export's) raises what the table gives it; the table's other answers stay.
  it.each([
    ['GET', '/api/export', 'read', 'admin'],
    ['HEAD', '/api/export', 'read', 'admin'],
    ['GET', '/health', 'public', 'admin'],
    ['POST', '/v1/traces', 'ingest', 'admin'],
    ['GET', '/metrics', 'metrics', 'admin'],
  ] as const)('%s %s needs %s, and admin once it declares that', (method, route, undeclared, declared) => {
    expect(needOf(method, route)).toBe(undeclared);
    expect(needOf(method, route, declared)).toBe(declared);
  });
});

describe('failed key attempts', () => {
  it('refuse an address unheard after 30 wrong keys, even its right key, until its wait is over', async () => {
    const { access, key, clock, outcomes } = await control();
    const statuses = Array.from({ length: 31 }, (_, i) => statusOf(access, `spoor_read_${String(i).padStart(10, '0')}_${'x'.repeat(32)}`, '203.0.113.7'));
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(statuses[30]).toBe(429);
    expect(statusOf(access, key, '203.0.113.7')).toBe(429);
    // Another address is not held back by this one.
    expect(statusOf(access, key, '203.0.113.8')).toBe(200);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(30);
    // One attempt comes back every 2 s.
    clock.ms += 2_000;
    expect(statusOf(access, key, '203.0.113.7')).toBe(200);
    expect(statusOf(access, 'spoor_read_0123456789_' + 'y'.repeat(32), '203.0.113.7')).toBe(401);
    expect(statusOf(access, key, '203.0.113.7')).toBe(429);
  });

  it('says how long to wait', async () => {
    const { access } = await control();
    for (let i = 0; i < 30; i++) statusOf(access, 'not-a-key', '198.51.100.1');
    try {
      access.check({ method: 'GET', route: '/api/traces', headers: { authorization: 'Bearer not-a-key' }, clientAddress: '198.51.100.1' });
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.retryAfterSeconds).toBe(2);
    }
  });

  it("answer wrong secrets of a key id tried from many addresses 429, and still take the key's owner", async () => {
    const { access, key, other, outcomes } = await control();
    const statuses = Array.from({ length: 32 }, (_, i) => statusOf(access, wrongSecret(key), `192.0.2.${i}`));
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(statuses.slice(30)).toEqual([429, 429]);
    expect(outcomes.at(-1)).toBe('limited');
    expect(statusOf(access, key, '192.0.2.200')).toBe(200);
    // Another key's id is not held back.
    expect(statusOf(access, wrongSecret(other), '192.0.2.201')).toBe(401);
  });

  it('count nothing on a public route, or while no key is required', async () => {
    const { access } = await control();
    for (let i = 0; i < 40; i++) access.check({ method: 'GET', route: '/health', headers: { authorization: 'Bearer nope' }, clientAddress: '203.0.113.9' });
    expect(statusOf(access, 'nope', '203.0.113.9')).toBe(401);
  });

  it('count sign-in attempts as key attempts', async () => {
    const { access, key } = await control();
    for (let i = 0; i < 30; i++) expect(() => access.verifyKey('spoor_read_abcdefghij_' + 'z'.repeat(32), '203.0.113.10')).toThrow(/not valid/);
    expect(() => access.verifyKey(key, '203.0.113.10')).toThrow(/too many/);
  });
});

describe('addressKey', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff::1', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('counts %s as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

describe("a person's session", () => {
  const user = {
    subject: 'u1',
    email: 'ann@example.com',
    name: 'Ann',
    actor: 'user:ann@example.com',
    grants: [
      { projectId: 'shop', role: 'admin' as const },
      { projectId: '*', role: 'read' as const },
    ],
    rules: 'rules-1',
  };

  async function personAccess(fingerprint: string | null): Promise<AccessControl> {
    const ring = await KeyRing.start(async () => [], { refreshMs: 60_000, onError: () => {} });
    rings.push(ring);
    return new AccessControl({
      mode: 'required',
      ring,
      sessionSecret: 'secret',
      metricsToken: null,
      ratePerSecond: 0,
      oidcFingerprint: fingerprint,
      nowMs: () => 1_000_000,
    });
  }
  const cookie = (projectId: string): string => `spoor_session=${sessionValue('secret', { keyId: user.actor, projectId, expiresMs: 2_000_000, user })}`;
  const check = (access: AccessControl, method: string, route: string, projectId: string, asked?: string) =>
    access.check({
      method,
      route,
      headers: { cookie: cookie(projectId), host: 'h', origin: 'http://h', ...(asked === undefined ? {} : { 'spoor-project': asked }) },
      clientAddress: '127.0.0.1',
    });

  it('acts with the role its grants give on the project asked for', async () => {
    const access = await personAccess('rules-1');
    expect(check(access, 'POST', '/api/alerts/rules', 'shop').principal).toMatchObject({
      keyId: 'user:ann@example.com',
      role: 'admin',
      keyProjectId: 'shop',
      via: 'cookie',
    });
    expect(check(access, 'GET', '/api/traces', 'shop', 'default')).toMatchObject({ projectId: 'default', principal: { role: 'read', keyProjectId: '*' } });
    expect(() => check(access, 'POST', '/api/alerts/rules', 'shop', 'default')).toThrow('needs an admin key; this one is a read key');
  });

  it('is void under other rules, or on a server without single sign-on', async () => {
    for (const fingerprint of ['rules-2', null]) {
      const access = await personAccess(fingerprint);
      expect(() => check(access, 'GET', '/api/traces', 'shop')).toThrow('send a key as Authorization: Bearer KEY, or sign in');
    }
  });
});
