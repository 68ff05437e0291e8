import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOidcConfig } from '../src/auth/oidc-config.js';
import { OidcSignIn } from '../src/auth/oidc-sign-in.js';
import { type BegunSignIn, type TestProvider, authorizeAt, beginSignIn, finishSignIn, freePort, signInAs, startOidcProvider } from './support/oidc-provider.js';
import { type TestServer, startTestServer } from './support/server.js';

/**
 * Single sign-on against a real OpenID provider (`oidc-provider` on 127.0.0.1), driven with
 * fetch as a browser would: the authorization code flow with PKCE signs a person in, the rules
 * give them their role, and every callback that is not the answer to this browser's own sign-in
 * (another state, another sign-in's nonce, a replay, no transaction cookie, an altered one) is
 * refused with a 400 page and recorded in the audit log.
 */

let provider: TestProvider;
let server: TestServer;
let work: string;
let rootKey: string;

const ROLES = 'group:spoor-admins=admin@*; group:eng=read@shop; email:@example.com=read@default';
const ACCOUNTS = {
  ada: { email: 'ada@corp.test', name: 'Ada Admin', groups: ['spoor-admins'] },
  ron: { email: 'ron@example.com', name: 'Ron Reader', groups: ['eng'] },
  eve: { email: 'eve@elsewhere.test', name: 'Eve Nobody', groups: ['sales'] },
  // An address the provider does not vouch for matches no address rule.
  uma: { email: 'uma@example.com', email_verified: false, name: 'Uma Unverified' },
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-oidc-'));
  const port = await freePort();
  const externalUrl = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider({ redirectUri: `${externalUrl}/auth/callback`, accounts: ACCOUNTS });
  await writeFile(join(work, 'secret'), `${provider.clientSecret}\n`);
  server = await startTestServer({
    port,
    externalUrl,
    oidcIssuer: provider.issuer,
    oidcClientId: provider.clientId,
    oidcClientSecret: `file:${join(work, 'secret')}`,
    oidcRoles: ROLES,
    oidcScopes: 'openid email profile groups',
  });
  // With single sign-on a person signs in from the start; an admin's session makes the machines' keys.
  const made = await fetch(`${server.url}/api/keys`, {
    method: 'POST',
    headers: withSession(await signIn('ada'), { origin: server.url, 'content-type': 'application/json' }),
    body: JSON.stringify({ project: '*', role: 'admin', name: 'root' }),
  });
  expect(made.status, await made.clone().text()).toBe(201);
  rootKey = ((await made.json()) as { key: string }).key;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await provider?.close();
  await rm(work, { recursive: true, force: true });
});

const begin = (next?: string): Promise<BegunSignIn> => beginSignIn(server.url, next);
const callback = finishSignIn;
const signIn = (login: string): Promise<string> => signInAs(server.url, login);

const withSession = (session: string, headers: Record<string, string> = {}): Record<string, string> => ({ cookie: `spoor_session=${session}`, ...headers });

async function audit(project: string): Promise<Array<{ keyId: string; action: string; detail: string | null }>> {
  const answer = await fetch(`${server.url}/api/audit`, { headers: { authorization: `Bearer ${rootKey}`, 'spoor-project': project } });
  return ((await answer.json()) as { entries: Array<{ keyId: string; action: string; detail: string | null }> }).entries;
}

async function refusals(): Promise<string[]> {
  return (await audit('default')).filter((e) => e.action === 'session.sign-in-refused').map((e) => (JSON.parse(e.detail!) as { reason: string }).reason);
}

describe('single sign-on with the authorization code flow and PKCE', () => {
  it('sends the browser to the provider with PKCE, a state and a nonce, and back to where it was', async () => {
    const begun = await begin('/traces?service=shop');
    const url = new URL(begun.location);
    expect(url.origin).toBe(provider.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: provider.clientId,
      response_type: 'code',
      redirect_uri: `${server.url}/auth/callback`,
      scope: 'openid email profile groups',
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[\w-]{20,}$/),
      nonce: expect.stringMatching(/^[\w-]{20,}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
    });
    const answer = await callback(await authorizeAt(begun.location, 'ada'), begun.transaction);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/traces?service=shop');
    // The transaction is spent; the session is the dashboard's usual cookie.
    expect(answer.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^spoor_oidc=; Path=\/auth\/callback; HttpOnly; SameSite=Lax; Max-Age=0$/),
      expect.stringMatching(/^spoor_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/),
    ]);
    // Another site's page is never where a sign-in returns to.
    for (const next of ['//evil.test/x', 'https://evil.test/', '/\\evil.test']) {
      const elsewhere = await begin(next);
      const back = await callback(await authorizeAt(elsewhere.location, 'ada'), elsewhere.transaction);
      expect(back.headers.get('location'), next).toBe('/');
    }
  });

  it('names the person in the session: who, their role and their projects', async () => {
    const ada = await signIn('ada');
    const session = await (await fetch(`${server.url}/api/session`, { headers: withSession(ada) })).json();
    expect(session).toMatchObject({
      authRequired: true,
      signedIn: true,
      keyId: 'user:ada@corp.test',
      role: 'admin',
      projectId: 'default',
      user: { subject: 'ada', email: 'ada@corp.test', name: 'Ada Admin' },
      singleSignOn: { provider: '127.0.0.1:' + new URL(provider.issuer).port, reachable: true },
    });
    const ron = await signIn('ron');
    // Read on shop (group eng) and on default (a verified address at example.com); the dashboard opens default.
    const ronSession = (await (await fetch(`${server.url}/api/session`, { headers: withSession(ron) })).json()) as {
      role: string;
      projects: string[];
      projectId: string;
    };
    expect(ronSession).toMatchObject({ role: 'read', projects: ['default', 'shop'], projectId: 'default' });
    expect((await fetch(`${server.url}/api/traces`, { headers: withSession(ron, { 'spoor-project': 'shop' }) })).status).toBe(200);
    const foreign = await fetch(`${server.url}/api/traces`, { headers: withSession(ron, { 'spoor-project': 'other' }) });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain("you are granted project default, shop only, not 'other'");
  });

  it("lets an admin's session act as an admin, names them in the audit log, and refuses a reader's", async () => {
    const ada = await signIn('ada');
    const origin = { origin: server.url, 'content-type': 'application/json' };
    const made = await fetch(`${server.url}/api/keys`, {
      method: 'POST',
      headers: withSession(ada, origin),
      body: JSON.stringify({ project: 'shop', role: 'ingest', name: 'from ada' }),
    });
    expect(made.status, await made.clone().text()).toBe(201);
    expect(await made.json()).toMatchObject({ createdBy: 'user:ada@corp.test' });
    expect(await audit('default')).toEqual(expect.arrayContaining([expect.objectContaining({ keyId: 'user:ada@corp.test', action: 'POST /api/keys' })]));

    const ron = await signIn('ron');
    const refused = await fetch(`${server.url}/api/keys`, {
      method: 'POST',
      headers: withSession(ron, { ...origin, 'spoor-project': 'shop' }),
      body: JSON.stringify({ role: 'read' }),
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('needs an admin key; this one is a read key');
    // The sign-ins are recorded in the projects the person is granted.
    const shop = await audit('shop');
    expect(shop).toEqual(expect.arrayContaining([expect.objectContaining({ keyId: 'user:ron@example.com', action: 'session.sign-in' })]));
    const signedIn = shop.find((e) => e.keyId === 'user:ron@example.com')!.detail!;
    expect(JSON.parse(signedIn)).toEqual({ subject: 'ron', email: 'ron@example.com', name: 'Ron Reader', role: 'read', address: '127.0.0.1' });
    // Shop's record names no other project the person may see.
    expect(signedIn).not.toContain('default');
  });

  it('refuses a person no rule admits with a page that says so, and records it', async () => {
    for (const [login, actor] of [
      ['eve', 'user:eve@elsewhere.test'],
      ['uma', 'user:uma'],
    ] as const) {
      const begun = await begin();
      const answer = await callback(await authorizeAt(begun.location, login), begun.transaction);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = await answer.text();
      expect(page).toContain('No access to this Spoor');
      expect(page).toContain('no rule of this Spoor grants you a project');
      expect(answer.headers.getSetCookie().join()).not.toContain('spoor_session=');
      expect(await audit('default')).toEqual(expect.arrayContaining([expect.objectContaining({ keyId: actor, action: 'session.sign-in-refused' })]));
    }
  });

  it('refuses a callback with another state, and records it', async () => {
    const begun = await begin();
    const returned = new URL(await authorizeAt(begun.location, 'ada'));
    returned.searchParams.set('state', 'forged-state');
    const answer = await callback(returned.href, begun.transaction);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('its state does not match');
    expect(answer.headers.getSetCookie().join()).not.toContain('spoor_session=');
    expect((await refusals())[0]).toContain('its state does not match');
  });

  it('refuses an ID token issued for another sign-in (another nonce), and records it', async () => {
    // Two sign-ins; the provider is asked with the second's nonce but the first's state and PKCE challenge.
    const first = await begin();
    const second = await begin();
    const mixed = new URL(second.location);
    const firstUrl = new URL(first.location);
    mixed.searchParams.set('state', firstUrl.searchParams.get('state')!);
    mixed.searchParams.set('code_challenge', firstUrl.searchParams.get('code_challenge')!);
    const answer = await callback(await authorizeAt(mixed.href, 'ada'), first.transaction);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('its nonce is not this one');
    expect(answer.headers.getSetCookie().join()).not.toContain('spoor_session=');
    expect((await refusals())[0]).toContain('unexpected ID Token "nonce" claim value');
  });

  it('takes a callback once: a replay is refused and recorded', async () => {
    const begun = await begin();
    const returned = await authorizeAt(begun.location, 'ada');
    expect((await callback(returned, begun.transaction)).status).toBe(303);
    const replayed = await callback(returned, begun.transaction);
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toContain('already finished');
    expect(replayed.headers.getSetCookie().join()).not.toContain('spoor_session=');
    expect((await refusals())[0]).toContain('a replayed callback');
  });

  it('takes a code once across servers too: one that did not hear the first callback is refused by the provider', async () => {
    // Two servers sharing a store share the session secret, not the callbacks each heard.
    const config = resolveOidcConfig(
      { issuer: provider.issuer, clientId: provider.clientId, clientSecret: 'env:SECRET', roles: ROLES, scopes: 'openid email groups', groupsClaim: '' },
      server.url,
      'auto',
      { SECRET: provider.clientSecret },
    )!;
    const [one, two] = [new OidcSignIn(config, { secret: 'shared' }), new OidcSignIn(config, { secret: 'shared' })];
    const begun = await one.begin('/');
    const query = new URL(await authorizeAt(begun.location, 'ada')).searchParams;
    expect(await one.finish(query, begun.transaction)).toMatchObject({ outcome: 'signed-in', user: { actor: 'user:ada@corp.test' } });
    expect(await two.finish(query, begun.transaction)).toMatchObject({
      outcome: 'refused',
      status: 400,
      reason: expect.stringContaining('refused the code: invalid_grant'),
    });
  });

  it('refuses a callback without its transaction (no PKCE verifier) or with an altered one', async () => {
    const begun = await begin();
    const returned = await authorizeAt(begun.location, 'ada');
    const [payload, signature] = begun.transaction.split('.') as [string, string];
    const altered = `${Buffer.from(Buffer.from(payload, 'base64url').toString().replace(/"\/"/, '"/x"')).toString('base64url')}.${signature}`;
    for (const transaction of [null, altered, `${payload}.${'A'.repeat(signature.length)}`]) {
      const answer = await callback(returned, transaction);
      expect(answer.status, String(transaction)).toBe(400);
      expect(await answer.text()).toContain('no sign-in is in progress in this browser');
    }
    expect((await refusals()).slice(0, 3)).toEqual(Array(3).fill(expect.stringContaining('no sign-in is in progress')));
    // The code was never spent: the browser that started the sign-in finishes it.
    expect((await callback(returned, begun.transaction)).status).toBe(303);
  });

  it('signs out on the server: the cookie stops working, and the sign-out is recorded', async () => {
    const ada = await signIn('ada');
    expect((await fetch(`${server.url}/api/traces`, { headers: withSession(ada) })).status).toBe(200);
    expect((await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: withSession(ada) })).status).toBe(204);
    expect((await fetch(`${server.url}/api/traces`, { headers: withSession(ada) })).status).toBe(401);
    expect(await audit('default')).toEqual(expect.arrayContaining([expect.objectContaining({ keyId: 'user:ada@corp.test', action: 'session.sign-out' })]));
  });

  it('keeps keys working for machines, unchanged', async () => {
    expect((await fetch(`${server.url}/api/traces`, { headers: { authorization: `Bearer ${rootKey}` } })).status).toBe(200);
    expect((await fetch(`${server.url}/api/traces`)).status).toBe(401);
  });
});
