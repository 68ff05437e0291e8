import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caseRandom, mutateBytes, seeds } from '../../test/fuzz/fuzz.js';
import {
  type Encoding,
  type FixtureSpan,
  RECEIVED_US,
  book,
  both,
  everyValue,
  expectSame,
  expectSameOutcome,
  fixtureFiles,
  fixtureGroups,
  id,
  manyKinds,
  one,
  oneJsonBody,
  severalGroups,
  span,
  stored,
} from '../../test/support/column-paths.js';
import { type AttributesInput, encodeSpanBatch, encodeTraces } from '../../test/support/otlp-encode.js';
import { decodeTraceColumns } from './decode-columns.js';
import { decodeBatch } from './decode.js';
import { DecodeCore, spooledBatch } from './decoder.js';
import { PriceBooks } from '../pricing/price-books.js';
import { ProjectMasking } from './masking.js';

/**
 * The column path (`decode-columns.ts`) against the record path (`decode.ts`) for OTLP/protobuf,
 * why it leaves a request, and a spooled request read back: see `test/support/column-paths.ts`.
 * OTLP/JSON's are in `decode-columns-json.test.ts`.
 */

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
    ['the same span twice', [span(1, { attributes: { a: 1 } }), span(2), span(1, { name: 'again' })], 1],
    ['a span id again in another trace, which is another span', [span(1), span(2), span(2, { traceId: id(2, 16) }), span(2, { traceId: id(2, 16) })], 1],
    ['an invalid span id', [span(1, { spanId: id(0, 8) }), span(2)], 1],
    ['a span id of another length', [span(1), span(2, { spanId: id(2, 5) })], 1],
    [
      'an invalid trace id, after a span rejected for its time (ids are named first)',
      [span(1, { endTimeUnixNano: 2n ** 63n - 1n }), span(2, { traceId: id(0, 16) })],
      2,
    ],
    ['a trace id of another length', [span(1, { traceId: id(1, 9) }), span(2)], 1],
    ['a parent id of another length', [span(1), span(2, { parentSpanId: id(1, 3) })], 1],
    ['an end past the year 2255', [span(1, { endTimeUnixNano: 2n ** 63n - 1n }), span(2)], 1],
    ['every span rejected', [span(1, { spanId: id(0, 8) }), span(2, { startTimeUnixNano: 2n ** 63n - 1n })], 2],
    ['no span', [], 0],
  ] as const)('takes a request with %s, and rejects what the record path rejects, saying the same', (_what, spans, rejected) => {
    const fast = expectSame(one([...spans]));
    expect(fast.rejected).toBe(rejected);
  });

  it('takes a request whose spans were received before, rejecting them as duplicates', () => {
    const fast = expectSame(one([span(1), span(2), span(3), span(2)]), 'p1', 'protobuf', [
      { traceId: id(1, 16), spanId: id(2, 8) },
      { traceId: id(7, 16), spanId: id(3, 8) },
    ]);
    expect({ rejected: fast.rejected, duplicates: fast.duplicates, records: fast.records }).toEqual({ rejected: 2, duplicates: 2, records: 2 });
  });

  it.each([
    ['a key that is an array index', span(1, { attributes: { '7': 'x', a: 1 } })],
    ['a __proto__ key', span(1, { attributes: { ['__proto__']: 'x' } as AttributesInput })],
  ] as const)('stores what the record path stores for a span with %s, its attributes read whole', (_what, s) => {
    expectSame(one([s, span(2)]));
  });

  it.each([
    ['a value key', 'other'],
    ['a key a convention reads', 'gen_ai.system'],
  ])('repairs and counts text that is not UTF-8 in %s as the record path does', (_what, key) => {
    const body = Buffer.from(one([span(1, { attributes: { [key]: 'zzzz', list: ['zzzz'] }, name: 'zzzz' })]));
    for (let at = body.indexOf('zzzz'); at >= 0; at = body.indexOf('zzzz', at + 1)) body.write('\xff\xfe\xc3\x28', at, 'latin1');
    const { record } = both(body);
    if (record instanceof Error) throw record;
    expect(record.replacedStrings).toBe(3);
    expect(record.decoded.spans[0]!.attributes[key]).toBe('\ufffd\ufffd\ufffd(');
    expect(expectSame(body).replacedStrings).toBe(3);
  });

  it('counts a key that is not UTF-8 once a span, also when a request before had it, and when it is met twice in a span', () => {
    const body = Buffer.from(one([span(1, { attributes: { zzzz: 1 } }), span(2, { attributes: { zzzz: 2, zzzy: 3 } })]));
    for (const key of ['zzzz', 'zzzy']) for (let at = body.indexOf(key); at >= 0; at = body.indexOf(key, at + 1)) body.write('z\xffz', at, 'latin1');
    for (const _ of [1, 2]) expect(expectSame(body).replacedStrings).toBe(3);
  });

  it('reads and counts both values of a KeyValue with two, as the record path does', () => {
    const body = Buffer.from(one([span(1, { attributes: { a: 'first', bbbbb: 'x' } })]));
    // The KeyValue's key (0a 05 'bbbbb') becomes an empty key (0a 00) and a first value, "\xff" (12 03 0a 01 ff), which is not UTF-8.
    const at = body.indexOf(Buffer.from('\x0a\x05bbbbb', 'latin1'));
    body.set([0x0a, 0x00, 0x12, 0x03, 0x0a, 0x01, 0xff], at);
    expect(expectSame(body).replacedStrings).toBe(1);
    // The first value malformed (a string longer than its value): refused, as the record path refuses it.
    body[at + 5] = 0x09;
    const { fast, record } = both(body);
    expect(record).toBeInstanceOf(Error);
    expectSameOutcome(fast, record);
  });

  it('stores what the record path stores for a key twice in one span', () => {
    // Two KeyValues of one key: the encoder writes an object's keys once, so the body is put together by hand.
    const twice = one([span(1, { attributes: { a: 'first', b: 'x', c: 1 } }), span(2, { attributes: { a: 'first', b: 'x' } })]);
    const renamed = Buffer.from(twice);
    const at = renamed.indexOf(Buffer.from([0x0a, 0x01, 0x62])); // the key 'b'
    renamed[at + 2] = 0x61; // now 'a' again
    const { record } = both(renamed);
    if (record instanceof Error) throw record;
    expect(record.decoded.spans[0]!.attributes).toEqual({ a: 'x', c: 1 });
    expectSame(renamed);
  });

  it('stores what the record path stores for the empty key twice in one span, once with no key field', () => {
    // An empty key and no key at all are the same key, whose last value the record path keeps.
    const body = Buffer.from(one([span(1, { attributes: { '': 'first', yy: 'second' } })]));
    body[body.indexOf(Buffer.from('\x0a\x02yy', 'latin1'))] = 0x1a; // the key field becomes an unknown field 3
    const { record } = both(body);
    if (record instanceof Error) throw record;
    expect(record.decoded.spans[0]!.attributes).toEqual({ '': 'second' });
    expectSame(body);
  });

  it('stores what the record path stores when spans share their keys in order or change it, also after the key table started over', () => {
    // 3,000 distinct keys, more than the table holds: it starts over, and the span it started
    // over in (whose earlier keys are gone from it) is read whole.
    const many = Array.from({ length: 30 }, (_, s) =>
      span(100 + s, { attributes: Object.fromEntries(Array.from({ length: 100 }, (_, k) => [`k${s}.${k}`, k])) }),
    );
    expectSame(one(many));
    // Keys in the same order span after span (each found at its place in the span before), in another order, fewer, more.
    const shaped = (n: number, attributes: AttributesInput) => span(n, { attributes });
    expectSame(
      one([
        shaped(1, { a: 'x', b: 1, c: true }),
        shaped(2, { a: 'y', b: 2, c: false }),
        shaped(3, { b: 3, a: 'z' }),
        shaped(4, { a: 'w' }),
        shaped(5, { a: 'v', b: 5, c: true, d: 'more' }),
        shaped(6, {}),
      ]),
    );
  });

  it.each([
    ['a snapshot alone', [span(1, { endTimeUnixNano: 0 })], [], 1, 0],
    ['a snapshot and its span ended after it', [span(1, { endTimeUnixNano: 0 }), span(2), span(1)], [], 0, 1],
    ['a snapshot after its span ended', [span(1), span(1, { endTimeUnixNano: 0 }), span(2)], [], 0, 1],
    [
      'two snapshots of a span, the last kept',
      [span(1, { endTimeUnixNano: 0, name: 'first' }), span(2, { endTimeUnixNano: 0 }), span(1, { endTimeUnixNano: 0, name: 'last' })],
      [],
      2,
      0,
    ],
    ['the snapshot of a span received ended before', [span(1, { endTimeUnixNano: 0 }), span(2)], [{ traceId: id(1, 16), spanId: id(1, 8) }], 0, 1],
    [
      'snapshots of LLM calls, one around the other, and attributes read whole',
      [
        span(1, {
          endTimeUnixNano: 0,
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4o',
            '7': 'x',
            'gen_ai.usage.input_tokens': 10,
          },
        }),
        span(2, {
          endTimeUnixNano: 0,
          attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10 },
        }),
        span(3, { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' } }),
      ],
      [],
      2,
      0,
    ],
    [
      'a snapshot with an invalid span id, and one with a start past the year 2255',
      [span(1, { endTimeUnixNano: 0, spanId: id(0, 8) }), span(2, { endTimeUnixNano: 0, startTimeUnixNano: 2n ** 63n - 1n })],
      [],
      0,
      0,
    ],
  ] as const)('stores what the record path stores for %s', (_what, spans, before, kept, afterEnd) => {
    const fast = expectSame(one([...spans], { name: 'app' }), 'p1', 'protobuf', before);
    expect({ snapshots: fast.snapshots, snapshotsAfterEnd: fast.snapshotsAfterEnd }).toEqual({ snapshots: kept, snapshotsAfterEnd: afterEnd });
  });

  it('stores what the record path stores for snapshots in several resources and scopes, with the sources of both', () => {
    const groups = severalGroups();
    for (const group of groups)
      for (const scope of group.scopes) scope.items = scope.items.map((item, i) => (i % 2 === 0 ? { ...item, endTimeUnixNano: 0 } : item));
    expect(expectSame(encodeTraces(groups)).snapshots).toBeGreaterThan(1);
  });

  it('asks whether each span was received before once, but for a span the request repeats', () => {
    const asked: string[] = [];
    const hex = (word: number): string => (word >>> 0).toString(16).padStart(8, '0');
    const seenBefore = (words: Int32Array, at: number): boolean => {
      const spanId = hex(words[at + 4]!) + hex(words[at + 5]!);
      asked.push(spanId);
      return spanId === id(2, 8);
    };
    const decoded = decodeTraceColumns('protobuf', one([span(1), span(2), span(3), span(1)]), 'p1', RECEIVED_US, book, seenBefore);
    expect(typeof decoded === 'string' ? decoded : decoded.records).toBe(2);
    expect(asked).toEqual([id(1, 8), id(2, 8), id(3, 8)]);
  });

  it('never stores a mutated body other than the record path does (2,000 cases)', () => {
    const corpus = seeds().filter((s) => s.signal === 'traces' && s.encoding === 'protobuf');
    corpus.push({ signal: 'traces', encoding: 'protobuf', body: encodeSpanBatch({ traces: 2, spansPerTrace: 3 }) });
    let taken = 0;
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const random = caseRandom(35, i);
      const body = mutateBytes(random, random.pick(corpus).body);
      const { fast, record } = both(body);
      // Stored as the record path stores it, or refused with its words.
      if (!(fast instanceof Error)) taken++;
      else refused++;
      expectSameOutcome(fast, record, 'p1', `case ${i}`);
    }
    expect(taken).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});

describe('a malformed trace request, refused by the decode thread', () => {
  const request = (body: Uint8Array, encoding: Encoding = 'protobuf') => ({
    signal: 'traces' as const,
    encoding,
    body,
    projectId: 'p1',
    receivedUs: RECEIVED_US,
  });
  const recordRefusal = (body: Uint8Array, encoding: Encoding): string => {
    const { record } = both(body, 'p1', encoding);
    if (!(record instanceof Error)) throw new Error('the record path stored it');
    return record.message;
  };

  it("is refused with the record path's words, and one spelled otherwise is stored", () => {
    const core = new DecodeCore(null);
    const json = Buffer.from(oneJsonBody([span(5)])).toString('utf8');
    expect(core.decode(request(Buffer.from(`\ufeff${json}`), 'json')).records).toBe(1);
    const refused: Array<[Uint8Array, Encoding]> = [
      [Buffer.from(one([span(6)])).subarray(0, 40), 'protobuf'],
      [Buffer.from('{"resourceSpans":[{"resource":7}]}'), 'json'],
      [Buffer.from(json.replace('"name":"span 5"', '"name":5')), 'json'],
      [Buffer.from(json.slice(0, -3)), 'json'],
    ];
    for (const [body, encoding] of refused) {
      const words = recordRefusal(body, encoding);
      expect(words).toMatch(/^malformed OTLP\/JSON: |^malformed protobuf: /);
      expect(() => core.decode(request(body, encoding))).toThrow(words);
    }
  });

  it.each([
    ['a message longer than the body', [0x0a, 0x05, 0x01]],
    ['field number 0', [0x00]],
    ['a known field of another wire type', [0x08, 0x01]],
    ['a wire type protobuf does not define', [0x2e]],
    ['a varint that does not end', [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ])("refuses a body with %s in the record path's words", (_what, bytes) => {
    const { fast, record } = both(Buffer.from(bytes));
    expect(record).toBeInstanceOf(Error);
    expectSameOutcome(fast, record);
  });

  it("refuses every cut of a request short of its end in the record path's words, or stores what it stores", () => {
    const body = Buffer.from(one([span(1, { attributes: { a: 'x', n: 1, list: ['y', 2] }, events: [{ name: 'e' }] }), span(2)]));
    let refused = 0;
    for (let end = 0; end < body.length; end++) {
      const { fast, record } = both(body.subarray(0, end));
      if (record instanceof Error) refused++;
      expectSameOutcome(fast, record, 'p1', `cut at ${end}`);
    }
    expect(refused).toBeGreaterThan(body.length / 2);
  });

  it("is told apart from a fault of the reader's own, which is not answered as the body's", () => {
    const core = new DecodeCore(null);
    const recent = (core as unknown as { recentFor(projectId: string): { claimOfWords(...args: unknown[]): number } }).recentFor('p1');
    recent.claimOfWords = () => {
      throw new TypeError('a fault');
    };
    expect(() => core.decode(request(one([span(7)])))).toThrow(TypeError);
    expect(() => core.decode(request(oneJsonBody([span(7)]), 'json'))).toThrow(TypeError);
  });
});

describe('a spooled request decoded again where it is read back', () => {
  const entry = (body: Uint8Array, projectId = 'p1') => ({
    signal: 'traces' as const,
    encoding: 'protobuf' as const,
    body,
    projectId,
    receivedUs: RECEIVED_US,
  });

  it('takes the column path for a plain protobuf trace request, and stores what the receiver stored', () => {
    const body = encodeSpanBatch({ traces: 5, spansPerTrace: 4 });
    const receiver = new DecodeCore(null);
    const received = receiver.decode(entry(body));
    const batch = spooledBatch(entry(body), new PriceBooks(null).bookFor('p1'), null);
    expect(stored(batch)).toStrictEqual(stored(received.batch));
    // The column path's mark: the attributes' JSON carried as bytes.
    expect(batch.tables.find((table) => table.table === 'spans')!.columns.some((column) => column.type === 'varchar' && column.utf8 !== undefined)).toBe(true);
  });

  it("masks a project's request by the column path, as the receiver did", () => {
    const masking = new ProjectMasking(null);
    masking.set('shop', { detectors: [], rules: [{ name: 'secret', pattern: 'span \\d+' }] });
    const body = encodeTraces([
      { resource: { attributes: { 'service.name': 'svc' } }, scopes: [{ scope: { name: 's' }, items: [span(1, { attributes: { note: 'span 1 said' } })] }] },
    ]);
    const batch = spooledBatch(entry(body, 'shop'), book, masking.maskersOf('shop'));
    const masked = decodeBatch('traces', 'protobuf', body, 'shop', RECEIVED_US, book, undefined, masking.maskerFor('shop')).batch;
    expect(stored(batch)).toStrictEqual(stored(masked));
    expect(JSON.stringify(stored(batch))).not.toContain(Buffer.from('span 1 said').toString('hex'));
    expect(batch.tables.find((table) => table.table === 'spans')!.columns.some((column) => column.type === 'varchar' && column.utf8 !== undefined)).toBe(true);
  });
});
