import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterEach } from 'vitest';

/**
 * Debian's Chromium driven by playwright-core: never a downloaded browser. `npm test` installs the
 * `chromium` package first (scripts/ensure-system-deps.mjs).
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** Where the tests write their screenshots, relative to the repository root; git ignores `test-results/`. */
export const SCREENSHOTS_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}: run 'node scripts/ensure-system-deps.mjs' (npm test does), which installs Debian's chromium package`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
}

export interface BrowsingOptions {
  colorScheme?: 'light' | 'dark';
  /** Default 1440×900. */
  viewport?: { width: number; height: number };
}

/**
 * A browser context that records what went wrong in its pages: uncaught errors, console errors,
 * requests that failed on the network, and API answers of 500 or more.
 */
export interface Browsing {
  context: BrowserContext;
  /** A new page of this context at `url`, loaded up to `DOMContentLoaded`. */
  open(url: string): Promise<Page>;
  /** What went wrong since the last `takeProblems()`, and forgets it. */
  takeProblems(): string[];
  /** How many problems are waiting to be taken. */
  problemCount(): number;
  /** Throws listing every problem since the last check; call it at the end of each test. */
  expectNoProblems(): void;
  close(): Promise<void>;
}

export async function startBrowsing(browser: Browser, options: BrowsingOptions = {}): Promise<Browsing> {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? 'light',
    viewport: options.viewport ?? { width: 1440, height: 900 },
    reducedMotion: 'reduce',
  });
  // Well inside vitest's 30 s per test, so a missing element fails with Playwright's own message.
  context.setDefaultTimeout(10_000);
  let problems: string[] = [];
  const watch = (page: Page): void => {
    page.on('pageerror', (error) => problems.push(`uncaught page error on ${page.url()}: ${error.stack ?? error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error on ${page.url()}: ${message.text()}`);
    });
    page.on('requestfailed', (request) => {
      const failure = request.failure()?.errorText ?? 'unknown';
      // A request the page cancelled itself (a newer query replaced it, or it navigated away) is not a failure.
      if (failure === 'net::ERR_ABORTED') return;
      problems.push(`request failed: ${request.method()} ${request.url()}: ${failure}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 500) problems.push(`server error: ${response.request().method()} ${response.url()} answered ${response.status()}`);
    });
  };
  context.on('page', watch);
  const takeProblems = (): string[] => {
    const taken = problems;
    problems = [];
    return taken;
  };
  return {
    context,
    problemCount: () => problems.length,
    open: async (url) => {
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      return page;
    },
    takeProblems,
    expectNoProblems: () => {
      const found = takeProblems();
      if (found.length > 0) throw new Error(`the pages had ${found.length} problem(s):\n${found.join('\n')}`);
    },
    close: () => context.close(),
  };
}

/** Writes a full-page screenshot to `test-results/screenshots/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/**
 * Opens pages of a suite's server: each test's are closed after it, and what went wrong in them
 * (`Browsing`'s problems) fails that test. The suite's browsing and server are read when a page opens.
 */
export function pagesOfEachTest(browsing: () => Browsing, url: () => string): (path: string) => Promise<Page> {
  const pages: Page[] = [];
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
    browsing().expectNoProblems();
  });
  return async (path) => {
    const page = await browsing().open(`${url()}${path}`);
    pages.push(page);
    return page;
  };
}
