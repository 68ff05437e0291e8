import { TREE_MEDIA_TYPE, type TraceListResponse } from '@spoor/model';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../server/test/support/clickhouse-endpoint.js';
import { until } from '../../server/test/support/wait.js';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';
import { postTraceBodies } from '../bench/post-traces.mjs';
import { buildWideTrace, NEEDLE_NAME, type WideTrace } from './support/wide-trace.js';

/**
 * A trace of 200,000 spans in the dashboard, on each store: sent as OTLP protobuf to a real
 * `spoor serve`, opened in Chromium, scrolled to its last span, a subtree folded and unfolded,
 * searched. The waterfall holds the spans as typed arrays and draws only the rows in view.
 */

const SPANS = 200_000;
let trace: WideTrace;
let browser: Browser;
let endpoint: ClickHouseEndpoint | undefined;

beforeAll(async () => {
  trace = buildWideTrace({ spans: SPANS });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await endpoint?.close();
});

const rowOf = (page: Page, spanId: string) => page.locator(`[data-testid="waterfall"] [role="treeitem"][data-span-id="${spanId}"]`);
const shownCount = (page: Page) => page.locator('.wf-name-head').textContent();

describe.each(['duckdb', 'clickhouse'] as const)('a 200,000-span trace on %s', (store) => {
  let server: SpoorServer;
  let browsing: Browsing;

  beforeAll(async () => {
    let flags: string[] = [];
    if (store === 'clickhouse') {
      endpoint ??= await startClickHouseEndpoint();
      flags = ['--store', 'clickhouse', '--clickhouse-url', `${endpoint.url}/big_trace`];
    }
    server = await startSpoorServer(flags);
    await postTraceBodies(server.url, trace.bodies, 'application/x-protobuf');
    // The server commits in batches: the trace is whole once its summary counts every span.
    await until(
      `trace ${trace.traceId} to count ${SPANS} spans`,
      async () => {
        const list = (await (await fetch(`${server.url}/api/traces?limit=10`)).json()) as TraceListResponse;
        return list.traces.find((t) => t.traceId === trace.traceId)?.spanCount === SPANS ? true : undefined;
      },
      60_000,
    );
    browsing = await startBrowsing(browser);
  }, 120_000);

  afterAll(async () => {
    await browsing?.close();
    await server?.stop();
  });

  it('opens, scrolls to its last span, folds and unfolds a subtree, and finds a span by name', async () => {
    const page = await browsing.context.newPage();
    // The page asks for the tree as the binary stream and draws from its first chunk on.
    const tree = page.waitForResponse((r) => r.url().endsWith(`/api/traces/${trace.traceId}/tree`));
    await page.goto(`${server.url}/traces/${trace.traceId}`, { waitUntil: 'domcontentloaded' });
    expect((await tree).headers()['content-type']).toBe(TREE_MEDIA_TYPE);
    await rowOf(page, trace.rootSpanId).waitFor({ timeout: 20_000 });
    await page.getByTestId('trace-span-count').getByText('200,000 spans', { exact: true }).waitFor({ timeout: 30_000 });
    const drawn = await page.getByTestId('waterfall').getByRole('treeitem').count();
    expect(drawn, 'rows in the DOM').toBeLessThan(200);
    expect(await shownCount(page)).toBe('200,000 of 200,000 spans');

    // To the end: the last span in tree order is the last row.
    const scroller = page.getByTestId('waterfall-scroll');
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await rowOf(page, trace.lastSpanId).waitFor();
    // Back to the top. While the view scrolls, its rows take no pointer events, so the mouse move
    // that follows each scroll does not hit-test them (the long tasks of bench:web); once it stops, they do.
    const rowsPointerEvents = await scroller.evaluate(async (el) => {
      // The page's globals, which this file's types (Node's) do not declare.
      const { requestAnimationFrame, getComputedStyle } = globalThis as unknown as {
        requestAnimationFrame: (callback: () => void) => number;
        getComputedStyle: (element: object) => { pointerEvents: string };
      };
      const rows = el.querySelector('.wf-rows');
      if (rows === null) throw new Error('no .wf-rows in the waterfall');
      await new Promise((resolve) => {
        el.addEventListener('scroll', resolve, { once: true });
        el.scrollTop = 0;
      });
      await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
      const during = getComputedStyle(rows).pointerEvents;
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { during, after: getComputedStyle(rows).pointerEvents };
    });
    expect(rowsPointerEvents).toEqual({ during: 'none', after: 'auto' });

    // Fold the first agent (and its whole subtree), then unfold it.
    const agent = rowOf(page, trace.firstAgent.spanId);
    await agent.getByTestId('toggle').click();
    await expect.poll(() => shownCount(page)).toBe(`${(SPANS - trace.firstAgent.size + 1).toLocaleString('en-US')} of 200,000 spans`);
    expect(await agent.getAttribute('aria-expanded')).toBe('false');
    await agent.getByTestId('toggle').click();
    await expect.poll(() => shownCount(page)).toBe('200,000 of 200,000 spans');

    // Search: one match, Enter goes to it (scrolled into view and selected).
    await page.getByLabel('Search spans in this trace').fill(NEEDLE_NAME);
    await page.getByText('– / 1', { exact: true }).waitFor();
    await page.getByLabel('Search spans in this trace').press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('span')).toBe(trace.needleSpanId);
    await expect.poll(() => rowOf(page, trace.needleSpanId).getAttribute('aria-selected')).toBe('true');
    await screenshot(page, `trace-200k-${store}`);
    browsing.expectNoProblems();
  }, 60_000);
});
