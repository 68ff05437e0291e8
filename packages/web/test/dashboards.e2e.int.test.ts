import { readFile } from 'node:fs/promises';
import type { SpanStatsResponse } from '@spoor/model';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runEverything } from '../../server/src/cli/demo.js';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer, waitForTrace } from './support/spoor-server.js';

/**
 * The Dashboards page on a real `spoor serve` filled by `spoor demo` (spans over OTLP), in Chromium: a
 * dashboard's numbers against `/api/stats/spans` for the same range, a variable picked (the URL and
 * the panels change), a dashboard made in the page (a bad expression shows the parser's error),
 * saved and reloaded from its URL, and exported then imported.
 */

let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;
const pages: Page[] = [];
// A fixed range around all the demo's spans, so the page and the stats read the same ones.
let fromMs: number;
let toMs: number;

const COSTS = {
  name: 'test-costs',
  title: 'Costs under test',
  variables: [{ name: 'service', label: 'service', default: '' }],
  panels: [
    {
      id: 'spans',
      title: 'Spans',
      kind: 'stat',
      grid: { x: 0, y: 0, w: 3, h: 3 },
      queries: [{ expr: 'count(spans{service=~"$service"})[$__interval]' }],
      unit: 'count',
    },
    {
      id: 'cost',
      title: 'Cost',
      kind: 'stat',
      grid: { x: 3, y: 0, w: 3, h: 3 },
      queries: [{ expr: 'cost(spans{service=~"$service"})[$__interval]' }],
      unit: 'usd',
    },
    {
      id: 'by-service',
      title: 'Spans by service',
      kind: 'table',
      grid: { x: 6, y: 0, w: 6, h: 3 },
      queries: [{ expr: 'count(spans{service=~"$service"})[$__interval] by (service)' }],
      unit: 'count',
    },
    {
      id: 'by-model',
      title: 'Cost by model',
      kind: 'bars',
      grid: { x: 0, y: 3, w: 6, h: 4 },
      queries: [{ expr: 'cost(spans{service=~"$service"})[$__interval] by (model)', legend: '{{model}}' }],
      unit: 'usd',
    },
    {
      id: 'all-spans',
      title: 'Spans of every service',
      kind: 'stat',
      grid: { x: 0, y: 7, w: 3, h: 2 },
      queries: [{ expr: 'count(spans)[$__interval]' }],
      unit: 'count',
    },
    {
      id: 'p95',
      title: 'p95 latency',
      kind: 'timeseries',
      grid: { x: 6, y: 3, w: 6, h: 4 },
      queries: [{ expr: 'p95(duration_ms{service=~"$service"})[$__interval]' }],
      unit: 'ms',
    },
  ],
};

beforeAll(async () => {
  [server, browser] = await Promise.all([startSpoorServer(), launchChromium()]);
  browsing = await startBrowsing(browser, { colorScheme: 'light' });
  fromMs = Date.now() - 2 * 3_600_000;
  // `spoor demo`'s data (runs, the big trace, app metrics, scores, feedback and evaluators), its last hour only.
  const demo = await runEverything({ endpoint: server.url, runs: 6, earlierDays: 0, say: () => {} });
  await waitForTrace(server.url, demo.traceId, 1);
  toMs = Date.now() + 60_000;
  await put(COSTS);
}, 120_000);

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  browsing.expectNoProblems();
});

afterAll(async () => {
  await browsing?.close();
  await browser?.close();
  await server?.stop();
});

async function put(doc: unknown, expectedVersion?: number): Promise<Response> {
  const query = expectedVersion === undefined ? '' : `?expectedVersion=${expectedVersion}`;
  const name = (doc as { name: string }).name;
  const response = await fetch(`${server.url}/api/dashboards/${name}${query}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(doc),
  });
  if (response.status >= 300) throw new Error(`PUT ${name} answered ${response.status}: ${await response.text()}`);
  return response;
}

async function open(path: string): Promise<Page> {
  const page = await browsing.open(`${server.url}${path}`);
  pages.push(page);
  return page;
}

/** Spans and cost in the test's range, as `/api/stats/spans` counts them, all services or one. */
async function stats(service?: string): Promise<{ count: number; cost: number; services: Map<string, number> }> {
  const params = new URLSearchParams({ from: String(fromMs), to: String(toMs), groupBy: 'service', limit: '100' });
  if (service !== undefined) params.set('service', service);
  const answer = (await (await fetch(`${server.url}/api/stats/spans?${params}`)).json()) as SpanStatsResponse;
  return {
    count: answer.groups.reduce((n, g) => n + g.count, 0),
    cost: answer.groups.reduce((n, g) => n + (g.costUsd ?? 0), 0),
    services: new Map(answer.groups.map((g) => [g.key ?? '', g.count])),
  };
}

const statValue = (page: Page, panel: string) => page.locator(`[data-panel-id="${panel}"] .dash-stat-value`).first().getAttribute('data-value').then(Number);
const columns = (page: Page, panel: string) =>
  page.locator(`[data-panel-id="${panel}"]`).evaluate((el) => (el as unknown as { style: { gridColumn: string } }).style.gridColumn);
const range = () => `from=${fromMs}&to=${toMs}`;
const eventually = <T>(probe: () => T | Promise<T>, message?: string) => expect.poll(probe, { timeout: 15_000, message });

describe('the Dashboards page', () => {
  it("lists the dashboards, the ready ones marked, and a dashboard's numbers are those of /api/stats/spans for its range", async () => {
    const list = await open('/dashboards');
    await eventually(() => list.locator('[data-dashboard="test-costs"]').count()).toBe(1);
    const ready = (await (await fetch(`${server.url}/api/dashboards`)).json()) as { dashboards?: Array<{ ready?: boolean }> } | Array<{ ready?: boolean }>;
    const readyCount = (Array.isArray(ready) ? ready : (ready.dashboards ?? [])).filter((d) => d.ready).length;
    expect(await list.locator('.dash-list .dash-badge', { hasText: 'ready' }).count()).toBe(readyCount);
    expect(await list.locator('nav a', { hasText: 'Dashboards' }).getAttribute('aria-current')).toBe('page');

    const page = await open(`/dashboards/test-costs?${range()}`);
    const want = await stats();
    expect(want.count).toBeGreaterThan(0);
    await eventually(() => statValue(page, 'spans'), 'the span count').toBe(want.count);
    await eventually(() => statValue(page, 'cost'), 'the cost').toBeCloseTo(want.cost, 9);
    const rows = page.locator('[data-panel-id="by-service"] tbody tr');
    await eventually(() => rows.count()).toBe(want.services.size);
    for (const [service, count] of want.services) {
      await expect(rows.filter({ hasText: service }).locator('td.num').getAttribute('data-value')).resolves.toBe(String(count));
    }
    await eventually(() => page.locator('[data-panel-id="by-model"] .dash-bar').count()).toBeGreaterThan(0);
    await eventually(() => page.locator('[data-panel-id="p95"] svg[role="img"]').count()).toBe(1);
    expect(await page.locator('[data-panel-id] [role="alert"]').count()).toBe(0);
    await screenshot(page, 'dashboards-view');
  });

  it('draws every panel it has while one is still reading, then that one', async () => {
    const page = await browsing.context.newPage();
    pages.push(page);
    // The p95 line's read held in the browser until the others are drawn; the answer is the server's.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      (url) => url.pathname === '/api/v1/query_range',
      async (route) => {
        await held;
        await route.continue();
      },
    );
    await page.goto(`${server.url}/dashboards/test-costs?${range()}`);
    const want = await stats();
    await eventually(() => statValue(page, 'spans')).toBe(want.count);
    await eventually(() => page.locator('[data-panel-id="by-service"] tbody tr').count()).toBe(want.services.size);
    expect(await page.locator('[data-panel-id="p95"]').getAttribute('data-loading')).toBe('true');
    release();
    await eventually(() => page.locator('[data-panel-id="p95"] svg[role="img"]').count()).toBe(1);
  });

  it('opens each of the three ready dashboards on the demo data with no empty panel and no error', async () => {
    const listed = (await (await fetch(`${server.url}/api/dashboards`)).json()) as
      | { dashboards?: Array<{ name: string; ready?: boolean }> }
      | Array<{ name: string; ready?: boolean }>;
    const ready = (Array.isArray(listed) ? listed : (listed.dashboards ?? [])).filter((d) => d.ready);
    expect(ready).toHaveLength(3);
    for (const { name } of ready) {
      // The last day: the demo's scores and feedback are spread over it.
      const page = await open(`/dashboards/${name}?range=24h`);
      await eventually(() => page.locator('.dash-cell').count(), name).toBeGreaterThan(0);
      await eventually(() => page.locator('.dash-cell[data-loading="true"]').count(), `${name} reading`).toBe(0);
      expect(await page.locator('.dash-cell [role="alert"]').count(), `${name}: panels with an error`).toBe(0);
      expect(await page.locator('.dash-cell .chart-empty').count(), `${name}: empty panels`).toBe(0);
      await screenshot(page, `dashboards-ready-${name}`);
    }
  });

  it('lists the versions of a saved dashboard and opens an older one', async () => {
    await put({ ...COSTS, title: 'Costs, second version' });
    const page = await open(`/dashboards/test-costs?${range()}`);
    await eventually(() => page.locator('h1').textContent()).toBe('Costs, second version');
    await page.getByRole('button', { name: 'Versions' }).click();
    const versions = page.getByTestId('dash-versions').locator('li');
    await eventually(() => versions.count()).toBeGreaterThan(1);
    await versions.last().locator('a').click();
    await eventually(() => new URL(page.url()).searchParams.get('version')).toBe('1');
    await eventually(() => page.locator('h1').textContent()).toBe('Costs under test');
    await expect(page.locator('.dash-heading').textContent()).resolves.toContain('an older version');
    await put(COSTS);
  });

  it('picks a variable: the URL names it and the panels read for that value', async () => {
    const page = await open(`/dashboards/test-costs?${range()}`);
    const all = await stats();
    const [service] = [...all.services.entries()].sort((a, b) => a[1] - b[1])[0]!;
    await eventually(() => statValue(page, 'spans')).toBe(all.count);
    const picker = page.getByLabel('Variable service');
    await eventually(() => picker.locator('option', { hasText: service }).count()).toBe(1);
    await picker.selectOption(service);
    await eventually(() => new URL(page.url()).searchParams.get('var-service')).toBe(service);
    const one = await stats(service);
    await eventually(() => statValue(page, 'spans')).toBe(one.count);
    expect(one.count).toBeLessThan(all.count);
    await eventually(() => page.locator('[data-panel-id="by-service"] tbody tr').count()).toBe(1);
    // The URL alone opens the same view.
    const shared = await open(new URL(page.url()).pathname + new URL(page.url()).search);
    await eventually(() => statValue(shared, 'spans')).toBe(one.count);
    await expect(shared.getByLabel('Variable service').inputValue()).resolves.toBe(service);
  });

  it('reads again only the panels a change is about: not on a picked variable they do not use, nor on a move', async () => {
    // A moving range: "now" moves only with the range or the refresh, never with a picker.
    const page = await browsing.open(`${server.url}/dashboards/test-costs?range=24h`);
    pages.push(page);
    const reads: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/v1/query')) reads.push(url.searchParams.get('query') ?? '');
    });
    const all = await stats();
    await eventually(() => statValue(page, 'all-spans')).toBe(all.count);
    await eventually(() => statValue(page, 'spans')).toBe(all.count);
    const unrelated = () => reads.filter((q) => q.startsWith('count(spans)[')).length;
    const related = () => reads.filter((q) => q.startsWith('count(spans{service=~')).length;
    // The current range and the one before it, once each.
    expect(unrelated()).toBe(2);
    const [service] = [...all.services.keys()];
    await page.getByLabel('Variable service').selectOption(service!);
    await eventually(() => statValue(page, 'spans')).toBe((await stats(service)).count);
    expect(related()).toBeGreaterThan(2);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Move Spans of every service right' }).click();
    await eventually(() => columns(page, 'all-spans')).toBe('2 / span 3');
    await page.getByLabel('Width of Spans of every service').fill('4');
    await eventually(() => columns(page, 'all-spans')).toBe('2 / span 4');
    expect(unrelated()).toBe(2);
    expect(await statValue(page, 'all-spans')).toBe(all.count);
  });

  it('makes a dashboard in the page: a bad expression shows the parser error, the fixed one saves and reloads from its URL', async () => {
    const page = await open(`/dashboards?${range()}`);
    await page.getByLabel('New dashboard name').fill('made-here');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByLabel('Dashboard title').fill('Made in the page');
    await page.getByRole('button', { name: 'Add panel' }).click();
    const editor = page.getByTestId('panel-editor');
    await editor.getByLabel('Panel title').fill('Errors');
    await editor.getByLabel('Panel kind').selectOption('stat');
    const bad = 'count(spans{status="error"})[5x]';
    await editor.getByLabel('Expression 1').fill(bad);
    await editor.getByRole('button', { name: 'Preview' }).click();
    const parser = (await (await fetch(`${server.url}/api/v1/query?query=${encodeURIComponent(bad)}`)).json()) as { error: string };
    await eventually(() => editor.getByTestId('expr-error').textContent()).toBe(`query 1: ${parser.error}`);
    await editor.getByLabel('Expression 1').fill('count(spans{status="error"})[$__interval]');
    await editor.getByRole('button', { name: 'Preview' }).click();
    await eventually(() => editor.getByTestId('expr-error').count()).toBe(0);
    // The bad expression's 400 is what the preview shows, not a problem of the page.
    for (const problem of browsing.takeProblems()) expect(problem).toMatch(/status of 400/);
    await editor.getByRole('button', { name: 'Apply' }).click();
    await page.getByLabel('Variable name').fill('service');
    await page.getByLabel('Variable label').fill('service');
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByRole('button', { name: 'Add panel' }).click();
    await editor.getByLabel('Panel title').fill('Spans and failures');
    await editor.getByLabel('Expression 1').fill('count(spans{service=~"$service"})[$__interval]');
    await editor.getByRole('button', { name: 'Add expression' }).click();
    await editor.getByLabel('Expression 2').fill('errors(spans{service=~"$service"})[$__interval]');
    await editor.getByLabel('Legend 2').fill('failed');
    await editor.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(() => new URL(page.url()).searchParams.get('new')).toBeNull();
    await eventually(() => page.getByTestId('dash-editbar').count()).toBe(0);

    expect(new URL(page.url()).search).toBe(`?${range()}`);
    await page.reload();
    await eventually(() => page.locator('h1').textContent()).toBe('Made in the page');
    const errors = (await (
      await fetch(
        `${server.url}/api/v1/query?query=${encodeURIComponent(`count(spans{status="error"})[${Math.round((toMs - fromMs) / 1000)}s]`)}&time=${Math.floor(toMs / 1000)}`,
      )
    ).json()) as {
      data: { result: Array<{ value: [number, string] }> };
    };
    await eventually(() => statValue(page, 'panel-1')).toBe(Number(errors.data.result[0]!.value[1]));
    await eventually(() => page.locator('[data-panel-id="panel-2"] .chart-legend').textContent()).toContain('failed');
    await expect(page.getByLabel('Variable service').inputValue()).resolves.toBe('');
    await screenshot(page, 'dashboards-made');
  });

  it('exports a dashboard as JSON and imports it back under another name, with the same numbers', async () => {
    const page = await open(`/dashboards/test-costs?${range()}`);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const file = await (await download).path();
    const exported = JSON.parse(await readFile(file, 'utf8')) as typeof COSTS;
    expect(exported).toEqual(COSTS);

    const list = await open(`/dashboards?${range()}`);
    const input = list.getByLabel('Import a dashboard');
    await input.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"name": "x",') });
    await eventually(() => list.getByTestId('import-error').textContent()).toContain('broken.json is not JSON');
    const copy = { ...exported, name: 'test-costs-copy', title: 'Costs, imported' };
    await input.setInputFiles({ name: 'copy.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(copy)) });
    await list.waitForURL(/\/dashboards\/test-costs-copy/);
    await list.goto(`${server.url}/dashboards/test-costs-copy?${range()}`);
    const want = await stats();
    await eventually(() => statValue(list, 'spans')).toBe(want.count);
    await eventually(() => statValue(list, 'cost')).toBeCloseTo(want.cost, 9);
  });

  it('exports the dashboard made in the page, deletes it, imports the file and shows the same numbers', async () => {
    const page = await open(`/dashboards/made-here?${range()}`);
    await eventually(() => statValue(page, 'panel-1')).toBeGreaterThan(0);
    const before = await statValue(page, 'panel-1');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const file = await readFile(await (await download).path(), 'utf8');

    const list = await open(`/dashboards?${range()}`);
    await list.getByRole('button', { name: 'Delete made-here' }).click();
    await list.getByRole('button', { name: 'Delete made-here, every version' }).click();
    await eventually(() => list.locator('[data-dashboard="made-here"]').count()).toBe(0);
    expect((await fetch(`${server.url}/api/dashboards/made-here`)).status).toBe(404);
    await list.getByLabel('Import a dashboard').setInputFiles({ name: 'made-here.json', mimeType: 'application/json', buffer: Buffer.from(file) });
    await list.waitForURL(/\/dashboards\/made-here/);
    await list.goto(`${server.url}/dashboards/made-here?${range()}`);
    await eventually(() => statValue(list, 'panel-1')).toBe(before);
    await eventually(() => list.locator('[data-panel-id="panel-2"] .chart-legend').textContent()).toContain('failed');
    await expect(list.getByLabel('Variable service').count()).resolves.toBe(1);
  });

  it('says plainly when a save would overwrite a version someone else saved meanwhile', async () => {
    const page = await open(`/dashboards/test-costs?${range()}`);
    await eventually(() => statValue(page, 'spans')).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Dashboard title').fill('Mine');
    await put({ ...COSTS, title: 'Theirs' });
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(() => page.getByTestId('save-conflict').textContent()).toContain('someone saved another version');
    expect(await page.getByLabel('Dashboard title').inputValue()).toBe('Mine');
    await page.getByRole('button', { name: 'Edit' }).first().click();
    await screenshot(page, 'dashboards-edit');
    // The refusal is a 409 the page expected: nothing else went wrong.
    browsing.takeProblems().forEach((problem) => expect(problem).toMatch(/409/));
  });
});
