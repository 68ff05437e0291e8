import { describe, expect, it } from 'vitest';
import type { ErrorOccurrenceRecord, MetricPointRecord } from '@spoor/model';
import { buffersOf, rowsOf } from './columns.js';
import { T0, emptyLlm, log, point, sid, span, tid } from '../../test/support/record-fixtures.js';
import { recordsOf } from './table-records.js';
import { SPANS, TABLES, batchOf } from './tables.js';
import { tracePartsOf } from './trace-parts.js';

const error: ErrorOccurrenceRecord = {
  projectId: 'default',
  fingerprint: 'fp-1',
  timeUs: T0,
  traceId: tid(1),
  spanId: sid(2),
  parentSpanId: sid(1),
  serviceName: 'api',
  spanName: 'call',
  exceptionType: 'RateLimitError',
  message: 'slow down',
  messageKey: 'slow down',
  frame: null,
  provider: 'openai',
  httpStatus: 429,
  errorType: null,
  finishReason: null,
  toolName: null,
  source: 'span',
};

const histogram: MetricPointRecord = {
  ...point({ name: 'latency', type: 'histogram', value: null }),
  count: 6,
  sum: 12.5,
  min: 0.5,
  max: 4,
  bucketCounts: [1, 2, 3],
  explicitBounds: [1, 2],
};

const exponential: MetricPointRecord = {
  ...point({ name: 'size', type: 'exponential_histogram', value: null }),
  count: 3,
  scale: -2,
  zeroCount: 0,
  zeroThreshold: 0,
  positive: { offset: -3, bucketCounts: [1, 0, 2] },
  negative: null,
};

describe('write batches', () => {
  it('hold records as columns and read back to the same records, NULLs, lists and all', () => {
    const records = {
      spans: [
        span({ traceId: tid(1), spanId: sid(1), name: 'workflow ✓ ünïcode 🚀', attributes: { 'a.b': 1, nested: { list: [1, 'x', null] }, __proto__: 'kept' } }),
        span({
          traceId: tid(1),
          spanId: sid(2),
          parentSpanId: sid(1),
          category: 'llm',
          llm: {
            ...emptyLlm(),
            provider: 'openai',
            requestModel: 'gpt-4o',
            inputTokens: 10,
            outputTokens: 5,
            costUsd: 0.25,
            costSource: 'price_table',
            finishReasons: ['stop'],
          },
          sessionId: 's-1',
          userId: 'u-1',
          status: { code: 'error', message: 'boom' },
          events: [{ timeUs: T0 + 1, name: 'exception', attributes: { 'exception.type': 'E' }, droppedAttributesCount: 0 }],
        }),
      ],
      logs: [log({ logId: 'l-1', body: { structured: true }, traceId: null }), log({ logId: 'l-2', body: 'plain text' })],
      metricPoints: [point({ name: 'requests', value: 3 }), histogram, exponential],
      errors: [error],
    };
    const batch = batchOf(records);
    expect(batch.records).toBe(7);
    // The span, log and metric fixtures each have a resource of their own.
    expect(batch.tables.map((t) => [t.table, t.rows])).toEqual([
      ['sources', 3],
      ['spans', 2],
      ['trace_parts', 1],
      ['logs', 2],
      ['metric_points', 3],
      ['errors', 1],
    ]);

    const back = recordsOf(structuredClone(batch));
    expect(back.spans).toEqual(records.spans);
    expect(back.logs).toEqual(records.logs);
    expect(back.metricPoints).toEqual(records.metricPoints);
    expect(back.errors).toEqual(records.errors);
    expect(back.traceParts).toEqual(tracePartsOf(records.spans));
  });

  it('give each table its columns in the declared order and type', () => {
    const batch = batchOf({ spans: [span()], logs: [log()], metricPoints: [histogram], errors: [error] });
    for (const table of batch.tables) {
      const specs = TABLES[table.table as keyof typeof TABLES];
      expect(
        table.columns.map((c) => c.type),
        table.table,
      ).toEqual(specs.map((s) => s.type));
    }
  });

  it('mark a column whose rows all hold one string as constant, and no other', () => {
    const spans = batchOf({ spans: [span({ spanId: sid(1) }), span({ spanId: sid(2) })], logs: [], metricPoints: [] }).tables[1]!;
    const column = (name: string) => spans.columns[SPANS.findIndex((c) => c.name === name)]!;
    expect(column('project_id')).toMatchObject({ constant: 'default' });
    expect(column('span_id')).toMatchObject({ constant: null });
    // All NULL is not a constant string.
    expect(column('llm_provider')).toMatchObject({ constant: null });
    expect(rowsOf(spans, SPANS).map((r) => r.span_id)).toEqual([sid(1), sid(2)]);
  });

  it('own every buffer they carry, so a transfer to another thread moves them whole', () => {
    const batch = batchOf({ spans: [span()], logs: [log()], metricPoints: [histogram], errors: [error] });
    const buffers = buffersOf(batch.tables);
    expect(new Set(buffers).size).toBe(buffers.length);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(batch, buffers);
    port1.close();
    port2.close();
    // Moved, not copied: the sender's arrays are detached.
    expect(buffers.every((b) => b.byteLength === 0)).toBe(true);
  });
});
