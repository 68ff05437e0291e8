import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertListResponse, ErrorGroupListResponse, SilenceListResponse, Span, TraceDetail, TraceListResponse } from '@spoor/model';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { ALERT_RULES, type DashboardData, fillDashboard } from './support/dashboard-data.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';

/**
 * The dashboard as a user sees it: a real `spoor serve` (filled by the demo and a 2,000-span agent
 * trace, with one alert rule) and Debian's Chromium. Each test opens pages, does what a user does
 * and reads what they would read; a page that throws, logs an error or gets a 5xx fails its test.
 * Every page is written to test-results/screenshots/.
 */

let dir: string;
let server: SpoorServer;
let browser: Browser;
let light: Browsing;
let data: DashboardData;
const pages: Page[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-web-e2e-'));
  const rules = join(dir, 'alerts.yaml');
  await writeFile(rules, ALERT_RULES);
  // Its one rule alone: default-alerts.e2e.int.test.ts shows the default rules.
  server = await startSpoorServer(['--alerts', rules, '--alert-interval', '1s', '--no-default-alerts']);
  [data, browser] = await Promise.all([fillDashboard(server.url), launchChromium()]);
  light = await startBrowsing(browser, { colorScheme: 'light' });
}, 60_000);

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  light.expectNoProblems();
});

afterAll(async () => {
  await light?.close();
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function open(path: string, browsing: Browsing = light): Promise<Page> {
  const page = await browsing.open(`${server.url}${path}`);
  pages.push(page);
  return page;
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`);
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Polls `probe` (every 50 ms, up to 10 s) for the matcher that follows; `message` says what failed. */
const eventually = <T>(probe: () => T | Promise<T>, message?: string) => expect.poll(probe, { timeout: 10_000, message });
const latestDemo = (): string => data.demoTraceIds[0]!;
const spanNamed = (trace: TraceDetail, name: string): Span => {
  const span = trace.spans.find((s) => s.name === name);
  if (span === undefined) throw new Error(`trace ${trace.traceId} has no span '${name}'`);
  return span;
};
/** The span and every span under it. */
const subtreeSize = (trace: TraceDetail, spanId: string): number =>
  1 + trace.spans.filter((s) => s.parentSpanId === spanId).reduce((n, child) => n + subtreeSize(trace, child.spanId), 0);

const treeRows = (page: Page) => page.getByTestId('waterfall').getByRole('treeitem');
const rowOf = (page: Page, spanId: string) => page.locator(`[data-testid="waterfall"] [role="treeitem"][data-span-id="${spanId}"]`);
const rowIds = (page: Page): Promise<string[]> => treeRows(page).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-span-id') ?? ''));
const query = (page: Page, key: string): string | null => new URL(page.url()).searchParams.get(key);
/** The page's background as [r, g, b]. */
const background = async (page: Page): Promise<number[]> =>
  ((await page.evaluate('getComputedStyle(document.documentElement).backgroundColor')) as string).match(/\d+/g)!.slice(0, 3).map(Number);

describe('the traces page', () => {
  it('filters by status and by service from the form, and keeps the filters in the URL across a reload', async () => {
    const all = (await api<TraceListResponse>('/api/traces?limit=50')).traces;
    const failing = (await api<TraceListResponse>('/api/traces?status=error&limit=50')).traces;
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.length).toBeLessThan(all.length);

    const page = await open('/');
    const rows = page.locator('table tbody tr');
    await eventually(() => rows.count(), 'every trace is listed').toBe(all.length);
    // The demo's runs belong to sessions of users: each row names them, and the session is a link.
    const sessions = await page.locator('td.trace-session a').allTextContents();
    expect(sessions.length).toBeGreaterThan(0);
    expect(new Set(sessions)).toEqual(new Set(['demo-session-1', 'demo-session-2', 'demo-session-3', 'demo-session-4', 'bench-session-7']));
    expect(await page.locator('td.trace-session', { hasText: 'demo-session-1' }).first().textContent()).toBe('demo-session-1 · user-ada');
    await screenshot(page, 'traces');

    const status = page.getByRole('combobox', { name: /^Status/ });
    await status.selectOption('error');
    await eventually(() => query(page, 'status')).toBe('error');
    await eventually(() => rows.count(), 'only failing traces are listed').toBe(failing.length);
    for (const errors of await rows.locator('td:nth-child(7)').allTextContents()) expect(errors).toMatch(/^\D*[1-9]\d*$/);

    await page.reload();
    await eventually(() => rows.count(), 'the reloaded page lists the failing traces').toBe(failing.length);
    expect(await status.inputValue()).toBe('error');

    await page.getByRole('combobox', { name: /^Service/ }).selectOption('tool-gateway');
    await eventually(() => [query(page, 'service'), query(page, 'status')]).toEqual(['tool-gateway', 'error']);
    await eventually(() => rows.allTextContents(), 'only the big trace has spans of tool-gateway').toEqual([expect.stringContaining('workflow deep-research')]);
    await screenshot(page, 'traces-filtered');
    // A link (or a reload) with the filter shows it in its picker, not "Any" beside a filtered list.
    const linked = await open('/?service=tool-gateway');
    await eventually(() => linked.locator('table tbody tr').count(), 'the linked filter applied').toBe(1);
    await eventually(() => linked.getByRole('combobox', { name: /^Service/ }).inputValue(), 'the picker shows the linked service').toBe('tool-gateway');
  });
});

describe('the traces page at 1024 px', () => {
  it('keeps every column in view and each start time to two lines: the time, then how long ago', async () => {
    const narrow = await startBrowsing(browser, { colorScheme: 'light', viewport: { width: 1024, height: 800 } });
    try {
      const page = await open('/', narrow);
      const rows = page.locator('table tbody tr');
      await eventually(() => rows.count(), 'the traces listed').toBeGreaterThan(0);
      const table = (await page.locator('table.list').boundingBox())!;
      expect(table.x + table.width, 'the last column (Cost) ends within the window').toBeLessThanOrEqual(page.viewportSize()!.width);
      const heights = async (selector: string) => Promise.all((await page.locator(selector).all()).map(async (cell) => (await cell.boundingBox())!.height));
      // A one-line cell (a row's spans count) against the start times: at most two lines (the
      // demo's list wrapped the date, clock and "ago" to four in this column).
      const oneLine = Math.min(...(await heights('table.list tbody td:nth-child(6)')));
      expect(Math.max(...(await heights('td.trace-time')))).toBeLessThan(2 * oneLine);
      await screenshot(page, 'traces-1024');
      narrow.expectNoProblems();
    } finally {
      await narrow.close();
    }
  });
});

describe('the trace page', () => {
  it('opens the newest trace from the list and collapses and expands the subtree of a span', async () => {
    const page = await open('/');
    await page.getByRole('link', { name: 'workflow research-report' }).first().click();
    await eventually(() => new URL(page.url()).pathname).toBe(`/traces/${latestDemo()}`);
    const trace = await api<TraceDetail>(`/api/traces/${latestDemo()}`);

    const rows = treeRows(page);
    await eventually(() => rows.count(), 'a small trace shows every span').toBe(trace.spans.length);
    const root = page.locator('[data-testid="waterfall"] [role="treeitem"][aria-level="1"]');
    await root.getByRole('button', { name: 'Collapse workflow research-report' }).click();
    await eventually(() => rows.count(), 'a collapsed root hides every other span').toBe(1);
    expect(await root.getAttribute('aria-expanded')).toBe('false');
    await root.getByRole('button', { name: 'Expand workflow research-report' }).click();
    await eventually(() => rows.count()).toBe(trace.spans.length);

    const step = spanNamed(trace, 'step search');
    // Screen readers see only the rows in the DOM; each says where it stands among its siblings.
    const siblings = trace.spans.filter((s) => s.parentSpanId === step.parentSpanId).sort((a, b) => a.startTime.localeCompare(b.startTime));
    expect(await rowOf(page, step.spanId).getAttribute('aria-posinset')).toBe(String(siblings.findIndex((s) => s.spanId === step.spanId) + 1));
    expect(await rowOf(page, step.spanId).getAttribute('aria-setsize')).toBe(String(siblings.length));
    const hidden = subtreeSize(trace, step.spanId) - 1;
    expect(hidden).toBeGreaterThan(1);
    await rowOf(page, step.spanId).getByRole('button', { name: 'Collapse step search' }).click();
    await eventually(() => rows.count(), `collapsing 'step search' hides its ${hidden} descendants`).toBe(trace.spans.length - hidden);
    await rowOf(page, step.spanId).getByRole('button', { name: 'Expand step search' }).click();
    await eventually(() => rows.count()).toBe(trace.spans.length);
  });

  it("shows an LLM call's model, tokens and cost in the inspector", async () => {
    const trace = await api<TraceDetail>(`/api/traces/${latestDemo()}`);
    const llm = trace.spans.find((s) => s.llm !== null && s.llm.costUsd !== null && s.llm.inputTokens! >= 1000);
    if (llm?.llm == null) throw new Error('the demo trace has no priced LLM call with 1,000 input tokens or more');

    const page = await open(`/traces/${latestDemo()}`);
    await rowOf(page, llm.spanId).getByText(llm.name, { exact: true }).click();
    await eventually(() => query(page, 'span')).toBe(llm.spanId);
    const inspector = page.getByRole('complementary', { name: 'Span details' }).getByRole('region', { name: 'LLM call' });
    expect(await inspector.getByTestId('llm-model').textContent()).toBe(llm.llm.responseModel ?? llm.llm.requestModel);
    expect(await inspector.getByTestId('llm-input-tokens').textContent()).toBe(llm.llm.inputTokens!.toLocaleString('en-US'));
    expect(await inspector.getByTestId('llm-output-tokens').textContent()).toBe(llm.llm.outputTokens!.toLocaleString('en-US'));
    const cost = (await inspector.getByTestId('llm-cost').textContent()) ?? '';
    expect(cost).toMatch(/^\$\d+(\.\d+)?$/);
    // Two significant digits below a dollar: within 2.5% of the stored cost.
    expect(Math.abs(Number(cost.slice(1)) / llm.llm.costUsd! - 1)).toBeLessThanOrEqual(0.025);
    if (llm.llm.costUsd! < 1) expect(cost.replace(/^\$0\.0*/, '').length).toBeLessThanOrEqual(2);
    await screenshot(page, 'trace');
  });

  it('renders a recorded conversation as a chat, with the tool call and its result', async () => {
    const trace = await api<TraceDetail>(`/api/traces/${latestDemo()}`);
    const call = trace.spans.find((s) => s.name === 'chat claude-sonnet-4-6');
    if (call === undefined) throw new Error("the demo trace has no 'chat claude-sonnet-4-6' span");

    const page = await open(`/traces/${latestDemo()}?span=${call.spanId}`);
    const prompt = page.getByRole('region', { name: 'Prompt' });
    await prompt.getByText('Find field studies of heat pumps below -15 °C.').waitFor();
    expect(await prompt.getByText('You are a researcher.', { exact: false }).count()).toBe(1);
    expect(
      await prompt.locator('.chat-tool').filter({ hasText: 'web_search' }).getByText('cold climate heat pump field study COP', { exact: false }).count(),
    ).toBe(1);
    expect(
      await prompt.locator('.chat-tool').filter({ hasText: 'tool result' }).getByText('Cold-climate heat pump field trial, 2023', { exact: false }).count(),
    ).toBe(1);
    const completion = page.getByRole('region', { name: 'Completion' });
    expect(await completion.getByText('COP of 1.8 to 2.4 at -20 °C', { exact: false }).count()).toBe(1);
    await screenshot(page, 'trace-chat');
  });

  it("lists the trace's logs and jumps from one to the span that wrote it", async () => {
    const trace = await api<TraceDetail>(`/api/traces/${latestDemo()}`);
    const write = spanNamed(trace, 'step write');
    expect(trace.logs.length).toBeGreaterThan(1);

    const page = await open(`/traces/${latestDemo()}`);
    const logs = page.locator('#trace-logs tbody tr');
    await eventually(() => logs.count(), 'every log of the trace is listed').toBe(trace.logs.length);
    await logs.filter({ hasText: 'step write failed' }).getByRole('button', { name: '→ step write' }).click();
    await eventually(() => query(page, 'span')).toBe(write.spanId);
    const panel = page.getByRole('complementary', { name: 'Span details' });
    await panel.getByRole('heading', { name: 'step write' }).waitFor();
    expect(await rowOf(page, write.spanId).getAttribute('aria-selected')).toBe('true');
    expect(await panel.locator('.exception').textContent()).toContain('citation check failed');
    await screenshot(page, 'trace-logs');
  });

  it('draws only the rows in view of a 2,000-span trace and folds the biggest subtree of its root', async () => {
    const trace = await api<TraceDetail>(`/api/traces/${data.big.traceId}`);
    expect(trace.spans).toHaveLength(2_000);
    const children = trace.spans.filter((s) => s.parentSpanId === data.big.rootSpanId);
    const biggest = children.reduce((a, b) => (subtreeSize(trace, b.spanId) > subtreeSize(trace, a.spanId) ? b : a));
    const after = children[children.indexOf(biggest) + 1]!;
    const firstChild = trace.spans.find((s) => s.parentSpanId === biggest.spanId)!;

    const page = await open(`/traces/${data.big.traceId}`);
    await page.getByText('2,000 spans', { exact: true }).waitFor();
    await rowOf(page, biggest.spanId).waitFor();
    const drawn = await treeRows(page).count();
    expect(drawn, 'rows in the DOM').toBeGreaterThan(10);
    expect(drawn, 'rows in the DOM').toBeLessThan(200);

    const next = async () => {
      const ids = await rowIds(page);
      return ids[ids.indexOf(biggest.spanId) + 1];
    };
    expect(await next()).toBe(firstChild.spanId);
    await rowOf(page, biggest.spanId).getByTestId('toggle').click();
    await eventually(next, `after collapsing ${biggest.name}, its next sibling follows it`).toBe(after.spanId);
    expect(await rowOf(page, biggest.spanId).getAttribute('aria-expanded')).toBe('false');
    await rowOf(page, biggest.spanId).getByTestId('toggle').click();
    await eventually(next).toBe(firstChild.spanId);
    await screenshot(page, 'trace-big');
  });

  it('follows a dark system colour scheme', async () => {
    const trace = await api<TraceDetail>(`/api/traces/${latestDemo()}`);
    const llm = trace.spans.find((s) => s.llm !== null)!;
    const dark = await startBrowsing(browser, { colorScheme: 'dark' });
    try {
      const page = await open(`/traces/${latestDemo()}?span=${llm.spanId}`, dark);
      await page.getByRole('region', { name: 'LLM call' }).getByTestId('llm-model').waitFor();
      const [r, g, b] = await background(page);
      expect(r! + g! + b!, 'a dark background').toBeLessThan(200);
      await screenshot(page, 'trace-dark');
      dark.expectNoProblems();
    } finally {
      await dark.close();
    }
  });
});

describe('the other pages', () => {
  it('opens an error group from the Errors page and shows its stack trace and a sample trace', async () => {
    // The span's exception (with its stack, hence a top frame) and the log that reports it make two groups.
    const { groups } = await api<ErrorGroupListResponse>('/api/errors?from=' + new Date(Date.now() - 86_400_000).toISOString());
    const citation = groups.find((g) => g.exceptionType === 'CitationError' && g.frame !== null);
    if (citation === undefined)
      throw new Error(`no CitationError group with a stack frame among ${JSON.stringify(groups.map((g) => [g.exceptionType, g.frame]))}`);

    const page = await open('/errors');
    const group = page.locator(`a[href^="/errors/${citation.fingerprint}"]`);
    await group.waitFor();
    expect(await group.textContent()).toContain('CitationError');
    await screenshot(page, 'errors');
    await group.click();
    await eventually(() => new URL(page.url()).pathname).toBe(`/errors/${citation.fingerprint}`);
    await page.getByRole('heading', { level: 1, name: 'CitationError' }).waitFor();
    const stack = page.getByLabel('Stack trace', { exact: true });
    await stack.waitFor();
    expect(await stack.textContent()).toMatch(/citation check failed[^]*\n\s+at /);
    await screenshot(page, 'error-group');

    const samples = page.getByRole('region', { name: 'Sample traces' }).getByRole('link');
    expect(data.demoTraceIds).toContain(await samples.first().textContent());
    await samples.first().click();
    await eventually(() => new URL(page.url()).pathname).toMatch(/^\/traces\/[0-9a-f]{32}$/);
    await page.getByRole('complementary', { name: 'Span details' }).getByRole('heading', { name: 'step write' }).waitFor();
  });

  it('draws the metrics charts from the demo', async () => {
    const page = await open('/charts');
    for (const title of ['Throughput', 'Tokens', 'Cost']) {
      const chart = page.locator('figure', { has: page.locator('figcaption', { hasText: title }) });
      const line = chart.locator('path.series').first();
      await line.waitFor();
      expect(await line.getAttribute('d'), `the ${title} line has points`).toMatch(/^M[-\d.]+,[-\d.]+L/);
    }
    await screenshot(page, 'metrics');
  });

  it('lists the sessions and opens one with its runs', async () => {
    const page = await open('/sessions');
    const session = page.getByRole('link', { name: 'demo-session-1', exact: true });
    await session.waitFor();
    expect(await page.locator('tbody tr', { has: session }).textContent()).toContain('user-ada');
    await screenshot(page, 'sessions');
    await session.click();
    await page.getByRole('heading', { level: 1, name: 'Session demo-session-1' }).waitFor();
    expect(await page.locator('.session-users').textContent()).toBe('User user-ada');
    // The session opens on its conversation; the runs are a tab away.
    await page.getByRole('tab', { name: 'Runs' }).click();
    for (const traceId of data.demoTraceIds) await page.locator(`table a[href="/traces/${traceId}"]`).waitFor();
    await screenshot(page, 'session');
  });

  it('shows the firing alert and the rule that raised it', async () => {
    const page = await open('/alerts');
    const alert = page.locator('table tbody tr', { hasText: 'agent-errors' }).filter({ hasText: 'firing' }).first();
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toContain('research-agent');
    await screenshot(page, 'alerts');
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByText('errors(spans)[1h] by (service) > 0').waitFor();
    await screenshot(page, 'alert-rules');
  });

  it('silences an alert from its row, shows it silenced at once, and expires the silence', async () => {
    const page = await open('/alerts');
    const row = () => page.locator('table.alerts-table tbody tr', { hasText: 'service=retrieval-service' }).first();
    await row().waitFor({ timeout: 15_000 });
    expect(await row().locator('.alert-flag').count()).toBe(0);
    await row().getByRole('button', { name: 'Silence' }).click();
    const form = page.getByRole('form', { name: 'New silence' });
    await form.getByLabel('Silenced by').fill('e2e');
    await form.getByLabel('Comment').fill('checking the flow');
    await form.getByRole('button', { name: 'Create silence' }).click();
    await page.getByRole('status').filter({ hasText: 'Silence created' }).waitFor();
    // The server marks the alert silenced before the POST returns; the page reloads once, no evaluation needed.
    await row().locator('.alert-flag', { hasText: 'silenced' }).waitFor({ timeout: 3_000 });
    await screenshot(page, 'alert-silenced');

    await page.getByRole('link', { name: 'See silences' }).click();
    const silence = page.locator('table.silences-table tbody tr', { hasText: 'checking the flow' });
    await silence.getByRole('button', { name: /^Expire silence/ }).click();
    await silence.waitFor({ state: 'detached' });
    const { silences } = await api<SilenceListResponse>('/api/alerts/silences?expired=true');
    expect(silences.find((s) => s.comment === 'checking the flow')).toMatchObject({ createdBy: 'e2e' });
    expect((await api<AlertListResponse>('/api/alerts')).alerts.filter((a) => a.silenced)).toEqual([]);
  });

  it('lists the log records and opens one with its attributes and trace', async () => {
    const page = await open('/logs');
    const record = page.locator('tbody tr', { hasText: 'step write failed' }).first();
    await record.waitFor();
    expect(await record.textContent()).toMatch(/ERROR/i);
    const trace = await record.getByRole('link').getAttribute('href');
    expect(data.demoTraceIds.some((id) => trace?.startsWith(`/traces/${id}`))).toBe(true);
    await record.getByRole('button', { name: 'Show details' }).click();
    await page.locator('.log-details', { hasText: 'CitationError' }).first().waitFor();
    await screenshot(page, 'logs');
  });
});
