import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, launchChromium, pagesOfEachTest, startBrowsing } from './support/browser.js';
import { postSpans, randomHexId } from './support/otlp-json.js';
import { type SpoorServer, startSpoorServer, waitForTrace } from './support/spoor-server.js';

/**
 * Conversations in the dashboard, in Debian's Chromium against a real `spoor serve`: a session of
 * two runs reads as its turns in order, each once though every LLM call repeats the history, a
 * tool call folded until opened, a turn linking to its run; the users page lists the session's
 * user and opens their sessions.
 */

let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;
const SESSION = `conv-${randomHexId(4)}`;
const USER = `ana-${randomHexId(4)}`;
const runs = [0, 1].map(() => ({ traceId: randomHexId(16), rootId: randomHexId(8) }));

const text = (role: string, content: string) => ({ role, parts: [{ type: 'text', content }] });
const u1 = text('user', 'Will it rain in Lisbon?');
const toolCall = { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'weather_lookup', arguments: { city: 'Lisbon' } }] };
const toolAnswer = { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'showers at noon' }] };
const a1 = text('assistant', 'Yes, showers at noon.');
const u2 = text('user', 'Then pack an umbrella?');
const a2 = text('assistant', 'Pack an umbrella.');

/** A run: its root span with the session and user, and its LLM calls (prompt, completion), a second apart. */
async function sendRun(run: (typeof runs)[0], startMs: number, calls: [unknown[], unknown[]][]): Promise<void> {
  await postSpans(
    server.url,
    [
      { traceId: run.traceId, spanId: run.rootId, name: 'chat turn', startMs, endMs: startMs + 5_000, attributes: { 'session.id': SESSION, 'user.id': USER } },
      ...calls.map(([input, output], i) => ({
        traceId: run.traceId,
        spanId: randomHexId(8),
        parentSpanId: run.rootId,
        name: 'chat gpt-4o',
        startMs: startMs + 1_000 * (i + 1),
        endMs: startMs + 1_000 * (i + 1) + 500,
        attributes: {
          'gen_ai.provider.name': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.input.messages': JSON.stringify(input),
          'gen_ai.output.messages': JSON.stringify(output),
        },
      })),
    ],
    'chat-app',
  );
  await waitForTrace(server.url, run.traceId, calls.length + 1);
}

beforeAll(async () => {
  server = await startSpoorServer();
  const now = Date.now();
  await sendRun(runs[0]!, now - 120_000, [
    [[u1], [toolCall]],
    [[u1, toolCall, toolAnswer], [a1]],
  ]);
  await sendRun(runs[1]!, now - 60_000, [[[u1, toolCall, toolAnswer, a1, u2], [a2]]]);
  browser = await launchChromium();
  browsing = await startBrowsing(browser);
}, 60_000);

afterAll(async () => {
  await browsing?.close();
  await browser?.close();
  await server?.stop();
});

/** A page of the server at `path`; each test's pages are closed after it, and what went wrong in them fails it. */
const open = pagesOfEachTest(
  () => browsing,
  () => server.url,
);

describe('a session as a conversation', () => {
  it('reads the turns in order, each once, a tool call folded until opened, a turn linking to its run', async () => {
    const page = await open(`/sessions/${SESSION}`);
    const turns = page.locator('.transcript .turn');
    await expect.poll(() => turns.count(), { timeout: 10_000 }).toBe(6);
    expect(await turns.evaluateAll((items) => items.map((li) => li.getAttribute('data-role')))).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(await turns.nth(0).locator('.turn-text').textContent()).toBe('Will it rain in Lisbon?');
    expect(await turns.nth(5).locator('.turn-text').textContent()).toBe('Pack an umbrella.');
    const folded = turns.nth(1).locator('details');
    expect(await folded.getAttribute('open')).toBeNull();
    await expect.poll(() => folded.locator('pre').isVisible()).toBe(false);
    await folded.locator('summary').click();
    await expect.poll(() => folded.locator('pre').isVisible()).toBe(true);
    expect(await folded.locator('pre').textContent()).toContain('weather_lookup({"city":"Lisbon"})');
    // The last turn is the second run's: its link opens that trace.
    await turns.nth(5).locator('a.turn-run').click();
    await page.waitForURL((url) => url.pathname === `/traces/${runs[1]!.traceId}`);
  });

  it('keeps the table of runs a tab away', async () => {
    const page = await open(`/sessions/${SESSION}`);
    await page.getByRole('tab', { name: 'Runs' }).click();
    await expect.poll(() => page.locator('table').filter({ hasText: 'chat turn' }).locator('tbody tr').count()).toBe(2);
  });
});

describe('the users page', () => {
  it("lists the session's user and opens their sessions", async () => {
    // The user's scores are their runs', pooled: the mean of 0.4 and 0.8.
    for (const [run, value] of [
      [runs[0]!, 0.4],
      [runs[1]!, 0.8],
    ] as const) {
      const scored = await fetch(`${server.url}/api/scores`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ traceId: run.traceId, name: 'helpfulness', value }),
      });
      expect(scored.status).toBe(201);
    }
    const page = await open('/users');
    const row = page.locator('.users-table tbody tr').filter({ hasText: USER });
    await expect
      .poll(async () => ((await row.locator('td[data-score="helpfulness"]').count()) > 0 ? row.locator('td[data-score="helpfulness"]').textContent() : null), {
        timeout: 10_000,
      })
      .toMatch(/^0\.60?$/);
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('1');
    expect(await row.locator('td').nth(2).textContent()).toBe('2');
    // The server filters the sessions: the page asks for the user's alone.
    const asked = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sessions' && new URL(r.url()).searchParams.get('user') === USER);
    await row.getByRole('link', { name: USER }).click();
    await page.waitForURL((url) => url.pathname === '/sessions' && url.searchParams.get('user') === USER);
    expect((await asked).status()).toBe(200);
    await expect.poll(() => page.locator('.sessions-table tbody tr').filter({ hasText: SESSION }).count()).toBe(1);
    expect(await page.locator('h1').textContent()).toBe(`Sessions of ${USER}`);
  });
});
