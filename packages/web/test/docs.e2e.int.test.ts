import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';

/**
 * The docs from the dashboard: each page's Docs link opens the doc of that page, and the docs'
 * search box finds a section and opens it at its heading, with no console error (the docs run
 * under the dashboard's Content-Security-Policy, with no script).
 */

let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;

beforeAll(async () => {
  [server, browser] = await Promise.all([startSpoorServer(), launchChromium()]);
  browsing = await startBrowsing(browser);
}, 60_000);

afterAll(async () => {
  await browsing?.close();
  await browser?.close();
  await server?.stop();
});

describe('the docs from the dashboard', () => {
  it("open from a page's Docs link at that page's doc, and find a section by search", async () => {
    const page = await browsing.open(`${server.url}/alerts`);
    const docs = page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Docs' });
    await expect.poll(() => docs.getAttribute('href')).toBe('/docs/alerting');
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Evaluators' }).click();
    await expect.poll(() => docs.getAttribute('href')).toBe('/docs/quality#evaluators');

    const [tab] = await Promise.all([browsing.context.waitForEvent('page'), docs.click()]);
    await tab.waitForLoadState('domcontentloaded');
    expect(new URL(tab.url()).pathname).toBe('/docs/quality');
    await expect.poll(() => tab.getByRole('heading', { level: 1 }).textContent()).toContain('Quality');
    expect(await tab.locator('#evaluators').count()).toBe(1);

    await tab.getByRole('searchbox', { name: 'Search the docs' }).fill('rule expressions grammar');
    await tab.getByRole('button', { name: 'Search' }).click();
    await tab.waitForURL(/\/docs\?q=/);
    await tab.locator('.hits a').first().click();
    await tab.waitForURL(/\/docs\/alerting#grammar$/);
    expect(await tab.locator('h4#grammar').isVisible()).toBe(true);
    await screenshot(tab, 'docs-alerting-grammar');
    browsing.expectNoProblems();
  });
});
