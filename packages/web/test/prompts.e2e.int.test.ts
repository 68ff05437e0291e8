import { randomBytes } from 'node:crypto';
import type { PromptStatsResponse } from '@spoor/model';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';

/**
 * Prompts in the dashboard, in Debian's Chromium against a real `spoor serve`: the list with where
 * each label points, and a prompt's page with its versions as written, the calls per version, and
 * the two versions of the production split compared with their p-values.
 */

let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;
const pages: Page[] = [];

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

async function send(method: string, path: string, body: unknown, status: number): Promise<void> {
  const response = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== status) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
}

/** 12 LLM calls of each version of `greeting`: v1 in 100-111 ms, v2 in 300-311 ms. */
function calls(): object {
  const nowMs = Date.now();
  const spans = [];
  for (let i = 0; i < 12; i++) {
    for (const version of [1, 2]) {
      const start = BigInt(nowMs - 60_000 + i * 100) * 1_000_000n;
      spans.push({
        traceId: randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        name: 'chat gpt-4o',
        kind: 3,
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + BigInt(version === 1 ? 100 + i : 300 + i) * 1_000_000n),
        attributes: [
          str('gen_ai.operation.name', 'chat'),
          str('gen_ai.request.model', 'gpt-4o'),
          str('spoor.prompt.name', 'greeting'),
          str('spoor.prompt.version', String(version)),
        ],
      });
    }
  }
  return { resourceSpans: [{ resource: { attributes: [str('service.name', 'support-bot')] }, scopeSpans: [{ spans }] }] };
}

beforeAll(async () => {
  server = await startSpoorServer();
  await send('POST', '/api/prompts', { name: 'greeting', prompt: 'Hello {{name}}.', labels: ['production'], message: 'first words' }, 201);
  await send('POST', '/api/prompts', { name: 'greeting', prompt: [{ role: 'system', content: 'Greet {{name}} warmly.' }], config: { model: 'gpt-4o' } }, 201);
  await send(
    'PUT',
    '/api/prompts/greeting/labels/production',
    {
      split: [
        { version: 1, weight: 50 },
        { version: 2, weight: 50 },
      ],
    },
    200,
  );
  await send('POST', '/v1/traces', calls(), 200);
  // The calls are readable once acknowledged; the statistics must count them before the page is read.
  const counted = await fetch(`${server.url}/api/prompts/greeting/stats`);
  expect(((await counted.json()) as PromptStatsResponse).versions.map((v) => v.count)).toEqual([12, 12]);
  browser = await launchChromium();
  browsing = await startBrowsing(browser);
}, 60_000);

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  browsing.expectNoProblems();
});

afterAll(async () => {
  await browsing?.close();
  await browser?.close();
  await server?.stop();
});

describe('prompts in the dashboard', () => {
  it('lists the prompts and opens one: its labels, versions, calls per version, and the production split compared', async () => {
    const page = await browsing.open(`${server.url}/prompts`);
    pages.push(page);
    const row = page.locator('tr[data-prompt="greeting"]');
    await expect.poll(() => row.textContent()).toContain('production → v1 50% · v2 50%');
    await expect.poll(() => row.locator('td.num').textContent()).toBe('v2');
    await row.getByRole('link', { name: 'greeting' }).click();

    await page.getByRole('heading', { name: 'greeting', level: 1 }).waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'Labels' }).textContent()).toContain('production → v1 50% · v2 50%');
    const first = page.getByRole('article', { name: 'Version 1' });
    await expect.poll(() => first.textContent()).toContain('Hello {{name}}.');
    await expect.poll(() => first.textContent()).toContain('first words');
    await expect.poll(() => page.getByRole('article', { name: 'Version 2' }).textContent()).toContain('system: Greet {{name}} warmly.');

    const stats = page.getByRole('region', { name: 'Calls per version' });
    await expect.poll(() => stats.locator('tr[data-version]').count()).toBe(2);
    await expect.poll(() => stats.locator('tr[data-version="2"] td').nth(1).textContent()).toBe('12');

    const comparison = page.getByRole('region', { name: 'Comparison' });
    await comparison.getByRole('heading', { name: 'v1 and v2 compared' }).waitFor();
    await expect.poll(() => comparison.locator('tbody tr').first().textContent()).toContain('p < 0.001');
    await screenshot(page, 'prompt-page');
  });
});
