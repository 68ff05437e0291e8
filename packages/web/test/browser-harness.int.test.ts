import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, launchChromium, startBrowsing } from './support/browser.js';

/**
 * The dashboard tests rely on the browsing context to catch what goes wrong in a page, so that a
 * page throwing fails its test: these check that it does, with a page served by Playwright's router.
 */

let browser: Browser;
let browsing: Browsing;
/** A loopback port that nothing listens on: one the system handed out and took back. */
let closedPort: number;

beforeAll(async () => {
  browser = await launchChromium();
  browsing = await startBrowsing(browser);
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  await browsing.context.route('http://harness.test/**', (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/api/broken') return route.fulfill({ status: 500, contentType: 'application/json', body: '{}' });
    if (path === '/api/slow') return new Promise<void>(() => {});
    const body = (PAGES[path] ?? '<p>quiet</p>').replace('CLOSED_PORT', String(closedPort));
    return route.fulfill({ contentType: 'text/html', body });
  });
});

afterAll(async () => {
  await browsing?.close();
  await browser?.close();
});

const PAGES: Record<string, string> = {
  '/throws': '<script>setTimeout(() => { throw new Error("boom in a timer"); });</script>',
  '/logs-error': '<script>console.error("something broke");</script>',
  '/refused': '<script>fetch("http://127.0.0.1:CLOSED_PORT/").catch(() => {});</script>',
  '/server-error': '<script>fetch("/api/broken");</script>',
  '/cancels': '<script>const c = new AbortController(); fetch("/api/slow", { signal: c.signal }).catch(() => {}); setTimeout(() => c.abort(), 50);</script>',
};

/**
 * Opens `path` and collects what went wrong: as soon as something did (up to 10 s, so a loaded
 * machine cannot close the page before a request fails), else after 300 ms for a quiet page.
 */
async function problemsOf(path: string, quiet = false): Promise<string[]> {
  const page = await browsing.open(`http://harness.test${path}`);
  await settle(page, quiet);
  await page.close();
  return browsing.takeProblems();
}

async function settle(page: Page, quiet: boolean): Promise<void> {
  const deadline = Date.now() + (quiet ? 300 : 10_000);
  while (browsing.problemCount() === 0 && Date.now() < deadline) await page.waitForTimeout(50);
}

describe('the browsing context of the dashboard tests', () => {
  it.each([
    ['an uncaught error', '/throws', /uncaught page error .*boom in a timer/],
    ['a console error', '/logs-error', /console error .*something broke/],
    ['a refused request', '/refused', /request failed: GET http:\/\/127\.0\.0\.1:\d+\/: net::ERR_CONNECTION_REFUSED/],
    ['an API answer of 500', '/server-error', /server error: GET http:\/\/harness\.test\/api\/broken answered 500/],
  ])('reports %s', async (_what, path, expected) => {
    expect(await problemsOf(path)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('reports nothing for a quiet page or a request the page cancelled itself', async () => {
    expect(await problemsOf('/quiet', true)).toEqual([]);
    expect(await problemsOf('/cancels', true)).toEqual([]);
  });

  it('fails the check that ends each test, naming every problem', async () => {
    const page = await browsing.open('http://harness.test/throws');
    await settle(page, false);
    await page.close();
    expect(() => browsing.expectNoProblems()).toThrow(/1 problem\(s\):\nuncaught page error .*boom in a timer/);
    expect(() => browsing.expectNoProblems()).not.toThrow();
  });
});
