import { describe, expect, it } from 'vitest';
import { span, tracesBody } from '../../test/support/json-fixtures.js';
import { encodeSpanBatch } from '../../test/support/otlp-encode.js';
import { DecodeCore } from './decoder.js';
import { ID_WORDS, RecentSpans, idWordsOf, spanIdHash, wordsHash } from './recent-spans.js';
import type { Json } from '../../test/support/json-fixtures.js';

const request = (spans: Json[]) => ({ signal: 'traces' as const, encoding: 'json' as const, projectId: 'p1', receivedUs: 1, body: tracesBody(spans) });
const names = (core: DecodeCore, spans: Json[]) => {
  const result = core.decode(request(spans));
  return { result, names: result.records };
};

describe('a request sent again after it was acknowledged', () => {
  it('is stored once: its spans are rejected and counted, and new spans beside them kept', () => {
    const core = new DecodeCore(null);
    const first = core.decode(request([span({ name: 'a' }), span({ name: 'b', spanId: 'aaaaaaaaaaaaaaaa' })]));
    expect(first.records).toBe(2);
    core.settle(first.ticket, true);

    const again = core.decode(request([span({ name: 'a' }), span({ name: 'b', spanId: 'aaaaaaaaaaaaaaaa' }), span({ name: 'c', spanId: 'cccccccccccccccc' })]));
    expect(again.records).toBe(1);
    expect(again.rejected).toBe(2);
    expect(again.rejectReason).toMatch(/was received in an earlier request; it is stored once/);
  });

  it('is stored when the first was refused (a 503), and when it is a quarantined request replayed', () => {
    const core = new DecodeCore(null);
    const refused = core.decode(request([span()]));
    core.settle(refused.ticket, false);
    const retried = core.decode(request([span()]));
    expect(retried.records).toBe(1);
    core.settle(retried.ticket, true);
    expect(core.decode({ ...request([span()]), alreadyAcknowledged: true }).records).toBe(1);
    expect(names(core, [span()]).names).toBe(0);
  });

  it('is told apart from another trace using the same span id, and from another project', () => {
    const core = new DecodeCore(null);
    core.settle(core.decode(request([span()])).ticket, true);
    expect(core.decode(request([span({ traceId: 'ffffffffffffffffffffffffffffffff' })])).records).toBe(1);
    expect(core.decode({ ...request([span()]), projectId: 'p2' }).records).toBe(1);
  });
});

describe('a copy of a request sent before the first was answered', () => {
  it('is refused for now (503, retry in 1 s) while the first is being stored, and claims nothing', () => {
    const core = new DecodeCore(null);
    const first = core.decode(request([span({ name: 'a' })]));
    expect(() => core.decode(request([span({ name: 'a' }), span({ name: 'b', spanId: 'bbbbbbbbbbbbbbbb' })]))).toThrow(
      expect.objectContaining({ code: 'ERR_INGEST_DUPLICATE_IN_FLIGHT', status: 503, retryAfterSeconds: 1 }),
    );
    // The refused copy's other span was not claimed: a request with it alone is taken.
    expect(core.decode(request([span({ name: 'b', spanId: 'bbbbbbbbbbbbbbbb' })])).records).toBe(1);

    core.settle(first.ticket, true);
    const again = core.decode(request([span({ name: 'a' })]));
    expect(again).toMatchObject({ records: 0, duplicates: 1 });
  });

  it('is stored when the first is refused after it was decoded (a full spool, a shutdown)', () => {
    const core = new DecodeCore(null);
    const first = core.decode(request([span()]));
    core.settle(first.ticket, false);
    expect(core.decode(request([span()])).records).toBe(1);
  });
});

describe('RecentSpans', () => {
  const s = (n: number) => ({ traceId: 'ab'.repeat(16), spanId: n.toString(16).padStart(16, '0') });

  it('is told by the span ids the protobuf column path claims, as by the ids of records: refused, retried, acknowledged, sent again', () => {
    // The column path claims ids as words read from the body; releases and the record path's checks go by their hex.
    const core = new DecodeCore(null);
    const body = encodeSpanBatch({ traces: 2, spansPerTrace: 3 });
    const protobuf = () => core.decode({ signal: 'traces', encoding: 'protobuf', projectId: 'p1', receivedUs: 1, body: Uint8Array.from(body) });
    const refused = protobuf();
    expect(refused.records).toBe(6);
    core.settle(refused.ticket, false);
    const retried = protobuf();
    expect(retried.records).toBe(6);
    core.settle(retried.ticket, true);
    const again = protobuf();
    expect([again.records, again.duplicates]).toEqual([0, 6]);
  });

  it('releases only the spans the refused request claimed', () => {
    const recent = new RecentSpans(10);
    recent.add([s(1)], 1);
    recent.add([s(2)], 2);
    recent.release([s(1), s(2)], 2);
    expect([recent.claimOf(s(1)), recent.claimOf(s(2))]).toEqual([1, -1]);
  });

  it('keeps a span released and claimed again when its first slot is reused', () => {
    const recent = new RecentSpans(3);
    recent.add([s(1)], 1);
    recent.release([s(1)], 1);
    recent.add([s(1)], 2);
    // The first claim's slot is taken by a new span: the second claim stands.
    recent.add([s(2), s(3)], 3);
    expect(recent.claimOf(s(1))).toBe(2);
  });

  it('forgets the oldest spans beyond its capacity', () => {
    const recent = new RecentSpans(2);
    // Ids an emitter counts up, as some do: they differ only in their last digits.
    recent.add([s(1), s(2), s(3)]);
    expect([recent.has(s(1)), recent.has(s(2)), recent.has(s(3)), recent.has(s(4))]).toEqual([false, true, true, false]);
    // Trace ids that share all but their first digits are two traces.
    expect(recent.has({ ...s(3), traceId: `c${'ab'.repeat(16).slice(1)}` })).toBe(false);
  });

  it('answers as a map from span id to its newest slot would, through claims, releases and wrap-arounds', () => {
    // The same ring with a Map for its index: what the open-addressed index must agree with.
    const capacity = 300;
    const model = {
      slotOf: new Map<string, number>(),
      spanIds: new Array<string>(capacity),
      traceIds: new Array<string>(capacity),
      tickets: new Array<number>(capacity).fill(0),
      next: 0,
    };
    const recent = new RecentSpans(capacity);
    let state = 35;
    const random = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    // Random ids (counted-up ones land in slots one after another, and never collide), few
    // enough that they collide in the index and come back after release and wrap-around.
    const ids = Array.from(
      { length: 700 },
      () =>
        random(2 ** 31)
          .toString(16)
          .padStart(8, '0') +
        random(2 ** 31)
          .toString(16)
          .padStart(8, '0'),
    );
    const spanOf = (n: number) => ({ traceId: n % 3 === 0 ? 'cd'.repeat(16) : 'ab'.repeat(16), spanId: ids[n]! });
    for (let step = 0; step < 20_000; step++) {
      const span = spanOf(random(700));
      const ticket = 1 + random(5);
      if (random(4) === 0) {
        recent.release([span], ticket);
        const slot = model.slotOf.get(span.spanId);
        if (slot !== undefined && model.tickets[slot] === ticket && model.traceIds[slot] === span.traceId) model.slotOf.delete(span.spanId);
      } else {
        // As a record is added, or as the columns path adds ids with the hashes it made.
        if (random(2) === 0) recent.add([span], ticket);
        else {
          const words = idWordsOf(span.traceId, span.spanId, new Int32Array(ID_WORDS), 0);
          recent.addWords(words, Int32Array.of(wordsHash(words, 0)), 1, ticket);
        }
        const slot = model.next;
        const oldest = model.spanIds[slot];
        if (oldest !== undefined && model.slotOf.get(oldest) === slot) model.slotOf.delete(oldest);
        model.slotOf.set(span.spanId, slot);
        model.spanIds[slot] = span.spanId;
        model.traceIds[slot] = span.traceId;
        model.tickets[slot] = ticket;
        model.next = (slot + 1) % capacity;
      }
      const probe = spanOf(random(700));
      const slot = model.slotOf.get(probe.spanId);
      const expected = slot !== undefined && model.traceIds[slot] === probe.traceId ? model.tickets[slot]! : -1;
      expect(recent.claimOf(probe), `step ${step}`).toBe(expected);
    }
  });

  it('still finds the spans after one that is released, when all three wanted the same place in its index', () => {
    // Three ids whose hashes agree in their low bits.
    const ids: string[] = [];
    for (let n = 0; ids.length < 3; n++) {
      const spanId = n.toString(16).padStart(16, '0');
      if ((spanIdHash(spanId) & 1023) === 5) ids.push(spanId);
    }
    const recent = new RecentSpans(3);
    const [a, b, c] = ids.map((spanId) => ({ traceId: 'ab'.repeat(16), spanId }));
    recent.add([a!], 1);
    recent.add([b!, c!], 2);
    recent.release([a!], 1);
    expect([recent.claimOf(a!), recent.claimOf(b!), recent.claimOf(c!)]).toEqual([-1, 2, 2]);
  });
});

describe("a span's id words", () => {
  it('are the big-endian words of its ids, read from hex of either case as from their bytes', () => {
    for (let n = 0; n < 200; n++) {
      const trace = Buffer.from(Array.from({ length: 16 }, (_, i) => (n * 37 + i * 91) & 0xff));
      const spanBytes = Buffer.from(Array.from({ length: 8 }, (_, i) => (n * 53 + i * 29 + 255) & 0xff));
      const fromBytes = new Int32Array(ID_WORDS);
      for (let k = 0; k < 4; k++) fromBytes[k] = trace.readInt32BE(4 * k);
      for (let k = 0; k < 2; k++) fromBytes[4 + k] = spanBytes.readInt32BE(4 * k);
      const hex = (b: Buffer) => (n % 2 === 0 ? b.toString('hex') : b.toString('hex').toUpperCase());
      expect(idWordsOf(hex(trace), hex(spanBytes), new Int32Array(ID_WORDS), 0)).toEqual(fromBytes);
    }
  });
});
