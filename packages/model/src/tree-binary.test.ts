import { describe, expect, it } from 'vitest';
import {
  NO_STRING,
  spanIdHex,
  TREE_FORMAT_VERSION,
  TreeStreamDecoder,
  TreeStreamEncoder,
  type TreeChunk,
  type TreeChunkColumns,
  type TreeTrailer,
} from './tree-binary.js';
import { prng } from '../test/support/prng.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const ORIGIN_US = 1_700_000_000_000_000;

/** A test span: what the encoder takes of one span, times in epoch µs. */
interface S {
  id: string;
  parent: string | null;
  name: string;
  service: string;
  model: string | null;
  startUs: number;
  durationUs: number;
  status: number;
  category: number;
  state: number;
  input: number | null;
  output: number | null;
  cost: number | null;
  events: [number, string][];
}

const idOf = (k: number): string => (k + 1).toString(16).padStart(16, '0');

function spansOf(n: number, seed: number): S[] {
  const random = prng(seed);
  return Array.from({ length: n }, (_, k) => {
    const llm = random() < 0.3;
    return {
      id: idOf(k),
      parent: k === 0 ? null : idOf(Math.floor(random() * k)),
      name: `step ${k % 7}`,
      service: k % 3 === 0 ? 'api' : 'worker',
      model: llm ? (k % 2 ? 'gpt-4o' : 'claude-3-5-sonnet') : null,
      startUs: ORIGIN_US + k * 1000 + Math.floor(random() * 500),
      durationUs: Math.floor(random() * 10_000),
      status: k % 11 === 0 ? 2 : 0,
      category: k % 8,
      state: k % 13 === 0 ? 1 : 0,
      input: llm ? Math.floor(random() * 1000) : null,
      output: llm ? Math.floor(random() * 1000) : null,
      cost: llm ? random() / 100 : null,
      events: k % 5 === 0 ? [[ORIGIN_US + k * 1000 + 7, k % 10 === 0 ? 'exception' : 'retry']] : [],
    };
  });
}

function columnsOf(spans: readonly S[]): TreeChunkColumns {
  return {
    spanIds: spans.map((s) => s.id),
    parentSpanIds: spans.map((s) => s.parent),
    names: spans.map((s) => s.name),
    services: spans.map((s) => s.service),
    models: spans.map((s) => s.model),
    startsUs: spans.map((s) => s.startUs),
    durationsUs: spans.map((s) => s.durationUs),
    statusCodes: spans.map((s) => s.status),
    categories: spans.map((s) => s.category),
    states: spans.map((s) => s.state),
    inputTokens: spans.map((s) => s.input),
    outputTokens: spans.map((s) => s.output),
    costUsd: spans.map((s) => s.cost),
    events: spans.flatMap((s, i) => s.events.map(([timeUs, name]) => [i, timeUs, name] as const)),
  };
}

const TRAILER: TreeTrailer = { sessionId: 'sess-1', spanCount: 0, logs: [], scores: [] };

/** The whole stream of `spans` in chunks of `perChunk`, as frames. */
function encode(spans: readonly S[], perChunk: number, originUs = ORIGIN_US): Uint8Array[] {
  const encoder = new TreeStreamEncoder(TRACE, originUs);
  const frames = [encoder.header()];
  for (let at = 0; at < spans.length; at += perChunk) frames.push(encoder.chunk(columnsOf(spans.slice(at, at + perChunk))));
  frames.push(encoder.trailer({ ...TRAILER, spanCount: encoder.spanCount }));
  return frames;
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Back from decoded chunks to test spans. */
function spansFrom(decoder: TreeStreamDecoder, chunks: readonly TreeChunk[]): S[] {
  const origin = decoder.header!.originUs;
  const t = decoder.strings;
  const nullable = (x: number) => (Number.isNaN(x) ? null : x);
  return chunks.flatMap((c) =>
    Array.from(
      { length: c.count },
      (_, i): S => ({
        id: spanIdHex(c.spanIds, i),
        parent: c.hasParent[i] ? spanIdHex(c.parentSpanIds, i) : null,
        name: t[c.nameIndexes[i]!]!,
        service: t[c.serviceIndexes[i]!]!,
        model: c.modelIndexes[i] === NO_STRING ? null : t[c.modelIndexes[i]!]!,
        startUs: origin + c.startOffsetsUs[i]!,
        durationUs: c.durationsUs[i]!,
        status: c.statusCodes[i]!,
        category: c.categories[i]!,
        state: c.states[i]!,
        input: nullable(c.inputTokens[i]!),
        output: nullable(c.outputTokens[i]!),
        cost: nullable(c.costUsd[i]!),
        events: Array.from(c.eventSpans)
          .map((span, k) => [span, k] as const)
          .filter(([span]) => span === i)
          .map(([, k]) => [origin + c.eventOffsetsUs[k]!, t[c.eventNameIndexes[k]!]!]),
      }),
    ),
  );
}

/** Decodes `slices` pushed one by one; answers the spans and the decoder. */
function decode(slices: readonly Uint8Array[]): { spans: S[]; decoder: TreeStreamDecoder; chunks: TreeChunk[] } {
  const decoder = new TreeStreamDecoder();
  const chunks = slices.flatMap((slice) => decoder.push(slice));
  decoder.end();
  return { spans: spansFrom(decoder, chunks), decoder, chunks };
}

describe('the binary tree stream', () => {
  it('round-trips every column of spans written over several chunks, with the header and trailer', () => {
    const spans = spansOf(1000, 1);
    const { spans: back, decoder, chunks } = decode(encode(spans, 300));
    expect(back).toEqual(spans);
    expect(chunks.map((c) => [c.firstSpan, c.count])).toEqual([
      [0, 300],
      [300, 300],
      [600, 300],
      [900, 100],
    ]);
    expect(decoder.header).toEqual({ traceId: TRACE, originUs: ORIGIN_US });
    expect(decoder.trailer).toEqual({ ...TRAILER, spanCount: 1000 });
    expect(decoder.spanCount).toBe(1000);
  });

  it('decodes the same spans however the bytes are split, a byte at a time included', () => {
    const spans = spansOf(60, 2);
    const whole = concat(encode(spans, 25));
    expect(decode([whole]).spans).toEqual(spans);
    expect(decode(Array.from(whole, (_, k) => whole.subarray(k, k + 1))).spans).toEqual(spans);
    const random = prng(3);
    for (let round = 0; round < 200; round++) {
      const cuts = Array.from({ length: 1 + Math.floor(random() * 6) }, () => Math.floor(random() * whole.length)).sort((a, b) => a - b);
      const slices = [0, ...cuts].map((from, k) => whole.subarray(from, [...cuts, whole.length][k]));
      expect(decode(slices).spans).toEqual(spans);
    }
  });

  it('gives a chunk only once all its bytes are in', () => {
    const frames = encode(spansOf(10, 4), 10);
    const decoder = new TreeStreamDecoder();
    expect(decoder.push(frames[0]!)).toEqual([]);
    expect(decoder.header?.traceId).toBe(TRACE);
    const chunk = frames[1]!;
    expect(decoder.push(chunk.subarray(0, chunk.length - 1))).toEqual([]);
    expect(decoder.push(chunk.subarray(chunk.length - 1))).toHaveLength(1);
    expect(decoder.trailer).toBeNull();
    expect(() => decoder.end()).toThrow(/cut short after 10 spans/);
    decoder.push(frames[2]!);
    expect(() => decoder.end()).not.toThrow();
  });

  it('views an aligned frame where it lies, and copies a misaligned one once', () => {
    const whole = concat(encode(spansOf(10, 5), 10));
    const aligned = decode([whole]).chunks[0]!;
    expect(aligned.startOffsetsUs.buffer).toBe(whole.buffer);
    expect(aligned.spanIds.buffer).toBe(whole.buffer);
    const shifted = new Uint8Array(whole.length + 1).subarray(1);
    shifted.set(whole);
    const copied = decode([shifted]).chunks[0]!;
    expect(copied.startOffsetsUs.buffer).not.toBe(shifted.buffer);
    expect(copied.durationsUs.buffer).toBe(copied.startOffsetsUs.buffer);
  });

  it('writes an empty trace as a header and a trailer', () => {
    const { spans, decoder, chunks } = decode(encode([], 10));
    expect(spans).toEqual([]);
    expect(chunks).toEqual([]);
    expect(decoder.trailer).toEqual(TRAILER);
    const empty = new TreeStreamEncoder(TRACE, ORIGIN_US).chunk(columnsOf([]));
    const decoder2 = new TreeStreamDecoder();
    decoder2.push(new TreeStreamEncoder(TRACE, ORIGIN_US).header());
    expect(decoder2.push(empty)).toMatchObject([{ firstSpan: 0, count: 0 }]);
  });

  it('keeps non-ASCII names, services and models, a leading byte-order mark, and lone surrogates as U+FFFD', () => {
    const names = ['ﬁnd 検索 🔎', '\uFEFFbom first', 'émoji 👩‍💻 ok', 'шаг', '', 'a\u0000b'];
    const spans = spansOf(names.length, 6).map((s, k) => ({ ...s, name: names[k]!, service: `сервис ${k % 2}`, model: k % 2 ? 'モデル' : null }));
    // The first string of the first chunk's text starts with the mark, where a decoder strips it by default.
    spans[0]!.name = '\uFEFF';
    expect(decode(encode(spans, 4)).spans).toEqual(spans);
    const lone = spansOf(2, 7).map((s, k) => ({ ...s, name: k ? 'x\uD800' : '\uDC00y' }));
    expect(decode(encode(lone, 2)).spans.map((s) => s.name)).toEqual(['\uFFFDy', 'x\uFFFD']);
  });

  it('keeps epoch microseconds up to 2^53 exact', () => {
    const origin = Number.MAX_SAFE_INTEGER - 10_000_000;
    const spans = spansOf(5, 8).map((s, k) => ({
      ...s,
      startUs: origin + k * 2_000_001,
      durationUs: 2 ** 52 + k,
      events: [[origin + k, 'e'] as [number, string]],
    }));
    spans[4]!.startUs = Number.MAX_SAFE_INTEGER;
    const { spans: back, decoder } = decode(encode(spans, 2, origin));
    expect(decoder.header!.originUs).toBe(origin);
    expect(back).toEqual(spans);
  });

  it('carries each string once: a later chunk holds only its new strings', () => {
    const spans = spansOf(200, 9).map((s) => ({ ...s, name: 'a rather long span name that repeats '.repeat(4) }));
    const frames = encode(spans, 100);
    expect(frames[2]!.length).toBeLessThan(frames[1]!.length);
    const { decoder } = decode(frames);
    expect(decoder.strings.filter((t) => t.startsWith('a rather'))).toHaveLength(1);
  });

  it('skips a frame of a kind it does not know, and refuses what is not a tree stream', () => {
    const [header, chunk, trailer] = encode(spansOf(3, 10), 3);
    const unknown = new Uint8Array(24);
    new DataView(unknown.buffer).setUint32(0, 99, true);
    new DataView(unknown.buffer).setUint32(4, 16, true);
    expect(decode([header!, unknown, chunk!, trailer!]).spans).toHaveLength(3);
    expect(() => new TreeStreamDecoder().push(new TextEncoder().encode('{"traceId":"0af7651916cd43dd8448eb211c80319c"}'))).toThrow(/not a tree stream/);
    const future = header!.slice();
    future[4] = TREE_FORMAT_VERSION + 1;
    expect(() => new TreeStreamDecoder().push(future)).toThrow(/version 2/);
    expect(() => decode([header!, trailer!, chunk!])).toThrow(/after the trailer/);
  });

  it('refuses an id that is not hex of the right length', () => {
    const encoder = new TreeStreamEncoder(TRACE, ORIGIN_US);
    const bad = (id: string) => () => encoder.chunk(columnsOf([{ ...spansOf(1, 11)[0]!, id }]));
    expect(bad('00000000000000zz')).toThrow(RangeError);
    expect(bad('abc')).toThrow(RangeError);
  });
});
