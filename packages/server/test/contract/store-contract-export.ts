import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPORT_FORMATS, type ExportQuery, type ExportSignal } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { declaredColumns, readBack } from '../support/export-checks.js';
import { T0, emptyLlm, log, point, resource, scoreRecord, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const SEC = 1_000_000;
const RANGE = { fromUs: T0 - 60 * SEC, toUs: T0 + 60 * SEC };

/**
 * The contract of the export port: each signal of one project in the range, nothing of another
 * project or outside it, the newest version of each score, with the declared columns and types in
 * both formats, the same by `toFile` and by `open`; on DuckDB, ClickHouse and the in-memory fake.
 */
export function describeExportContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store export contract: ${adapter}`, () => {
    let store: Store;
    let dir: string;
    openForEachTest(open, (opened) => (store = opened));
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'spoor-export-contract-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    const root = span({
      traceId: tid(1),
      spanId: sid(1),
      name: 'handle',
      kind: 'server',
      startTimeUs: T0 + 123,
      endTimeUs: T0 + 900_456,
      category: 'step',
      status: { code: 'error', message: 'boom' },
      attributes: { 'order.id': 'o-1', n: 1.5, tags: ['a', 'b'] },
      resource: resource('checkout', { 'service.version': '2.0' }),
      events: [{ timeUs: T0 + 500, name: 'exception', attributes: { 'exception.type': 'Boom' }, droppedAttributesCount: 0 }],
      links: [{ traceId: tid(9), spanId: sid(9), traceState: '', attributes: {}, droppedAttributesCount: 0, flags: 0 }],
      sessionId: 'sess-1',
      userId: 'user-1',
      droppedAttributesCount: 2,
    });
    const call = span({
      traceId: tid(1),
      spanId: sid(2),
      parentSpanId: sid(1),
      name: 'chat',
      kind: 'client',
      startTimeUs: T0 + 1000,
      endTimeUs: T0 + 2000,
      category: 'llm',
      llm: {
        ...emptyLlm(),
        provider: 'openai',
        operation: 'chat',
        requestModel: 'gpt-4o',
        responseModel: 'gpt-4o-2024-08-06',
        inputTokens: 100,
        outputTokens: 20,
        totalTokens: 120,
        cacheReadInputTokens: 30,
        cacheCreationInputTokens: 10,
        reasoningTokens: 5,
        costUsd: 0.00125,
        costSource: 'price_table',
        timeToFirstTokenMs: 12.5,
        finishReasons: ['stop'],
      },
    });
    const foreign = span({ projectId: 'other', traceId: tid(2), name: 'other-secret', startTimeUs: T0 + 10 });
    const early = span({ traceId: tid(3), name: 'too early', startTimeUs: T0 - 2 * 3600 * SEC, endTimeUs: T0 - 2 * 3600 * SEC + 5 });
    const kept = scoreRecord({ name: 'helpful', value: 0.5, timeUs: T0 + 20 });
    const gone = scoreRecord({ name: 'deleted', value: 1, timeUs: T0 + 21 });

    async function write(): Promise<void> {
      await store.writer.write(
        recordBatch({
          spans: [root, call, foreign, early],
          logs: [
            log({ logId: 'l1', timeUs: T0 + 10, body: { order: 'o-1' }, traceId: tid(1), spanId: sid(1), severityNumber: 17 }),
            log({ projectId: 'other', logId: 'l2', body: 'other-secret' }),
          ],
          metricPoints: [
            point({ name: 'queue', intValue: '7', value: 7 }),
            point({ name: 'latency', type: 'histogram', temporality: 'delta', count: 3, sum: 12.5, bucketCounts: [1, 2], explicitBounds: [5], timeUs: T0 + 5 }),
            point({ projectId: 'other', name: 'other-secret' }),
          ],
          scores: [kept, gone, scoreRecord({ projectId: 'other', name: 'other-secret', traceId: tid(2) })],
          writtenUs: T0 + 30,
        }),
        null,
      );
      // A newer version of one score, and a deletion of the other.
      await store.scores.addScores([{ ...kept, value: 0.9, comment: 'on second thought', timeUs: T0 + 40 }], T0 + 41);
      expect(await store.scores.deleteScore('default', gone.scoreId, T0 + 42)).toBe(true);
    }

    /** Each format's rows of a signal, checked for the declared columns, by `toFile` and by `open` alike. */
    async function exported(signal: ExportSignal, range = RANGE): Promise<Array<Record<string, unknown>>> {
      let first: Array<Record<string, unknown>> | null = null;
      for (const format of EXPORT_FORMATS) {
        const query: ExportQuery = { projectId: 'default', signal, format, ...range };
        const byFile = join(dir, `${adapter.replace(/\W+/g, '-')}-${signal}.${format}`);
        await store.exports.toFile(query, byFile);
        const parts: Uint8Array[] = [];
        for await (const part of await store.exports.open(query)) parts.push(part);
        const byStream = `${byFile}.streamed`;
        await writeFile(byStream, Buffer.concat(parts));
        const read = await readBack(byFile, format, signal);
        if (format === 'parquet') expect(read.columns, `${signal}.${format}`).toEqual(declaredColumns(signal));
        expect((await readBack(byStream, format, signal)).rows, `${signal}.${format} streamed`).toEqual(read.rows);
        // Both formats hold the same values.
        if (first === null) first = read.rows;
        else expect(read.rows, `${signal} as ${format}`).toEqual(first);
      }
      return first!;
    }

    it("exports the project's spans in the range with every field, in both formats", async () => {
      await write();
      const rows = await exported('spans');
      expect(rows.map((r) => r.span_id).sort()).toEqual([sid(1), sid(2)]);
      const byId = new Map(rows.map((r) => [r.span_id, r]));
      expect(byId.get(sid(1))).toEqual({
        project_id: 'default',
        trace_id: tid(1),
        span_id: sid(1),
        parent_span_id: null,
        trace_state: '',
        name: 'handle',
        kind: 'server',
        service_name: 'checkout',
        start_time: T0 + 123,
        end_time: T0 + 900_456,
        duration_ms: 900.333,
        status_code: 'error',
        status_message: 'boom',
        attributes: JSON.stringify(root.attributes),
        resource: JSON.stringify({ 'service.name': 'checkout', 'service.version': '2.0' }),
        scope_name: 'test',
        scope_version: '1.0.0',
        events: JSON.stringify(root.events),
        links: JSON.stringify(root.links),
        dropped_attributes_count: 2,
        dropped_events_count: 0,
        dropped_links_count: 0,
        category: 'step',
        is_llm: false,
        llm_provider: null,
        llm_operation: null,
        llm_request_model: null,
        llm_response_model: null,
        input_tokens: null,
        output_tokens: null,
        total_tokens: null,
        cache_read_input_tokens: null,
        cache_creation_input_tokens: null,
        reasoning_tokens: null,
        cost_usd: null,
        cost_source: null,
        time_to_first_token_ms: null,
        finish_reasons: null,
        session_id: 'sess-1',
        user_id: 'user-1',
      });
      expect(byId.get(sid(2))).toMatchObject({
        parent_span_id: sid(1),
        kind: 'client',
        category: 'llm',
        is_llm: true,
        llm_provider: 'openai',
        llm_operation: 'chat',
        llm_request_model: 'gpt-4o',
        llm_response_model: 'gpt-4o-2024-08-06',
        input_tokens: 100,
        output_tokens: 20,
        total_tokens: 120,
        cache_read_input_tokens: 30,
        cache_creation_input_tokens: 10,
        reasoning_tokens: 5,
        cost_usd: 0.00125,
        cost_source: 'price_table',
        time_to_first_token_ms: 12.5,
        finish_reasons: '["stop"]',
        duration_ms: 1,
        events: '[]',
        links: '[]',
        session_id: null,
      });
    });

    it('exports logs, metric points and the newest version of each score, none of another project or outside the range', async () => {
      await write();
      expect(await exported('logs')).toEqual([
        expect.objectContaining({
          log_id: 'l1',
          time: T0 + 10,
          observed_time: T0 + 3,
          trace_id: tid(1),
          span_id: sid(1),
          severity_number: 17,
          body: '{"order":"o-1"}',
          attributes: '{"k":"v"}',
          scope_name: 'logger',
        }),
      ]);
      const points = await exported('metrics');
      expect(points.map((p) => p.name).sort()).toEqual(['latency', 'queue']);
      expect(points.find((p) => p.name === 'queue')).toMatchObject({
        type: 'gauge',
        value: 7,
        int_value: 7,
        bucket_counts: [],
        start_time: T0 - 10,
        time: T0,
        attributes: '{"route":"/a"}',
      });
      expect(points.find((p) => p.name === 'latency')).toMatchObject({
        type: 'histogram',
        temporality: 'delta',
        count: 3,
        sum: 12.5,
        bucket_counts: [1, 2],
        explicit_bounds: [5],
        scale: null,
      });
      expect(await exported('scores')).toEqual([
        {
          project_id: 'default',
          score_id: kept.scoreId,
          time: T0 + 40,
          trace_id: tid(1),
          span_id: sid(1),
          session_id: null,
          response_id: null,
          name: 'helpful',
          value: 0.9,
          label: null,
          comment: 'on second thought',
          source: 'api',
          author: 'key-1',
        },
      ]);
      // The range's end is excluded; an empty range is an empty file, still of the declared columns.
      expect(await exported('spans', { fromUs: T0 + 123, toUs: T0 + 1000 })).toEqual([expect.objectContaining({ span_id: sid(1) })]);
      expect(await exported('logs', { fromUs: T0 + 11, toUs: T0 + 11 })).toEqual([]);
    });
  });
}
