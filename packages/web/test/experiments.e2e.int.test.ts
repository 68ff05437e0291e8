import { randomBytes } from 'node:crypto';
import { type DatasetChangeResponse, type DatasetItemsResponse, EXPERIMENT_ATTRIBUTES, type Experiment, type ExperimentComparison } from '@spoor/model';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browsing, launchChromium, pagesOfEachTest, screenshot, startBrowsing } from './support/browser.js';
import { type SpoorServer, startSpoorServer, waitForTrace } from './support/spoor-server.js';

/**
 * Datasets and experiments in the dashboard, in Debian's Chromium against a real `spoor serve`: a
 * dataset built from traces with the "Add to dataset" buttons (a run, an LLM call, a filtered
 * list), read at a version, an item edited and one deleted, another dataset made from its form;
 * two SDK experiments' results posted through the API, shown over time on the dataset's page,
 * compared, the items sorted by a score's change and one opened with both outputs and its trace
 * diff.
 */

let server: SpoorServer;
let browser: Browser;
let browsing: Browsing;

const QUESTIONS = ['What is the capital of France?', 'How many legs has a spider?', 'Who wrote Hamlet?'];
const ANSWERS = ['Paris.', 'Eight.', 'Shakespeare.'];
/** Three runs of one agent: a root span and its LLM call each. */
const runs = QUESTIONS.map((question, i) => ({ traceId: hex(16), rootId: hex(8), llmId: hex(8), question, answer: ANSWERS[i]! }));

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const messages = (role: string, content: string) => JSON.stringify([{ role, parts: [{ type: 'text', content }] }]);

/** A run as OTLP/JSON: its root span and, inside it, the LLM call that answered. */
async function sendRun(
  run: { traceId: string; rootId: string; llmId: string; question: string; answer: string },
  service: string,
  rootAttributes: unknown[] = [],
): Promise<void> {
  const start = BigInt(Date.now() - 30_000) * 1_000_000n;
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
        resource: { attributes: [str('service.name', service)] },
        scopeSpans: [
          {
            spans: [
              span(run.rootId, '', 'answer question', 0, 500, rootAttributes),
              span(run.llmId, run.rootId, 'chat gpt-4o', 50, 400, [
                str('gen_ai.provider.name', 'openai'),
                str('gen_ai.operation.name', 'chat'),
                str('gen_ai.request.model', 'gpt-4o'),
                { key: 'gen_ai.usage.input_tokens', value: { intValue: '20' } },
                { key: 'gen_ai.usage.output_tokens', value: { intValue: String(run.answer.length) } },
                str('gen_ai.input.messages', messages('user', run.question)),
                str('gen_ai.output.messages', messages('assistant', run.answer)),
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

async function send<T>(method: string, path: string, body: unknown, status: number): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== status) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`);
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

beforeAll(async () => {
  server = await startSpoorServer();
  for (const run of runs) await sendRun(run, 'qa-agent');
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

const eventually = <T>(probe: () => T | Promise<T>, message?: string) => expect.poll(probe, { timeout: 10_000, message });

describe('datasets in the dashboard', () => {
  it('builds a dataset from a run, an LLM call and a filtered trace list, reads it at a version, edits an item, deletes one, and makes another from its form', async () => {
    const [first, second] = runs as [(typeof runs)[0], (typeof runs)[0]];
    // A whole run, into a dataset named there.
    const page = await open(`/traces/${first.traceId}`);
    await page.getByRole('button', { name: 'Add to dataset' }).click();
    const runForm = page.getByRole('form', { name: 'Add this run to a dataset' });
    await eventually(() => runForm.getByLabel('Dataset', { exact: true }).inputValue(), 'no dataset yet: a new one is offered').not.toBe('');
    await runForm.getByRole('textbox', { name: 'New dataset name' }).fill('qa');
    await runForm.getByRole('button', { name: 'Add this run' }).click();
    await page.getByRole('status').filter({ hasText: 'Added 1 item to qa (version 2).' }).waitFor();

    // One LLM call, from its inspector, into the dataset now listed.
    await page.goto(`${server.url}/traces/${second.traceId}?span=${second.llmId}`);
    const call = page.getByRole('region', { name: 'LLM call' });
    await call.getByRole('button', { name: 'Add to dataset' }).click();
    const callForm = call.getByRole('form', { name: 'Add this call to a dataset' });
    await eventually(() => callForm.getByLabel('Dataset', { exact: true }).inputValue()).toBe('qa');
    await callForm.getByRole('button', { name: 'Add this call' }).click();
    await call.getByRole('status').filter({ hasText: 'Added 1 item to qa (version 3).' }).waitFor();

    // Every trace the filter matches, whether or not its row is loaded. The first run is in qa
    // already: the dashboard names its item and adds nothing until asked to add it again.
    await page.goto(`${server.url}/?service=qa-agent`);
    await eventually(() => page.locator('table.traces-table tbody tr').count()).toBe(3);
    await page.getByRole('button', { name: 'Add to dataset' }).click();
    const listForm = page.getByRole('form', { name: /^Add the traces this filter matches/ });
    await eventually(() => listForm.getByLabel('Dataset', { exact: true }).inputValue()).toBe('qa');
    await listForm.getByRole('button', { name: /^Add the traces/ }).click();
    const held = (await getJson<DatasetItemsResponse>('/api/datasets/qa/items')).items[0]!.itemId;
    const asked = page.getByRole('alertdialog', { name: 'Already in the dataset' });
    await eventually(() => asked.textContent()).toContain(`The run of trace ${first.traceId} is already in qa as item …${held.slice(-8)}. Add it again?`);
    await screenshot(page, 'dataset-duplicate');
    await asked.getByRole('button', { name: 'Cancel' }).click();
    await asked.waitFor({ state: 'detached' });
    expect((await getJson<DatasetItemsResponse>('/api/datasets/qa/items')).version, 'nothing added').toBe(3);
    await listForm.getByRole('button', { name: /^Add the traces/ }).click();
    await asked.getByRole('button', { name: 'Add again' }).click();
    await page.getByRole('status').filter({ hasText: 'Added 3 items to qa (version 4).' }).waitFor();
    // Chromium logs each refusal the dashboard asked about; those two and nothing else.
    expect(browsing.takeProblems()).toEqual(Array.from({ length: 2 }, () => expect.stringContaining('the server responded with a status of 409 (Conflict)')));

    const stored = await getJson<DatasetItemsResponse>('/api/datasets/qa/items?limit=100');
    expect(stored.items.map((i) => [i.input, i.expectedOutput, i.source])).toEqual([
      [first.question, first.answer, { traceId: first.traceId, spanId: null }],
      [second.question, second.answer, { traceId: second.traceId, spanId: second.llmId }],
      ...[...runs].reverse().map((r) => [r.question, r.answer, { traceId: r.traceId, spanId: null }]),
    ]);

    // The Datasets page lists it; its page shows the items with their source traces.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Datasets' }).click();
    const row = page.locator('table.datasets-table tbody tr', { hasText: 'qa' });
    await eventually(() => row.locator('td').allTextContents()).toEqual(['qa', '–', '4', '5', expect.any(String)]);
    await row.getByRole('link', { name: 'qa' }).click();
    const items = page.locator('table.dataset-items tbody tr[data-item-id]');
    await eventually(() => items.count()).toBe(5);
    const firstRow = page.locator(`tr[data-item-id="${stored.items[0]!.itemId}"]`);
    expect(await firstRow.getByRole('link').getAttribute('href')).toBe(`/traces/${first.traceId}`);
    await screenshot(page, 'dataset-items');

    // An edit of the expected output makes version 5.
    await firstRow.getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByRole('form', { name: `Edit item ${stored.items[0]!.itemId}` });
    await editor.getByLabel('Expected output').fill('Paris, on the Seine.');
    await editor.getByRole('button', { name: 'Save as a new version' }).click();
    await eventually(() => page.getByLabel('Version').inputValue()).toBe('5');
    await eventually(() => firstRow.locator('td.value').nth(1).textContent()).toBe('Paris, on the Seine.');

    // Deleting an item makes version 6 without it; version 5 still has it.
    const lastRow = page.locator(`tr[data-item-id="${stored.items[4]!.itemId}"]`);
    await lastRow.getByRole('button', { name: 'Delete' }).click();
    await lastRow.getByRole('button', { name: `Delete item ${stored.items[4]!.itemId}` }).click();
    await eventually(() => page.getByLabel('Version').inputValue()).toBe('6');
    await eventually(() => items.count()).toBe(4);
    await page.getByLabel('Version').selectOption('5');
    await eventually(() => new URL(page.url()).searchParams.get('version')).toBe('5');
    await eventually(() => items.count()).toBe(5);
    expect(await page.getByTestId('dataset-item-count').textContent()).toBe('5 items');
    expect(await page.getByRole('button', { name: 'Edit' }).count(), 'an older version is read, not edited').toBe(0);

    // A dataset made from its form: a bad name is refused beside it, a good one opens the new dataset.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Datasets' }).click();
    const form = page.getByRole('form', { name: 'New dataset' });
    await form.getByLabel('Name').fill('two words');
    await form.getByRole('button', { name: 'New dataset' }).click();
    await form.getByRole('alert').filter({ hasText: 'name: 1 to 100 letters' }).waitFor();
    await form.getByLabel('Name').fill('drafts');
    await form.getByLabel('Description').fill('answers to check by hand');
    await form.getByRole('button', { name: 'New dataset' }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/datasets/drafts');
    await page.getByText('No items at this version.').waitFor();
    await page.goBack();
    await eventually(() => page.locator('table.datasets-table tbody tr', { hasText: 'drafts' }).locator('td').allTextContents()).toEqual([
      'drafts',
      'answers to check by hand',
      '1',
      '0',
      expect.any(String),
    ]);
  });
});

describe('comparing two runs from the trace list', () => {
  it('opens the two rows ticked side by side, the run that started first as A', async () => {
    const [first, second, third] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
    const page = await open('/?service=qa-agent');
    const rows = page.locator('table.traces-table tbody tr');
    await eventually(() => rows.count()).toBe(3);
    const compare = page.getByRole('button', { name: 'Compare', exact: true });
    expect(await compare.isDisabled(), 'nothing picked yet').toBe(true);
    const pick = (run: (typeof runs)[0]) => page.getByRole('checkbox', { name: `Pick answer question ${run.traceId} to compare` });
    // A third pick drops the first; ticking does not open the trace.
    await pick(third).check();
    await pick(first).check();
    await pick(second).check();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await pick(third).isChecked()).toBe(false);
    expect(await page.getByTestId('compare-picks').textContent()).toBe('2 of 2 picked');
    await compare.click();
    await eventually(() => new URL(page.url()).search).toBe(`?a=${first.traceId}&b=${second.traceId}`);
    await eventually(() => page.getByTestId('compare-summary').textContent()).toMatch(/^1 changed, 0 only in B, 0 only in A /);
  });
});

/**
 * An `sdk` experiment run as `runExperiment` runs it, by hand: made, each item's run sent as a
 * trace tagged with the experiment and the item, the results posted with the task's own score
 * (`exact`: 1 when the answer is the expected one), then finished.
 */
async function runExperiment(
  name: string,
  items: Array<{ itemId: string; question: string; expected: string }>,
  answers: readonly string[],
): Promise<Experiment> {
  const experiment = await send<Experiment>('POST', '/api/experiments', { dataset: 'capitals', name, target: { kind: 'sdk', replay: 'none' } }, 201);
  const results = [];
  for (const [i, item] of items.entries()) {
    const run = { traceId: hex(16), rootId: hex(8), llmId: hex(8), question: item.question, answer: answers[i]! };
    await sendRun(run, 'qa-experiments', [str(EXPERIMENT_ATTRIBUTES.id, experiment.id), str(EXPERIMENT_ATTRIBUTES.item, item.itemId)]);
    results.push({
      itemId: item.itemId,
      traceId: run.traceId,
      output: run.answer,
      latencyMs: 400 + 100 * i,
      scores: [{ name: 'exact', value: run.answer === item.expected ? 1 : 0 }],
    });
  }
  await send('POST', `/api/experiments/${experiment.id}/results`, { results }, 200);
  return send<Experiment>('POST', `/api/experiments/${experiment.id}/finish`, {}, 200);
}

describe('experiments in the dashboard', () => {
  it('shows a dataset’s runs over time, compares two, sorts the items by a score’s change and opens one with both outputs and its trace diff', async () => {
    await send('POST', '/api/datasets', { name: 'capitals' }, 201);
    const added = await send<DatasetChangeResponse>(
      'POST',
      '/api/datasets/capitals/items',
      { items: runs.map((r) => ({ fromTrace: { traceId: r.traceId } })) },
      201,
    );
    const items = runs.map((r, i) => ({ itemId: added.itemIds[i]!, question: r.question, expected: r.answer }));
    // The baseline gets the spider wrong; the candidate gets it right but misses Hamlet.
    const baseline = await runExperiment('baseline', items, ['Paris.', 'Six.', 'Shakespeare.']);
    const candidate = await runExperiment('candidate', items, ['Paris.', 'Eight.', 'Marlowe.']);
    expect([baseline.state, candidate.state]).toEqual(['done', 'done']);

    // Over time on the dataset's page: the mean of exact per run, and the runs, newest first.
    const page = await open('/datasets/capitals');
    const experiments = page.getByRole('region', { name: 'Experiments' });
    await eventually(() => experiments.getByRole('img').getAttribute('aria-label')).toBe('Score means per run, #1 to #2: exact 0.67, 0.67');
    const runRows = experiments.locator('table.runs-table tbody tr');
    await eventually(() => runRows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-experiment')))).toEqual([candidate.id, baseline.id]);
    expect(await runRows.first().locator('td').allTextContents()).toEqual([
      '',
      '2',
      'candidate',
      '2',
      '✓done',
      '3 / 3',
      '0',
      '0.67',
      expect.any(String),
      expect.any(String),
      '500 ms',
      expect.any(String),
    ]);
    await screenshot(page, 'dataset-experiments');

    // Picked newest first, compared with the older as the baseline.
    await experiments.getByRole('checkbox', { name: 'Pick run #2 candidate' }).check();
    await experiments.getByRole('checkbox', { name: 'Pick run #1 baseline' }).check();
    await experiments.getByRole('button', { name: 'Compare #1 with #2' }).click();
    await eventually(() => new URL(page.url()).pathname).toBe(`/experiments/${baseline.id}/compare/${candidate.id}`);

    const totals = page.getByRole('region', { name: 'Totals' });
    await eventually(() => totals.locator('tr[data-score-name="exact"] td').allTextContents()).toEqual(['exact', '0.67', '0.67', '±0', '3', '1', '1', '–', '']);
    expect(await totals.getByTestId('verdict-counts').textContent()).toBe('✕worse 1✕errored 0▲missing 0✓better 1✓fixed 0○same 1');
    const comparison = await getJson<ExperimentComparison>(`/api/experiments/${baseline.id}/compare/${candidate.id}`);
    expect(comparison.scores.map((s) => [s.name, s.better, s.worse])).toEqual([['exact', 1, 1]]);

    // Sorted by exact's change: worst first, then turned round.
    const rows = page.locator('table.compared-items tbody tr[data-item-id]');
    const order = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-item-id')));
    const [france, spider, hamlet] = items.map((i) => i.itemId) as [string, string, string];
    await eventually(order, 'the items in the order they were added').toEqual([france, spider, hamlet]);
    await page.getByRole('button', { name: 'exact', exact: true }).click();
    await eventually(order, 'the drop first').toEqual([hamlet, france, spider]);
    expect(new URL(page.url()).searchParams.get('sort')).toBe('score:exact');
    expect(await rows.first().getByTestId('verdict').textContent()).toBe('✕worse');
    await page.getByRole('button', { name: /^exact/ }).click();
    await eventually(order, 'the gain first').toEqual([spider, france, hamlet]);
    expect(await rows.first().getByTestId('verdict').textContent()).toBe('✓better');

    // The item that got worse, opened: both outputs as a line diff, and its two runs' trace diff.
    await page.locator(`tr[data-item-id="${hamlet}"]`).click();
    const opened = page.getByRole('region', { name: `Item ${hamlet}` });
    await eventually(() => opened.getByLabel('Output diff').innerText()).toBe('- Shakespeare.\n+ Marlowe.');
    await eventually(() => opened.getByTestId('compare-summary').textContent()).toContain('1 changed');
    expect(new URL(page.url()).searchParams.get('item')).toBe(hamlet);
    await screenshot(page, 'experiment-compare');
    await page.reload();
    await eventually(
      () =>
        page
          .getByRole('region', { name: `Item ${hamlet}` })
          .getByLabel('Output diff')
          .innerText(),
      'the sort and the opened item are kept in the URL',
    ).toBe('- Shakespeare.\n+ Marlowe.');
    expect(await order()).toEqual([spider, france, hamlet]);
  });
});
