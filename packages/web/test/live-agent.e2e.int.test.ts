import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, shutdown, step, workflow } from '../../sdk/src/index.js';
import { type Browsing, launchChromium, pagesOfEachTest, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';
import { type TimingProxy, startTimingProxy } from './support/timing-proxy.js';

/**
 * The "done when": a demo agent run by `@spoor/sdk` with `live: true` against a real
 * `spoor serve`, watched in Chromium while it runs. Each step waits on the test (not on a timer),
 * so the test sees the root running, then each step running, ended, and the next one coming; the
 * running bar's end moving between frames; the selected row staying selected while rows arrive;
 * and the trace list in Live mode showing the run appear and end without a reload.
 */

/** From the acknowledgement of an export to what it changed on screen; the issue asks for under 5 s and aims at 1 s. */
const SHOWN_WITHIN_MS = 2500;
/** Long enough for the SDK's first snapshot (a second after a span starts) and the page after it. */
const SEEN_WITHIN_MS = 10_000;

let server: SpoorServer;
let proxy: TimingProxy;
let browser: Browser;
let browsing: Browsing;
/** Acknowledgement of the export that carried a change to the change on screen, ms. */
const shownAfterMs: number[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startSpoorServer(), launchChromium()]);
  proxy = await startTimingProxy(server.url);
  browsing = await startBrowsing(browser);
  init({ serviceName: 'live-demo-agent', endpoint: proxy.url, live: true, logDestination: { write() {} }, metricsIntervalMs: 60_000 });
}, 60_000);

afterAll(async () => {
  await shutdown();
  if (shownAfterMs.length > 0) {
    const sorted = [...shownAfterMs].sort((a, b) => a - b);
    console.log(
      `live agent: export acknowledged to change on screen, ms: ${shownAfterMs.map((ms) => ms.toFixed(0)).join(', ')}; median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)}`,
    );
  }
  await browsing?.close();
  await browser?.close();
  await proxy?.close();
  await server?.stop();
});

/** A promise the test resolves: a step of the agent waits on it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A page of the server at `path`; each test's pages are closed after it, and what went wrong in them fails it. */
const open = pagesOfEachTest(
  () => browsing,
  () => server.url,
);

const row = (page: Page, name: string) =>
  page
    .getByTestId('waterfall')
    .getByRole('treeitem')
    .filter({ has: page.locator('.wf-span-name', { hasText: new RegExp(`^${name}$`) }) });
const stateOf = (page: Page, name: string) =>
  row(page, name)
    .getAttribute('data-state', { timeout: 1000 })
    .catch(() => null);

/** Waits until `check` holds; records the time from the last export acknowledged before it held to then. */
async function seen(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + SEEN_WITHIN_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`the page did not show ${what} within ${SEEN_WITHIN_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const shownMs = Date.now();
  const acknowledgedMs = proxy.acknowledgedMs.filter((ms) => ms <= shownMs).at(-1) ?? shownMs;
  const ms = shownMs - acknowledgedMs;
  expect(ms, `${what}: from the export's acknowledgement to the page`).toBeLessThan(SHOWN_WITHIN_MS);
  shownAfterMs.push(ms);
}

/** The right end of the row's bar, px, in each of two frames some frames apart. */
const barEnds = (page: Page, name: string): Promise<[number, number]> =>
  row(page, name)
    .locator('.wf-bar')
    .evaluate(
      (bar) =>
        new Promise<[number, number]>((resolve) => {
          // Runs in the page: the browser's frame callback (this file is type-checked for Node).
          const { requestAnimationFrame } = globalThis as unknown as { requestAnimationFrame: (callback: () => void) => number };
          const first = bar.getBoundingClientRect().right;
          let frames = 0;
          const next = (): void => {
            if (++frames < 6) requestAnimationFrame(next);
            else resolve([first, bar.getBoundingClientRect().right]);
          };
          requestAnimationFrame(next);
        }),
    );

describe('a demo agent with live: true, watched while it runs', () => {
  it('grows its trace step by step on the trace page and shows it in the live trace list, without a reload', async () => {
    const list = await open('/?live=1');
    const gates = [gate(), gate(), gate()];
    let traceId: string | null = null;
    const run = workflow('live agent', async (root) => {
      traceId = root.spanContext().traceId;
      await step('plan', { number: 1 }, () => gates[0]!.promise);
      await step('search', { number: 2 }, () => gates[1]!.promise);
      await step('answer', { number: 3 }, () => gates[2]!.promise);
    });

    // The list shows the run as it starts, marked running.
    const listed = list.locator('table.traces-table tbody tr', { hasText: 'live agent' });
    await seen(async () => (await listed.count()) === 1 && (await listed.getByText('running').count()) === 1, 'the running run in the list');

    const page = await open(`/traces/${traceId!}`);
    await expect.poll(() => stateOf(page, 'live agent'), { timeout: SEEN_WITHIN_MS }).toBe('running');
    await expect.poll(() => stateOf(page, 'plan'), { timeout: SEEN_WITHIN_MS }).toBe('running');
    // The running bar's end moves on between frames (the axis moves in steps of a quarter: one try may straddle one).
    await expect
      .poll(async () => {
        const [before, after] = await barEnds(page, 'plan');
        return after > before;
      })
      .toBe(true);
    const duration = page.getByTestId('trace-duration');
    const early = await duration.textContent();
    await row(page, 'plan').click();
    await expect.poll(() => row(page, 'plan').getAttribute('aria-selected')).toBe('true');
    await screenshot(page, 'trace-live-running');

    gates[0]!.open();
    await seen(async () => (await stateOf(page, 'plan')) === 'ended', 'step 1 ended');
    await seen(async () => (await stateOf(page, 'search')) === 'running', 'step 2 running');
    expect(await row(page, 'plan').getAttribute('aria-selected'), 'the selected row stays selected while rows arrive').toBe('true');
    expect(await duration.textContent(), 'the duration so far moves').not.toBe(early);

    gates[1]!.open();
    await seen(async () => (await stateOf(page, 'search')) === 'ended', 'step 2 ended');
    await seen(async () => (await stateOf(page, 'answer')) === 'running', 'step 3 running');

    gates[2]!.open();
    await run;
    await seen(async () => (await stateOf(page, 'live agent')) === 'ended', 'the run ended');
    expect(await page.locator('[data-testid="waterfall"] [data-state="running"]').count()).toBe(0);
    expect(await page.getByTestId('trace-span-count').textContent()).toBe('4 spans');
    expect(await row(page, 'plan').getAttribute('aria-selected')).toBe('true');
    await screenshot(page, 'trace-live-ended');

    await seen(
      async () => (await listed.getByText('running').count()) === 0 && (await listed.locator('td:nth-child(6)').textContent()) === '4',
      'the ended run in the list',
    );
    expect(await listed.count()).toBe(1);
  });
});
