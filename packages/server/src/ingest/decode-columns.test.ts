import { readFileSync, readdirSync } from 'node:fs';
import { DEFAULT_PRICES, PriceBook, type Attributes } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { caseRandom, mutateBytes, mutatedBody, seeds } from '../../test/fuzz/fuzz.js';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type AttributesInput, type ResourceGroup, type SpanInput, double, encodeSpanBatch, encodeTraces, spanBatch } from '../../test/support/otlp-encode.js';
import { type JsonStyle, encodeTracesJson } from '../../test/support/otlp-json-encode.js';
import { factsOf } from '../metrics/span-metrics.js';
import { decodeTraceColumns } from './decode-columns.js';
import type { WriteBatch } from '../store/tables.js';
import { decodeBatch } from './decode.js';
import { DecodeCore, spooledBatch } from './decoder.js';
import { PriceBooks } from '../pricing/price-books.js';
import { ProjectMasking } from './masking.js';
import { idWordsOfSpans } from './recent-spans.js';

/**
 * The column path (`decode-columns.ts`) against the record path (`decode.ts`): the same body
 * must store the same columns in every table, byte for byte, and leave the same facts for the
 * span metrics and the recent span ids, or the column path must leave the body to the record path.
 */

const book = new PriceBook([{ table: DEFAULT_PRICES, origin: 'default' }]);
const RECEIVED_US = 1_763_719_300_000_000;
const T0 = 1_763_719_200_000_000_000n;

type Encoding = 'protobuf' | 'json';

function both(body: Uint8Array, projectId = 'p1', encoding: Encoding = 'protobuf') {
  const result = decodeTraceColumns(encoding, body, projectId, RECEIVED_US, book, undefined);
  const fast = typeof result === 'string' ? null : result;
  const left = typeof result === 'string' ? result : null;
  let record: ReturnType<typeof decodeBatch> | Error;
  try {
    record = decodeBatch('traces', encoding, body, projectId, RECEIVED_US, book);
  } catch (error) {
    record = error as Error;
  }
  return { fast, left, record };
}

/** Decodes `body` both ways and expects the column path to take it and store what the record path does. */
function expectSame(body: Uint8Array, projectId = 'p1', encoding: Encoding = 'protobuf'): void {
  const { fast, record } = both(body, projectId, encoding);
  if (record instanceof Error) throw record;
  expect(fast, 'the column path took the body').not.toBeNull();
  expect(stored(fast!.batch)).toStrictEqual(stored(record.batch));
  expect(fast!.records).toBe(record.records);
  expect(fast!.refusedEvaluations).toBe(record.refusedEvaluations ?? 0);
  expect(fast!.scores).toStrictEqual(record.decoded.scores ?? []);
  expect(fast!.spans).toStrictEqual(factsOf(projectId, record.decoded.spans));
  expect(fast!.ids).toStrictEqual(idWordsOfSpans(record.decoded.spans));
}

/**
 * A batch as it is stored: each text column's rows as the UTF-8 bytes an engine gets, whether the
 * column carries them as one string or as bytes (`Column.utf8`), and whether or not its rows were
 * found to be one constant.
 */
function stored(batch: WriteBatch) {
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

const id = (n: number, bytes: number): string => n.toString(16).padStart(bytes * 2, '0');
const STATUS: Record<string, number> = { UNSET: 0, OK: 1, ERROR: 2 };
const KINDS: Record<string, number> = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };

interface FixtureSpan {
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
function fixtureGroups(spans: FixtureSpan[]): Array<ResourceGroup<SpanInput>> {
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

const span = (n: number, rest: Partial<SpanInput> = {}): SpanInput => ({
  traceId: id(1, 16),
  spanId: id(n, 8),
  parentSpanId: n === 1 ? undefined : id(1, 8),
  name: `span ${n}`,
  kind: 1,
  startTimeUnixNano: T0 + BigInt(n) * 1_000_000n,
  endTimeUnixNano: T0 + BigInt(n) * 1_000_000n + 5_000_000n,
  ...rest,
});
const one = (spans: SpanInput[], scope = { name: 'app' }): Uint8Array => encodeTraces([{ resource: { attributes: { 'service.name': 'svc' } }, scopes: [{ scope, items: spans }] }]);

const oneJsonBody = (spans: SpanInput[]): Uint8Array => encodeTracesJson([{ resource: { attributes: { 'service.name': 'svc' } }, scopes: [{ scope: { name: 'app' }, items: spans }] }]);

const fixtureFiles = ['frameworks', 'dialects'].flatMap((dir) =>
  readdirSync(new URL(`../../test/fixtures/${dir}/`, import.meta.url)).filter((f) => f.endsWith('.json')).map((f) => `${dir}/${f}`),
);

/** Spans of every kind the column path finds records for: errors, cut-short calls, scores, response ids, nested calls, links. */
function manyKinds(): SpanInput[] {
  const llm = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 3 };
  return [
    span(1, { attributes: { 'session.id': 's-1', 'user.id': 'u-1', workflow: 'w' } }),
    span(2, { attributes: { ...llm, 'gen_ai.response.id': 'resp-2', 'gen_ai.response.finish_reasons': ['length'] } }),
    span(3, { parentSpanId: id(2, 8), attributes: { ...llm, 'gen_ai.response.id': 'resp-3' } }),
    span(4, {
      attributes: { 'gen_ai.tool.name': 'web_search', 'http.response.status_code': 503, 'error.type': 'Timeout' },
      status: { code: 2, message: 'tool timed out' },
      events: [{ name: 'exception', timeUnixNano: T0 + 4_000_000n, attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'timed out after 30s', 'exception.stacktrace': 'Error: x\n    at f (/app/a.js:1:2)' } }],
    }),
    span(5, { parentSpanId: id(4, 8), status: { code: 2, message: 'tool timed out' } }),
    span(6, {
      events: [
        { name: 'gen_ai.evaluation.result', timeUnixNano: T0 + 6_000_000n, attributes: { 'gen_ai.evaluation.name': 'helpful', 'gen_ai.evaluation.score.value': double(0.75) } },
        { name: 'gen_ai.evaluation.result', timeUnixNano: T0 + 6_000_001n, attributes: { 'gen_ai.evaluation.score.value': 1 } },
      ],
    }),
    span(7, { links: [{ traceId: id(9, 16), spanId: id(9, 8), attributes: { why: 'retry' }, flags: 1 }], traceState: 'k=v', flags: 257, droppedAttributesCount: 2, droppedEventsCount: 1, droppedLinksCount: 3 }),
  ];
}

/** Values of every kind, and text that JSON escapes. */
const everyValue: AttributesInput = {
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
function severalGroups(): Array<ResourceGroup<SpanInput>> {
  return [
    { resource: { attributes: { 'service.name': 'a', 'host.name': 'h' } }, schemaUrl: 'https://r', scopes: [{ scope: { name: 's1', version: '1' }, schemaUrl: 'https://s', items: [span(1), span(2, { kind: 9 })] }, { scope: { name: 's2' }, items: [span(3, { kind: 6 })] }] },
    { resource: { attributes: { 'service.name': 'b' } }, resourceLast: true, scopes: [{ items: [span(4, { traceId: id(2, 16), parentSpanId: undefined, endTimeUnixNano: T0 })] }] },
    { scopes: [{ scope: { name: 's1', version: '1' }, items: [span(5, { status: { code: 7 } })] }] },
  ];
}

describe('decoding a protobuf trace request straight into columns', () => {
  it('stores what the record path stores for generated LLM traces, in one project and another', () => {
    expectSame(encodeSpanBatch({ traces: 40, spansPerTrace: 7 }));
    expectSame(encodeSpanBatch({ traces: 3, spansPerTrace: 2, services: 1, seed: 9 }), 'default');
  });

  it.each(fixtureFiles)('stores what the record path stores for the captured spans of %s', (file) => {
    const fixture = JSON.parse(readFileSync(new URL(`../../test/fixtures/${file}`, import.meta.url), 'utf8')) as { spans?: FixtureSpan[] };
    expect(fixture.spans?.length ?? 0).toBeGreaterThan(0);
    expectSame(encodeTraces(fixtureGroups(fixture.spans!)));
  });

  it('stores what the record path stores for errors, cut-short calls, scores, response ids and nested calls', () => {
    expectSame(one(manyKinds()));
  });

  it('stores what the record path stores for values of every kind, and text that JSON escapes', () => {
    expectSame(one([span(1, { attributes: everyValue, name: 'naïve ünïcode', status: { code: 1, message: 'ok ✓' } })], { name: 'scope ✓' }));
  });

  it('stores what the record path stores over several resources and scopes, a resource after its scopes, odd kinds and clock skew', () => {
    expectSame(encodeTraces(severalGroups()));
  });

  it.each([
    ['the same span twice', span(1, { attributes: { a: 1 } }), true, 'repeated'],
    ['a key that is an array index', span(1, { attributes: { '7': 'x', a: 1 } }), false, 'attributes'],
    ['a __proto__ key', span(1, { attributes: { ['__proto__']: 'x' } as AttributesInput }), false, 'attributes'],
    ['a running snapshot', span(1, { endTimeUnixNano: 0 }), false, 'running'],
    ['an invalid span id', span(1, { spanId: id(0, 8) }), false, 'rejected'],
    ['an end past the year 2255', span(1, { endTimeUnixNano: 2n ** 63n - 1n }), false, 'rejected'],
  ] as const)('leaves a request with %s to the record path', (_what, s, twice, why) => {
    const spans = twice ? [s, s] : [s, span(2)];
    const { fast, left, record } = both(one(spans));
    expect(fast).toBeNull();
    expect(left).toBe(why);
    expect(record).not.toBeInstanceOf(Error);
  });

  it.each([
    ['a value key', 'other'],
    ['a key a convention reads', 'gen_ai.system'],
  ])('leaves text that is not UTF-8 in %s to the record path, which refuses it', (_what, key) => {
    const body = Buffer.from(one([span(1, { attributes: { [key]: 'zzzz' } })]));
    body.write('\xff\xfe\xc3\x28', body.indexOf('zzzz'), 'latin1');
    const { fast, record } = both(body);
    expect(fast).toBeNull();
    expect(record).toBeInstanceOf(Error);
  });

  it('leaves a KeyValue with two values to the record path, which reads both', () => {
    const body = Buffer.from(one([span(1, { attributes: { a: 'first', bbbbb: 'x' } })]));
    // The KeyValue's key (0a 05 'bbbbb') becomes an empty key (0a 00) and a first value, "y" (12 03 0a 01 79).
    const at = body.indexOf(Buffer.from('\x0a\x05bbbbb', 'latin1'));
    body.set([0x0a, 0x00, 0x12, 0x03, 0x0a, 0x01, 0x79], at);
    const { fast, record } = both(body);
    expect(fast).toBeNull();
    expect(record).not.toBeInstanceOf(Error);
  });

  it('leaves a request holding a key twice in one span to the record path', () => {
    // Two KeyValues of one key: the encoder writes an object's keys once, so the body is put together by hand.
    const body = one([span(1, { attributes: { a: 'first' } })]);
    const twice = one([span(1, { attributes: { a: 'first', b: 'x' } })]);
    expect(decodeTraceColumns('protobuf', body, 'p1', RECEIVED_US, book, undefined)).not.toBeTypeOf('string');
    const renamed = Buffer.from(twice);
    const at = renamed.indexOf(Buffer.from([0x0a, 0x01, 0x62])); // the key 'b'
    renamed[at + 2] = 0x61; // now 'a' again
    const { fast, record } = both(renamed);
    expect(fast).toBeNull();
    expect(record).not.toBeInstanceOf(Error);
  });

  it('leaves a request holding the empty key twice in one span, once with no key field, to the record path', () => {
    // An empty key and no key at all are the same key, whose last value the record path keeps.
    const body = Buffer.from(one([span(1, { attributes: { '': 'first', yy: 'second' } })]));
    body[body.indexOf(Buffer.from('\x0a\x02yy', 'latin1'))] = 0x1a; // the key field becomes an unknown field 3
    const { fast, record } = both(body);
    expect(fast).toBeNull();
    if (record instanceof Error) throw record;
    expect(record.decoded.spans[0]!.attributes).toEqual({ '': 'second' });
  });

  it('stores what the record path stores when spans share their keys in order or change it, also after the key table started over', () => {
    // 3,000 distinct keys, more than the table holds: it starts over, and the span it started
    // over in (whose earlier keys are gone from it) sends the request the record way.
    const many = Array.from({ length: 30 }, (_, s) => span(100 + s, { attributes: Object.fromEntries(Array.from({ length: 100 }, (_, k) => [`k${s}.${k}`, k])) }));
    const { fast, record } = both(one(many));
    expect(fast).toBeNull();
    expect(record).not.toBeInstanceOf(Error);
    // Keys in the same order span after span (each found at its place in the span before), in another order, fewer, more.
    const shaped = (n: number, attributes: AttributesInput) => span(n, { attributes });
    expectSame(one([shaped(1, { a: 'x', b: 1, c: true }), shaped(2, { a: 'y', b: 2, c: false }), shaped(3, { b: 3, a: 'z' }), shaped(4, { a: 'w' }), shaped(5, { a: 'v', b: 5, c: true, d: 'more' }), shaped(6, {})]));
  });

  it('leaves a request whose spans were received before to the record path, asking for each span once', () => {
    const asked: string[] = [];
    const hex = (word: number): string => (word >>> 0).toString(16).padStart(8, '0');
    const seenBefore = (words: Int32Array, at: number): boolean => {
      const spanId = hex(words[at + 4]!) + hex(words[at + 5]!);
      asked.push(spanId);
      return spanId === id(2, 8);
    };
    expect(decodeTraceColumns('protobuf', one([span(1), span(2), span(3)]), 'p1', RECEIVED_US, book, seenBefore)).toBe('received');
    expect(asked).toEqual([id(1, 8), id(2, 8)]);
  });

  it('never stores a mutated body other than the record path does (2,000 cases)', () => {
    const corpus = seeds().filter((s) => s.signal === 'traces' && s.encoding === 'protobuf');
    corpus.push({ signal: 'traces', encoding: 'protobuf', body: encodeSpanBatch({ traces: 2, spansPerTrace: 3 }) });
    let taken = 0;
    for (let i = 0; i < 2000; i++) {
      const random = caseRandom(35, i);
      const body = mutateBytes(random, random.pick(corpus).body);
      const { fast, left, record } = both(body);
      // A throw is for a body the record path refuses too: else `DecodeCore` would count a fault.
      if (left === 'thrown' && !(record instanceof Error)) throw new Error(`case ${i}: the column path threw on a body the record path reads`);
      if (fast === null) continue;
      taken++;
      if (record instanceof Error) throw new Error(`case ${i}: the column path took a body the record path refuses (${record.message})`);
      expect(stored(fast.batch), `case ${i}`).toStrictEqual(stored(record.batch));
      expect(fast.spans, `case ${i}`).toStrictEqual(factsOf('p1', record.decoded.spans));
      expect(fast.ids, `case ${i}`).toStrictEqual(idWordsOfSpans(record.decoded.spans));
    }
    expect(taken).toBeGreaterThan(100);
  });
});

describe('decoding an OTLP/JSON trace request straight into columns', () => {
  const styles: Array<[string, JsonStyle]> = [
    ['as the OpenTelemetry JS exporter writes it', {}],
    ['with bare numbers, enum names and upper-case ids', { bareNumbers: true, enumNames: true, upperIds: true }],
    ['indented, zero fields left out', { indent: true, omitZeros: true }],
  ];
  const json = (groups: Array<ResourceGroup<SpanInput>>, style: JsonStyle = {}): Uint8Array => encodeTracesJson(groups, style);
  const oneJson = (spans: SpanInput[], style: JsonStyle = {}, scope = { name: 'app' }): Uint8Array =>
    json([{ resource: { attributes: { 'service.name': 'svc' } }, scopes: [{ scope, items: spans }] }], style);

  it.each(styles)('stores what the record path stores for generated LLM traces, %s', (_what, style) => {
    expectSame(json(spanBatch({ traces: 40, spansPerTrace: 7 }), style), 'p1', 'json');
    expectSame(json(spanBatch({ traces: 3, spansPerTrace: 2, services: 1, seed: 9 }), style), 'default', 'json');
  });

  it('stores what the record path stores for the OpenTelemetry JS exporter\'s own OTLP/JSON', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'otel-js' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('spoor-test', '1.0.0');
    tracer.startActiveSpan('invoke_agent planner', (root) => {
      tracer.startActiveSpan('chat gpt-4o', { kind: SpanKind.CLIENT }, (call) => {
        call.setAttributes({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 812, 'gen_ai.usage.output_tokens': 97, 'gen_ai.response.finish_reasons': ['stop'], ratio: 0.25, 'gen_ai.prompt': 'say "hi"\n\ttwice ✓' });
        call.addEvent('gen_ai.content.completion', { 'gen_ai.completion': 'hi hi' });
        call.end();
      });
      tracer.startActiveSpan('execute_tool search', (tool) => {
        tool.recordException(new Error('search timed out'));
        tool.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
        tool.end();
      });
      root.end();
    });
    const body = JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
    await provider.shutdown();
    expectSame(body, 'p1', 'json');
  });

  it.each(fixtureFiles)('stores what the record path stores for the captured spans of %s', (file) => {
    const fixture = JSON.parse(readFileSync(new URL(`../../test/fixtures/${file}`, import.meta.url), 'utf8')) as { spans?: FixtureSpan[] };
    expectSame(encodeTracesJson(fixtureGroups(fixture.spans!)), 'p1', 'json');
  });

  it.each(styles)('stores what the record path stores for errors, scores, links, values of every kind and escaped text, %s', (_what, style) => {
    expectSame(oneJson(manyKinds(), style), 'p1', 'json');
    expectSame(oneJson([span(1, { attributes: everyValue, name: 'naïve ünïcode', status: { code: 1, message: 'ok ✓' } })], style, { name: 'scope ✓' }), 'p1', 'json');
  });

  it('stores what the record path stores over several resources and scopes, a resource after its scopes, odd kinds and clock skew', () => {
    expectSame(json(severalGroups()), 'p1', 'json');
    expectSame(json(severalGroups(), { bareNumbers: true, omitZeros: true }), 'p1', 'json');
  });

  it.each([
    ['escapes JSON.stringify would not write', (t: string) => t.replace('"text","value":{"stringValue":"quote', '"text","value":{"stringValue":"\\/ \\u00e9 \\u00E9 \\u001F \\ud83d\\ude00 \\ud800 quote')],
    ['an escaped name, message and trace state', (t: string) => t.replace('"name":"span 1"', '"name":"span\\u0020\\u0031\\n"').replace('"message":""', '"message":"\\u00e9\\t"')],
    ['nulls for fields and values', (t: string) => t.replace('"traceState":""', '"traceState":null').replace('"events":[]', '"events":null').replace('"status":{"code":0,"message":""}', '"status":null')],
    ['fields OTLP does not define, and a KeyValue of a key alone', (t: string) => t.replace('"name":"span 1"', '"name":"span 1","extra":{"a":[1,2.5e3,true,null,"x\\"y"]},"more":-0.5').replace('{"key":"yes","value":{"boolValue":true}}', '{"key":"yes"}')],
    ['fields in another order', (t: string) => t.replace(/"flags":(\d+)\}/g, '"flags":$1,"traceState":""}').replace(/"traceState":"",("parentSpanId")/g, '$1')],
    ['a value of two kinds, and maps, bytes and nested lists', (t: string) => t.replace('{"stringValue":"model-é"}', '{"stringValue":"model-é","intValue":"3"}')],
    ['times and integers of every spelling', (t: string) => t.replace(/"startTimeUnixNano":"(\d+)"/, '"startTimeUnixNano":$1').replace('"droppedAttributesCount":0', '"droppedAttributesCount":"0"').replace('"kind":1', '"kind":"1"')],
  ])('stores what the record path stores with %s', (_what, edit) => {
    const text = Buffer.from(oneJson([span(1, { attributes: everyValue }), span(2)])).toString('utf8');
    const edited = edit(text);
    expect(edited).not.toBe(text);
    expectSame(Buffer.from(edited), 'p1', 'json');
  });

  it.each([
    ['a field twice in a span', (t: string) => t.replace('"name":"span 1"', '"name":"span 1","name":"again"'), false, 'body'],
    ['the empty key twice, once with no key', (t: string) => t.replace('{"key":"a","value":{"stringValue":"x"}}', '{"key":"","value":{"intValue":1}},{}'), false, 'attributes'],
    ['the empty key twice, once null', (t: string) => t.replace('{"key":"a","value":{"stringValue":"x"}}', '{"key":null},{"key":"","value":{"intValue":1}}'), false, 'attributes'],
    ['a KeyValue whose value comes first', (t: string) => t.replace('{"key":"a","value":{"stringValue":"x"}}', '{"value":{"stringValue":"x"},"key":"a"}'), false, 'body'],
    ['a key holding an escape', (t: string) => t.replace('{"key":"a",', '{"key":"\\u0061",'), false, 'body'],
    ['a byte order mark', (t: string) => `\ufeff${t}`, false, 'body'],
    ['text after the request', (t: string) => `${t} {}`, true, 'body'],
    ['a control character in a string', (t: string) => t.replace('"name":"span 1"', '"name":"span\u00011"'), true, 'body'],
    ['a truncated body', (t: string) => t.slice(0, t.length - 40), true, 'body'],
    ['a trace id that is not hex', (t: string) => t.replace(/"traceId":"0+1"/, `"traceId":"${'z'.repeat(32)}"`), true, 'rejected'],
    ['a running snapshot', (t: string) => t.replace(/"endTimeUnixNano":"\d+"/, '"endTimeUnixNano":"0"'), false, 'running'],
    ['a span id of another length', (t: string) => t.replace(/"spanId":"0+1"/, '"spanId":"0001"'), false, 'rejected'],
  ] as const)('leaves a request with %s to the record path', (_what, edit, refused, why) => {
    const text = Buffer.from(oneJson([span(1, { attributes: { a: 'x' } }), span(2)])).toString('utf8');
    const edited = edit(text);
    expect(edited).not.toBe(text);
    const { fast, left, record } = both(Buffer.from(edited), 'p1', 'json');
    expect(fast).toBeNull();
    expect(left).toBe(why);
    expect(record instanceof Error, record instanceof Error ? record.message : 'stored').toBe(refused);
  });

  it('leaves text that is not UTF-8 to the record path, which refuses it', () => {
    const body = Buffer.from(oneJson([span(1, { attributes: { other: 'zzzz' } })]));
    body.write('\xff\xfe\xc3\x28', body.indexOf('zzzz'), 'latin1');
    const { fast, record } = both(body, 'p1', 'json');
    expect(fast).toBeNull();
    expect(record).toBeInstanceOf(Error);
  });

  it('never stores a changed body other than the record path does (3,000 cases)', () => {
    const corpus = [
      json(spanBatch({ traces: 2, spansPerTrace: 3 })),
      oneJson(manyKinds(), { bareNumbers: true }),
      oneJson([span(1, { attributes: everyValue })], { enumNames: true, indent: true }),
      ...seeds().filter((s) => s.signal === 'traces' && s.encoding === 'json').map((s) => s.body),
    ];
    // Bytes changed at random (mostly no longer JSON), and characters changed for others of their
    // kind (digits, hex, letters, structure), which mostly still are.
    const KINDS_OF = ['0123456789', 'abcdefABCDEF', 'nrtu\\/"', ' \n{}[],:'];
    let taken = 0;
    for (let i = 0; i < 3000; i++) {
      const random = caseRandom(36, i);
      let body: Uint8Array = random.pick(corpus);
      if (i % 3 === 0) body = mutatedBody(random, corpus.map((seed) => ({ signal: 'traces', encoding: 'json', body: seed }))).body;
      else {
        const text = Buffer.from(body);
        for (let k = random.int(1, 4); k > 0; k--) {
          const at = random.int(0, text.length - 1);
          const kind = KINDS_OF.find((chars) => chars.includes(String.fromCharCode(text[at]!))) ?? KINDS_OF[i % KINDS_OF.length]!;
          text[at] = kind.charCodeAt(random.int(0, kind.length - 1));
        }
        body = text;
      }
      const { fast, left, record } = both(body, 'p1', 'json');
      if (left === 'thrown' && !(record instanceof Error)) throw new Error(`case ${i}: the column path threw on a body the record path reads`);
      if (fast === null) continue;
      taken++;
      if (record instanceof Error) throw new Error(`case ${i}: the column path took a body the record path refuses (${record.message}): ${Buffer.from(body).toString('utf8').slice(0, 400)}`);
      expect(stored(fast.batch), `case ${i}`).toStrictEqual(stored(record.batch));
      expect(fast.spans, `case ${i}`).toStrictEqual(factsOf('p1', record.decoded.spans));
      expect(fast.ids, `case ${i}`).toStrictEqual(idWordsOfSpans(record.decoded.spans));
    }
    expect(taken).toBeGreaterThan(500);
  });
});

describe('the requests the column path leaves, counted by why', () => {
  const request = (body: Uint8Array, encoding: Encoding = 'protobuf') => ({ signal: 'traces' as const, encoding, body, projectId: 'p1', receivedUs: RECEIVED_US });
  const counts = (core: DecodeCore) => Object.fromEntries([...core.columnMetrics().matchAll(/reason="(\w+)"} (\d+)/g)].map((m) => [m[1], Number(m[2])]));

  it('counts each reason once, a body both paths refuse as malformed, and a throw on a body the record path reads as an error', () => {
    const core = new DecodeCore(null);
    core.decode(request(one([span(1), span(2)])));
    core.decode(request(oneJsonBody([span(3)]), 'json'));
    expect(Object.values(counts(core)).every((n) => n === 0)).toBe(true);
    core.decode(request(one([span(4, { endTimeUnixNano: 0 })])));
    core.decode(request(Buffer.from(`\ufeff${Buffer.from(oneJsonBody([span(5)])).toString('utf8')}`), 'json'));
    expect(() => core.decode(request(Buffer.from(one([span(6)])).subarray(0, 40)))).toThrow(/malformed/);
    expect(() => core.decode(request(Buffer.from('{"resourceSpans":[{"resource":7}]}'), 'json'))).toThrow(/malformed/);
    // A fault of the column path's own, made by breaking what it asks of the recent span ids (the record path asks otherwise).
    const recent = (core as unknown as { recentFor(projectId: string): { claimOfWords(...args: unknown[]): number } }).recentFor('p1');
    const claimOfWords = recent.claimOfWords.bind(recent);
    let faults = 1;
    recent.claimOfWords = (...args) => {
      if (faults-- > 0) throw new TypeError('a fault');
      return claimOfWords(...args);
    };
    expect(core.decode(request(one([span(7)]))).records).toBe(1);
    expect(counts(core)).toEqual({ body: 1, empty: 0, attributes: 0, running: 1, rejected: 0, repeated: 0, received: 0, malformed: 2, error: 1 });
    expect(core.columnMetrics()).toContain('# TYPE spoor_decode_column_fallbacks_total counter');
  });
});

describe('a spooled request decoded again where it is read back', () => {
  const entry = (body: Uint8Array, projectId = 'p1') => ({ signal: 'traces' as const, encoding: 'protobuf' as const, body, projectId, receivedUs: RECEIVED_US });

  it('takes the column path for a plain protobuf trace request, and stores what the receiver stored', () => {
    const body = encodeSpanBatch({ traces: 5, spansPerTrace: 4 });
    const receiver = new DecodeCore(null);
    const received = receiver.decode(entry(body));
    const batch = spooledBatch(entry(body), new PriceBooks(null).bookFor('p1'), undefined);
    expect(stored(batch)).toStrictEqual(stored(received.batch));
    // The column path's mark: the attributes' JSON carried as bytes.
    expect(batch.tables.find((table) => table.table === 'spans')!.columns.some((column) => column.type === 'varchar' && column.utf8 !== undefined)).toBe(true);
  });

  it("masks a project's request by the record path, as the receiver did", () => {
    const masking = new ProjectMasking(null);
    masking.set('shop', { detectors: [], rules: [{ name: 'secret', pattern: 'span \\d+' }] });
    const body = encodeTraces([{ resource: { attributes: { 'service.name': 'svc' } }, scopes: [{ scope: { name: 's' }, items: [span(1, { attributes: { note: 'span 1 said' } })] }] }]);
    const batch = spooledBatch(entry(body, 'shop'), book, masking.maskerFor('shop'));
    const masked = decodeBatch('traces', 'protobuf', body, 'shop', RECEIVED_US, book, undefined, masking.maskerFor('shop')).batch;
    expect(stored(batch)).toStrictEqual(stored(masked));
    expect(JSON.stringify(stored(batch))).not.toContain(Buffer.from('span 1 said').toString('hex'));
  });
});

