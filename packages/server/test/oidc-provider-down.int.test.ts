import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestProvider, TEST_CLIENT_ID, TEST_CLIENT_SECRET, finishSignIn, freePort, signInAs, startOidcProvider } from './support/oidc-provider.js';
import { type TestServer, makeKey, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * Single sign-on whose provider does not answer when Spoor starts: Spoor starts anyway (telemetry
 * and keys do not wait on the identity provider), the sign-in page says the provider does not
 * answer, and signing in asks it again until it does. And made-up callbacks from one address are
 * refused unheard past the wrong keys' limit, so they cannot flood the audit log.
 */

let server: TestServer;
let provider: TestProvider | null = null;
let work: string;
let key: string;
let providerPort: number;
let externalUrl: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-oidc-down-'));
  const data = join(work, 'data');
  const port = await freePort();
  providerPort = await freePort();
  externalUrl = `http://127.0.0.1:${port}`;
  // The machines' key, made before single sign-on is turned on (as `spoor keys create --data` would).
  const plain = await startTestServer({ data });
  key = await makeKey(plain.url, '*', 'admin');
  await plain.stop({ keepData: true });
  await writeFile(join(work, 'secret'), TEST_CLIENT_SECRET);
  server = await startTestServer({
    data,
    port,
    externalUrl,
    oidcIssuer: `http://127.0.0.1:${providerPort}`,
    oidcClientId: TEST_CLIENT_ID,
    oidcClientSecret: `file:${join(work, 'secret')}`,
    oidcRoles: 'group:spoor-admins=admin@*',
    oidcScopes: 'openid email groups',
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await provider?.close();
  await rm(work, { recursive: true, force: true });
});

const session = async (): Promise<{ singleSignOn: { provider: string; reachable: boolean } }> => (await fetch(`${server.url}/api/session`)).json() as never;

describe('single sign-on while the provider does not answer', () => {
  it('starts, serves keys, and says on the sign-in page and at /auth/login that the provider does not answer', async () => {
    expect((await fetch(`${server.url}/api/traces`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    await until('the failed discovery to show', async () => ((await session()).singleSignOn.reachable === false ? true : undefined));
    const login = await fetch(`${server.url}/auth/login`, { redirect: 'manual' });
    expect(login.status).toBe(503);
    const page = await login.text();
    expect(page).toContain('The sign-in provider does not answer');
    expect(page).toContain(`(http://127.0.0.1:${providerPort}) does not answer`);
    expect(page).toContain('a key still signs in');
  });

  it('signs in once the provider answers, asking it again', async () => {
    provider = await startOidcProvider({
      port: providerPort,
      redirectUri: `${externalUrl}/auth/callback`,
      accounts: { ada: { email: 'ada@corp.test', groups: ['spoor-admins'] } },
    });
    // A failed discovery is tried again at most once a second.
    await until('/auth/login to send the browser to the provider', async () =>
      (await fetch(`${server.url}/auth/login`, { redirect: 'manual' })).status === 302 ? true : undefined,
    );
    const ada = await signInAs(server.url, 'ada');
    expect((await fetch(`${server.url}/api/traces`, { headers: { cookie: `spoor_session=${ada}` } })).status).toBe(200);
    expect((await session()).singleSignOn.reachable).toBe(true);
  });

  it('refuses made-up callbacks from an address unheard past the limit, and records only those heard', async () => {
    const heard = async (): Promise<number> => {
      // The address's keys wait out its limit too (one limit for wrong keys and failed sign-ins): 2 s.
      const answer = await until('the address to be heard again', async () => {
        const tried = await fetch(`${server.url}/api/audit?limit=1000`, { headers: { authorization: `Bearer ${key}` } });
        return tried.status === 429 ? undefined : tried;
      });
      const body = (await answer.json()) as { entries: Array<{ action: string }> };
      return body.entries.filter((e) => e.action === 'session.sign-in-refused').length;
    };
    const before = await heard();
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push((await finishSignIn(`${server.url}/auth/callback?code=made-up&state=s${i}`, null)).status);
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(400));
    expect(statuses.slice(30)).toEqual([429, 429]);
    const limited = await finishSignIn(`${server.url}/auth/callback?code=x&state=y`, null);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited.text()).toContain('Too many failed sign-ins');
    expect((await heard()) - before).toBe(30);
  });
});
