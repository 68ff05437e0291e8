import { describe, expect, it } from 'vitest';
import { ChParams, type ChClient } from './client.js';
import { SPAN_COLUMNS, SPAN_TEXT_COLUMNS } from '../sql/stored-columns.js';
import { SPAN_READ, readSpanRows } from './span-rows.js';

// The reader on answers built here byte by byte; what it reads from real spans is pinned by the
// store contract on ClickHouse and by `trace-parity.int.test.ts` against DuckDB.
const answering = (bytes: Buffer): ChClient => ({ rawBytes: async () => bytes }) as unknown as ChClient;
const read = (bytes: Buffer) => readSpanRows(answering(bytes), 'read a trace', 'FROM spans', new ChParams());

const leb128 = (n: number): number[] => {
  const out: number[] = [];
  do {
    out.push((n & 127) | (n >= 128 ? 128 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
};
const text = (s: string): number[] => {
  const bytes = Buffer.from(s);
  return [...leb128(bytes.length), ...bytes];
};
const header = (columns: ReadonlyArray<readonly [string, string]>): number[] => [
  ...leb128(columns.length),
  ...columns.flatMap(([name]) => text(name)),
  ...columns.flatMap(([, type]) => text(type)),
];

/** A value as RowBinary writes a column of `type`. */
function encode(type: string, value: unknown): number[] {
  const nullable = type.includes('Nullable(');
  if (nullable && value === null) return [1];
  const inner = type.replace(/LowCardinality\(|Nullable\(|\)/g, '');
  const bytes = Buffer.alloc(8);
  let body: number[];
  if (inner === 'String') body = text(value as string);
  else if (inner === 'UInt8' || inner === 'Bool') body = [value as number];
  else if (inner === 'UInt32') body = [...bytes.subarray(0, bytes.writeUInt32LE(value as number))];
  else if (inner === 'Int64') body = [...bytes.subarray(0, bytes.writeBigInt64LE(BigInt(value as number)))];
  else if (inner === 'Float64') body = [...bytes.subarray(0, bytes.writeDoubleLE(value as number))];
  else throw new Error(`no encoding for ${type}`);
  return nullable ? [0, ...body] : body;
}

const row = (values: Record<string, unknown>): number[] => SPAN_READ.flatMap(([column, type]) => encode(type, values[column]));

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const base = {
  project_id: 'default',
  trace_id: TRACE,
  span_id: '00f067aa0ba902b7',
  parent_span_id: null,
  trace_state: '',
  flags: 1,
  name: 'run',
  kind: 1,
  service_name: 'agent',
  start_us: 1_795_738_760_339_000,
  end_us: 1_795_738_760_344_000,
  status_code: 0,
  status_message: '',
  source_id: 'a1',
  dropped_attributes: 0,
  dropped_events: 0,
  dropped_links: 0,
  session_id: null,
  user_id: null,
  category: 7,
  is_llm: 0,
  llm_provider: null,
  llm_operation: null,
  llm_request_model: null,
  llm_response_model: null,
  input_tokens: null,
  output_tokens: null,
  total_tokens: null,
  cache_read_tokens: null,
  cache_creation_tokens: null,
  reasoning_tokens: null,
  cost_usd: null,
  ttft_ms: null,
  cost_source: null,
  finish_reasons: null,
  attributes: '{}',
  events: '[]',
  links: '[]',
};

describe('readSpanRows', () => {
  it('reads every column a stored span is read back from, as DuckDB reads them (`stored-columns.ts`)', () => {
    // Its own list, for the types its header check names: a column added there and not here fails this.
    expect(SPAN_READ.map(([column]) => column).sort()).toEqual([...SPAN_COLUMNS, 'finish_reasons', ...SPAN_TEXT_COLUMNS].sort());
  });

  it('decodes every column into the span, an LLM call with its fields, the texts left as bytes', async () => {
    const longName = `tool ${'é'.repeat(100)}`; // 205 bytes: a two-byte length
    const llm = {
      ...base,
      span_id: '00f067aa0ba902b8',
      parent_span_id: '00f067aa0ba902b7',
      name: longName,
      kind: 3,
      status_code: 2,
      status_message: 'boom',
      session_id: 's-1',
      user_id: 'u-1',
      category: 3,
      is_llm: 1,
      llm_provider: 'openai',
      llm_operation: 'chat',
      llm_request_model: 'gpt-4o',
      llm_response_model: null,
      input_tokens: 120,
      output_tokens: -1,
      total_tokens: 2 ** 40,
      cache_read_tokens: 0,
      cache_creation_tokens: null,
      reasoning_tokens: 5,
      cost_usd: Number.NaN,
      ttft_ms: Infinity,
      cost_source: 'price_table',
      finish_reasons: '["stop"]',
      attributes: '{"k":"ü"}',
      events: '[{"timeUs":1}]',
      links: '[]',
    };
    const rows = await read(Buffer.from([...header(SPAN_READ), ...row(base), ...row(llm)]));
    expect(rows.sourceIds).toEqual(['a1', 'a1']);
    expect(rows.spans[0]).toMatchObject({
      spanId: '00f067aa0ba902b7',
      parentSpanId: null,
      kind: 'internal',
      flags: 1,
      startTimeUs: base.start_us,
      llm: null,
      category: 'other',
    });
    expect(rows.spans[1]).toMatchObject({
      traceId: TRACE,
      parentSpanId: '00f067aa0ba902b7',
      name: longName,
      kind: 'client',
      status: { code: 'error', message: 'boom' },
      sessionId: 's-1',
      userId: 'u-1',
      category: 'llm',
      llm: {
        provider: 'openai',
        operation: 'chat',
        requestModel: 'gpt-4o',
        responseModel: null,
        inputTokens: 120,
        outputTokens: -1,
        totalTokens: 2 ** 40,
        cacheReadInputTokens: 0,
        cacheCreationInputTokens: null,
        reasoningTokens: 5,
        costUsd: null,
        timeToFirstTokenMs: null,
        costSource: 'price_table',
        finishReasons: ['stop'],
      },
    });
    // A trace id repeated from row to row is the same string.
    expect(rows.spans[1]!.traceId).toBe(rows.spans[0]!.traceId);
    const { bytes, starts, ends } = rows.texts;
    const texts = Array.from(starts, (s, k) => Buffer.from(bytes.subarray(s, ends[k])).toString());
    expect(texts).toEqual(['{}', '[]', '[]', '{"k":"ü"}', '[{"timeUs":1}]', '[]']);
  });

  it('reads past the LLM columns of a span that is no LLM call, whatever they hold', async () => {
    const stray = { ...base, llm_provider: 'x', input_tokens: 3, cost_usd: 0.5, finish_reasons: '["stop"]', attributes: '{"after":1}' };
    const rows = await read(Buffer.from([...header(SPAN_READ), ...row(stray), ...row({ ...base, span_id: 'ffffffffffffffff' })]));
    expect(rows.spans.map((s) => [s.spanId, s.llm])).toEqual([
      ['00f067aa0ba902b7', null],
      ['ffffffffffffffff', null],
    ]);
    expect(Buffer.from(rows.texts.bytes.subarray(rows.texts.starts[0], rows.texts.ends[0])).toString()).toBe('{"after":1}');
  });

  it('reads no spans from an empty answer, or from its header alone (a server answering no rows)', async () => {
    for (const answer of [Buffer.alloc(0), Buffer.from(header(SPAN_READ))]) {
      const rows = await read(answer);
      expect([rows.spans, rows.sourceIds, rows.texts.bytes.length]).toEqual([[], [], 0]);
    }
  });

  it('refuses an answer cut short inside a row', async () => {
    const whole = [...header(SPAN_READ), ...row(base)];
    await expect(read(Buffer.from(whole.slice(0, -1)))).rejects.toThrow(/a RowBinary answer ends inside a value/);
  });

  it('refuses an answer whose columns are not the ones it decodes, naming them', async () => {
    const answer = Buffer.from(
      header([
        ['project_id', 'LowCardinality(String)'],
        ['trace_id', 'UInt64'],
      ]),
    );
    await expect(read(answer)).rejects.toThrow(
      /the spans table's columns are not those a trace is read by: found project_id LowCardinality\(String\), trace_id UInt64; expected project_id LowCardinality\(String\), trace_id String, span_id String/,
    );
  });
});
