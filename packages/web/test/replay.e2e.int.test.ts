import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type Browsing, launchChromium, screenshot, startBrowsing } from './support/browser.js';
import { type SpanToSend, postSpans } from './support/otlp-json.js';
import { type SpoorServer, startSpoorServer } from './support/spoor-server.js';

/**
 * Replay from the LLM inspector, in Debian's Chromium, against a real `spoor serve` whose
 * provider is the loopback fake LLM: edit the call, run it, read the new completion beside the
 * recorded one, and open the comparison of both runs.
 */

let fake: FakeLlm;
let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;
let dir: string;
const traceId = randomBytes(16).toString('hex');
const spanId = randomBytes(8).toString('hex');
/** A call recorded from Anthropic, which this server (OpenAI alone) cannot make as recorded. */
const anthropicTraceId = randomBytes(16).toString('hex');
const anthropicSpanId = randomBytes(8).toString('hex');

/** One recorded chat call with its messages, as an app's instrumentation sends it. */
const recordedCall = (ids: { traceId: string; spanId: string }, provider: string, model: string): SpanToSend => ({
  ...ids,
  name: `chat ${model}`,
  kind: 3,
  startMs: Date.now() - 60_000,
  endMs: Date.now() - 59_300,
  attributes: {
    'gen_ai.provider.name': provider,
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': model,
    'gen_ai.usage.input_tokens': 40,
    'gen_ai.usage.output_tokens': 12,
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan two days in Lisbon.' }] }]),
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Day 1: Alfama.' }] }]),
  },
});

beforeAll(async () => {
  fake = await startFakeLlm();
  dir = await mkdtemp(join(tmpdir(), 'spoor-web-replay-'));
  await writeFile(join(dir, 'key'), 'sk-browser-test');
  server = await startSpoorServer(['--provider', `openai=file:${join(dir, 'key')},base=${fake.baseUrl}/v1`]);
  for (const call of [
    recordedCall({ traceId, spanId }, 'openai', 'gpt-4o'),
    recordedCall({ traceId: anthropicTraceId, spanId: anthropicSpanId }, 'anthropic', 'claude-sonnet-4-6'),
  ])
    await postSpans(server.url, [call], 'trip-agent');
  browser = await launchChromium();
  browsing = await startBrowsing(browser);
}, 60_000);

afterAll(async () => {
  await browsing?.close();
  await browser?.close();
  await server?.stop();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('replay from the LLM inspector', () => {
  it('runs an edited call, shows both completions and opens the comparison', async () => {
    fake.script({ text: 'Day 1: Belém and pastéis.', usage: { inputTokens: 30, outputTokens: 9 } });
    const page = await browsing.open(`${server.url}/traces/${traceId}?span=${spanId}`);
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByLabel('Replay model').fill('gpt-4o-mini');
    await page.getByLabel('Message 1', { exact: true }).fill('Plan two days in Lisbon, with food.');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByTestId('replay-result').waitFor();
    expect(await page.getByTestId('replay-model').textContent()).toBe('gpt-4o-mini');
    await page.getByText('Day 1: Belém and pastéis.').waitFor();
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.body).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Plan two days in Lisbon, with food.' }] });
    await screenshot(page, 'replay-inspector');

    await page.getByRole('link', { name: 'Compare the runs' }).click();
    await expect.poll(() => page.getByTestId('compare-summary').textContent()).toContain('1 changed');
    await page.getByRole('button', { name: 'chat gpt-4o-mini' }).click();
    await page.getByText('gpt-4o → gpt-4o-mini').waitFor();
    await page.getByLabel('Prompt diff').waitFor();
    await screenshot(page, 'replay-compare');
    browsing.expectNoProblems();
    await page.close();
  });

  it('replays a call recorded from a provider this server lacks on one it has, chosen in the panel', async () => {
    fake.requests.length = 0;
    fake.script({ text: 'Day 1: Sintra.', usage: { inputTokens: 20, outputTokens: 5 } });
    const page = await browsing.open(`${server.url}/traces/${anthropicTraceId}?span=${anthropicSpanId}`);
    await page.getByRole('button', { name: 'Replay' }).click();
    const provider = page.getByLabel('Replay provider');
    await expect.poll(() => provider.locator('option').allTextContents()).toEqual(['as recorded', 'openai', 'demo']);
    await provider.selectOption('openai');
    await page.getByLabel('Replay model').fill('gpt-4o-mini');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByTestId('replay-result').waitFor();
    await page.getByText('Day 1: Sintra.').waitFor();
    expect(fake.requests.map((r) => [r.path, (r.body as { model: string }).model])).toEqual([['/v1/chat/completions', 'gpt-4o-mini']]);
    browsing.expectNoProblems();
    await page.close();
  });

  it("leaves the replays, Spoor's own traces, out of the trace list until asked, and shows what they cost apart", async () => {
    const page = await browsing.open(`${server.url}/`);
    const rows = page.locator('table.traces-table tbody tr');
    // Both recorded calls started a minute before the tests, in the same millisecond or not: compared in name order.
    const roots = async () => (await rows.locator('a[href^="/traces/"]').allTextContents()).sort();
    // The replays of the tests before: stored once acknowledged, so wait for them under "Spoor's own".
    await expect.poll(roots).toEqual(['chat claude-sonnet-4-6', 'chat gpt-4o']);
    const origin = page.getByLabel('Traces');
    await origin.selectOption({ label: "Spoor's own" });
    await expect.poll(roots, { timeout: 10_000 }).toEqual(['replay chat claude-sonnet-4-6', 'replay chat gpt-4o']);
    expect(new URL(page.url()).searchParams.get('origin')).toBe('spoor');
    await screenshot(page, 'traces-spoor-own');
    await page.getByLabel('Traces').selectOption({ label: 'Both' });
    const both = ['chat claude-sonnet-4-6', 'chat gpt-4o', 'replay chat claude-sonnet-4-6', 'replay chat gpt-4o'];
    await expect.poll(roots).toEqual(both);
    await page.getByLabel('Traces').selectOption({ label: "The app's" });
    await expect.poll(roots).toEqual(['chat claude-sonnet-4-6', 'chat gpt-4o']);
    expect(new URL(page.url()).searchParams.has('origin')).toBe(false);

    // What the replays cost is Spoor's own, said apart from the app's charts, with a way to their traces.
    await page.goto(`${server.url}/charts`);
    const own = page.getByTestId('spoor-cost');
    await expect.poll(() => own.textContent(), { timeout: 10_000 }).toMatch(/^Spoor's own cost in this range: <?\$[\d.]+ for 2 LLM calls/);
    await own.getByRole('link', { name: 'Its traces' }).click();
    await expect.poll(roots).toEqual(['replay chat claude-sonnet-4-6', 'replay chat gpt-4o']);
    // A link to Spoor's own service lists its traces, and the picker says whose they are.
    await page.goto(`${server.url}/?service=spoor-replay`);
    await expect.poll(roots).toEqual(['replay chat claude-sonnet-4-6', 'replay chat gpt-4o']);
    expect(await page.getByLabel('Traces').locator('option:checked').textContent()).toBe("Spoor's own");
    browsing.expectNoProblems();
    await page.close();
  });
});
