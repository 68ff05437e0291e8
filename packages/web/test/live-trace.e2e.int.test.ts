import { TreeStreamEncoder } from '@spoor/model';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpanToSend, postSpans, randomHexId } from './support/otlp-json.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';

/**
 * A trace's page growing while its run goes on, in Chromium against a real `spoor serve`: spans
 * sent as the test decides show from the trace's live stream (`GET /api/traces/:id/live`), the
 * selection stays where the user put it, and a page of a run that ended before it opened keeps no
 * stream open.
 */

/** From a span's acknowledgement to its row on screen; the issue asks for under 5 s and aims at 1 s. */
const SHOWN_WITHIN_MS = 2500;
/** The server's `--stale-after`. */
const STALE_AFTER_MS = 2000;

let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;
const pages: Page[] = [];
const shownAfterMs: number[] = [];

/** Counts the page's open EventSources (`window.openStreams()`), for the tests that check when a stream closes. */
const COUNT_STREAMS = `(() => {
  const made = [];
  const Original = window.EventSource;
  window.EventSource = class extends Original {
    constructor(...args) { super(...args); made.push(this); }
  };
  window.openStreams = () => made.filter((s) => s.readyState !== 2).length;
})();`;

beforeAll(async () => {
  // A run is abandoned after 2 s without news here (10 min by default): the test of it waits that long, no more.
  [server, browser] = await Promise.all([startSpoorServer(['--stale-after', `${STALE_AFTER_MS / 1000}s`]), launchChromium()]);
  browsing = await startBrowsing(browser);
  await browsing.context.addInitScript(COUNT_STREAMS);
}, 60_000);

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  browsing.expectNoProblems();
});

afterAll(async () => {
  if (shownAfterMs.length > 0) console.log(`live trace page: acknowledgement to row on screen, ms: ${shownAfterMs.map((ms) => ms.toFixed(0)).join(', ')}`);
  await browsing?.close();
  await browser?.close();
  await server?.stop();
});

async function open(path: string): Promise<Page> {
  const page = await browsing.open(`${server.url}${path}`);
  pages.push(page);
  return page;
}

const rows = (page: Page) => page.getByTestId('waterfall').getByRole('treeitem');
const rowOf = (page: Page, spanId: string) => page.locator(`[data-testid="waterfall"] [role="treeitem"][data-span-id="${spanId}"]`);
const rowIds = (page: Page): Promise<string[]> => rows(page).evaluateAll((found) => found.map((row) => row.getAttribute('data-span-id') ?? ''));
const openStreams = (page: Page): Promise<number> => page.evaluate('window.openStreams()') as Promise<number>;

/** Sends `spans`, then waits for each one's row; records the milliseconds from the acknowledgement to the last row shown. */
async function sendAndSee(page: Page, spans: SpanToSend[]): Promise<number> {
  await postSpans(server.url, spans);
  const acknowledgedMs = Date.now();
  for (const span of spans) await rowOf(page, span.spanId).waitFor();
  const ms = Date.now() - acknowledgedMs;
  shownAfterMs.push(ms);
  return ms;
}

/** A run of the test's: a root and steps under it, times in ms after `startMs`. */
function run(startMs: number) {
  const traceId = randomHexId(16);
  const rootId = randomHexId(8);
  return {
    traceId,
    rootId,
    root: (endMs: number | null): SpanToSend => ({ traceId, spanId: rootId, name: 'agent run', startMs, endMs: endMs === null ? null : startMs + endMs }),
    step: (name: string, fromMs: number, toMs: number | null, spanId = randomHexId(8)): SpanToSend => ({
      traceId,
      spanId,
      parentSpanId: rootId,
      name,
      startMs: startMs + fromMs,
      endMs: toMs === null ? null : startMs + toMs,
    }),
  };
}

describe('a trace page while its run goes on', () => {
  it('adds spans as they are committed, keeping the selected span selected when rows come above it', async () => {
    const agent = run(Date.now() - 5000);
    const second = agent.step('step 2', 300, 400);
    await postSpans(server.url, [agent.root(500), second]);
    const page = await open(`/traces/${agent.traceId}?span=${second.spanId}`);
    await expect.poll(() => rowIds(page)).toEqual([agent.rootId, second.spanId]);
    expect(await rowOf(page, second.spanId).getAttribute('aria-selected')).toBe('true');

    // Step 1 started before step 2: its row comes above the selected one.
    const first = agent.step('step 1', 100, 200);
    expect(await sendAndSee(page, [first])).toBeLessThan(SHOWN_WITHIN_MS);
    expect(await rowIds(page)).toEqual([agent.rootId, first.spanId, second.spanId]);
    expect(await rowOf(page, second.spanId).getAttribute('aria-selected'), 'the selection stays on its span').toBe('true');
    expect(new URL(page.url()).searchParams.get('span')).toBe(second.spanId);

    const third = agent.step('step 3', 420, 480);
    expect(await sendAndSee(page, [third])).toBeLessThan(SHOWN_WITHIN_MS);
    expect(await rowIds(page)).toEqual([agent.rootId, first.spanId, second.spanId, third.spanId]);
    await expect.poll(() => page.getByTestId('trace-span-count').textContent()).toBe('4 spans');
    expect(await openStreams(page), 'a trace heard from a moment ago is followed').toBe(1);
    await screenshot(page, 'trace-live-grown');
  });

  it('applies what the stream sent while the tree was still loading once it is in', async () => {
    const agent = run(Date.now() - 3000);
    const first = agent.step('step 1', 100, 200);
    await postSpans(server.url, [agent.root(500), first]);
    // The tree is read as the page asks, then held back: a span sent meanwhile reaches the page by the stream alone.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let treeRead!: () => void;
    const read = new Promise<void>((resolve) => (treeRead = resolve));
    const page = await browsing.context.newPage();
    pages.push(page);
    await page.route(`**/api/traces/${agent.traceId}/tree`, async (route) => {
      const response = await route.fetch();
      treeRead();
      await held;
      await route.fulfill({ response });
    });
    await page.goto(`${server.url}/traces/${agent.traceId}`, { waitUntil: 'domcontentloaded' });
    await read;
    const later = agent.step('step 2', 250, 300);
    await postSpans(server.url, [later]);
    // Long enough for the stream to have brought it (the tests above see a span within 1 s).
    await page.waitForTimeout(1500);
    release();
    await expect.poll(() => rowIds(page)).toEqual([agent.rootId, first.spanId, later.spanId]);
  });
});

/** The page's main-thread time per second (ms) over `seconds` of watching it, in all (`task`) and in script, layout and style; the rest is paint. */
async function busyMsPerSecond(page: Page, seconds: number): Promise<Record<'task' | 'script' | 'layout' | 'style', number>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const read = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await read();
  await page.waitForTimeout(seconds * 1000);
  const after = await read();
  await cdp.detach();
  const perSecond = (name: string): number => ((after[name]! - before[name]!) * 1000) / seconds;
  return { task: perSecond('TaskDuration'), script: perSecond('ScriptDuration'), layout: perSecond('LayoutDuration'), style: perSecond('RecalcStyleDuration') };
}

/** `/tree` as the binary stream for a root and one step, both `state` (1 running, 0 ended), started `agoMs` ago and `soFarMs` long. */
function treeBytes(traceId: string, rootId: string, stepId: string, state: number, startUs: number, soFarUs: number): Buffer {
  const encoder = new TreeStreamEncoder(traceId, startUs);
  const chunk = encoder.chunk({
    spanIds: [rootId, stepId],
    parentSpanIds: [null, rootId],
    names: ['agent run', 'step 1'],
    services: ['live-e2e', 'live-e2e'],
    models: [null, null],
    startsUs: [startUs, startUs + 100_000],
    durationsUs: [soFarUs, soFarUs - 100_000],
    statusCodes: [0, 0],
    categories: [7, 7],
    states: [state, state],
    inputTokens: [null, null],
    outputTokens: [null, null],
    costUsd: [null, null],
    events: [],
  });
  return Buffer.concat([encoder.header(), chunk, encoder.trailer({ sessionId: null, spanCount: 2, logs: [], scores: [] })]);
}

describe('a running span on the trace page', () => {
  it('is drawn to now, its end and duration moving as frames pass, at a cost that stops with the run', async () => {
    // The spans are stored; the tree the page reads says they still run (as a live SDK's snapshots make it).
    const startMs = Date.now() - 2000;
    const agent = run(startMs);
    const step = agent.step('step 1', 100, 200);
    await postSpans(server.url, [agent.root(500), step]);
    const page = await browsing.context.newPage();
    pages.push(page);
    await page.route(`**/api/traces/${agent.traceId}/tree`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/vnd.spoor.tree',
        body: treeBytes(agent.traceId, agent.rootId, step.spanId, 1, startMs * 1000, 1_500_000),
      }),
    );
    await page.goto(`${server.url}/traces/${agent.traceId}`, { waitUntil: 'domcontentloaded' });
    await expect.poll(() => rowOf(page, step.spanId).getAttribute('data-state')).toBe('running');
    expect(await rowOf(page, agent.rootId).getByRole('img', { name: 'running' }).count()).toBe(1);

    const ends = (): Promise<[number, number, string, string]> =>
      rowOf(page, step.spanId).evaluate(
        (row) =>
          new Promise((resolve) => {
            // Runs in the page: the browser's frame callback (this file is type-checked for Node).
            const { requestAnimationFrame } = globalThis as unknown as { requestAnimationFrame: (callback: () => void) => number };
            const bar = row.querySelector('.wf-bar')!;
            const label = row.querySelector('.wf-duration')!;
            const first = [bar.getBoundingClientRect().right, label.textContent ?? ''] as const;
            let frames = 0;
            const next = (): void => {
              if (++frames < 10) requestAnimationFrame(next);
              else resolve([first[0], bar.getBoundingClientRect().right, first[1], label.textContent ?? '']);
            };
            requestAnimationFrame(next);
          }),
      );
    // The axis moves on in steps of a quarter: a try that straddles one sees the end go back; another will not.
    await expect
      .poll(async () => {
        const [before, after, beforeText, afterText] = await ends();
        return after > before && afterText !== beforeText && afterText.endsWith('…');
      })
      .toBe(true);
    const running = await busyMsPerSecond(page, 3);
    await screenshot(page, 'trace-live-running-bar');

    // The same trace, ended: no frame loop, nothing to do.
    await page.unroute(`**/api/traces/${agent.traceId}/tree`);
    await page.route(`**/api/traces/${agent.traceId}/tree`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/vnd.spoor.tree',
        body: treeBytes(agent.traceId, agent.rootId, step.spanId, 0, startMs * 1000, 1_500_000),
      }),
    );
    await page.reload({ waitUntil: 'domcontentloaded' });
    await expect.poll(() => rowOf(page, step.spanId).getAttribute('data-state')).toBe('ended');
    await page.waitForTimeout(500);
    const ended = await busyMsPerSecond(page, 3);
    const text = (cost: Record<string, number>) =>
      Object.entries(cost)
        .map(([name, ms]) => `${name} ${ms.toFixed(1)}`)
        .join(', ');
    console.log(`trace page main-thread ms/s with two running spans: ${text(running)}; once ended: ${text(ended)}`);
    // Headless Chromium paints in software (most of the running figure); the bound catches a frame that redraws every row.
    expect(running.task, 'a running trace costs the page under a fifth of a core').toBeLessThan(200);
    expect(ended.task, 'an ended trace costs the page next to nothing: the frame loop has stopped').toBeLessThan(10);
  });
});

describe('a trace page whose run goes away', () => {
  it('draws its running spans abandoned once the trace is quiet for the stale-after time, without a reload, and stops their moving edge', async () => {
    const agent = run(Date.now() - 1000);
    const step = agent.step('step 1', 100, 200);
    // The root runs (a live SDK's snapshot); then the process dies: nothing more is sent. The
    // trace is quiet from when the server heard it, before the post's answer came back.
    const sentMs = Date.now();
    await postSpans(server.url, [agent.root(null), step]);
    const page = await open(`/traces/${agent.traceId}`);
    await expect.poll(() => rowOf(page, agent.rootId).getAttribute('data-state')).toBe('running');
    const facts = () => page.locator('.trace-facts').textContent();
    await expect.poll(facts, { message: 'the header says the trace runs' }).toContain('running');

    await expect.poll(() => rowOf(page, agent.rootId).getAttribute('data-state'), { timeout: STALE_AFTER_MS + 8000 }).toBe('abandoned');
    expect(Date.now() - sentMs).toBeGreaterThanOrEqual(STALE_AFTER_MS);
    expect(await rowOf(page, agent.rootId).getByRole('img', { name: 'abandoned' }).count()).toBe(1);
    expect(await rowOf(page, step.spanId).getAttribute('data-state')).toBe('ended');
    // Nothing runs: the header says so no more, and the bar stays where it ended.
    await expect.poll(facts).not.toContain('running');
    const barEnd = () =>
      rowOf(page, agent.rootId)
        .locator('.wf-bar')
        .evaluate((bar) => bar.getBoundingClientRect().right);
    const before = await barEnd();
    await page.waitForTimeout(600);
    expect(await barEnd()).toBe(before);
    expect(await rowOf(page, agent.rootId).locator('.wf-duration').textContent()).not.toMatch(/…$/);
    await screenshot(page, 'trace-live-abandoned');
  });
});

describe('a trace page opened after its run ended', () => {
  it('looks as it does without live streams and keeps no stream open', async () => {
    const agent = run(Date.now() - 3_600_000);
    const step = agent.step('step 1', 100, 200);
    await postSpans(server.url, [agent.root(500), step]);
    const page = await open(`/traces/${agent.traceId}`);
    await expect.poll(() => rowIds(page)).toEqual([agent.rootId, step.spanId]);
    expect(await page.getByTestId('trace-duration').textContent()).toBe('500 ms');
    await expect.poll(() => openStreams(page), { message: 'the stream is closed once the tree says nothing runs' }).toBe(0);
    expect(await page.locator('[data-testid="waterfall"] [data-state="running"]').count()).toBe(0);
  });
});
