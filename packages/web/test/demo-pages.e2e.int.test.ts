import type { AlertListResponse, ErrorGroupListResponse, TraceDetail, TraceListResponse } from '@spoor/model';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoEverything, runEverything } from '../../server/src/cli/demo.js';
import { HANG_MS, until } from '../../server/test/support/wait.js';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';

/**
 * `spoor demo` on a fresh server, then every page of the dashboard: each must open on something
 * (rows, a chart, a tree), at 1440 and at 1024 px wide, with a screenshot of each to look at
 * (`test-results/screenshots/demo-<page>-<width>.png`).
 */

let server: SpoorServer;
let browser: Browser;
let made: DemoEverything;
const lines: string[] = [];

beforeAll(async () => {
  // Rules evaluated every second: the demo's rule fires without a 15 s wait.
  server = await startSpoorServer(['--alert-interval', '1s']);
  browser = await launchChromium();
  made = await runEverything({ endpoint: server.url, say: (line) => lines.push(line) });
  await until('the demo rule to fire', async () => {
    const { alerts } = (await (await fetch(`${server.url}/api/alerts`)).json()) as AlertListResponse;
    return alerts.some((a) => a.rule === 'demo-failing-runs' && a.state === 'firing') ? true : undefined;
  });
}, 4 * HANG_MS);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const getJson = async <T>(path: string): Promise<T> => (await (await fetch(`${server.url}${path}`)).json()) as T;

/** Every page of the router (`App.tsx`), with what shows it is not empty. */
async function pages(): Promise<Array<{ name: string; path: string; content: string }>> {
  const main = await getJson<TraceDetail>(`/api/traces/${made.traceId}`);
  const write = main.spans.find((s) => s.name === 'step write')!;
  const writeCall = main.spans.find((s) => s.parentSpanId === write.spanId && s.llm !== null)!;
  const { traces } = await getJson<TraceListResponse>('/api/traces?service=research-agent&limit=50');
  const earlier = traces.find((t) => t.traceId !== made.traceId && t.rootName === 'workflow research-report')!;
  const { groups } = await getJson<ErrorGroupListResponse>('/api/errors');
  const citation = groups.find((g) => g.exceptionType === 'CitationError')!;
  const [a, b] = made.seeded.experiments;
  return [
    { name: 'traces', path: '/', content: 'table tbody tr' },
    { name: 'trace', path: `/traces/${made.traceId}`, content: '[data-testid="waterfall"] [role="treeitem"]' },
    // The call under the failing step opens on its prompt and completion.
    { name: 'trace-failing-call', path: `/traces/${made.traceId}?span=${writeCall.spanId}`, content: 'section[aria-label="Completion"]' },
    { name: 'big-trace', path: `/traces/${made.bigTraceId}`, content: '[data-testid="waterfall"] [role="treeitem"]' },
    { name: 'metrics', path: '/charts', content: 'path.series' },
    { name: 'app-metric', path: '/charts?metric=agent.runs', content: 'figure:has-text("agent.runs") path.series, .app-metrics path.series' },
    { name: 'sessions', path: '/sessions', content: 'table tbody tr' },
    { name: 'session', path: '/sessions/demo-session-1?view=runs', content: 'table.session-runs tbody tr' },
    { name: 'errors', path: '/errors', content: 'table tbody tr' },
    { name: 'error-group', path: `/errors/${citation.fingerprint}`, content: 'a[href^="/traces/"]' },
    { name: 'logs', path: '/logs', content: 'table tbody tr' },
    { name: 'alerts', path: '/alerts', content: 'table tbody tr:has-text("demo-failing-runs")' },
    { name: 'alerts-rules', path: '/alerts?tab=rules', content: 'table tbody tr:has-text("demo-failing-runs")' },
    { name: 'alerts-history', path: '/alerts?tab=history', content: 'table tbody tr' },
    { name: 'evaluators', path: '/evaluators', content: 'table tbody tr:has-text("answer-relevance")' },
    { name: 'datasets', path: '/datasets', content: 'table tbody tr:has-text("demo-questions")' },
    { name: 'dataset', path: '/datasets/demo-questions', content: 'table tbody tr' },
    { name: 'experiments', path: '/experiments', content: 'table tbody tr' },
    { name: 'experiment-compare', path: `/experiments/${a}/compare/${b}`, content: 'table tbody tr' },
    { name: 'compare', path: `/compare?a=${earlier.traceId}&b=${made.traceId}`, content: '[role="treeitem"], table tbody tr' },
    { name: 'audit', path: '/audit', content: 'table tbody tr' },
    { name: 'settings-keys', path: '/settings', content: 'form[aria-label="New key"]' },
    { name: 'settings-alerting', path: '/settings?tab=alerting', content: 'table tbody tr:has-text("demo-failing-runs")' },
    { name: 'settings-providers', path: '/settings?tab=providers', content: 'table tbody tr' },
    { name: 'settings-masking', path: '/settings?tab=masking', content: '[role="tabpanel"] textarea' },
    { name: 'settings-sampling', path: '/settings?tab=sampling', content: '[role="tabpanel"] textarea' },
    { name: 'settings-prices', path: '/settings?tab=prices', content: 'table tbody tr' },
    // Served by the server, not the dashboard's script: the same width rules hold.
    { name: 'docs', path: '/docs', content: 'main h1, article h1, h1' },
    { name: 'docs-api', path: '/docs/api', content: 'main h1, article h1, h1' },
  ];
}

async function visitAll(browsing: Browsing, width: number): Promise<void> {
  // Every page is visited (and photographed) before the widths are judged, so one failure lists them all.
  const wide: string[] = [];
  for (const { name, path, content } of await pages()) {
    const page: Page = await browsing.open(`${server.url}${path}`);
    await page.locator(content).first().waitFor();
    // A part still loading (the app metrics beside the charts) is awaited, not judged empty.
    await page.locator('.empty:has-text("Loading")').first().waitFor({ state: 'detached' });
    // Nothing scrolls sideways: the page is no wider than the window (measured before the full-page
    // screenshot, which lays the page out at the size it photographs).
    // The dashboard's top bar (its pages, Docs, the unsent-alerts notice, the account) stays one row.
    // A string, run in the page: the tests are typed without the DOM's names.
    const { scrollWidth, innerWidth, barHeight } = (await page.evaluate(
      `({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          barHeight: document.querySelector('header.topbar')?.getBoundingClientRect().height ?? 0 })`,
    )) as { scrollWidth: number; innerWidth: number; barHeight: number };
    if (scrollWidth > innerWidth) wide.push(`${name}: ${scrollWidth} px`);
    if (barHeight > 50) wide.push(`${name}: the top bar wraps to ${barHeight} px`);
    await screenshot(page, `demo-${name}-${width}`);
    expect(await page.locator(content).count(), `${name} at ${width} px`).toBeGreaterThan(0);
    // An invitation to pick something is not an empty page.
    const empty = (await page.locator('.empty').allTextContents()).filter((text) => !text.startsWith('Pick a metric'));
    expect(empty, `${name} at ${width} px says something is empty`).toEqual([]);
    await page.close();
  }
  expect(wide, `pages wider than the window, or with a wrapped top bar, at ${width} px`).toEqual([]);
  browsing.expectNoProblems();
}

describe('the dashboard after spoor demo', () => {
  it('says what the demo made', () => {
    expect(lines.join('\n')).toMatch(/runs of the research agent over 4 days/);
    expect(lines.join('\n')).toMatch(/experiments on it/);
  });

  for (const width of [1440, 1024]) {
    it(`opens every page on something at ${width} px`, { timeout: 3 * HANG_MS }, async () => {
      const browsing = await startBrowsing(browser, { viewport: { width, height: 900 } });
      try {
        await visitAll(browsing, width);
      } finally {
        await browsing.close();
      }
    });
  }
});
