import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { until } from '../../server/test/support/wait.js';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';

/**
 * The Settings page in Debian's Chromium, signed in with an admin key: a key made there shows its
 * secret once (copied to the clipboard), works, and is refused once revoked there; a webhook
 * receiver and a rule naming it, both made there, notify a loopback receiver with no restart.
 */

let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;
let adminKey: string;
let hook: Server;
let fake: FakeLlm;
let dir: string;
const received: Array<{ receiver?: string; status?: string; groupLabels?: Record<string, string> }> = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof received)[number]);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  fake = await startFakeLlm();
  dir = await mkdtemp(join(tmpdir(), 'spoor-web-settings-'));
  await writeFile(join(dir, 'key'), 'sk-settings-provider-key');
  const provider = `openai=file:${join(dir, 'key')},base=${fake.baseUrl}/v1`;
  [server, browser] = await Promise.all([startSpoorServer(['--alert-interval', '1s', '--no-default-alerts', '--provider', provider]), launchChromium()]);
  const body = JSON.stringify({ role: 'admin', name: 'first admin' });
  const made = await fetch(`${server.url}/api/keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(made.status).toBe(201);
  adminKey = ((await made.json()) as { key: string }).key;
  browsing = await startBrowsing(browser);
  await browsing.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
}, 60_000);

afterAll(async () => {
  await browsing?.close();
  await browser?.close();
  await server?.stop();
  await new Promise<void>((resolve) => (hook === undefined ? resolve() : hook.close(() => resolve())));
  await fake?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The Settings page at `tab`, signed in with the admin key (the first time: the sign-in form). */
async function openSettings(tab: string): Promise<Page> {
  const page = await browsing.open(`${server.url}/settings${tab === 'keys' ? '' : `?tab=${tab}`}`);
  const signIn = page.getByRole('heading', { name: 'Sign in to Spoor' });
  const settings = page.getByRole('heading', { name: 'Settings' });
  await Promise.race([signIn.waitFor(), settings.waitFor()]);
  if (await signIn.isVisible()) {
    await page.getByLabel('Key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await settings.waitFor();
  }
  return page;
}

const bearer = (key: string): RequestInit => ({ headers: { authorization: `Bearer ${key}` } });

describe('Settings', () => {
  it('makes a key, showing its secret once to copy, and revokes it: the key is refused from then on', async () => {
    const page = await openSettings('keys');
    const form = page.getByRole('form', { name: 'New key' });
    await form.getByLabel('Role').selectOption('read');
    await form.getByLabel('Name').fill('ci reader');
    await form.getByRole('button', { name: 'Make key' }).click();

    const shown = page.getByLabel('The new key');
    await shown.waitFor();
    const secret = await shown.inputValue();
    expect(secret).toMatch(/^spoor_read_[A-Za-z0-9]{10}_/);
    const keyId = secret.split('_')[2]!;
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await screenshot(page, 'settings-new-key');
    // It works: a read key reads.
    expect((await fetch(`${server.url}/api/traces`, bearer(secret))).status).toBe(200);

    // Shown once: gone when dismissed, and not in the page again after a reload.
    await page.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    await page.reload();
    const row = page.locator(`tr[data-key-id="${keyId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('ci reader');
    expect(await page.content()).not.toContain(secret.split('_')[3]!);

    await row.getByRole('button', { name: `Revoke key ${keyId}` }).click();
    await row.getByRole('button', { name: `Revoke ${keyId}` }).click();
    await expect.poll(() => row.textContent()).toContain('revoked');
    expect((await fetch(`${server.url}/api/traces`, bearer(secret))).status).toBe(401);
    // The admin key the page is signed in with still works.
    expect((await fetch(`${server.url}/api/keys`, bearer(adminKey))).status).toBe(200);
    browsing.expectNoProblems();
    await page.close();
  });

  it('adds a webhook receiver and a rule naming it, which fires to the loopback receiver with no restart', { timeout: 60_000 }, async () => {
    const page = await openSettings('alerting');
    await page.getByRole('button', { name: 'New receiver' }).click();
    const form = page.getByRole('form', { name: 'New receiver' });
    await form.getByLabel('Name').fill('team-hook');
    await form.getByLabel('Kind').selectOption('webhook');
    await form.getByLabel('URL').fill(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook?token=hook-token-77`);
    await form.getByLabel('Signing secret').fill('settings-secret');
    await form.getByLabel('Headers').fill('X-Team: agents');
    await form.getByRole('button', { name: 'Create receiver' }).click();
    const receiverRow = page.locator('tr[data-receiver="team-hook"]');
    await receiverRow.waitFor();
    const rowText = (await receiverRow.textContent()) ?? '';
    expect(rowText).toContain('webhook');
    expect(rowText).toContain('signed');
    expect(rowText).toContain('X-Team');
    expect(rowText).not.toContain('hook-token-77');

    await page.getByRole('button', { name: 'New rule' }).click();
    const rule = page.getByRole('form', { name: 'New rule' });
    await rule.getByLabel('Name').fill('always-firing');
    // Always true: a count without `by` is 0 when there are no spans.
    await rule.getByLabel('Expression').fill('count(spans)[1m] >= 0');
    await rule.getByLabel('Other fields (JSON)').fill('{ "notify": ["team-hook"], "groupWait": "0s" }');
    await rule.getByRole('button', { name: 'Create rule' }).click();
    await rule.waitFor({ state: 'detached' });

    const notified = await until('the loopback receiver to be notified', () => received.find((n) => n.receiver === 'team-hook'));
    expect(notified).toMatchObject({ status: 'firing', groupLabels: { alertname: 'always-firing' } });
    await page.reload();
    await expect.poll(async () => page.locator('tr[data-receiver="team-hook"]').textContent()).toContain('always-firing');
    await screenshot(page, 'settings-alerting');
    // At 1024 px the tables and the nav fit: nothing scrolls sideways.
    await page.setViewportSize({ width: 1024, height: 800 });
    await screenshot(page, 'settings-alerting-1024');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);

    // Deleting, asked once more: a receiver a rule names is refused (the page says which rule),
    // then the rule goes, then the receiver.
    await page.getByRole('button', { name: 'Delete receiver team-hook' }).click();
    await page.getByRole('button', { name: 'Delete team-hook' }).click();
    await expect.poll(async () => page.getByRole('alert').allTextContents()).toEqual([expect.stringContaining('always-firing')]);
    const ruleRow = page.locator('tr', { hasText: 'count(spans)[1m] >= 0' });
    await ruleRow.getByRole('button', { name: 'Delete', exact: true }).click();
    await ruleRow.getByRole('button', { name: 'Delete always-firing' }).click();
    await ruleRow.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete receiver team-hook' }).click();
    await page.getByRole('button', { name: 'Delete team-hook' }).click();
    await page.locator('tr[data-receiver="team-hook"]').waitFor({ state: 'detached' });
    const left = (await (await fetch(`${server.url}/api/alerts/receivers`, bearer(adminKey))).json()) as { receivers: Array<{ name: string }> };
    expect(left.receivers.map((r) => r.name)).not.toContain('team-hook');
    // The refused delete is the one problem Chromium logs.
    expect(browsing.takeProblems()).toEqual([expect.stringContaining('the server responded with a status of 409 (Conflict)')]);
    await page.close();
  });

  it("shows the providers and whether they answer, and sets the project's masking, sampling and a price", { timeout: 60_000 }, async () => {
    const page = await openSettings('providers');
    const provider = page.locator('tr[data-provider="openai"]');
    await provider.waitFor();
    expect(await provider.textContent()).toContain(`${fake.baseUrl}/v1`);
    expect(await provider.textContent()).toContain('yes');
    expect(await page.content()).not.toContain('sk-settings-provider-key');

    await page.getByRole('tab', { name: 'Masking' }).click();
    const masking = page.getByLabel('Masking policy (JSON)');
    await page.getByText('In force: none').waitFor();
    // The server's objection is shown, naming the field.
    await masking.fill('{ "mode": "blur" }');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('mode');
    browsing.takeProblems();
    await masking.fill('{ "detectors": ["email"], "mode": "mask" }');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('In force: the policy set here').waitFor();
    const policyOf = async (what: string) =>
      (await (await fetch(`${server.url}/api/projects/default/${what}`, bearer(adminKey))).json()) as { source: string; policy: unknown };
    expect(await policyOf('masking')).toMatchObject({ source: 'api', policy: { detectors: ['email'], mode: 'mask' } });

    await page.getByRole('tab', { name: 'Sampling' }).click();
    // Typed once the tab has read the policy in force, which fills the text it shows.
    await page.getByText('In force: none').waitFor();
    await page.getByLabel('Sampling policy (JSON)').fill('{ "rate": 0.25 }');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('In force: the policy set here').waitFor();
    expect(await policyOf('sampling')).toMatchObject({ source: 'api', policy: { rate: 0.25 } });
    await page.getByRole('button', { name: 'Remove the policy set here' }).click();
    await page.getByText('In force: none').waitFor();

    await page.getByRole('tab', { name: 'Prices' }).click();
    const form = page.getByRole('form', { name: 'Set a price' });
    await form.getByLabel('Model').fill('acme-mini');
    await form.getByLabel('Provider').fill('acme');
    await form.getByLabel('Input').fill('1.5');
    await form.getByLabel('Output').fill('6');
    await form.getByRole('button', { name: 'Set price' }).click();
    await page.getByLabel('Find a model').fill('acme');
    const row = page.locator('tr', { hasText: 'acme-mini' });
    await expect.poll(() => row.textContent()).toContain('api');
    await screenshot(page, 'settings-prices');
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
    browsing.expectNoProblems();
    await page.close();
  });
});
