import { randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';

/**
 * A new project's default alert rules in the dashboard: an LLM call of 31 s fires
 * `llm-call-too-long`, a default rule, whose notifications go only to Spoor's own log; the header
 * and the Alerts page say so until the rules file sends the rules to a webhook.
 */

let dir: string;
let rulesPath: string;
let hook: Server;
let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;

const rulesFile = (notify: string): string =>
  `receivers:\n  - name: oncall\n    webhook: { url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook", maxAttempts: 1 }\ndefaults: { notify: [${notify}], groupWait: 0s }\nrules: []\n`;

/** One LLM call of 31 s that ended now, as OTLP/JSON. */
function slowLlmCall(): string {
  const end = BigInt(Date.now()) * 1_000_000n;
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const span = {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: String(end - 31_000_000_000n),
    endTimeUnixNano: String(end),
    attributes: [str('gen_ai.provider.name', 'openai'), str('gen_ai.operation.name', 'chat'), str('gen_ai.request.model', 'gpt-4o')],
  };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'qa-agent')] }, scopeSpans: [{ spans: [span] }] }] });
}

beforeAll(async () => {
  hook = createServer((req, res) => req.resume().on('end', () => res.end('ok')));
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  dir = await mkdtemp(join(tmpdir(), 'spoor-web-defaults-'));
  rulesPath = join(dir, 'alerts.yaml');
  await writeFile(rulesPath, rulesFile('log'));
  [server, browser] = await Promise.all([startSpoorServer(['--alerts', rulesPath, '--alert-interval', '1s']), launchChromium()]);
  browsing = await startBrowsing(browser);
}, 60_000);

afterAll(async () => {
  await browsing?.close();
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => hook?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('the default alert rules in the dashboard', () => {
  it('show a firing default rule with a notice to configure a receiver, gone once the rules file routes it', async () => {
    const sent = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: slowLlmCall() });
    expect(sent.status).toBe(200);

    const page = await browsing.open(`${server.url}/traces`);
    const notice = page.locator('.unrouted-notice');
    // The header asks every 30 s: reloaded until the first evaluation (every second) fired the rule.
    await expect
      .poll(
        async () => {
          await page.reload({ waitUntil: 'domcontentloaded' });
          return notice.waitFor({ timeout: 2_000 }).then(
            () => true,
            () => false,
          );
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(await notice.textContent()).toContain('1 alert unsent');

    await notice.click();
    const banner = page.locator('.unrouted-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('1 alert is firing with nowhere to send it');
    // The value as the rule's unit reads (a duration), the numbers as measured in its tooltip.
    const value = page.locator('table.alerts-table tbody tr', { hasText: 'llm-call-too-long' }).locator('td.num');
    await expect.poll(() => value.textContent(), { timeout: 15_000 }).toMatch(/^3\d\.\d s\s*limit 30\.0 s$/);
    expect(await value.getAttribute('title')).toMatch(/^value 3\d+(\.\d+)? · threshold 30000$/);
    await page.getByRole('tab', { name: 'Rules' }).click();
    const row = page.locator('table.rules-table tbody tr', { hasText: 'llm-call-too-long' });
    await row.locator('.rule-source-default').waitFor();
    expect(await row.textContent()).toContain('firing 1');
    await screenshot(page, 'alerts-unrouted-default');

    await writeFile(`${rulesPath}.tmp`, rulesFile('oncall'));
    await rename(`${rulesPath}.tmp`, rulesPath);
    // The page asks every 5 s; the file is read again within a second.
    await banner.waitFor({ state: 'detached', timeout: 15_000 });
    browsing.expectNoProblems();
  });
});
