import { readdirSync } from 'node:fs';
import { DEFAULT_PRICES, PriceBook, type Attributes } from '@spoor/model';
import { expect } from 'vitest';
import { factsOf } from '../../src/metrics/span-metrics.js';
import { type DecodedColumns, decodeTraceColumns } from '../../src/ingest/decode-columns.js';
import { decodeBatch } from '../../src/ingest/decode.js';
import { RecentSpans, idWordsOfSpans } from '../../src/ingest/recent-spans.js';
import type { WriteBatch } from '../../src/store/tables.js';
import { type AttributesInput, type ResourceGroup, type SpanInput, double, encodeTraces } from './otlp-encode.js';
import { encodeTracesJson } from './otlp-json-encode.js';

/**
 * The column path (`decode-columns.ts`) against the record path (`decode.ts`), for the tests of
 * either encoding: the same body must store the same columns in every table, byte for byte, and
 * leave the same facts for the span metrics and the recent span ids, or refuse the body with the
 * record path's error, word for word. With the spans those tests send.
 */

export const book = new PriceBook([{ table: DEFAULT_PRICES, origin: 'default' }]);
export const RECEIVED_US = 1_763_719_300_000_000;
export const T0 = 1_763_719_200_000_000_000n;

export type Encoding = 'protobuf' | 'json';

/**
 * Decodes `body` both ways; with `before`, the spans (trace and span id) an earlier request carried,
 * which both are told of.
 */
export function both(body: Uint8Array, projectId = 'p1', encoding: Encoding = 'protobuf', before: ReadonlyArray<{ traceId: string; spanId: string }> = []) {
  const recent = new RecentSpans(1000);
  recent.add(before);
  const received = before.length === 0 ? undefined : (words: Int32Array, at: number, hash: number) => recent.claimOfWords(words, at, hash) !== -1;
  let fast: DecodedColumns | Error;
  try {
    fast = decodeTraceColumns(encoding, body, projectId, RECEIVED_US, book, received, received);
  } catch (error) {
    fast = error as Error;
  }
  let record: ReturnType<typeof decodeBatch> | Error;
  try {
    const ended = before.length === 0 ? undefined : (span: { traceId: string; spanId: string }) => recent.has(span);
    record = decodeBatch('traces', encoding, body, projectId, RECEIVED_US, book, before.length === 0 ? undefined : recent, undefined, ended);
  } catch (error) {
    record = error as Error;
  }
  return { fast, record };
}

/** What the column path made of a body, against the record path: the same stored columns and answer, or the same error. */
export function expectSameOutcome(fast: DecodedColumns | Error, record: ReturnType<typeof decodeBatch> | Error, projectId = 'p1', what = ''): void {
  if (record instanceof Error) {
    expect(fast instanceof Error ? fast.message : 'stored', what).toBe(record.message);
    return;
  }
  if (fast instanceof Error) throw new Error(`${what}: the column path refused a body the record path reads (${fast.message})`);
  expectSameResult(fast, record, projectId, what);
}

/** Decodes `body` both ways and expects the column path to take it and store what the record path does. */
export function expectSame(
  body: Uint8Array,
  projectId = 'p1',
  encoding: Encoding = 'protobuf',
  before: ReadonlyArray<{ traceId: string; spanId: string }> = [],
) {
  const { fast, record } = both(body, projectId, encoding, before);
  if (record instanceof Error) throw record;
  if (fast instanceof Error) throw fast;
  expectSameResult(fast, record, projectId);
  return fast;
}

/** What the column path decoded a body to, against the record path's: the stored tables, the answer, and what is kept to settle it. */
export function expectSameResult(fast: DecodedColumns, record: ReturnType<typeof decodeBatch>, projectId = 'p1', what = ''): void {
  expect(stored(fast.batch), what).toStrictEqual(stored(record.batch));
  const { records, rejected, duplicates, rejectReason, replacedStrings, snapshots, snapshotsAfterEnd } = fast;
  expect({ records, rejected, duplicates, rejectReason, replacedStrings, snapshots, snapshotsAfterEnd }, what).toStrictEqual({
    records: record.records,
    rejected: record.rejected,
    duplicates: record.duplicates ?? 0,
    rejectReason: record.rejectReason,
    replacedStrings: record.replacedStrings ?? 0,
    snapshots: record.snapshots ?? 0,
    snapshotsAfterEnd: record.snapshotsAfterEnd ?? 0,
  });
  expect(fast.refusedEvaluations, what).toBe(record.refusedEvaluations ?? 0);
  expect(fast.scores, what).toStrictEqual(record.decoded.scores ?? []);
  expect(fast.spans, what).toStrictEqual(factsOf(projectId, record.decoded.spans));
  expect(fast.ids, what).toStrictEqual(idWordsOfSpans(record.decoded.spans));
}

/**
 * A batch as it is stored: each text column's rows as the UTF-8 bytes an engine gets, whether the
 * column carries them as one string or as bytes (`Column.utf8`), and whether or not its rows were
 * found to be one constant.
 */
export function stored(batch: WriteBatch) {
  return {
    records: batch.records,
    tables: batch.tables.map((table) => ({
      table: table.table,
      rows: table.rows,
      columns: table.columns.map((column) => {
        if (column.type !== 'varchar') return column;
        const rows: Array<string | null> = [];
        let at = 0;
        for (let i = 0; i < table.rows; i++) {
          const length = column.lengths[i]!;
          if (length < 0) rows.push(null);
          else if (column.constant !== null) rows.push(Buffer.from(column.constant).toString('hex'));
          else if (column.utf8 !== undefined) rows.push(Buffer.from(column.utf8.subarray(at, at + length)).toString('hex'));
          else rows.push(Buffer.from(column.text.substring(at, at + length)).toString('hex'));
          if (length > 0 && column.constant === null) at += length;
        }
        return { type: 'varchar', rows };
      }),
    })),
  };
}

export const id = (n: number, bytes: number): string => n.toString(16).padStart(bytes * 2, '0');
const STATUS: Record<string, number> = { UNSET: 0, OK: 1, ERROR: 2 };
const KINDS: Record<string, number> = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };

export interface FixtureSpan {
  name: string;
  kind?: string;
  parentIndex?: number | null;
  trace?: number;
  startUs?: number;
  durationUs?: number;
  scope: { name: string; version?: string };
  status?: { code?: string; message?: string };
  attributes: Attributes;
  events?: Array<{ name: string; attributes?: Attributes }>;
}

/** A captured fixture's spans as one request: a scope group per instrumentation, in the order they came. */
export function fixtureGroups(spans: FixtureSpan[]): Array<ResourceGroup<SpanInput>> {
  const scopes: Array<{ scope: { name: string; version?: string }; items: SpanInput[] }> = [];
  spans.forEach((s, i) => {
    let group = scopes.find((g) => g.scope.name === s.scope.name && g.scope.version === s.scope.version);
    if (group === undefined) scopes.push((group = { scope: s.scope, items: [] }));
    const start = T0 + BigInt(Math.round(s.startUs ?? i * 1000)) * 1000n;
    group.items.push({
      traceId: id(s.trace ?? 1, 16),
      spanId: id(i + 1, 8),
      parentSpanId: s.parentIndex === null || s.parentIndex === undefined ? undefined : id(s.parentIndex + 1, 8),
      name: s.name,
      kind: KINDS[s.kind ?? 'INTERNAL'] ?? 1,
      startTimeUnixNano: start,
      endTimeUnixNano: start + BigInt(Math.round(s.durationUs ?? 5000)) * 1000n,
      attributes: s.attributes as AttributesInput,
      events: (s.events ?? []).map((e, k) => ({ name: e.name, timeUnixNano: start + BigInt(k), attributes: (e.attributes ?? {}) as AttributesInput })),
      status: { code: STATUS[s.status?.code ?? 'UNSET'] ?? 0, message: s.status?.message ?? '' },
    });
  });
  return [{ resource: { attributes: { 'service.name': 'fixture-app' } }, scopes }];
}

export const span = (n: number, rest: Partial<SpanInput> = {}): SpanInput => ({
  traceId: id(1, 16),
  spanId: id(n, 8),
  parentSpanId: n === 1 ? undefined : id(1, 8),
  name: `span ${n}`,
  kind: 1,
  startTimeUnixNano: T0 + BigInt(n) * 1_000_000n,
  endTimeUnixNano: T0 + BigInt(n) * 1_000_000n + 5_000_000n,
  ...rest,
});
export const one = (spans: SpanInput[], scope = { name: 'app' }): Uint8Array =>
  encodeTraces([{ resource: { attributes: { 'service.name': 'svc' } }, scopes: [{ scope, items: spans }] }]);

export const oneJsonBody = (spans: SpanInput[]): Uint8Array =>
  encodeTracesJson([{ resource: { attributes: { 'service.name': 'svc' } }, scopes: [{ scope: { name: 'app' }, items: spans }] }]);

export const fixtureFiles = ['frameworks', 'dialects'].flatMap((dir) =>
  readdirSync(new URL(`../fixtures/${dir}/`, import.meta.url))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${dir}/${f}`),
);

/** Spans of every kind the column path finds records for: errors, cut-short calls, scores, response ids, nested calls, links. */
export function manyKinds(): SpanInput[] {
  const llm = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 10,
    'gen_ai.usage.output_tokens': 3,
  };
  return [
    span(1, { attributes: { 'session.id': 's-1', 'user.id': 'u-1', workflow: 'w' } }),
    span(2, { attributes: { ...llm, 'gen_ai.response.id': 'resp-2', 'gen_ai.response.finish_reasons': ['length'] } }),
    span(3, { parentSpanId: id(2, 8), attributes: { ...llm, 'gen_ai.response.id': 'resp-3' } }),
    span(4, {
      attributes: { 'gen_ai.tool.name': 'web_search', 'http.response.status_code': 503, 'error.type': 'Timeout' },
      status: { code: 2, message: 'tool timed out' },
      events: [
        {
          name: 'exception',
          timeUnixNano: T0 + 4_000_000n,
          attributes: {
            'exception.type': 'TimeoutError',
            'exception.message': 'timed out after 30s',
            'exception.stacktrace': 'Error: x\n    at f (/app/a.js:1:2)',
          },
        },
      ],
    }),
    span(5, { parentSpanId: id(4, 8), status: { code: 2, message: 'tool timed out' } }),
    span(6, {
      events: [
        {
          name: 'gen_ai.evaluation.result',
          timeUnixNano: T0 + 6_000_000n,
          attributes: { 'gen_ai.evaluation.name': 'helpful', 'gen_ai.evaluation.score.value': double(0.75) },
        },
        { name: 'gen_ai.evaluation.result', timeUnixNano: T0 + 6_000_001n, attributes: { 'gen_ai.evaluation.score.value': 1 } },
      ],
    }),
    span(7, {
      links: [{ traceId: id(9, 16), spanId: id(9, 8), attributes: { why: 'retry' }, flags: 1 }],
      traceState: 'k=v',
      flags: 257,
      droppedAttributesCount: 2,
      droppedEventsCount: 1,
      droppedLinksCount: 3,
    }),
  ];
}

/** Values of every kind, and text that JSON escapes. */
export const everyValue: AttributesInput = {
  text: 'quote " backslash \\ newline \n tab \t nul \u0000 e-acute é emoji 😀 bom \ufeff',
  ascii: String.fromCharCode(...Array.from({ length: 128 }, (_, c) => c)),
  separators: 'line \u2028 paragraph \u2029 cjk 漢字',
  'gen_ai.system': 'said "hi"\n\\ ✓ \u001f',
  'gen_ai.request.model': 'model-\u00e9',
  emptyText: '',
  'gen_ai.prompt': 'x'.repeat(300),
  big: 2n ** 62n,
  negative: -5,
  ratio: double(0.1),
  nan: double(Number.NaN),
  infinite: double(Number.POSITIVE_INFINITY),
  yes: true,
  bytes: Uint8Array.from([0, 1, 254, 255]),
  list: ['a', 2, [3, { deep: 'x' }]],
  map: { k: 'v', '0': 'index first inside a value', __proto__x: 1 },
  empty: null,
};

/** Several resources and scopes, a resource after its scopes, odd kinds and clock skew. */
export function severalGroups(): Array<ResourceGroup<SpanInput>> {
  return [
    {
      resource: { attributes: { 'service.name': 'a', 'host.name': 'h' } },
      schemaUrl: 'https://r',
      scopes: [
        { scope: { name: 's1', version: '1' }, schemaUrl: 'https://s', items: [span(1), span(2, { kind: 9 })] },
        { scope: { name: 's2' }, items: [span(3, { kind: 6 })] },
      ],
    },
    {
      resource: { attributes: { 'service.name': 'b' } },
      resourceLast: true,
      scopes: [{ items: [span(4, { traceId: id(2, 16), parentSpanId: undefined, endTimeUnixNano: T0 })] }],
    },
    { scopes: [{ scope: { name: 's1', version: '1' }, items: [span(5, { status: { code: 7 } })] }] },
  ];
}
