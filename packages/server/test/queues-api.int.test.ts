import { randomBytes } from 'node:crypto';
import type { DatasetItemsResponse, QueueAgreement, QueueItem, ReviewQueue, ScoreListResponse, ScoreStatsResponse, TakenItem } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampledIn } from '../src/quality/sampled-in.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type ApiAnswer, type TestServer, callJson, errorOf, startTestServer } from './support/server.js';
import { eventually, llmTraceBody, traceBody } from './support/trace-bodies.js';

/**
 * Review queues end to end on a running server, on DuckDB and on ClickHouse: a queue with a filter
 * fills with the matching traces as they complete, at its sample rate; reviewers (read keys) are
 * each given an item no one else holds; reviews are human scores by the reviewer, blind until
 * submitted; agreement over items scored by two reviewers is Krippendorff's and Cohen's worked
 * example; a corrected output becomes a dataset item whose source is the item's trace.
 */

const newTraceId = (): string => randomBytes(16).toString('hex');
const newSpanId = (): string => randomBytes(8).toString('hex');

/** Krippendorff (2011), section A: two observers, ten units, binary: α = 0.095 (agreement.test.ts); Cohen's κ = (0.6 − 0.56) / 0.44. */
const FIRST = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
const SECOND = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];

describe.each(['duckdb', 'clickhouse'] as const)('review queues on a running server (%s store)', (storeName) => {
  let server: TestServer;
  let endpoint: ClickHouseEndpoint | null = null;
  const keys: Record<'admin' | 'first' | 'second' | 'ingest', string> = { admin: '', first: '', second: '', ingest: '' };
  const ids: Record<'first' | 'second', string> = { first: '', second: '' };

  const call = <T = unknown>(method: string, path: string, key: string, body?: unknown): Promise<ApiAnswer<T>> =>
    callJson<T>(server.url, method, path, body, { key });
  const makeQueue = (body: object) => call<ReviewQueue>('POST', '/api/queues', keys.admin, body);
  const next = (queue: string, who: 'first' | 'second') => call<TakenItem | null>('POST', `/api/queues/${queue}/next`, keys[who]);
  const submit = (queue: string, itemId: string, who: 'first' | 'second', body: object) =>
    call<{ reviews: { reviewer: string }[]; datasetItem: { dataset: string; itemId: string } | null }>(
      'POST',
      `/api/queues/${queue}/items/${encodeURIComponent(itemId)}/submit`,
      keys[who],
      body,
    );

  /** Sends traces and waits until each is readable. */
  async function send(bodies: readonly [string, string][]): Promise<void> {
    for (const [, body] of bodies) expect((await callJson(server.url, 'POST', '/v1/traces', undefined, { raw: body, key: keys.ingest })).status).toBe(200);
    for (const [traceId] of bodies)
      await eventually(
        `trace ${traceId}`,
        () => call('GET', `/api/traces/${traceId}`, keys.admin),
        (a) => a.status === 200,
      );
  }

  beforeAll(async () => {
    endpoint = storeName === 'clickhouse' ? await startClickHouseEndpoint() : null;
    const store = endpoint === null ? {} : { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/queues` };
    // A trace is complete once no span of it ended for 1 s: the filtered queue's traces join within seconds.
    server = await startTestServer({ traceQuiet: '1s', ...store });
    const made = async (role: string, by?: string) => {
      const answer = await callJson<{ key: string; id: string }>(server.url, 'POST', '/api/keys', { project: 'default', role }, { key: by });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body;
    };
    keys.admin = (await made('admin')).key;
    keys.ingest = (await made('ingest', keys.admin)).key;
    for (const who of ['first', 'second'] as const) {
      const key = await made('read', keys.admin);
      keys[who] = key.key;
      ids[who] = key.id;
    }
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await endpoint?.close();
  });

  it('refuses a bad rubric, and scores out of range or with unknown labels, with a 400 naming them', async () => {
    expect(errorOf(await makeQueue({ name: 'bad', rubric: [{ name: 'q', type: 'numeric', min: 5, max: 1 }] }))).toBe(
      '400 rubric[0].max: must be above min (5)',
    );
    expect(errorOf(await makeQueue({ name: 'bad', rubric: [{ name: 'tone', type: 'categorical', labels: ['good'] }] }))).toBe(
      '400 rubric[0].labels: a categorical score config needs at least two labels',
    );
    expect(errorOf(await makeQueue({ name: 'bad', rubric: [{ name: 'x', type: 'stars' }] }))).toBe(
      '400 rubric[0].type: must be one of numeric, categorical, boolean',
    );
    expect(errorOf(await makeQueue({ name: 'bad', rubric: [{ name: 'x', type: 'boolean' }], filter: 'nope=1' }))).toMatch(
      /^400 filter: 'nope' is not a filter/,
    );
    const traceId = newTraceId();
    await send([[traceId, traceBody(traceId, 2)]]);
    const rubric = [
      { name: 'quality', type: 'numeric', min: 1, max: 5, description: 'how good, 1 to 5' },
      { name: 'tone', type: 'categorical', labels: ['polite', 'rude'] },
    ];
    expect((await makeQueue({ name: 'checked', rubric })).status).toBe(201);
    expect(errorOf(await makeQueue({ name: 'checked', rubric }))).toBe('409 queue checked exists');
    expect((await call('POST', '/api/queues/checked/items', keys.admin, { items: [{ traceId }] })).status).toBe(201);
    expect(errorOf(await call('POST', '/api/queues/checked/items', keys.admin, { items: [{ traceId: newTraceId() }] }))).toMatch(
      /^404 trace [0-9a-f]{32} was not found$/,
    );
    const taken = (await next('checked', 'first')).body!;
    expect(errorOf(await submit('checked', taken.item.itemId, 'first', { scores: [{ name: 'quality', value: 7 }] }))).toBe(
      "400 scores[0].value: 7 is out of the range of 'quality' (1 to 5)",
    );
    expect(errorOf(await submit('checked', taken.item.itemId, 'first', { scores: [{ name: 'tone', label: 'snarky' }] }))).toBe(
      "400 scores[0].label: 'snarky' is not a label of 'tone' (polite, rude)",
    );
    expect(errorOf(await submit('checked', taken.item.itemId, 'first', { scores: [{ name: 'speed', value: 1 }] }))).toBe(
      "400 scores[0].name: 'speed' is not in the rubric (quality, tone)",
    );
    // Nothing was stored of the refused reviews: the item is still the first reviewer's, unreviewed.
    const items = (await call<{ items: (QueueItem & { reviews: number; heldBy: string | null })[] }>('GET', '/api/queues/checked/items', keys.first)).body
      .items;
    expect(items.map((i) => [i.itemId, i.reviews, i.heldBy])).toEqual([[traceId, 0, ids.first]]);
  });

  it("checks a score sent to /api/scores against the project's config of its name, and keeps a name one meaning across queues", async () => {
    const traceId = newTraceId();
    await send([[traceId, traceBody(traceId, 2)]]);
    const rubric = [
      { name: 'stars', type: 'numeric', min: 1, max: 5 },
      { name: 'mood', type: 'categorical', labels: ['calm', 'tense'] },
      { name: 'solved', type: 'boolean' },
    ];
    const score = (body: object) => call('POST', '/api/scores', keys.ingest, { traceId, ...body });
    // Before any queue names them, the names are free.
    expect((await score({ name: 'stars', value: 9 })).status).toBe(201);
    expect((await makeQueue({ name: 'configs', rubric })).status).toBe(201);
    expect(errorOf(await score({ name: 'stars', value: 9 }))).toBe(
      "400 value: 9 is out of the range of 'stars' (1 to 5): the score config of 'stars' in the rubric of queue configs",
    );
    expect(errorOf(await score({ name: 'mood', label: 'sunny' }))).toBe(
      "400 label: 'sunny' is not a label of 'mood' (calm, tense): the score config of 'mood' in the rubric of queue configs",
    );
    expect(errorOf(await score({ name: 'mood', value: 1 }))).toBe(
      "400 value: 'mood' is categorical: give a label (calm, tense): the score config of 'mood' in the rubric of queue configs",
    );
    expect(errorOf(await score({ name: 'solved', value: 0.5 }))).toBe(
      "400 value: '0.5' is not a value of 'solved' (boolean: true or false): the score config of 'solved' in the rubric of queue configs",
    );
    for (const fits of [
      { name: 'stars', value: 4 },
      { name: 'mood', label: 'calm' },
      { name: 'solved', value: 1 },
      { name: 'anything', value: 99 },
    ])
      expect((await score(fits)).status).toBe(201);
    // Nothing refused was stored: the trace's scores are the first free one and the four that fit.
    const stored = (await call<ScoreListResponse>('GET', `/api/scores?traceId=${traceId}`, keys.first)).body.scores;
    expect(stored.map((s) => `${s.name} ${s.value ?? s.label}`).sort()).toEqual(['anything 99', 'mood calm', 'solved 1', 'stars 4']);
    // Another queue may share a name only with the same meaning (its description and the labels' order aside).
    expect(errorOf(await makeQueue({ name: 'configs-2', rubric: [{ name: 'stars', type: 'numeric', min: 0, max: 10 }] }))).toBe(
      "400 rubric[0]: 'stars' is numeric 1 to 5 in the rubric of queue configs: a score name means one thing in a project, give it the same config or another name",
    );
    expect(
      (await makeQueue({ name: 'configs-2', rubric: [{ name: 'mood', type: 'categorical', labels: ['tense', 'calm'], description: 'felt' }] })).status,
    ).toBe(201);
    // A deleted queue's rubric no longer holds its names.
    for (const name of ['configs', 'configs-2']) expect((await call('DELETE', `/api/queues/${name}`, keys.admin)).status).toBe(204);
    expect((await score({ name: 'stars', value: 9 })).status).toBe(201);
  });

  it('fills a queue made from a filter with the new traces it matches, at its sample rate', async () => {
    expect((await makeQueue({ name: 'incoming', rubric: [{ name: 'ok', type: 'boolean' }], filter: 'service=qa-agent', sampleRate: 0.5 })).status).toBe(201);
    // Enough traces that both halves of the rate are seen: at least five in and five out.
    const matching: string[] = [];
    while (matching.filter((id) => sampledIn(id, 0.5)).length < 5 || matching.filter((id) => !sampledIn(id, 0.5)).length < 5) matching.push(newTraceId());
    const other = [newTraceId(), newTraceId()];
    await send([
      ...matching.map((id): [string, string] => [id, llmTraceBody(id, newSpanId())]),
      ...other.map((id): [string, string] => [id, traceBody(id, 2)]),
    ]);
    const expected = matching.filter((id) => sampledIn(id, 0.5)).sort();
    const read = async () => (await call<{ items: QueueItem[] }>('GET', '/api/queues/incoming/items', keys.first)).body.items;
    const items = await eventually('the matching traces in the queue', read, (list) => list.length >= expected.length);
    expect(items.map((i) => i.traceId).sort()).toEqual(expected);
    expect(new Set(items.map((i) => `${i.kind} ${i.origin}`))).toEqual(new Set(['trace filter']));
    // From the trace list with the same filter: every matching trace, none sampled out, none of the others.
    expect((await makeQueue({ name: 'listed', rubric: [{ name: 'ok', type: 'boolean' }] })).status).toBe(201);
    const listed = await call<{ added: string[] }>('POST', '/api/queues/listed/items', keys.admin, { traceList: { filter: 'service=qa-agent', limit: 1000 } });
    expect(listed.status).toBe(201);
    expect([...listed.body.added].sort()).toEqual([...matching].sort());
    expect(errorOf(await call('POST', '/api/queues/listed/items', keys.admin, { traceList: { filter: 'colour=blue' } }))).toMatch(
      /^400 traceList\.filter: 'colour' is not a filter/,
    );
  });

  it('never gives two reviewers the same item at once; an item skipped or submitted is not given again, one released is', async () => {
    const traces = [newTraceId(), newTraceId(), newTraceId()];
    await send(traces.map((id) => [id, traceBody(id, 1)]));
    expect((await makeQueue({ name: 'pair', rubric: [{ name: 'ok', type: 'boolean' }] })).status).toBe(201);
    expect((await call('POST', '/api/queues/pair/items', keys.admin, { items: traces.map((traceId) => ({ traceId })) })).body).toEqual({ added: traces });
    // Listed a page at a time, in the order they are given out (added at once: by id).
    const page = (await call<{ items: QueueItem[]; nextCursor: string | null }>('GET', '/api/queues/pair/items?limit=2', keys.first)).body;
    const rest = (await call<{ items: QueueItem[]; nextCursor: string | null }>('GET', `/api/queues/pair/items?limit=2&cursor=${page.nextCursor}`, keys.first))
      .body;
    expect([...page.items, ...rest.items].map((i) => i.itemId)).toEqual([...traces].sort());
    expect(rest.nextCursor).toBeNull();
    // Many asks at once, from both: each reviewer is held one item, and never the other's.
    const asked = await Promise.all(Array.from({ length: 12 }, (_, i) => next('pair', i % 2 === 0 ? 'first' : 'second')));
    const held = (who: number) => new Set(asked.filter((_, i) => i % 2 === who).map((a) => a.body!.item.itemId));
    expect(held(0).size).toBe(1);
    expect(held(1).size).toBe(1);
    const [first] = held(0);
    const [second] = held(1);
    expect(first).not.toBe(second);
    expect(errorOf(await submit('pair', first!, 'second', { scores: [{ name: 'ok', value: true }] }))).toMatch(/^409 item [0-9a-f]{32} is not held by you/);
    expect((await call('POST', `/api/queues/pair/items/${first}/skip`, keys.first)).status).toBe(204);
    expect((await submit('pair', second!, 'second', { scores: [{ name: 'ok', value: true }] })).status).toBe(200);
    // The first reviewer skipped theirs: the third is theirs now, and then nothing is left for them.
    const third = (await next('pair', 'first')).body!.item.itemId;
    expect([first, second]).not.toContain(third);
    expect((await call('POST', `/api/queues/pair/items/${third}/release`, keys.first)).status).toBe(204);
    expect((await next('pair', 'second')).body!.item.itemId).toBe(first);
    const progress = (await call<{ progress: object }>('GET', '/api/queues/pair', keys.first)).body.progress;
    expect(progress).toEqual({
      items: 3,
      done: 1,
      held: 1,
      reviews: 1,
      reviewers: [
        { reviewer: ids.first, submitted: 0, skipped: 1 },
        { reviewer: ids.second, submitted: 1, skipped: 0 },
      ].sort((a, b) => (a.reviewer < b.reviewer ? -1 : 1)),
    });
  });

  it('stores reviews as human scores by each reviewer, blind to the others until submitted, seen by /api/stats/scores', async () => {
    const traceId = newTraceId();
    await send([[traceId, traceBody(traceId, 1)]]);
    const rubric = [
      { name: 'review-quality', type: 'numeric', min: 1, max: 5 },
      { name: 'review-tone', type: 'categorical', labels: ['polite', 'rude'] },
    ];
    expect((await makeQueue({ name: 'blind', rubric, reviewersPerItem: 2 })).status).toBe(201);
    await call('POST', '/api/queues/blind/items', keys.admin, { items: [{ traceId }] });
    expect((await next('blind', 'first')).body!.reviews).toEqual([]);
    const mine = await submit('blind', traceId, 'first', {
      scores: [
        { name: 'review-quality', value: 4 },
        { name: 'review-tone', label: 'polite' },
      ],
      comment: 'clear',
    });
    expect(mine.body.reviews.map((r) => r.reviewer)).toEqual([ids.first]);
    // The second reviewer sees none of the first's review, given the item or reading it, until theirs is in.
    expect((await next('blind', 'second')).body!.reviews).toEqual([]);
    expect((await call<{ reviews: unknown[] }>('GET', `/api/queues/blind/items/${traceId}`, keys.second)).body.reviews).toEqual([]);
    const theirs = await submit('blind', traceId, 'second', {
      scores: [
        { name: 'review-quality', value: 2 },
        { name: 'review-tone', label: 'rude' },
      ],
    });
    expect(theirs.body.reviews.map((r) => r.reviewer).sort()).toEqual([ids.first, ids.second].sort());
    const scores = (await call<ScoreListResponse>('GET', `/api/scores?traceId=${traceId}&source=human`, keys.first)).body.scores;
    expect(scores.map((s) => [s.name, s.author, s.value, s.label, s.comment, s.source]).sort()).toEqual(
      [
        ['review-quality', ids.first, 4, null, 'clear', 'human'],
        ['review-tone', ids.first, null, 'polite', 'clear', 'human'],
        ['review-quality', ids.second, 2, null, null, 'human'],
        ['review-tone', ids.second, null, 'rude', null, 'human'],
      ].sort(),
    );
    const stats = (await call<ScoreStatsResponse>('GET', '/api/stats/scores?by=name&name=review-quality', keys.first)).body.groups;
    expect(stats.map((g) => [g.name, g.count, g.mean])).toEqual([['review-quality', 2, 3]]);
    expect((await next('blind', 'first')).status).toBe(204);
  });

  it("measures agreement on items two reviewers scored: Krippendorff's alpha per entry, Cohen's kappa per pair", async () => {
    const traces = FIRST.map(() => newTraceId());
    await send(traces.map((id) => [id, traceBody(id, 1)]));
    expect((await makeQueue({ name: 'agree', rubric: [{ name: 'agree-ok', type: 'boolean' }], reviewersPerItem: 2 })).status).toBe(201);
    await call('POST', '/api/queues/agree/items', keys.admin, { items: traces.map((traceId) => ({ traceId })) });
    for (const [who, values] of [
      ['first', FIRST],
      ['second', SECOND],
    ] as const) {
      for (;;) {
        const taken = await next('agree', who);
        if (taken.status === 204) break;
        const itemId = taken.body!.item.itemId;
        expect((await submit('agree', itemId, who, { scores: [{ name: 'agree-ok', value: values[traces.indexOf(itemId)] === 1 }] })).status).toBe(200);
      }
    }
    const agreement = (await call<QueueAgreement>('GET', '/api/queues/agree/agreement', keys.first)).body;
    expect(agreement.entries).toEqual([{ name: 'agree-ok', level: 'nominal', items: 10, alpha: expect.closeTo(0.095, 3) }]);
    expect(agreement.pairs).toEqual([
      { reviewers: [ids.first, ids.second].sort(), name: 'agree-ok', items: 10, alpha: expect.closeTo(0.095, 3), kappa: expect.closeTo(0.04 / 0.44, 10) },
    ]);
  });

  it('turns a corrected output into an item of the queue’s dataset, its source the trace', async () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    await send([[traceId, llmTraceBody(traceId, spanId)]]);
    expect((await call('POST', '/api/datasets', keys.admin, { name: 'corrections' })).status).toBe(201);
    expect((await makeQueue({ name: 'fix', rubric: [{ name: 'fix-ok', type: 'boolean' }], dataset: 'corrections' })).status).toBe(201);
    await call('POST', '/api/queues/fix/items', keys.admin, { items: [{ traceId, spanId }] });
    const taken = (await next('fix', 'first')).body!;
    expect(taken.item).toMatchObject({ kind: 'span', traceId, spanId });
    // A dataset that is not there is refused before the review is stored.
    const review = { scores: [{ name: 'fix-ok', value: false }], correctedOutput: 'Lisbon.' };
    expect(errorOf(await submit('fix', taken.item.itemId, 'first', { ...review, dataset: 'never-made' }))).toBe('404 dataset never-made was not found');
    expect((await call<{ progress: { reviews: number } }>('GET', '/api/queues/fix', keys.first)).body.progress.reviews).toBe(0);
    const done = await submit('fix', taken.item.itemId, 'first', { scores: [{ name: 'fix-ok', value: false }], correctedOutput: 'Lisbon, on the Tagus.' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.datasetItem).toEqual({ dataset: 'corrections', version: 2, itemId: expect.any(String) });
    const items = (await call<DatasetItemsResponse>('GET', '/api/datasets/corrections/items', keys.first)).body.items;
    expect(items).toEqual([
      expect.objectContaining({
        itemId: done.body.datasetItem!.itemId,
        expectedOutput: 'Lisbon, on the Tagus.',
        source: { traceId, spanId },
        metadata: { queue: 'fix', queueItem: taken.item.itemId, reviewer: ids.first },
      }),
    ]);
  });
});
