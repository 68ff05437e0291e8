import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Score, ScoreListResponse } from '@spoor/model';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type Browsing, launchChromium, pagesOfEachTest, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer, waitForTrace } from './support/spoor-server.js';

/**
 * Scores in the dashboard, in Debian's Chromium against a real `spoor serve`: a person's thumbs
 * vote and comment on a trace and on an LLM call, stored and shown as theirs after a reload and
 * replaced when changed; the trace list's score columns and score filter; an evaluator made
 * through the form after its preview, backfilled from its row, its errors shown and retried; a
 * session's scores in the sessions list and on its page.
 */

let dir: string;
let fake: FakeLlm;

let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;
/** Two runs of one agent: a root span and its LLM call each. */
const runs = [0, 1].map(() => ({ traceId: randomBytes(16).toString('hex'), rootId: randomBytes(8).toString('hex'), llmId: randomBytes(8).toString('hex') }));
const [first, second] = runs as [(typeof runs)[0], (typeof runs)[0]];

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** A run's root span, with its session when it has one; its LLM call, answering `answer`. */
async function sendRun(run: (typeof runs)[0], answer: string, agoMs: number, sessionId: string | null = null): Promise<void> {
  const start = BigInt(Date.now() - agoMs) * 1_000_000n;
  const span = (spanId: string, parentSpanId: string, name: string, offsetMs: number, ms: number, attributes: unknown[]) => ({
    traceId: run.traceId,
    spanId,
    parentSpanId,
    name,
    kind: 1,
    startTimeUnixNano: String(start + BigInt(offsetMs) * 1_000_000n),
    endTimeUnixNano: String(start + BigInt(offsetMs + ms) * 1_000_000n),
    attributes,
  });
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'trip-agent')] },
        scopeSpans: [
          {
            spans: [
              span(run.rootId, '', 'plan trip', 0, 900, sessionId === null ? [] : [str('session.id', sessionId)]),
              span(run.llmId, run.rootId, 'chat gpt-4o', 100, 700, [
                str('gen_ai.provider.name', 'openai'),
                str('gen_ai.operation.name', 'chat'),
                str('gen_ai.request.model', 'gpt-4o'),
                str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan two days in Lisbon.' }] }])),
                str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: answer }] }])),
              ]),
            ],
          },
        ],
      },
    ],
  };
  const sent = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(sent.status).toBe(200);
  await waitForTrace(server.url, run.traceId, 2);
}

async function postScore(score: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${server.url}/api/scores`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(score) });
  if (response.status !== 201) throw new Error(`POST /api/scores answered ${response.status}: ${await response.text()}`);
}

async function scoresOf(traceId: string): Promise<Score[]> {
  const response = await fetch(`${server.url}/api/scores?traceId=${traceId}&limit=100`);
  expect(response.status).toBe(200);
  return ((await response.json()) as ScoreListResponse).scores;
}

beforeAll(async () => {
  // A file's judge on the loopback fake LLM, whose default answer is prose, not the JSON asked for: each judging fails.
  fake = await startFakeLlm();
  dir = await mkdtemp(join(tmpdir(), 'spoor-web-scores-'));
  await writeFile(join(dir, 'key'), 'sk-judge-test');
  await writeFile(
    join(dir, 'evaluators.yaml'),
    'evaluators:\n  - { name: relevance, kind: llm-judge, target: llm, builtin: answer-relevance, provider: openai, model: gpt-4o-mini }\n',
  );
  // A short quiet time, so the runs sent a minute ago are complete for the evaluator's preview.
  server = await startSpoorServer([
    '--trace-quiet',
    '1s',
    '--evaluators',
    join(dir, 'evaluators.yaml'),
    '--provider',
    `openai=file:${join(dir, 'key')},base=${fake.baseUrl}/v1,timeout=5s`,
  ]);
  await sendRun(first, 'Day 1: Alfama. Day 2: Belém.', 120_000);
  await sendRun(second, 'Sorry, I cannot help with travel.', 60_000);
  // What a program sent: a judge's score of the first run's LLM call, and a user's vote on the second run (from its app).
  await postScore({ traceId: first.traceId, spanId: first.llmId, name: 'faithfulness', value: 0.6, comment: 'Belém is not in Alfama' });
  await postScore({ traceId: second.traceId, name: 'faithfulness', value: 0.2 });
  await postScore({ traceId: second.traceId, name: 'thumbs', label: 'down', value: 0, comment: 'no answer' });
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

/** A page of the server at `path`; each test's pages are closed after it, and what went wrong in them fails it. */
const open = pagesOfEachTest(
  () => browsing,
  () => server.url,
);

const eventually = <T>(probe: () => T | Promise<T>, message?: string) => expect.poll(probe, { timeout: 10_000, message });
const traceVoting = (page: Page) => page.getByRole('group', { name: 'Your feedback on this trace' });
const spanVoting = (page: Page) => page.getByRole('group', { name: 'Your feedback on this span' });
const humanThumbs = async (traceId: string, spanId: string | null) =>
  (await scoresOf(traceId)).filter((s) => s.source === 'human' && s.name === 'thumbs' && s.spanId === spanId);

describe('scores on the trace page', () => {
  it('shows the trace’s and the LLM call’s scores, and keeps a thumbs vote with its comment across a reload, a changed vote replacing it', async () => {
    const page = await open(`/traces/${first.traceId}?span=${first.llmId}`);
    // The judge's score of the LLM call is in its inspector, with who made it and why.
    const callScores = page.getByRole('table', { name: 'Scores of this span' });
    await callScores.getByText('Belém is not in Alfama').waitFor();
    expect(await callScores.locator('tr[data-score-name="faithfulness"] [data-testid="score-value"]').textContent()).toBe('0.6');
    await page.getByRole('region', { name: 'Scores of this trace' }).getByText('No scores yet.').waitFor();

    const voting = traceVoting(page);
    await voting.getByRole('button', { name: 'Thumbs down' }).click();
    await eventually(() => voting.getByRole('button', { name: 'Thumbs down' }).getAttribute('aria-pressed'), 'the vote shows as chosen').toBe('true');
    await voting.getByRole('textbox', { name: 'Comment on this trace' }).fill('the days overlap');
    await voting.getByRole('button', { name: 'Save comment' }).click();
    await eventually(
      async () => (await humanThumbs(first.traceId, null)).map((s) => [s.label, s.value, s.comment]),
      'one vote, with its comment, is stored',
    ).toEqual([['down', 0, 'the days overlap']]);
    const traceTable = page.getByRole('table', { name: 'Scores of this trace' });
    await eventually(() => traceTable.locator('tr[data-score-name="thumbs"]').textContent()).toContain('the days overlap');

    // The LLM call gets a vote of its own.
    await spanVoting(page).getByRole('button', { name: 'Thumbs up' }).click();
    await eventually(async () => (await humanThumbs(first.traceId, first.llmId)).map((s) => s.label)).toEqual(['up']);

    await page.reload();
    await eventually(
      () => traceVoting(page).getByRole('button', { name: 'Thumbs down' }).getAttribute('aria-pressed'),
      'the stored vote is theirs after a reload',
    ).toBe('true');
    expect(await traceVoting(page).getByRole('button', { name: 'Thumbs up' }).getAttribute('aria-pressed')).toBe('false');
    expect(await traceVoting(page).getByRole('textbox', { name: 'Comment on this trace' }).inputValue()).toBe('the days overlap');
    await eventually(() => spanVoting(page).getByRole('button', { name: 'Thumbs up' }).getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'trace-scores');

    // Changed: the one slot holds the new vote, the comment kept; no second vote appears.
    await traceVoting(page).getByRole('button', { name: 'Thumbs up' }).click();
    await eventually(async () => (await humanThumbs(first.traceId, null)).map((s) => [s.label, s.comment])).toEqual([['up', 'the days overlap']]);
    await eventually(() => traceVoting(page).getByRole('button', { name: 'Thumbs up' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('table', { name: 'Scores of this trace' }).locator('tr[data-score-name="thumbs"]').count()).toBe(1);
  });
});

describe('scores in the trace list', () => {
  it('shows a column per score name and filters on a score from the URL-kept filter box', async () => {
    const page = await open('/');
    const rows = page.locator('table.traces-table tbody tr');
    /** The traces listed, as their links. */
    const listed = () => rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('a')?.getAttribute('href') ?? ''));
    await eventually(() => rows.count()).toBe(2);
    await eventually(() => page.locator('table.traces-table thead th.score-column').allTextContents(), 'a column per name on the page').toEqual([
      'faithfulness',
      'thumbs',
    ]);
    const cell = (traceId: string, name: string) => page.locator(`table.traces-table tbody tr:has(a[href="/traces/${traceId}"]) td[data-score="${name}"]`);
    // The first run: faithfulness 0.6 on its call, and the person's votes on it and its call, both up; the second: 0.2 and a down vote.
    await eventually(() => cell(first.traceId, 'faithfulness').textContent()).toBe('0.6');
    expect(await cell(first.traceId, 'thumbs').textContent()).toBe('up');
    expect(await cell(second.traceId, 'faithfulness').textContent()).toBe('0.2');
    expect(await cell(second.traceId, 'thumbs').textContent()).toBe('down');

    await page.getByRole('textbox', { name: 'Scores' }).fill('thumbs=down');
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually(() => new URL(page.url()).searchParams.getAll('score')).toEqual(['thumbs=down']);
    await eventually(listed, 'only the run voted down').toEqual([`/traces/${second.traceId}`]);

    await page.getByRole('textbox', { name: 'Scores' }).fill('faithfulness>=0.5 thumbs=up');
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually(() => new URL(page.url()).searchParams.getAll('score')).toEqual(['faithfulness>=0.5', 'thumbs=up']);
    await eventually(listed, 'only the run voted up with a faithful call').toEqual([`/traces/${first.traceId}`]);
    await page.reload();
    await eventually(() => page.getByRole('textbox', { name: 'Scores' }).inputValue(), 'the filter is kept in the URL').toBe('faithfulness>=0.5 thumbs=up');
    await eventually(listed).toEqual([`/traces/${first.traceId}`]);
    await screenshot(page, 'traces-score-filter');

    // A malformed filter is the server's 400, shown as it said it.
    await page.getByRole('textbox', { name: 'Scores' }).fill('faithfulness<<x');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('alert').filter({ hasText: 'score' }).waitFor();
    browsing.takeProblems(); // The browser logs the 400 as a console error; it is what the test asked for.
  });
});

describe('the evaluators page', () => {
  it('makes an evaluator through the form after its preview, shows a bad field beside it, pauses, resumes and edits it', async () => {
    const page = await open('/');
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Evaluators' }).click();
    await page.getByRole('button', { name: 'New evaluator' }).click();
    const form = page.getByRole('form', { name: 'New evaluator' });
    await form.getByLabel('Name').fill('mentions-lisbon');
    await form.getByLabel('Kind').selectOption('contains');
    await form.getByLabel('Text', { exact: true }).fill('Alfama');
    await form.getByLabel('Sample rate').fill('2');
    expect(await form.getByRole('button', { name: 'Create evaluator' }).isDisabled(), 'no save before a preview').toBe(true);

    await form.getByRole('button', { name: 'Preview' }).click();
    const rateError = form.locator(`[id="${await form.getByLabel('Sample rate').getAttribute('id')}-error"]`);
    await eventually(() => rateError.textContent(), 'the API’s objection is beside its field').toContain('sampleRate');
    expect(await form.getByLabel('Sample rate').getAttribute('aria-invalid')).toBe('true');
    browsing.takeProblems(); // The 400 of the bad spec, logged by the browser.

    await form.getByLabel('Sample rate').fill('1');
    await form.getByRole('button', { name: 'Preview' }).click();
    const preview = form.getByRole('table', { name: 'Preview' });
    // Both runs' LLM calls are judged: the first mentions Alfama, the second does not.
    await eventually(() => preview.getByTestId('preview-result').allTextContents(), 'the preview judged the recent calls').toEqual(
      expect.arrayContaining(['pass · 1', 'fail · 0']),
    );
    expect(await rateError.count()).toBe(0);
    await screenshot(page, 'evaluator-preview');

    await form.getByRole('button', { name: 'Create evaluator' }).click();
    const row = page.locator('tr[data-evaluator="mentions-lisbon"]');
    await eventually(() => row.getByTestId('evaluator-state').textContent()).toContain('active');
    expect(await row.locator('td').nth(1).textContent()).toBe('contains');
    const saved = await fetch(`${server.url}/api/evaluators/mentions-lisbon`);
    expect(await saved.json()).toMatchObject({ spec: { name: 'mentions-lisbon', kind: 'contains', target: 'llm', text: 'Alfama', sampleRate: 1 } });

    await row.getByRole('button', { name: 'Pause mentions-lisbon' }).click();
    await eventually(() => row.getByTestId('evaluator-state').textContent()).toContain('paused');
    await row.getByRole('button', { name: 'Resume mentions-lisbon' }).click();
    await eventually(() => row.getByTestId('evaluator-state').textContent()).toContain('active');

    // Edited: the form holds the saved spec, asks for a preview of the change, and the version rises.
    await row.getByRole('button', { name: 'Edit mentions-lisbon' }).click();
    const edit = page.getByRole('form', { name: 'Edit evaluator mentions-lisbon' });
    expect(await edit.getByLabel('Text', { exact: true }).inputValue()).toBe('Alfama');
    await edit.getByLabel('Text', { exact: true }).fill('Belém');
    await edit.getByRole('button', { name: 'Preview' }).click();
    await edit.getByRole('table', { name: 'Preview' }).waitFor();
    await edit.getByRole('button', { name: 'Save evaluator' }).click();
    await eventually(() => row.locator('td').first().textContent()).toContain('v2');
    const edited = await fetch(`${server.url}/api/evaluators/mentions-lisbon`);
    expect(await edited.json()).toMatchObject({ version: 2, spec: { text: 'Belém' } });
    await screenshot(page, 'evaluators');
  });
});

describe('the evaluator form of an LLM judge', () => {
  it("offers the server's providers and the built-in judges as choices, not free text", async () => {
    const page = await open('/evaluators');
    await page.getByRole('button', { name: 'New evaluator' }).click();
    const form = page.getByRole('form', { name: 'New evaluator' });
    await form.getByLabel('Kind').selectOption('llm-judge');
    const provider = form.getByLabel('Provider');
    await eventually(() => provider.locator('option').allTextContents(), "the server's providers").toEqual(['choose one', 'openai', 'demo']);
    expect(await form.getByLabel('Built-in judge').locator('option').allTextContents()).toEqual([
      'none: my prompt and output below',
      'faithfulness',
      'answer-relevance',
      'toxicity',
      'pii-leak',
    ]);
    expect(await form.getByLabel('Daily budget (USD)').getAttribute('placeholder')).toBe("10 (a judge's default)");
    await form.getByRole('button', { name: 'Cancel' }).click();
    await page.close();
  });
});

describe('deleting an evaluator', () => {
  it('asks once more in its row, keeps it on Keep, and removes it on Delete; a file evaluator has no Delete', async () => {
    const made = await fetch(`${server.url}/api/evaluators/to-delete`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'latency', target: 'trace', maxMs: 1000 }),
    });
    expect(made.status).toBe(201);
    const page = await open('/evaluators');
    const row = page.locator('tr[data-evaluator="to-delete"]');
    await row.getByRole('button', { name: 'Delete to-delete' }).click();
    await row.getByRole('button', { name: 'Keep to-delete' }).click();
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: 'Delete to-delete' }).click();
    await row.getByRole('button', { name: 'Confirm deleting to-delete' }).click();
    await eventually(() => row.count(), 'the row gone').toBe(0);
    expect((await fetch(`${server.url}/api/evaluators/to-delete`)).status).toBe(404);
    expect(await page.locator('tr[data-evaluator="relevance"]').getByRole('button', { name: 'Delete relevance' }).count()).toBe(0);
    await page.close();
  });
});

describe('evaluator jobs on the evaluators page', () => {
  it('backfills an evaluator over the last 24 hours from its row, shows the progress, then the scores it made', async () => {
    // Made after the runs ended: only a backfill judges them.
    const made = await fetch(`${server.url}/api/evaluators/names-belem`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'contains', target: 'llm', text: 'Belém' }),
    });
    expect(made.status).toBe(201);
    const page = await open('/evaluators');
    const row = page.locator('tr[data-evaluator="names-belem"]');
    await row.getByRole('button', { name: 'Backfill names-belem' }).click();
    const form = page.getByRole('form', { name: 'Backfill names-belem' });
    const from = await form.getByLabel('From').inputValue();
    expect(Math.abs(Date.now() - 86_400_000 - new Date(from).getTime()), `the range starts 24 hours ago, not at ${from}`).toBeLessThan(120_000);
    expect(await form.getByLabel('To').inputValue(), 'the range ends now').toBe('');

    await form.getByRole('button', { name: 'Start backfill' }).click();
    const progress = form.getByTestId('backfill-progress');
    await eventually(() => progress.getAttribute('data-state'), 'the progress is read until the job is done').toBe('done');
    // The traces of the range are the two runs and, once the file's judge has tried them, its own
    // traces (no target to judge): 2 or 4 by then. The two runs' calls are what is judged.
    expect(await progress.textContent()).toMatch(/^Done: ([24]) traces, \1 sampled in, 2 judged, 0 judged before\.$/);
    // The row's counts are read again: both calls judged, one mentions Belém and one does not.
    await eventually(() => row.locator('td').nth(4).textContent(), 'the scores made').toBe('2');
    await screenshot(page, 'evaluator-backfill');
  });

  it("shows a file evaluator's errors, each linking its call, and retries them without changing the evaluator", async () => {
    const started = await fetch(`${server.url}/api/evaluators/relevance/backfill`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: new Date(Date.now() - 3_600_000).toISOString() }),
    });
    expect(started.status).toBe(202);
    await eventually(async () => ((await (await fetch(`${server.url}/api/evaluators/relevance/backfill`)).json()) as { state: string }).state).toBe('done');

    const page = await open('/evaluators');
    const row = page.locator('tr[data-evaluator="relevance"]');
    const errorCount = row.getByTestId('evaluator-errors');
    await eventually(() => errorCount.textContent(), 'both calls failed').toContain('2');
    await row.getByRole('button', { name: 'Errors of relevance' }).click();
    const errors = page.getByRole('region', { name: 'Errors of relevance' });
    const links = errors.locator('tbody a');
    await eventually(() => links.evaluateAll((as) => as.map((a) => a.getAttribute('href')).sort())).toEqual(
      [`/traces/${first.traceId}?span=${first.llmId}`, `/traces/${second.traceId}?span=${second.llmId}`].sort(),
    );
    for (const text of await errors.locator('tbody td.evaluator-error-text').allTextContents())
      expect(text).toMatch(/^the judge's answer is not JSON: Hello from the fake LLM\./);

    // The judge still answers prose: both fail again.
    await errors.getByRole('button', { name: 'Retry' }).click();
    const outcome = errors.getByTestId('retry-outcome');
    await eventually(() => outcome.textContent()).toBe('Judged 2 targets again: 0 ok, 2 failed again.');
    // Now it answers as asked: both are scored, and the row's count and the list empty.
    const answer = { text: JSON.stringify({ explanation: 'It plans the days asked for.', score: 0.8 }) };
    fake.script(answer, answer);
    await errors.getByRole('button', { name: 'Retry' }).click();
    await eventually(() => outcome.textContent()).toBe('Judged 2 targets again: 2 ok, 0 failed again.');
    await eventually(() => errorCount.textContent(), 'the row read again').toBe('0');
    await errors.getByText('No target’s last judging failed.').waitFor();
    const evaluator = await (await fetch(`${server.url}/api/evaluators/relevance`)).json();
    expect(evaluator, 'a retry changes no definition').toMatchObject({ version: 1, source: 'file', errors: 0, scoresMade: 2 });
    await screenshot(page, 'evaluator-errors');
  });
});

describe('scores of sessions', () => {
  it("shows a column per score name in the sessions list, and the session's own and its runs' scores on its page", async () => {
    const session = 'trip-session-7';
    const [a, b] = [0, 1].map(() => ({
      traceId: randomBytes(16).toString('hex'),
      rootId: randomBytes(8).toString('hex'),
      llmId: randomBytes(8).toString('hex'),
    })) as [(typeof runs)[0], (typeof runs)[0]];
    // Ended well before the evaluators' last rounds looked: none of them judges these runs.
    await sendRun(a, 'Day 1: Alfama.', 90_000, session);
    await sendRun(b, 'Day 2: Belém.', 80_000, session);
    await postScore({ traceId: a.traceId, name: 'faithfulness', value: 0.5 });
    await postScore({ traceId: b.traceId, spanId: b.llmId, name: 'faithfulness', value: 1 });
    await postScore({ traceId: a.traceId, name: 'thumbs', label: 'up', value: 1 });
    await postScore({ traceId: b.traceId, name: 'thumbs', label: 'up', value: 1 });
    await postScore({ traceId: b.traceId, spanId: b.llmId, name: 'thumbs', label: 'down', value: 0 });
    // The session's own: a user's rating of the whole conversation.
    await postScore({ sessionId: session, name: 'resolved', label: 'yes' });
    await postScore({ sessionId: session, name: 'thumbs', label: 'down', value: 0, comment: 'took two tries' });

    const list = await open('/sessions');
    const cell = (name: string) => list.locator(`table.sessions-table tbody tr:has(a[title="${session}"]) td[data-score="${name}"]`);
    await eventually(() => cell('faithfulness').textContent(), 'the mean over its runs').toBe('0.75');
    expect(await cell('thumbs').textContent(), 'the labels of its runs counted, then its own').toBe('up 2 · down 1 · session: down');
    expect(await cell('resolved').textContent()).toBe('session: yes');
    expect(await list.locator('table.sessions-table thead th.score-column').allTextContents()).toEqual(
      expect.arrayContaining(['faithfulness', 'resolved', 'thumbs']),
    );
    await screenshot(list, 'sessions-scores');

    await list.getByRole('link', { name: session }).click();
    await list.getByRole('heading', { level: 1, name: `Session ${session}` }).waitFor();
    const own = list.getByRole('table', { name: 'Scores of this session' });
    await eventually(() => own.locator('tr[data-score-name="thumbs"]').textContent()).toContain('took two tries');
    expect(await own.locator('tr[data-score-name="resolved"] [data-testid="score-value"]').textContent()).toBe('yes');
    const pooled = list.getByRole('table', { name: 'Scores of its runs' });
    expect(await pooled.locator('tr[data-score-name="faithfulness"] [data-testid="score-value"]').textContent()).toBe('0.75');
    expect(await pooled.locator('tr[data-score-name="thumbs"] [data-testid="score-value"]').textContent()).toBe('up 2 · down 1');
    await list.getByRole('tab', { name: 'Runs' }).click();
    const runCell = (run: typeof a, name: string) => list.locator(`table.session-runs tr:has(a[href="/traces/${run.traceId}"]) td[data-score="${name}"]`);
    expect(await runCell(a, 'faithfulness').textContent()).toBe('0.5');
    expect(await runCell(b, 'faithfulness').textContent()).toBe('1');
    expect(await runCell(a, 'thumbs').textContent()).toBe('up');
    expect(await runCell(b, 'thumbs').textContent(), 'its own vote and its call’s').toBe('down (1/2)');
    await screenshot(list, 'session-scores');
  });
});
