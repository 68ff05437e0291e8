import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CompareQuery, EVALUATION_ATTRIBUTES as A, EVALUATION_EVENT, type SpanFilter, type SpanGroupBy } from '@spoor/model';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL, T0, emptyLlm, resource, scoreRecord, sid, span, spanFilter, tid } from './support/record-fixtures.js';
import { recordBatch } from './contract/per-test-store.js';
import { scoresFromSpans } from '../src/normalize/scores.js';
import { evaluatorCalls } from '../src/quality/backend.js';
import { ScoreService } from '../src/query/score-service.js';
import { compareScores } from '../src/store/sql/score-compare.js';
import type { DuckDbSql } from '../src/store/duckdb/dialect.js';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const SEC = 1_000_000;
const v = (service: string, version: string) => resource(service, { 'service.version': version });

describe("DuckDB scores' span facts (score-facts.ts)", () => {
  let store: DuckDbStore;
  let sql: DuckDbSql;
  beforeEach(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spoor-score-facts-'));
    dirs.push(dir);
    store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb'), alertSlicesFromSpans: 0 });
    sql = (store as unknown as { sql: DuckDbSql }).sql;
  });
  afterEach(async () => {
    await store.close();
  });

  /** Each score's facts, by name: its span's source, service and start, or nulls. */
  const facts = async () =>
    sql.on('read the facts', async (c) => {
      const rows = (await c.runAndReadAll('SELECT name, span_source_id IS NOT NULL, span_service, span_start_us FROM scores ORDER BY name')).getRows();
      return rows.map(([name, source, service, start]) => [name, source, service, start === null ? null : Number(start)]);
    });

  /** The comparison as the store makes it, and as the join of every score with the spans makes it. */
  const both = async (over: Partial<SpanFilter> = {}, by: SpanGroupBy = { attribute: 'service.version' }, a = '1.0', b = '2.0') => {
    const query: CompareQuery = { filter: spanFilter(over), by, a, b, limit: 100 };
    const joined = Object.create(sql, { dialect: { value: { ...sql.dialect, scoredSpanFacts: null } } }) as DuckDbSql;
    const brief = (groups: Awaited<ReturnType<typeof compareScores>>) =>
      groups.map((g) => [g.name, g.side, g.label, g.count, Array.from(g.values).join(' ')]).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    return { facts: brief(await store.scoreStats.compare(query)), joined: brief(await compareScores(joined, query)) };
  };

  it('are found for scores written through the API, by evaluators and in ingested events, where their span is stored', async () => {
    await store.writer.write(recordBatch({ spans: [span({ serviceName: 'api', resource: v('api', '1.0') })] }), null);
    const service = new ScoreService(store);
    const { scoreId: _, timeUs: __, responseId: ___, ...input } = scoreRecord({ name: 'by-api' });
    await service.add(input, T0);
    await evaluatorCalls.make({ store }).addScores([scoreRecord({ name: 'by-evaluator', source: 'evaluator', author: 'judge@1' })], T0);
    // An evaluation event on a span of the batch, and one on a span stored in an earlier batch.
    const event = (name: string) => ({ timeUs: T0 + 50, name: EVALUATION_EVENT, attributes: { [A.name]: name, [A.value]: 0.9 }, droppedAttributesCount: 0 });
    const evaluated = span({
      traceId: tid(2),
      spanId: sid(2),
      serviceName: 'worker',
      startTimeUs: T0 + SEC,
      endTimeUs: T0 + 2 * SEC,
      resource: v('worker', '2.0'),
      events: [event('in-batch')],
    });
    // As a log record's event names its span: the span itself is not in the batch.
    const earlier = span({ serviceName: 'api', resource: v('api', '1.0'), events: [event('earlier-span')] });
    await store.writer.write(recordBatch({ spans: [evaluated], scores: scoresFromSpans([evaluated, earlier]).scores }), null);
    // A score whose span is not stored (yet).
    await store.scores.addScores([scoreRecord({ name: 'no-span', spanId: sid(9) })], T0);
    expect(await facts()).toEqual([
      ['by-api', true, 'api', T0],
      ['by-evaluator', true, 'api', T0],
      // Its span came in an earlier batch: the writer reads nothing of the store, and the comparison finds the span.
      ['earlier-span', false, null, null],
      ['in-batch', true, 'worker', T0 + SEC],
      ['no-span', false, null, null],
    ]);
    const { facts: read, joined } = await both();
    expect(read).toEqual(joined);
    expect(read.map((g) => g.slice(0, 4))).toEqual([
      ['by-api', 'a', null, 1],
      ['by-evaluator', 'a', null, 1],
      ['earlier-span', 'a', null, 1],
      ['in-batch', 'b', null, 1],
    ]);
  });

  it('are left unknown for a span stored in two forms, and the score counts on both sides as the spans say', async () => {
    const twice = { traceId: tid(3), spanId: sid(3), serviceName: 'worker' };
    await store.writer.write(recordBatch({ spans: [span({ ...twice, resource: v('worker', '1.0') })] }), null);
    await store.writer.write(recordBatch({ spans: [span({ ...twice, resource: v('worker', '2.0') })] }), null);
    await store.scores.addScores([scoreRecord({ ...twice, name: 'twice' })], T0);
    // Through the API the span's check finds it in two forms, and its write takes that answer.
    const { scoreId: _, timeUs: __, responseId: ___, ...input } = scoreRecord({ ...twice, name: 'twice-api' });
    await new ScoreService(store).add(input, T0);
    expect(await facts()).toEqual([
      ['twice', false, null, null],
      ['twice-api', false, null, null],
    ]);
    const { facts: read, joined } = await both();
    expect(read).toEqual(joined);
    expect(read.map((g) => g.slice(0, 2))).toEqual([
      ['twice-api', 'a'],
      ['twice-api', 'b'],
      ['twice', 'a'],
      ['twice', 'b'],
    ]);
  });

  it('are cleared with the spans retention deletes and the spans tail sampling moves, and the scores count as the spans left say', async () => {
    const llm = { ...emptyLlm(), requestModel: 'gpt-4o' };
    await store.writer.write(
      recordBatch({
        spans: [
          span({ traceId: tid(1), spanId: sid(1), serviceName: 'api', startTimeUs: T0 - 3600 * SEC, endTimeUs: T0 - 3599 * SEC, resource: v('api', '1.0') }),
          span({ traceId: tid(2), spanId: sid(2), serviceName: 'api', resource: v('api', '2.0') }),
          span({ traceId: tid(2), spanId: sid(3), parentSpanId: sid(2), serviceName: 'worker', resource: v('worker', '2.0'), llm }),
          span({ traceId: tid(4), spanId: sid(4), serviceName: 'api', resource: v('api', '1.0') }),
        ],
      }),
      null,
    );
    const on = (traceId: string, spanId: string, name: string) => scoreRecord({ traceId, spanId, name });
    await store.scores.addScores([on(tid(1), sid(1), 'old'), on(tid(2), sid(2), 'sampled'), on(tid(2), sid(3), 'sampled-llm'), on(tid(4), sid(4), 'kept')], T0);
    expect((await facts()).map((f) => f[1])).toEqual([true, true, true, true]);
    const before = await both();
    expect(before.facts).toEqual(before.joined);
    expect(before.facts.map((g) => g[0]).sort()).toEqual(['kept', 'old', 'sampled', 'sampled-llm']);

    await store.retention.deleteOlderThan('spans', T0 - 60 * SEC);
    await store.retention.deleteOlderThan('spanStats', T0 - 60 * SEC);
    // Trace 2 sampled out: its root keeps no span id, its LLM call keeps its own.
    await store.sampling.slim('default', [tid(2)]);
    expect(await facts()).toEqual([
      ['kept', true, 'api', T0],
      ['old', false, null, null],
      ['sampled', false, null, null],
      ['sampled-llm', false, null, null],
    ]);
    for (const [filter, by, a, b] of [
      [{}, { attribute: 'service.version' }, '1.0', '2.0'],
      [{ origin: 'app' as const }, { attribute: 'service.version' }, '1.0', '2.0'],
      [{ service: 'worker' }, { column: 'service' as const }, 'api', 'worker'],
      [{ range: ALL }, { column: 'service' as const }, 'api', 'worker'],
    ] as const) {
      const after = await both(filter, by, a, b);
      expect(after.facts).toEqual(after.joined);
    }
    expect((await both()).facts.map((g) => g[0]).sort()).toEqual(['kept', 'sampled-llm']);
  });
});
