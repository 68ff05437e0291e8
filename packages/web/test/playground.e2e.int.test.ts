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
 * The playground, in Debian's Chromium, against a real `spoor serve` whose provider is the
 * loopback fake LLM: a recorded call opened from its trace, a variable and the model edited, run
 * on two models side by side, each answer beside the original with a diff and recorded as a trace;
 * an empty call, run as given; and a prompt version opened from its page, its answer streamed,
 * compared with the next run's and saved as its next version.
 */

let fake: FakeLlm;
let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;
let dir: string;
const traceId = randomBytes(16).toString('hex');
const spanId = randomBytes(8).toString('hex');

/** One recorded chat call whose prompt has a `{{city}}` variable, as an app's instrumentation sends it. */
const recordedCall = (): SpanToSend => ({
  traceId,
  spanId,
  name: 'chat gpt-4o',
  kind: 3,
  startMs: Date.now() - 60_000,
  endMs: Date.now() - 59_300,
  attributes: {
    'gen_ai.provider.name': 'openai',
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 40,
    'gen_ai.usage.output_tokens': 12,
    'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You plan trips.' }]),
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan two days in {{city}}.' }] }]),
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Day 1: Alfama.' }] }]),
  },
});

beforeAll(async () => {
  fake = await startFakeLlm();
  dir = await mkdtemp(join(tmpdir(), 'spoor-web-playground-'));
  await writeFile(join(dir, 'key'), 'sk-browser-test');
  server = await startSpoorServer(['--provider', `openai=file:${join(dir, 'key')},base=${fake.baseUrl}/v1`]);
  await postSpans(server.url, [recordedCall()], 'trip-agent');
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

describe('the playground', () => {
  it('opens a recorded call from its trace, fills a variable, changes the model, and runs it on two models side by side', async () => {
    fake.requests.length = 0;
    fake.script({ text: 'Day 1: Ribeira.', usage: { inputTokens: 30, outputTokens: 9 } });
    fake.script({ text: 'Day 1: Ribeira.', usage: { inputTokens: 30, outputTokens: 9 } });
    const page = await browsing.open(`${server.url}/traces/${traceId}?span=${spanId}`);
    await page.getByRole('link', { name: 'Open in playground' }).click();
    await expect.poll(() => page.getByLabel('Model', { exact: true }).inputValue()).toBe('gpt-4o');
    expect(await page.getByLabel('Message 1', { exact: true }).inputValue()).toBe('Plan two days in {{city}}.');
    await page.getByLabel('Variable city').fill('Porto');
    await page.getByLabel('Model', { exact: true }).fill('gpt-4o-mini');
    await page.getByLabel('Second model').fill('gpt-4.1-nano');
    await page.getByLabel('Max tokens').fill('80');
    await page.getByRole('button', { name: 'Run' }).click();
    const first = page.getByRole('region', { name: 'Run 1: gpt-4o-mini' });
    const second = page.getByRole('region', { name: 'Run 2: gpt-4.1-nano' });
    // Each answer streams in, then its tokens and cost arrive with the run's end.
    await first.getByTestId('side-model').waitFor();
    await second.getByTestId('side-model').waitFor();

    // The provider got the call with the variable filled in, once per model, asked to stream.
    expect(fake.requests.map((r) => (r.body as { model: string }).model).sort()).toEqual(['gpt-4.1-nano', 'gpt-4o-mini']);
    for (const request of fake.requests) {
      expect(request.body).toMatchObject({
        stream: true,
        max_completion_tokens: 80,
        messages: [
          { role: 'system', content: 'You plan trips.' },
          { role: 'user', content: 'Plan two days in Porto.' },
        ],
      });
    }
    // The original beside both runs: model, tokens and completion.
    const recorded = page.getByRole('region', { name: 'Recorded' });
    expect(await recorded.getByTestId('side-model').textContent()).toBe('gpt-4o');
    expect(await recorded.getByTestId('side-tokens').textContent()).toBe('40 / 12');
    expect(await first.getByTestId('side-model').textContent()).toBe('gpt-4o-mini');
    expect(await first.getByTestId('side-tokens').textContent()).toBe('30 / 9');
    await first.getByText('Day 1: Ribeira.').first().waitFor();
    await second.getByText('Day 1: Ribeira.').first().waitFor();
    // Each run compared word by word with the recorded completion.
    const diff = first.getByLabel('Diff against the recorded completion');
    expect(await diff.locator('del').allTextContents()).toEqual(['Alfama.']);
    expect(await diff.locator('ins').allTextContents()).toEqual(['Ribeira.']);
    await screenshot(page, 'playground-two-models');

    // The edited call kept as a prompt's version: its variable as written, the model and limit as its config.
    await page.getByLabel('Prompt name').fill('trip-planner');
    await page.getByRole('button', { name: 'Save as prompt' }).click();
    await page.getByRole('status').getByText('version 1').waitFor();
    const saved = (await (await fetch(`${server.url}/api/prompts/trip-planner?version=1`)).json()) as {
      prompt: Array<{ role: string; content: string }>;
      variables: string[];
      config: { model: string | null; maxTokens: number | null };
    };
    expect(saved.prompt.at(-1)).toEqual({ role: 'user', content: 'Plan two days in {{city}}.' });
    expect(saved.variables).toEqual(['city']);
    expect(saved.config).toMatchObject({ model: 'gpt-4o-mini', maxTokens: 80 });

    // Each run is a trace of its own: the link opens it, a replay of the call with the new model.
    await first.getByRole('link', { name: "Open the run's trace" }).click();
    await page.getByTestId('waterfall').getByText('chat gpt-4o-mini').first().waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/traces\/[0-9a-f]{32}$/);
    browsing.expectNoProblems();
    await page.close();
  });

  it('runs an empty call as given on the provider chosen, with a message added and one removed', async () => {
    fake.requests.length = 0;
    fake.script({ text: 'Bom dia!', usage: { inputTokens: 8, outputTokens: 3 } });
    const page = await browsing.open(`${server.url}/playground`);
    await expect.poll(() => page.getByLabel('Provider').inputValue()).toBe('openai');
    await page.getByLabel('Message 1', { exact: true }).fill('Say good morning in {{language}}.');
    await page.getByRole('button', { name: 'Add message' }).click();
    await page.getByLabel('Message 2', { exact: true }).fill('a message to remove');
    await page.getByRole('button', { name: 'Remove message 2' }).click();
    await page.getByLabel('Variable language').fill('Portuguese');
    await page.getByLabel('Model', { exact: true }).fill('gpt-4o-mini');
    await page.getByRole('button', { name: 'Run' }).click();
    const run = page.getByRole('region', { name: 'Run 1: gpt-4o-mini' });
    await run.getByTestId('side-model').waitFor();
    await run.getByText('Bom dia!').first().waitFor();
    expect(await page.getByRole('region', { name: 'Recorded' }).count()).toBe(0);
    expect(fake.requests).toHaveLength(1);
    expect((fake.requests[0]!.body as { messages: unknown[] }).messages).toEqual([{ role: 'user', content: 'Say good morning in Portuguese.' }]);
    await run.getByRole('link', { name: "Open the run's trace" }).click();
    await page.getByTestId('waterfall').getByText('chat gpt-4o-mini').first().waitFor();
    browsing.expectNoProblems();
    await page.close();
  });
  it('opens a prompt version from its page, shows the answer as it streams, compares the next run with it, and saves the next version', async () => {
    const made = await fetch(`${server.url}/api/prompts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'greeter', prompt: 'Greet {{name}} in one line.', config: { model: 'gpt-4o-mini', temperature: 0.2 } }),
    });
    expect(made.status).toBe(201);
    fake.requests.length = 0;
    // The role and the first word go out; the provider holds the rest until the page has shown it.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.script({ chunks: ['Hello ', 'Ana, ', 'welcome!'], streamHeld: { afterEvents: 2, until: held } });
    const page = await browsing.open(`${server.url}/prompts/greeter`);
    await page.getByRole('link', { name: 'Open version 1 in the playground' }).click();
    await expect.poll(() => page.getByLabel('Model', { exact: true }).inputValue()).toBe('gpt-4o-mini');
    expect(await page.getByLabel('Temperature').inputValue()).toBe('0.2');
    expect(await page.getByLabel('Message 1', { exact: true }).inputValue()).toBe('Greet {{name}} in one line.');
    await page.getByLabel('Variable name').fill('Ana');
    await page.getByRole('button', { name: 'Run' }).click();
    const run = page.getByRole('region', { name: 'Run 1: gpt-4o-mini' });
    await run.getByLabel('Run 1: gpt-4o-mini as it streams').getByText('Hello').waitFor();
    expect(await run.getByTestId('side-model').count()).toBe(0);
    release();
    await run.getByTestId('side-model').waitFor();
    expect((fake.requests[0]!.body as { messages: unknown[] }).messages).toEqual([{ role: 'user', content: 'Greet Ana in one line.' }]);

    // An edit, run again: the answer compared word by word with the previous one.
    fake.script({ chunks: ['Hello ', 'Ana, ', 'good ', 'morning!'] });
    await page.getByLabel('Message 1', { exact: true }).fill('Greet {{name}} warmly in one line.');
    await page.getByRole('button', { name: 'Run' }).click();
    const diff = run.getByLabel('Diff against the previous run (gpt-4o-mini)');
    await diff.waitFor();
    expect(await diff.locator('del').allTextContents()).toEqual(['welcome!']);
    expect(await diff.locator('ins').allTextContents()).toEqual(['good morning!']);
    await screenshot(page, 'playground-prompt-diff');

    // Saved under its own name as the next version, still a text prompt, its variable kept.
    expect(await page.getByLabel('Prompt name').inputValue()).toBe('greeter');
    await page.getByRole('button', { name: 'Save as prompt' }).click();
    await page.getByRole('status').getByText('version 2').waitFor();
    const saved = (await (await fetch(`${server.url}/api/prompts/greeter?version=2`)).json()) as Record<string, unknown>;
    expect(saved).toMatchObject({
      type: 'text',
      prompt: 'Greet {{name}} warmly in one line.',
      variables: ['name'],
      config: { model: 'gpt-4o-mini', temperature: 0.2 },
    });
    browsing.expectNoProblems();
    await page.close();
  });
});
