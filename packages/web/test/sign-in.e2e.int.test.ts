import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';

/**
 * Signing in, as a user of a server with keys does it in Debian's Chromium: the dashboard asks for
 * a key, shows only that key's project, keeps the session in a cookie no script can read, and
 * signs out.
 */

let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;
const keys: Record<string, string> = {};
const keyIds: Record<string, string> = {};
const traceIds: Record<string, string> = {};

async function post(path: string, body: unknown, key?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  return fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

async function makeKey(project: string, role: string, by?: string): Promise<string> {
  const response = await post('/api/keys', { project, role }, by);
  expect(response.status).toBe(201);
  const made = (await response.json()) as { key: string; id: string };
  keyIds[made.key] = made.id;
  return made.key;
}

function traceOf(service: string): object {
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const traceId = randomBytes(16).toString('hex');
  traceIds[service] = traceId;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
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

beforeAll(async () => {
  server = await startSpoorServer();
  keys.root = await makeKey('*', 'admin');
  for (const project of ['shop', 'other']) {
    keys[`${project}Read`] = await makeKey(project, 'read', keys.root);
    keys[`${project}Admin`] = await makeKey(project, 'admin', keys.root);
    const ingest = await makeKey(project, 'ingest', keys.root);
    expect((await post('/v1/traces', traceOf(`${project}-api`), ingest)).status).toBe(200);
  }
  browser = await launchChromium();
  browsing = await startBrowsing(browser);
}, 60_000);

afterAll(async () => {
  await browsing?.close();
  await browser?.close();
  await server?.stop();
});

describe('signing in to the dashboard', () => {
  it('asks for a key, shows only its project, and signs out', async () => {
    const page = await browsing.open(`${server.url}/traces`);
    await page.getByRole('heading', { name: 'Sign in to Spoor' }).waitFor();

    await page.getByLabel('Key').fill('spoor_read_0000000000_00000000000000000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid');
    // That refusal was the answer asked for, not a page problem.
    browsing.takeProblems();

    await page.getByLabel('Key').fill(keys.shopRead!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('shop-api run').first().waitFor();
    expect(await page.getByText('other-api run').count()).toBe(0);
    expect(await page.getByLabel('Project').textContent()).toBe('shop');
    await screenshot(page, 'sign-in-shop-traces');

    // The session is a cookie scripts cannot read and other sites' requests do not carry.
    expect(await page.evaluate('document.cookie')).toBe('');
    const [cookie] = await browsing.context.cookies(server.url);
    expect(cookie).toMatchObject({ name: 'spoor_session', httpOnly: true, sameSite: 'Strict' });
    expect(cookie!.value).not.toContain(keys.shopRead!.split('_')[3]!);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Spoor' }).waitFor();
    // Signed out means the cookie is dead, not only forgotten by this browser.
    expect((await fetch(`${server.url}/api/traces`, { headers: { cookie: `spoor_session=${cookie!.value}` } })).status).toBe(401);
    expect(await browsing.context.cookies(server.url)).toEqual([]);
    browsing.expectNoProblems();
    await page.close();
  });

  it('switches between the projects a key of every project covers', async () => {
    const page = await browsing.open(`${server.url}/traces`);
    await page.getByLabel('Key').fill(keys.root!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const project = page.getByLabel('Project');
    await project.waitFor();
    await project.selectOption('other');
    await page.getByText('other-api run').first().waitFor();
    expect(await page.getByText('shop-api run').count()).toBe(0);
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    browsing.expectNoProblems();
    await page.close();
  });

  it('lets an admin vote on a trace as their key, and shows a read key’s user the vote but no buttons', async () => {
    // A browser of its own: the test before left its context signed in.
    const own = await startBrowsing(browser);
    const page = await own.open(`${server.url}/traces/${traceIds['shop-api']}`);
    await page.getByLabel('Key').fill(keys.shopAdmin!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const voting = page.getByRole('group', { name: 'Your feedback on this trace' });
    await voting.getByRole('button', { name: 'Thumbs up' }).click();
    await expect.poll(() => voting.getByRole('button', { name: 'Thumbs up' }).getAttribute('aria-pressed')).toBe('true');
    const stored = await fetch(`${server.url}/api/scores?traceId=${traceIds['shop-api']}`, { headers: { authorization: `Bearer ${keys.shopAdmin}` } });
    expect(((await stored.json()) as { scores: { author: string; source: string; label: string }[] }).scores).toEqual([
      expect.objectContaining({ author: keyIds[keys.shopAdmin!], source: 'human', label: 'up' }),
    ]);
    // Theirs after a reload: the vote's author is the key they signed in with.
    await page.reload();
    await expect.poll(() => voting.getByRole('button', { name: 'Thumbs up' }).getAttribute('aria-pressed')).toBe('true');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Key').fill(keys.shopRead!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in with a read key: an admin key may vote on this trace.').waitFor();
    expect(await page.getByRole('table', { name: 'Scores of this trace' }).locator('tr[data-score-name="thumbs"]').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Thumbs up' }).count()).toBe(0);
    own.expectNoProblems();
    await own.close();
  });
});
