import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetChangeResponse, ExperimentListResponse } from '@spoor/model';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer, waitForTrace } from './support/spoor-server.js';

/**
 * Experiments run from the dashboard, in Debian's Chromium, against a real `spoor serve` whose
 * provider is the loopback fake LLM: a name the server would refuse is named in the form before
 * anything is sent; a run started from the dataset's page shows its progress until done; a second
 * run with another model, system prompt and temperature links to its comparison with the first,
 * where an item's two runs line up span by span; the project's Experiments page lists both.
 */

let fake: FakeLlm;
let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;
let dir: string;
let page: Page | undefined;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const messages = (role: string, content: string) => JSON.stringify([{ role, parts: [{ type: 'text', content }] }]);

const CALLS = [
  { question: 'What is the capital of France?', answer: 'Paris.' },
  { question: 'How many legs has a spider?', answer: 'Eight.' },
].map((c) => ({ ...c, traceId: hex(16), rootId: hex(8), llmId: hex(8) }));
/** What the cheaper model gets wrong. */
const MINI_ANSWERS: Record<string, string> = { 'What is the capital of France?': 'Paris.', 'How many legs has a spider?': 'Six.' };

/** A recorded run: a root span and, inside it, the chat call that answered. */
async function sendRun(c: (typeof CALLS)[number]): Promise<void> {
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const span = (spanId: string, parentSpanId: string, name: string, attributes: unknown[]) => ({
    traceId: c.traceId,
    spanId,
    parentSpanId,
    name,
    kind: 1,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 500_000_000n),
    attributes,
  });
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'qa-agent')] },
        scopeSpans: [
          {
            spans: [
              span(c.rootId, '', 'answer question', []),
              span(c.llmId, c.rootId, 'chat gpt-4o', [
                str('gen_ai.provider.name', 'openai'),
                str('gen_ai.operation.name', 'chat'),
                str('gen_ai.request.model', 'gpt-4o'),
                { key: 'gen_ai.usage.input_tokens', value: { intValue: '20' } },
                { key: 'gen_ai.usage.output_tokens', value: { intValue: '3' } },
                str('gen_ai.input.messages', messages('user', c.question)),
                str('gen_ai.output.messages', messages('assistant', c.answer)),
              ]),
            ],
          },
        ],
      },
    ],
  };
  const sent = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(sent.status).toBe(200);
  await waitForTrace(server.url, c.traceId, 2);
}

async function send<T>(method: string, path: string, body: unknown, status: number): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== status) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** The user's question in a chat completion request, answered as each model would. */
function answerOf(request: Record<string, unknown>) {
  const asked = (request.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'user')?.content ?? '';
  const right = CALLS.find((c) => c.question === asked)?.answer ?? 'I do not know.';
  return { text: request.model === 'gpt-4o-mini' ? (MINI_ANSWERS[asked] ?? right) : right, usage: { inputTokens: 20, outputTokens: 3 } };
}

beforeAll(async () => {
  fake = await startFakeLlm();
  fake.answerWith(answerOf);
  dir = await mkdtemp(join(tmpdir(), 'spoor-web-experiment-run-'));
  await writeFile(join(dir, 'key'), 'sk-browser-test');
  server = await startSpoorServer(['--provider', `openai=file:${join(dir, 'key')},base=${fake.baseUrl}/v1`]);
  for (const c of CALLS) await sendRun(c);
  await send('POST', '/api/datasets', { name: 'capitals' }, 201);
  const items = CALLS.map((c) => ({ fromTrace: { traceId: c.traceId, spanId: c.llmId } }));
  await send<DatasetChangeResponse>('POST', '/api/datasets/capitals/items', { items }, 201);
  await send('PUT', '/api/evaluators/exact', { kind: 'equals', target: 'trace' }, 201);
  browser = await launchChromium();
  browsing = await startBrowsing(browser);
}, 60_000);

afterAll(async () => {
  await page?.close();
  await browsing?.close();
  await browser?.close();
  await server?.stop();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

const eventually = <T>(probe: () => T | Promise<T>, message?: string) => expect.poll(probe, { timeout: 30_000, message });

describe('running an experiment from the dataset page', () => {
  it('names a refused character before sending, shows a run until done, and opens its comparison with the run before it, item diffs aligned', async () => {
    page = await browsing.open(`${server.url}/datasets/capitals`);
    const section = page.getByRole('region', { name: 'Experiments' });
    await section.getByRole('button', { name: 'Run experiment' }).click();
    const form = section.getByRole('form', { name: 'Run experiment' });
    await eventually(() => form.getByLabel('Provider').locator('option').allTextContents(), 'the providers this server has').toEqual(['openai', 'demo']);
    await form.getByText('exact').waitFor();

    // The comma the README's example once had: named as it is typed, and nothing sent.
    await form.getByLabel('Name').fill('gpt-4o, as recorded');
    await form.getByRole('alert').filter({ hasText: 'the name may not hold “,”' }).waitFor();
    await screenshot(page, 'experiment-run-form');
    await form.getByLabel('Model').fill('gpt-4o');
    await form.getByRole('button', { name: 'Start' }).click();
    await form.getByRole('alert').filter({ hasText: 'the name may not hold “,”' }).waitFor();
    expect(((await (await fetch(`${server.url}/api/experiments`)).json()) as ExperimentListResponse).experiments, 'nothing was sent').toEqual([]);

    // The baseline: the recorded model, judged by exact; the first run has nothing to compare with.
    await form.getByLabel('Name').fill('baseline gpt-4o');
    await form.getByRole('checkbox', { name: 'exact' }).check();
    await form.getByRole('button', { name: 'Start' }).click();
    const baseline = page.getByRole('status', { name: 'Experiment baseline gpt-4o' });
    await eventually(() => baseline.textContent()).toContain('done: 2 items');
    await baseline.getByText('The first run on this dataset').waitFor();
    await eventually(() => section.locator('table.runs-table tbody tr').count()).toBe(1);

    // The candidate: a cheaper model told to be brief, a cooler temperature.
    await section.getByRole('button', { name: 'Run experiment' }).click();
    await form.getByLabel('Name').fill('candidate: gpt-4o-mini / brief');
    await form.getByLabel('Model').fill('gpt-4o-mini');
    await form.getByLabel('System prompt').fill('Answer in one word.');
    await form.getByLabel('Temperature').fill('0.2');
    await form.getByRole('checkbox', { name: 'exact' }).check();
    await form.getByRole('button', { name: 'Start' }).click();
    const candidate = page.getByRole('status', { name: 'Experiment candidate: gpt-4o-mini / brief' });
    await eventually(() => candidate.textContent()).toContain('done: 2 items');
    const sent = fake.requests.map((r) => r.body as { model?: string; messages: unknown[]; temperature?: number }).filter((b) => b.model === 'gpt-4o-mini');
    expect(sent).toHaveLength(2);
    for (const body of sent) expect(body).toMatchObject({ temperature: 0.2, messages: [{ role: 'system', content: 'Answer in one word.' }, { role: 'user' }] });
    await eventually(() => section.locator('table.runs-table tbody tr').count()).toBe(2);
    await screenshot(page, 'experiment-run-done');

    // Its comparison with the baseline: the spider got worse, and its two runs line up role by role.
    await candidate.getByRole('link', { name: 'Compare with baseline gpt-4o' }).click();
    await eventually(() => new URL(page!.url()).pathname).toMatch(/^\/experiments\/[0-9a-f]{32}\/compare\/[0-9a-f]{32}$/);
    const totals = page.getByRole('region', { name: 'Totals' });
    const exact = totals.locator('tr[data-score-name="exact"] td');
    await eventually(() => exact.allTextContents()).toEqual(['exact', '1', '0.5', '−0.5', '2', '0', '1', '–', 'fail 0 → 1, pass 2 → 1']);
    const spider = page.locator('table.compared-items tbody tr[data-item-id]', { hasText: 'spider' });
    await spider.click();
    const opened = page.getByRole('region', { name: /^Item / });
    await eventually(() => opened.getByLabel('Output diff').innerText()).toBe('- Eight.\n+ Six.');
    await eventually(() => opened.getByTestId('compare-summary').textContent()).toMatch(/^2 changed, 0 only in B, 0 only in A /);
    await screenshot(page, 'experiment-run-compare');

    // The project's Experiments page lists both runs, newest first, each with its dataset and model.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Experiments' }).click();
    const rows = page.locator('table.experiments-table tbody tr');
    await eventually(() => rows.count()).toBe(2);
    expect(await rows.first().locator('td').allTextContents()).toEqual([
      'candidate: gpt-4o-mini / brief',
      'capitals v2',
      'openai gpt-4o-mini',
      expect.stringContaining('done: 2 items'),
      '2',
      'exact 0.5',
      expect.any(String),
      'Compare with baseline gpt-4o',
    ]);
    expect(await rows.nth(1).locator('td').allTextContents()).toEqual([
      'baseline gpt-4o',
      'capitals v2',
      'openai gpt-4o',
      expect.stringContaining('done: 2 items'),
      '2',
      'exact 1',
      expect.any(String),
      '',
    ]);
    await screenshot(page, 'experiments-page');
    browsing.expectNoProblems();
  });
});
