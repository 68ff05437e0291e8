import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestProvider, freePort, startOidcProvider } from '../../server/test/support/oidc-provider.js';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';

/**
 * Single sign-on in Debian's Chromium against a real OpenID provider (`oidc-provider` on
 * 127.0.0.1): a person clicks "Sign in with …", signs in at the provider, and comes back to the
 * dashboard signed in with the role the rules give them. An admin makes keys and sees the trace
 * list; a reader is refused an admin action; a person no rule admits gets the refusal page; signing
 * out ends the session on the server; the audit log names each of them.
 */

const ROLES = 'group:spoor-admins=admin@*; group:eng=read@default';
const ACCOUNTS = {
  ada: { email: 'ada@corp.test', name: 'Ada Admin', groups: ['spoor-admins'] },
  ron: { email: 'ron@corp.test', name: 'Ron Reader', groups: ['eng'] },
  eve: { email: 'eve@elsewhere.test', name: 'Eve Nobody', groups: ['sales'] },
};

let provider: TestProvider;
let server: SpoorServer;
let browser: Browser;
let work: string;
let providerName: string;

/** Spoor's cookies in a browser: the provider, on the same host in this test, sets its own there too (cookies ignore ports). */
async function spoorCookies(browsing: Browsing): Promise<Array<{ name: string; value: string; httpOnly: boolean; sameSite: string }>> {
  return (await browsing.context.cookies(server.url)).filter((cookie) => cookie.name.startsWith('spoor_'));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-web-oidc-'));
  const port = await freePort();
  const externalUrl = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider({ redirectUri: `${externalUrl}/auth/callback`, accounts: ACCOUNTS });
  providerName = new URL(provider.issuer).host;
  await writeFile(join(work, 'secret'), provider.clientSecret);
  server = await startSpoorServer([
    '--port',
    String(port),
    '--external-url',
    externalUrl,
    '--oidc-issuer',
    provider.issuer,
    '--oidc-client-id',
    provider.clientId,
    '--oidc-client-secret',
    `file:${join(work, 'secret')}`,
    '--oidc-roles',
    ROLES,
    '--oidc-scopes',
    'openid email profile groups',
  ]);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await provider?.close();
  await rm(work, { recursive: true, force: true });
});

/** In a browser of their own (the provider remembers who signed in), `login` signs in from the dashboard's sign-in page. */
async function signInAs(login: string, path = '/traces'): Promise<{ browsing: Browsing; page: Page; problems: string[] }> {
  const browsing = await startBrowsing(browser);
  const page = await browsing.open(`${server.url}${path}`);
  await page.getByRole('heading', { name: 'Sign in to Spoor' }).waitFor();
  if (login === 'ada') await screenshot(page, 'oidc-sign-in-page');
  await page.getByRole('link', { name: `Sign in with ${providerName}` }).click();
  // The provider's own sign-in form (oidc-provider's development one: any password).
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.waitForURL((url) => url.origin === server.url);
  // The provider's development page asks for a web font and a favicon it cannot have here: its problems, not Spoor's.
  const problems = browsing.takeProblems().filter((problem) => !problem.includes(provider.issuer) && !problem.includes('fonts.googleapis.com'));
  return { browsing, page, problems };
}

/** A request the page makes with its own session cookie and origin, as the dashboard's code would. */
async function fetchFromPage(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(
    async ([method, path, body]) => {
      const response = await fetch(path as string, {
        method: method as string,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>) };
    },
    [method, path, body] as const,
  );
}

function traceOf(service: string): object {
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: randomBytes(16).toString('hex'),
                spanId: randomBytes(8).toString('hex'),
                name: `${service} run`,
                kind: 2,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + 5_000_000n),
              },
            ],
          },
        ],
      },
    ],
  };
}

describe('single sign-on in the dashboard', () => {
  let ada: { browsing: Browsing; page: Page };

  it('signs an admin in through the provider; they make a key and see the trace list', async () => {
    const signedIn = await signInAs('ada');
    expect(signedIn.problems).toEqual([]);
    ada = signedIn;
    const { page } = ada;
    await page.getByLabel('Signed in as').waitFor();
    expect(await page.getByLabel('Signed in as').textContent()).toBe('Ada Admin');
    expect(new URL(page.url()).pathname).toBe('/traces');
    // The session is the dashboard's usual cookie: no script reads it, no other site's request carries it.
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await spoorCookies(ada.browsing)).toEqual([expect.objectContaining({ name: 'spoor_session', httpOnly: true, sameSite: 'Strict' })]);

    const made = await fetchFromPage(page, 'POST', '/api/keys', { project: 'default', role: 'ingest', name: 'checkout app' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ createdBy: 'user:ada@corp.test', role: 'ingest' });
    const sent = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${made.body.key as string}`, 'content-type': 'application/json' },
      body: JSON.stringify(traceOf('checkout')),
    });
    expect(sent.status).toBe(200);
    await page.reload();
    await page.getByText('checkout run').first().waitFor();
    await screenshot(page, 'oidc-admin-traces');
    ada.browsing.expectNoProblems();
  });

  it('signs a reader in, who sees the traces but is refused an admin action', async () => {
    const { browsing, page, problems } = await signInAs('ron');
    expect(problems).toEqual([]);
    await page.getByText('checkout run').first().waitFor();
    expect(await page.getByLabel('Signed in as').textContent()).toBe('Ron Reader');
    const session = await fetchFromPage(page, 'GET', '/api/session');
    expect(session.body).toMatchObject({
      keyId: 'user:ron@corp.test',
      role: 'read',
      projects: ['default'],
      user: { subject: 'ron', email: 'ron@corp.test', name: 'Ron Reader' },
    });
    const refused = await fetchFromPage(page, 'POST', '/api/keys', { project: 'default', role: 'admin' });
    expect(refused.status).toBe(403);
    expect((refused.body.error as { message: string }).message).toContain('needs an admin key; this one is a read key');
    // The browser logs the 403 it was meant to get.
    browsing.takeProblems();
    browsing.expectNoProblems();
    await browsing.close();
  });

  it('shows a person no rule admits the refusal page, and no session', async () => {
    const { browsing, page, problems } = await signInAs('eve');
    // The refusal page's own 403 is what was asked for.
    expect(problems).toEqual([expect.stringContaining('/auth/callback?code=')]);
    expect(problems[0]).toContain('status of 403');
    await page.getByRole('heading', { name: 'No access to this Spoor' }).waitFor();
    expect(await page.textContent('body')).toContain('You signed in as eve@elsewhere.test (Eve Nobody), but no rule of this Spoor grants you a project.');
    expect(await spoorCookies(browsing)).toEqual([]);
    await screenshot(page, 'oidc-refused');
    browsing.expectNoProblems();
    await browsing.close();
  });

  it('signs out on the server: the cookie no longer works', async () => {
    const { page, browsing } = ada;
    const [cookie] = await spoorCookies(browsing);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Spoor' }).waitFor();
    expect((await fetch(`${server.url}/api/traces`, { headers: { cookie: `spoor_session=${cookie!.value}` } })).status).toBe(401);
    expect(await spoorCookies(browsing)).toEqual([]);
    browsing.expectNoProblems();
  });

  it('names each person in the audit log: sign-ins, their changes, a refusal and a sign-out', async () => {
    const { browsing, page, problems } = await signInAs('ron', '/audit');
    expect(problems).toEqual([]);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const rows = page.locator('.audit-table tbody tr');
    await rows.first().waitFor();
    const text = (await rows.allTextContents()).join('\n');
    for (const expected of [
      'user:ada@corp.testsession.sign-in',
      'user:ada@corp.testPOST /api/keys',
      'user:ron@corp.testsession.sign-in',
      'user:eve@elsewhere.testsession.sign-in-refused',
      'user:ada@corp.testsession.sign-out',
    ]) {
      expect(text).toContain(expected);
    }
    await screenshot(page, 'oidc-audit');
    browsing.expectNoProblems();
    await browsing.close();
    await ada.browsing.close();
  });
});
