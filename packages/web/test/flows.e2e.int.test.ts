import type { FlowMap } from '@spoor/model';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowFleet, fleetOtlpJson } from '../../server/test/support/flow-fleet.js';
import { until } from '../../server/test/support/wait.js';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';

/**
 * The Flows page on generated data: two releases of the fleet of `flow-fleet.ts` sent as
 * OTLP/JSON to a real `spoor serve`, the page opened in Chromium, a node opened to its runs and a
 * run followed to its trace; then the two releases compared, the added path marked.
 */

const SEC = 1_000_000;
const P = 'workflow:checkout/agent:planner';
let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;

beforeAll(async () => {
  [server, browser] = await Promise.all([startSpoorServer(), launchChromium()]);
  browsing = await startBrowsing(browser, { colorScheme: 'light' });
  const startUs = (Date.now() - 3600_000) * 1000;
  const spans = [
    ...flowFleet({ runs: 20, release: '1.0', startUs }),
    ...flowFleet({ runs: 20, release: '2.0', startUs: startUs + 100 * SEC, firstTrace: 101 }),
  ];
  const sent = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fleetOtlpJson(spans) });
  expect(sent.status).toBe(200);
  await until('both fleets committed', async () => {
    const map = (await (await fetch(`${server.url}/api/flows?name=checkout&root=true`)).json()) as FlowMap;
    return map.runs === 40 && map.nodes.find((n) => n.id === `${P}/tool:notify`)?.runs === 16 ? map : undefined;
  });
}, 60_000);

afterAll(async () => {
  await browsing?.close();
  await browser?.close();
  await server?.stop();
});

describe('the Flows page', () => {
  it("draws a release's map, and a node opens the runs through it", async () => {
    const page = await browsing.open(`${server.url}/flows?name=checkout&release=1.0`);
    const refund = page.locator(`[data-node-id="${P}/tool:refund"]`);
    await expect.poll(() => refund.textContent(), { timeout: 10_000 }).toContain('4 runs');
    await expect(page.locator(`[data-node-id="${P}/tool:search"]`).textContent()).resolves.toContain('↻3');
    expect(await page.locator('[data-edge-key]').count()).toBe(9);
    await page
      .locator('nav a', { hasText: 'Flows' })
      .getAttribute('aria-current')
      .then((current) => expect(current).toBe('page'));
    await refund.click();
    const runs = page.locator('[data-testid="flow-detail"] .flow-runs a');
    await expect.poll(() => runs.count()).toBe(4);
    await expect(page.locator('[data-testid="flow-detail"]').textContent()).resolves.toContain('100%');
    await screenshot(page, 'flows');
    await runs.first().click();
    await page.waitForURL(/\/traces\/[0-9a-f]{32}/);
    await page.close();
    browsing.expectNoProblems();
  });

  it('marks the path release 2.0 added when comparing it with 1.0', async () => {
    const page = await browsing.open(`${server.url}/flows?name=checkout&a=1.0&b=2.0`);
    const notify = page.locator(`[data-node-id="${P}/tool:notify"]`);
    await expect.poll(() => notify.getAttribute('class'), { timeout: 10_000 }).toContain('change-added');
    await expect(page.locator(`[data-node-id="${P}/tool:pay"]`).getAttribute('class')).resolves.toContain('change-same');
    await notify.click();
    await expect.poll(() => page.locator('[data-testid="flow-detail"]').textContent()).toContain('new: in +80% of the runs');
    await screenshot(page, 'flows-compare');
    await page.close();
    browsing.expectNoProblems();
  });
});
