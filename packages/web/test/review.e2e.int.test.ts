import type { DatasetItemsResponse, ScoreListResponse } from '@spoor/model';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, launchChromium, pagesOfEachTest, startBrowsing } from './support/browser.js';
import { postSpans, randomHexId } from './support/otlp-json.js';
import { type SpoorServer, startSpoorServer, waitForTrace } from './support/spoor-server.js';

/**
 * The reviewer's screen in Debian's Chromium against a real `spoor serve`: traces sent by OTLP go
 * to a queue of two rubric entries; a reviewer works through it with the keyboard alone (digits
 * for the focused entry, Enter, `n`, `s`) and the scores arrive as human scores.
 */

let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;
const QUEUE = `support-${randomHexId(3)}`;
const traces = [0, 1, 2, 3].map((i) => ({ traceId: randomHexId(16), rootId: randomHexId(8), question: `question ${i}` }));

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

beforeAll(async () => {
  server = await startSpoorServer();
  const now = Date.now();
  for (const [i, t] of traces.entries()) {
    const startMs = now - 60_000 + i * 1_000;
    await postSpans(
      server.url,
      [
        { traceId: t.traceId, spanId: t.rootId, name: 'answer', startMs, endMs: startMs + 900 },
        {
          traceId: t.traceId,
          spanId: randomHexId(8),
          parentSpanId: t.rootId,
          name: 'chat gpt-4o',
          startMs: startMs + 100,
          endMs: startMs + 800,
          attributes: {
            'gen_ai.provider.name': 'openai',
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: t.question }] }]),
            'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `answer to ${t.question}` }] }]),
          },
        },
      ],
      'support-bot',
    );
  }
  for (const t of traces) await waitForTrace(server.url, t.traceId, 2);
  await api('POST', '/api/queues', {
    name: QUEUE,
    rubric: [
      { name: 'correct', type: 'boolean', description: 'the answer is right' },
      { name: 'tone', type: 'categorical', labels: ['polite', 'curt', 'rude'] },
    ],
  });
  await api('POST', `/api/queues/${QUEUE}/items`, { items: traces.map((t) => ({ traceId: t.traceId })) });
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

/** The trace id of the item on screen, once it is another than `before`; its question shown in the conversation. */
async function itemShown(page: Page, before: string | null): Promise<string> {
  const shown = page.getByTestId('review-item');
  await expect.poll(async () => ((await shown.isVisible()) ? await shown.textContent() : null), { timeout: 10_000 }).toMatch(/^trace [0-9a-f]{32}$/);
  await expect.poll(() => shown.textContent()).not.toBe(`trace ${before}`);
  const traceId = (await shown.textContent())!.slice('trace '.length);
  const question = traces.find((t) => t.traceId === traceId)!.question;
  await expect.poll(() => page.locator('.transcript .turn-user .turn-text').first().textContent(), { timeout: 10_000 }).toBe(question);
  return traceId;
}

describe("the reviewer's screen", () => {
  it('reviews three items and skips one with the keyboard alone; the scores arrive as human scores', async () => {
    const list = await open('/review');
    await expect.poll(() => list.locator(`tr[data-queue="${QUEUE}"] [data-testid="queue-done"]`).textContent(), { timeout: 10_000 }).toContain('0 / 4');
    await list.getByRole('link', { name: QUEUE }).click();
    await list.waitForURL((url) => url.pathname === `/review/${QUEUE}`);
    expect(await list.getByTestId('review-help').textContent()).toContain('1–9 pick');

    // Keys per item: the boolean entry's key, then the label's (focus moves on after each pick); null skips.
    const plan: ([string, string] | null)[] = [['1', '2'], null, ['2', '3'], ['1', '1']];
    const expected = new Map<string, { correct: number; tone: string }>();
    let shown: string | null = null;
    for (const keys of plan) {
      shown = await itemShown(list, shown);
      if (keys === null) {
        await list.keyboard.press('s');
        continue;
      }
      await list.keyboard.press(keys[0]);
      await list.keyboard.press(keys[1]);
      await list.keyboard.press('Enter');
      await list.getByTestId('review-submitted').waitFor();
      // Blind until now: once submitted, the reviews of the item show, this one's among them.
      expect(await list.getByTestId('review-others').textContent()).toContain(`tone ${['polite', 'curt', 'rude'][Number(keys[1]) - 1]}`);
      expected.set(shown, { correct: keys[0] === '1' ? 1 : 0, tone: ['polite', 'curt', 'rude'][Number(keys[1]) - 1]! });
      await list.keyboard.press('n');
    }
    await list.getByTestId('review-none-left').waitFor();
    expect(expected.size).toBe(3);

    const { scores } = await api<ScoreListResponse>('GET', '/api/scores?source=human&limit=100');
    const got = new Map<string, { correct?: number | null; tone?: string | null }>();
    for (const s of scores) {
      expect(s.source).toBe('human');
      const held = got.get(s.traceId!) ?? {};
      if (s.name === 'correct') held.correct = s.value;
      if (s.name === 'tone') held.tone = s.label;
      got.set(s.traceId!, held);
    }
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));

    // The progress tab counts them: three submitted and one skipped by this reviewer.
    await list.getByRole('tab', { name: 'Progress and agreement' }).click();
    await expect.poll(() => list.getByTestId('queue-progress').textContent()).toContain('3 of 4 items done');
    await list.getByTestId('agreement-entries').waitFor();
  });

  it("sends a corrected output to the queue's dataset, its source the trace, with the review", async () => {
    await api('POST', '/api/datasets', { name: 'support-fixes' });
    await api('POST', '/api/queues', {
      name: `${QUEUE}-fixes`,
      rubric: [{ name: 'correct', type: 'boolean', description: 'the answer is right' }],
      dataset: 'support-fixes',
    });
    await api('POST', `/api/queues/${QUEUE}-fixes/items`, { items: [{ traceId: traces[0]!.traceId }] });
    const page = await open(`/review/${QUEUE}-fixes`);
    expect(await itemShown(page, null)).toBe(traces[0]!.traceId);
    // A choice clicked leaves the keys to the screen: 2 then picks "no" over the "yes" clicked.
    await page.getByRole('radio', { name: 'yes' }).click();
    await page.keyboard.press('2');
    expect(await page.getByRole('radio', { name: 'no' }).isChecked()).toBe(true);
    await page.getByText('Corrected output, sent to a dataset').click();
    await page.getByLabel('Corrected output').fill('{"answer": "thirty days"}');
    // Ctrl+Enter submits from a text box, where Enter is a new line.
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('review-submitted').waitFor();
    expect(await page.getByTestId('review-submitted').textContent()).toContain('The corrected output is in support-fixes');
    const { items } = await api<DatasetItemsResponse>('GET', '/api/datasets/support-fixes/items');
    expect(items.map((i) => [i.expectedOutput, i.source?.traceId])).toEqual([[{ answer: 'thirty days' }, traces[0]!.traceId]]);
    const { scores } = await api<ScoreListResponse>('GET', `/api/scores?traceId=${traces[0]!.traceId}&name=correct&source=human`);
    expect(scores.map((s) => s.value)).toContain(0);
  });
});
