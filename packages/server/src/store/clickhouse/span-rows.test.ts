import { describe, expect, it } from 'vitest';
import { ChParams, type ChClient } from './client.js';
import { readSpanRows } from './span-rows.js';

// The reader's own refusals; what it reads from real spans is pinned by the store contract on
// ClickHouse (every field, NaN costs, LLM calls) and by `trace-parity.int.test.ts` against DuckDB.
const answering = (bytes: Buffer): ChClient => ({ rawBytes: async () => bytes }) as unknown as ChClient;

const text = (s: string): number[] => [s.length, ...Buffer.from(s)];
const header = (columns: Array<[string, string]>): Buffer =>
  Buffer.from([columns.length, ...columns.flatMap(([name]) => text(name)), ...columns.flatMap(([, type]) => text(type))]);

describe('readSpanRows', () => {
  it('reads no spans from an empty answer, or from one of its header alone', async () => {
    const empty = await readSpanRows(answering(Buffer.alloc(0)), 'read a trace', 'FROM spans', new ChParams());
    expect([empty.spans, empty.sourceIds, empty.texts.bytes.length]).toEqual([[], [], 0]);
  });

  it('refuses an answer whose columns are not the ones it decodes, naming them', async () => {
    const answer = header([['project_id', 'LowCardinality(String)'], ['trace_id', 'UInt64']]);
    await expect(readSpanRows(answering(answer), 'read a trace', 'FROM spans', new ChParams())).rejects.toThrow(
      /the spans table's columns are not those a trace is read by: found project_id LowCardinality\(String\), trace_id UInt64; expected project_id LowCardinality\(String\), trace_id String, span_id String/,
    );
  });
});
