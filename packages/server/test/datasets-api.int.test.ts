import type { Dataset, DatasetChangeResponse, DatasetItem, DatasetItemsResponse, DatasetListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiAnswer, type CallOptions, type TestServer, callJson, errorOf, makeKey, startTestServer } from './support/server.js';
import { llmTraceBody, traceBody } from './support/trace-bodies.js';

/**
 * The datasets API against a real server (database thread, DuckDB): versions made by every
 * change and read back as they were, items all or none, items taken from traces, keys by role.
 * Access by project, and every spelling of the paths, are walked with every other route
 * (`access*.int.test.ts`); the store's reads hold on every engine (`store-contract-datasets.ts`).
 */

const LLM_TRACE = 'bb5b0a1d3c7e9f4a2b8c6d0e1f2a3b4c';
const LLM_SPAN = 'cccccccccccccccc';
const PLAIN_TRACE = 'dd5b0a1d3c7e9f4a2b8c6d0e1f2a3b4c';
const UNKNOWN_TRACE = 'ee5b0a1d3c7e9f4a2b8c6d0e1f2a3b4c';

let server: TestServer;
let adminKey = '';
let ingestKey = '';
let readKey = '';

const call = <T = unknown>(method: string, path: string, options: CallOptions & { body?: unknown } = {}): Promise<ApiAnswer<T>> =>
  callJson<T>(server.url, method, path, options.body, options);
const make = (name: string, description?: string) => call<Dataset>('POST', '/api/datasets', { body: { name, description }, key: ingestKey });
const add = (name: string, items: unknown[], key = ingestKey) => call<DatasetChangeResponse>('POST', `/api/datasets/${name}/items`, { body: { items }, key });
const items = (name: string, query = '') => call<DatasetItemsResponse>('GET', `/api/datasets/${name}/items${query}`, { key: readKey });
const inputs = async (name: string, query = ''): Promise<unknown[]> => (await items(name, query)).body.items.map((i) => i.input);

beforeAll(async () => {
  server = await startTestServer();
  adminKey = await makeKey(server.url, '*', 'admin');
  ingestKey = await makeKey(server.url, 'default', 'ingest', adminKey);
  readKey = await makeKey(server.url, 'default', 'read', adminKey);
  for (const body of [llmTraceBody(LLM_TRACE, LLM_SPAN), traceBody(PLAIN_TRACE, 2)])
    expect((await call('POST', '/v1/traces', { raw: body, key: ingestKey })).status).toBe(200);
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

describe('datasets', () => {
  it('makes a dataset at version 1, refuses the name again with 409 and a bad name with 400, and lists and reads it', async () => {
    const made = await make('qa-set', 'questions with one answer');
    expect(made.status).toBe(201);
    expect(made.body).toEqual({
      name: 'qa-set',
      description: 'questions with one answer',
      version: 1,
      itemCount: 0,
      createdAt: expect.any(String),
      updatedAt: made.body.createdAt,
    });
    expect(errorOf(await make('qa-set'))).toBe('409 dataset qa-set exists');
    expect(errorOf(await make('no spaces'))).toMatch(/^400 name: 1 to 100 letters/);
    expect((await call<Dataset>('GET', '/api/datasets/qa-set', { key: readKey })).body).toEqual(made.body);
    expect((await call<DatasetListResponse>('GET', '/api/datasets', { key: readKey })).body.datasets.map((d) => d.name)).toContain('qa-set');
    expect(errorOf(await call('GET', '/api/datasets/never-made', { key: readKey }))).toBe('404 dataset never-made was not found');
    expect(errorOf(await add('never-made', [{ input: 'x' }]))).toBe('404 dataset never-made was not found');
  });

  it('makes a version with every change and reads each as it was: added, edited, deleted, described', async () => {
    await make('versions');
    const added = await add('versions', [
      { input: 'two plus two', expectedOutput: '4', metadata: { topic: 'sums' } },
      { input: { question: 'capital of France' } },
    ]);
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      dataset: 'versions',
      version: 2,
      itemIds: [expect.stringMatching(/^[0-9a-f]{32}$/), expect.stringMatching(/^[0-9a-f]{32}$/)],
    });
    const [first, second] = added.body.itemIds;
    // Ids sort in the order the items were sent.
    expect(first! < second!).toBe(true);
    const edited = await call<DatasetChangeResponse & { item: DatasetItem }>('PUT', `/api/datasets/versions/items/${first}`, {
      body: { input: 'two plus three', expectedOutput: '5' },
      key: ingestKey,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      version: 3,
      item: { itemId: first, input: 'two plus three', expectedOutput: '5', metadata: { topic: 'sums' }, version: 3 },
    });
    const removed = await call<DatasetChangeResponse>('DELETE', `/api/datasets/versions/items/${second}`, { key: adminKey });
    expect(removed.body).toEqual({ dataset: 'versions', version: 4, itemIds: [second] });

    expect(await inputs('versions', '?version=2')).toEqual(['two plus two', { question: 'capital of France' }]);
    expect(await inputs('versions', '?version=3')).toEqual(['two plus three', { question: 'capital of France' }]);
    const newest = await items('versions', '?version=4');
    expect(newest.body).toEqual({
      dataset: 'versions',
      version: 4,
      nextCursor: null,
      items: [
        { itemId: first, input: 'two plus three', expectedOutput: '5', metadata: { topic: 'sums' }, source: null, createdAt: expect.any(String), version: 3 },
      ],
    });
    const described = await call<Dataset>('PATCH', '/api/datasets/versions', { body: { description: 'sums and capitals' }, key: ingestKey });
    expect(described.body).toMatchObject({ version: 5, description: 'sums and capitals', itemCount: 1 });
    expect((await call<Dataset>('GET', '/api/datasets/versions?version=4', { key: readKey })).body).toMatchObject({ version: 4, description: '' });
    expect((await call<Dataset>('GET', '/api/datasets/versions?version=2', { key: readKey })).body).toMatchObject({ version: 2, itemCount: 2 });
    expect((await call<Dataset>('GET', '/api/datasets/versions', { key: readKey })).body).toMatchObject({ version: 5, itemCount: 1 });
    expect(errorOf(await call('GET', '/api/datasets/versions?version=9', { key: readKey }))).toBe('404 dataset versions has no version 9');
    expect(errorOf(await call('PUT', `/api/datasets/versions/items/${second}`, { body: { input: 'back' }, key: ingestKey }))).toBe(
      `404 item ${second} of dataset versions was not found`,
    );
  });

  it('adds all the items or none: a bad one is a 400 naming its index and field, and no version is made', async () => {
    await make('all-or-none');
    expect(errorOf(await add('all-or-none', [{ input: 'fine' }, { input: 'fine too' }, { expectedOutput: 'no input' }]))).toBe(
      '400 items[2].input: an item needs an input (or fromTrace)',
    );
    expect(errorOf(await add('all-or-none', [{ input: 'fine' }, { input: 'x', metadata: [1] }]))).toBe('400 items[1].metadata: must be an object');
    expect(errorOf(await add('all-or-none', [{ input: 'fine' }, { input: null }]))).toBe('400 items[1].input: an item needs an input (or fromTrace)');
    expect(errorOf(await add('all-or-none', [{ input: 'x', colour: 'red' }]))).toMatch(/^400 items\[0\]\.colour: not a field of an item/);
    expect(errorOf(await add('all-or-none', [{ input: 'fine' }, { fromTrace: { traceId: UNKNOWN_TRACE } }]))).toBe(
      `404 items[1].fromTrace: trace ${UNKNOWN_TRACE} was not found`,
    );
    expect(errorOf(await add('all-or-none', []))).toMatch(/^400 /);
    expect((await call<Dataset>('GET', '/api/datasets/all-or-none', { key: readKey })).body).toMatchObject({ version: 1, itemCount: 0 });
  });

  it("takes an item's input and expected output from a trace's run or an LLM call, keeping the trace as its source", async () => {
    await make('from-traces');
    const added = await add('from-traces', [
      { fromTrace: { traceId: LLM_TRACE.toUpperCase() } },
      { fromTrace: { traceId: LLM_TRACE, spanId: LLM_SPAN }, metadata: { picked: 'by hand' } },
      { fromTrace: { traceId: LLM_TRACE, spanId: LLM_SPAN }, expectedOutput: 'Lisboa' },
    ]);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const read = (await items('from-traces')).body.items;
    expect(read.map(({ input, expectedOutput, metadata, source }) => ({ input, expectedOutput, metadata, source }))).toEqual([
      { input: 'What is the capital of Portugal?', expectedOutput: 'Lisbon.', metadata: {}, source: { traceId: LLM_TRACE, spanId: null } },
      {
        input: 'What is the capital of Portugal?',
        expectedOutput: 'Lisbon.',
        metadata: { picked: 'by hand' },
        source: { traceId: LLM_TRACE, spanId: LLM_SPAN },
      },
      { input: 'What is the capital of Portugal?', expectedOutput: 'Lisboa', metadata: {}, source: { traceId: LLM_TRACE, spanId: LLM_SPAN } },
    ]);
    expect(errorOf(await add('from-traces', [{ fromTrace: { traceId: LLM_TRACE, spanId: 'ffffffffffffffff' } }]))).toBe(
      `404 items[0].fromTrace: span ffffffffffffffff of trace ${LLM_TRACE} was not found`,
    );
    expect(errorOf(await add('from-traces', [{ fromTrace: { traceId: PLAIN_TRACE } }]))).toMatch(
      new RegExp(`^400 items\\[0\\]\\.fromTrace: trace ${PLAIN_TRACE} has no recorded input`),
    );
    expect(errorOf(await add('from-traces', [{ fromTrace: { traceId: 'abc' } }]))).toBe('400 items[0].fromTrace.traceId: must be 32 hex characters');
    expect(errorOf(await add('from-traces', [{ fromTrace: { traceId: LLM_TRACE }, input: 'both' }]))).toBe(
      '400 items[0].input: give an input or fromTrace, not both',
    );
    // An item given with its source (an export imported again) keeps it.
    const kept = await add('from-traces', [{ input: 'copied', source: { traceId: LLM_TRACE.toUpperCase(), spanId: LLM_SPAN } }]);
    expect(kept.status).toBe(201);
    expect((await items('from-traces', '?limit=10')).body.items.at(-1)).toMatchObject({ input: 'copied', source: { traceId: LLM_TRACE, spanId: LLM_SPAN } });
    expect(errorOf(await add('from-traces', [{ input: 'x', source: { traceId: LLM_TRACE, spanId: 'short' } }]))).toBe(
      '400 items[0].source.spanId: must be 16 hex characters',
    );
  });

  it('refuses a run or a call the dataset already holds with 409 naming its item, unless the request allows the duplicate', async () => {
    await make('once');
    const run = { fromTrace: { traceId: LLM_TRACE } };
    const call_ = { fromTrace: { traceId: LLM_TRACE, spanId: LLM_SPAN } };
    const first = await add('once', [run]);
    expect(first.status).toBe(201);
    const [runItem] = first.body.itemIds;
    // The run again, even beside a new item: nothing is written.
    expect(errorOf(await add('once', [{ input: 'new' }, { fromTrace: { traceId: LLM_TRACE.toUpperCase() } }]))).toBe(
      `409 items[1].fromTrace: trace ${LLM_TRACE} is already in dataset once as item ${runItem}: send allowDuplicate: true to add it again`,
    );
    const refused = await call<{ error: { code: string } }>('POST', '/api/datasets/once/items', { body: { items: [run] }, key: ingestKey });
    expect(refused.body.error.code).toBe('ERR_DATASET_DUPLICATE');
    // One call of that run is another source; then that call is held too.
    const callAdded = await add('once', [call_]);
    expect(callAdded.status).toBe(201);
    const callItem = callAdded.body.itemIds[0];
    expect(errorOf(await add('once', [call_]))).toBe(
      `409 items[0].fromTrace: span ${LLM_SPAN} of trace ${LLM_TRACE} is already in dataset once as item ${callItem}: ` +
        'send allowDuplicate: true to add it again',
    );
    expect((await call<Dataset>('GET', '/api/datasets/once', { key: readKey })).body).toMatchObject({ version: 3, itemCount: 2 });
    // Asked for, the duplicate is added.
    const again = await call<DatasetChangeResponse>('POST', '/api/datasets/once/items', { body: { items: [run], allowDuplicate: true }, key: ingestKey });
    expect(again.status).toBe(201);
    expect((await items('once')).body.items.map((i) => i.source)).toEqual([
      { traceId: LLM_TRACE, spanId: null },
      { traceId: LLM_TRACE, spanId: LLM_SPAN },
      { traceId: LLM_TRACE, spanId: null },
    ]);
    const notBoolean = await call('POST', '/api/datasets/once/items', { body: { items: [run], allowDuplicate: 'yes' }, key: ingestKey });
    expect(errorOf(notBoolean)).toMatch(/^400 .*allowDuplicate/);
    // Deleted, an item no longer holds its trace; another dataset never did.
    for (const id of [runItem, again.body.itemIds[0]]) expect((await call('DELETE', `/api/datasets/once/items/${id}`, { key: adminKey })).status).toBe(200);
    expect((await add('once', [run])).status).toBe(201);
    await make('elsewhere');
    expect((await add('elsewhere', [run])).status).toBe(201);
    // Sent at once, one of two adds of a run is written.
    await make('at-once-twice');
    const both = await Promise.all([add('at-once-twice', [run]), add('at-once-twice', [run])]);
    expect(both.map((a) => a.status).sort()).toEqual([201, 409]);
  });

  it('gives changes of one dataset sent at once a version each', async () => {
    await make('at-once');
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => add('at-once', [{ input: `q${i}` }])));
    expect(answers.map((a) => a.body.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    expect((await call<Dataset>('GET', '/api/datasets/at-once', { key: readKey })).body).toMatchObject({ version: 7, itemCount: 6 });
    for (const answer of answers) expect((await items('at-once', `?version=${answer.body.version}`)).body.items).toHaveLength(answer.body.version - 1);
  });

  it('pages a version by cursor, the cursor staying on its version while items are added', async () => {
    await make('pages');
    await add(
      'pages',
      Array.from({ length: 5 }, (_, i) => ({ input: `q${i}` })),
    );
    const first = await items('pages', '?limit=2');
    expect(first.body.items.map((i) => i.input)).toEqual(['q0', 'q1']);
    await add('pages', [{ input: 'later' }]);
    const second = await items('pages', `?limit=2&cursor=${first.body.nextCursor!}`);
    const third = await items('pages', `?limit=2&cursor=${second.body.nextCursor!}`);
    expect([second.body.version, third.body.version]).toEqual([2, 2]);
    expect([...second.body.items, ...third.body.items].map((i) => i.input)).toEqual(['q2', 'q3', 'q4']);
    expect(third.body.nextCursor).toBeNull();
    expect(errorOf(await items('pages', `?version=3&cursor=${first.body.nextCursor!}`))).toBe("400 'cursor' pages version 2, not 3");
    expect(errorOf(await items('pages', '?cursor=not-ours'))).toMatch(/^400 'cursor' is not a cursor this server issued/);
  });

  it('lets an ingest key build datasets but not delete them or their items; a read key only reads; an admin deletes, audited', async () => {
    await make('keys');
    const { itemIds } = (await add('keys', [{ input: 'a' }, { input: 'b' }])).body;
    expect((await add('keys', [{ input: 'c' }], readKey)).status).toBe(403);
    expect((await call('POST', '/api/datasets', { body: { name: 'by-reader' }, key: readKey })).status).toBe(403);
    expect((await call('DELETE', `/api/datasets/keys/items/${itemIds[0]}`, { key: ingestKey })).status).toBe(403);
    expect((await call('DELETE', '/api/datasets/keys', { key: ingestKey })).status).toBe(403);
    expect((await call('DELETE', '/api/datasets/keys', { key: adminKey })).status).toBe(204);
    expect(errorOf(await call('GET', '/api/datasets/keys', { key: readKey }))).toBe('404 dataset keys was not found');
    expect(errorOf(await call('DELETE', '/api/datasets/keys', { key: adminKey }))).toBe('404 dataset keys was not found');
    // Made again, the name starts empty.
    expect((await make('keys')).body).toMatchObject({ version: 4, itemCount: 0 });
    expect(await inputs('keys')).toEqual([]);
    const audit = (await call<{ entries: Array<{ action: string; target: string }> }>('GET', '/api/audit', { key: adminKey })).body.entries;
    expect(audit.map((e) => `${e.action} ${e.target}`)).toContain('DELETE /api/datasets/:name keys');
  });
});
