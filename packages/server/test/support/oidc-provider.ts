import { generateKeyPairSync } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OpenID Connect provider for tests: `oidc-provider` on 127.0.0.1, with one confidential
 * client (secret, PKCE, the authorization code flow), its development sign-in form (any password;
 * the login names an account of `accounts`), and consent granted to the client up front, as a
 * company's own provider grants its own apps. Like many providers it puts only `sub` in the ID
 * token of the code flow and the rest in userinfo.
 */

export interface TestAccount {
  email: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close: () => Promise<void>;
}

export const TEST_CLIENT_ID = 'spoor-test';
export const TEST_CLIENT_SECRET = 'test-client-secret-0123456789abcdef';

/** A port free now on 127.0.0.1, for a server whose address another must know before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the provider; `port` 0 (default) takes a free one. */
export async function startOidcProvider(options: { redirectUri: string; accounts: Record<string, TestAccount>; port?: number }): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: TEST_CLIENT_ID,
        client_secret: TEST_CLIENT_SECRET,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    jwks: { keys: [{ ...signingKey, kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['test-cookie-key'] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    findAccount: async (_ctx, id) => {
      const account = options.accounts[id];
      if (account === undefined) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account, email_verified: account.email_verified ?? true }) };
    },
    // Consent granted up front: the client is the company's own.
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(oidc.client!.clientId);
      if (grantId !== undefined) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: true } },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId: TEST_CLIENT_ID,
    clientSecret: TEST_CLIENT_SECRET,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Cookies by name, as a browser keeps them for one site (paths are not told apart). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';', 1);
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (/;\s*max-age=0\b/i.test(line) || /;\s*expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * Signs `login` in at the provider as a browser would, from Spoor's authorization URL up to the
 * provider's redirect back: the callback URL (with `code` and `state`) it would send the browser to.
 */
export async function authorizeAt(authorizationUrl: string, login: string): Promise<string> {
  const jar = new CookieJar();
  const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string> | undefined), cookie: jar.header() },
    });
    jar.take(response);
    return response;
  };
  const origin = new URL(authorizationUrl).origin;
  let response = await go(authorizationUrl);
  for (let step = 0; step < 10; step++) {
    const location = response.headers.get('location');
    if (location === null) throw new Error(`the provider answered ${response.status} without a redirect: ${(await response.text()).slice(0, 300)}`);
    const next = new URL(location, origin);
    if (next.origin !== origin) return next.href;
    if (next.pathname.startsWith('/interaction/')) {
      const form = new URLSearchParams({ prompt: 'login', login, password: 'any' });
      response = await go(next.href, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    } else {
      response = await go(next.href);
    }
  }
  throw new Error('the provider never sent the browser back');
}

/** A sign-in Spoor began: the provider's authorization URL it sent the browser to, and the transaction cookie's value. */
export interface BegunSignIn {
  location: string;
  transaction: string;
}

/** `GET /auth/login` on Spoor at `serverUrl`, as a browser follows the sign-in button. */
export async function beginSignIn(serverUrl: string, next?: string): Promise<BegunSignIn> {
  const answer = await fetch(`${serverUrl}/auth/login${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`, { redirect: 'manual' });
  if (answer.status !== 302) throw new Error(`/auth/login answered ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
  const jar = new CookieJar();
  jar.take(answer);
  return { location: answer.headers.get('location')!, transaction: jar.get('spoor_oidc')! };
}

/** The provider's redirect back to Spoor, with the transaction cookie (or none). */
export function finishSignIn(callbackUrl: string, transaction: string | null): Promise<Response> {
  return fetch(callbackUrl, { redirect: 'manual', headers: transaction === null ? {} : { cookie: `spoor_oidc=${transaction}` } });
}

/** Signs `login` in to Spoor all the way; the session cookie's value. */
export async function signInAs(serverUrl: string, login: string): Promise<string> {
  const begun = await beginSignIn(serverUrl);
  const answer = await finishSignIn(await authorizeAt(begun.location, login), begun.transaction);
  if (answer.status !== 303) throw new Error(`the callback answered ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
  const jar = new CookieJar();
  jar.take(answer);
  return jar.get('spoor_session')!;
}
