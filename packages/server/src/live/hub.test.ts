import { type Server, createServer } from 'node:http';
import type { ScoreFilter } from '@spoor/model';
import { type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeStore } from '../../test/support/fake-store.js';
import { sid, span, tid } from '../../test/support/record-fixtures.js';
import { liveReads } from './reads.js';
import { QueryService } from '../query/query-service.js';
import { batchOf } from '../store/tables.js';
import type { Remote } from '../threads/protocol.js';
import type { LiveCalls } from './reads.js';
import { FairGate } from './fair-gate.js';
import { LiveHub } from './hub.js';
import { type SseSink, openSse, sseEvent } from './sse.js';

/** A sink that keeps what it is sent. */
function memorySink(onClose: () => void): SseSink & { sent: Array<{ name: string; id: string; data: string }> } {
  let closed = false;
  const sent: Array<{ name: string; id: string; data: string }> = [];
  return {
    sent,
    event: ({ name, id, data }) => (sent.push({ name, id, data }), !closed),
    comment: () => !closed,
    close: () => {
      if (closed) return;
      closed = true;
      onClose();
    },
    get closed() {
      return closed;
    },
  };
}

/** The hub's calls over a fake store, as the database thread serves them. */
function liveCallsOf(store: FakeStore): LiveCalls {
  return liveReads(store, new QueryService(store));
}

/** The hub's calls over a fake store, counting the span reads. */
function countedCalls(store: FakeStore): { db: { live: Remote<LiveCalls> }; spanReads: () => number } {
  const calls = liveCallsOf(store);
  let reads = 0;
  const db = {
    live: {
      ...calls,
      spans: async (...args: Parameters<LiveCalls['spans']>) => {
        reads++;
        return calls.spans(...args);
      },
    },
  };
  return { db, spanReads: () => reads };
}

/** The trace list's live filter with nothing filtered. */
const LIST_FILTER = {
  projectId: 'default',
  range: { fromUs: null, toUs: null },
  service: null,
  spanName: null,
  text: null,
  status: null,
  minDurationMs: null,
  maxDurationMs: null,
  attributes: [],
  sessionId: null,
  model: null,
  scores: [],
};

const until = async (done: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('the live hub', () => {
  let hub: LiveHub | null = null;
  afterEach(() => hub?.close());

  it('reads a watched trace once per wake-up whatever the number of its viewers, at most 4 times a second', async () => {
    const store = new FakeStore();
    const { db, spanReads } = countedCalls(store);
    hub = new LiveHub({ db, shared: false });
    const sinks = Array.from({ length: 50 }, () => memorySink(() => {}));
    const start = await hub.startAt(null);
    for (const sink of sinks) hub.watchTrace('default', tid(1), () => sink, start, true);
    const began = Date.now();
    for (let i = 1; i <= 8; i++) {
      await store.writer.write(batchOf({ spans: [span({ spanId: sid(i) })], logs: [], metricPoints: [] }), null);
      hub.wake();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await until(() => sinks.every((sink) => sink.sent.flatMap((e) => (e.name === 'spans' ? JSON.parse(e.data).spans : [])).length === 8));
    const elapsedS = (Date.now() - began) / 1000;
    // 8 commits 50 ms apart: read together, at most one read per 250 ms, not 8 x 50.
    expect(spanReads()).toBeLessThanOrEqual(Math.ceil(elapsedS * 4) + 1);
    expect(spanReads()).toBeLessThan(8);
    // Every viewer got every span once, in order.
    for (const sink of sinks)
      expect(sink.sent.flatMap((e) => (e.name === 'spans' ? JSON.parse(e.data).spans.map((s: { spanId: string }) => s.spanId) : []))).toEqual(
        [1, 2, 3, 4, 5, 6, 7, 8].map(sid),
      );
  });

  it("reads a project's watched traces together: one read a wake-up for several traces, each viewer sent its trace's spans alone", async () => {
    const store = new FakeStore();
    const { db, spanReads } = countedCalls(store);
    hub = new LiveHub({ db, shared: false });
    const start = await hub.startAt(null);
    const sinks = [1, 2, 3].map((n) => {
      const sink = memorySink(() => {});
      hub!.watchTrace('default', tid(n), () => sink, start, true);
      return sink;
    });
    await store.writer.write(batchOf({ spans: [1, 2, 3].map((n) => span({ traceId: tid(n), spanId: sid(n) })), logs: [], metricPoints: [] }), null);
    hub.wake();
    const sent = (sink: ReturnType<typeof memorySink>) =>
      sink.sent.filter((e) => e.name === 'spans').map((e) => JSON.parse(e.data) as { traceId: string; spans: Array<{ spanId: string }> });
    await until(() => sinks.every((sink) => sent(sink).length === 1));
    expect(spanReads()).toBe(1);
    expect(sinks.map((sink) => sent(sink).map((e) => [e.traceId, e.spans.map((s) => s.spanId)]))).toEqual([1, 2, 3].map((n) => [[tid(n), [sid(n)]]]));
  });

  it("sends each list viewer the summaries of the traces touched after its own cursor, under its watch's filter", async () => {
    const store = new FakeStore();
    hub = new LiveHub({ db: { live: liveCallsOf(store) }, shared: false, minReadIntervalMs: 0 });
    const write = async (traceId: string, serviceName: string): Promise<void> => {
      await store.writer.write(batchOf({ spans: [span({ traceId, serviceName })], logs: [], metricPoints: [] }), null);
    };
    const start = await hub.startAt(null);
    await write(tid(1), 'checkout');
    const afterFirst = await hub.startAt(null);
    await write(tid(2), 'billing');
    // Two viewers of the whole list a commit apart (one back from a disconnect), and one of billing alone.
    const sinks = { fromStart: memorySink(() => {}), fromFirst: memorySink(() => {}), billing: memorySink(() => {}) };
    const all = { ...LIST_FILTER };
    hub.watchList(all, () => sinks.fromStart, start, false);
    hub.watchList(all, () => sinks.fromFirst, afterFirst, false);
    hub.watchList({ ...all, service: 'billing' }, () => sinks.billing, start, false);
    const traces = (sink: ReturnType<typeof memorySink>) =>
      sink.sent.flatMap((e) => (JSON.parse(e.data) as { traces: Array<{ traceId: string }> }).traces.map((t) => t.traceId));
    await until(() => sinks.fromStart.sent.length > 0 && sinks.fromFirst.sent.length > 0 && sinks.billing.sent.length > 0);
    expect(traces(sinks.fromStart).sort()).toEqual([tid(1), tid(2)]);
    expect(traces(sinks.fromFirst)).toEqual([tid(2)]);
    expect(traces(sinks.billing)).toEqual([tid(2)]);
    // Every viewer is at the head now: one commit more reaches each once, with one id.
    await write(tid(3), 'billing');
    hub.wake();
    await until(() => Object.values(sinks).every((sink) => sink.sent.length === 2));
    expect(Object.values(sinks).map((sink) => traces(sink).at(-1))).toEqual([tid(3), tid(3), tid(3)]);
    expect(new Set(Object.values(sinks).map((sink) => sink.sent.at(-1)!.id)).size).toBe(1);
  });

  it('tells every viewer of a quiet trace its running span is abandoned, with one check of that trace alone, not one per viewer', async () => {
    const staleAfterMs = 300;
    const store = new FakeStore();
    const calls = liveReads(store, new QueryService(store, { staleAfterMs }));
    const checked: string[][] = [];
    let spanReads = 0;
    const live: Remote<LiveCalls> = {
      ...calls,
      runningStates: async (projectId, traceIds) => (checked.push([...traceIds]), calls.runningStates(projectId, traceIds)),
      runningSpans: async (projectId, traceIds) => (spanReads++, calls.runningSpans(projectId, traceIds)),
    };
    const db = { live };
    hub = new LiveHub({ db, shared: false, staleAfterMs, minReadIntervalMs: 0 });
    // Two runs went quiet at once; one is watched by 50 viewers, the other by nobody.
    const receivedUs = Date.now() * 1000;
    await store.writer.write(
      batchOf({ spans: [], logs: [], metricPoints: [], runningSpans: [1, 2].map((n) => span({ traceId: tid(n), endTimeUs: 0 })), writtenUs: receivedUs }),
      null,
    );
    const start = await hub.startAt(null);
    const sinks = Array.from({ length: 50 }, () => memorySink(() => {}));
    for (const sink of sinks) hub.watchTrace('default', tid(1), () => sink, start, true);
    const abandoned = (sink: ReturnType<typeof memorySink>) =>
      sink.sent.filter((e) => e.name === 'spans').flatMap((e) => (JSON.parse(e.data) as { spans: Array<{ state: string; endUs: number }> }).spans);
    await until(() => sinks.every((sink) => abandoned(sink).length > 0));
    expect(Date.now() * 1000 - receivedUs).toBeGreaterThanOrEqual(staleAfterMs * 1000);
    for (const sink of sinks) expect(abandoned(sink)).toEqual([expect.objectContaining({ state: 'abandoned', endUs: receivedUs })]);
    // One check when the trace was first watched (running then), one at its deadline; one read of its spans.
    expect(checked).toEqual([[tid(1)], [tid(1)]]);
    expect(spanReads).toBe(1);
    // Nothing more to check: no timer left armed for it, nothing read again.
    await new Promise((resolve) => setTimeout(resolve, 2 * staleAfterMs));
    expect(checked.length).toBe(2);
  });

  it('refuses a stream past its cap with 503 and a Retry-After, and takes one again once a stream ends', async () => {
    hub = new LiveHub({ db: { live: liveCallsOf(new FakeStore()) }, shared: false, maxStreams: 2 });
    const sinks: SseSink[] = [];
    for (let i = 0; i < 2; i++) {
      hub.checkRoom();
      hub.watchList(
        LIST_FILTER,
        (onClose) => {
          const sink = memorySink(onClose);
          sinks.push(sink);
          return sink;
        },
        [],
        true,
      );
    }
    expect(() => hub!.checkRoom()).toThrow(expect.objectContaining({ code: 'ERR_LIVE_STREAMS_FULL', status: 503, retryAfterSeconds: 5 }));
    sinks[0]!.close();
    expect(hub.openStreams).toBe(1);
    expect(() => hub!.checkRoom()).not.toThrow();
  });

  it('holds its cap when requests that all found room open their streams after their reads, refusing the late ones before they open', async () => {
    hub = new LiveHub({ db: { live: liveCallsOf(new FakeStore()) }, shared: false, maxStreams: 2 });
    // Three requests find room, then each awaits its reads (the trace found, the head) as a route does.
    for (let i = 0; i < 3; i++) hub.checkRoom();
    const start = await hub.startAt(null);
    let opened = 0;
    const open = (onClose: () => void) => (opened++, memorySink(onClose));
    hub.watchTrace('default', tid(1), open, start, true);
    hub.watchList(LIST_FILTER, open, start, true);
    expect(() => hub!.watchTrace('default', tid(1), open, start, true)).toThrow(expect.objectContaining({ code: 'ERR_LIVE_STREAMS_FULL', status: 503 }));
    expect(() => hub!.watchList(LIST_FILTER, open, start, true)).toThrow(expect.objectContaining({ code: 'ERR_LIVE_STREAMS_FULL', status: 503 }));
    expect([hub.openStreams, opened]).toEqual([2, 2]);
  });

  it("refuses a key past its share and a project past its share with 429 naming the limit, while another project's key still opens its streams", async () => {
    hub = new LiveHub({ db: { live: liveCallsOf(new FakeStore()) }, shared: false, maxStreams: 10, maxStreamsPerProject: 3, maxStreamsPerKey: 2 });
    const start = await hub.startAt(null);
    const sinks: SseSink[] = [];
    const open = (onClose: () => void) => {
      const sink = memorySink(onClose);
      sinks.push(sink);
      return sink;
    };
    hub.watchTrace('a', tid(1), open, start, true, 'key-a1');
    hub.watchList({ ...LIST_FILTER, projectId: 'a' }, open, start, true, 'key-a1');
    // The key's share, at the route's first check and at the watch.
    expect(() => hub!.checkRoom({ projectId: 'a', keyId: 'key-a1' })).toThrow(
      expect.objectContaining({
        code: 'ERR_LIVE_STREAMS_PER_KEY',
        status: 429,
        retryAfterSeconds: 5,
        message: expect.stringContaining('--live-streams-per-key'),
      }),
    );
    expect(() => hub!.watchTrace('a', tid(2), open, start, true, 'key-a1')).toThrow(expect.objectContaining({ code: 'ERR_LIVE_STREAMS_PER_KEY' }));
    // Another key of the project takes what is left of the project's share, then the project is refused, whatever the key.
    hub.watchTrace('a', tid(2), open, start, true, 'key-a2');
    expect(() => hub!.watchTrace('a', tid(3), open, start, true, 'key-a3')).toThrow(
      expect.objectContaining({ code: 'ERR_LIVE_STREAMS_PER_PROJECT', status: 429, message: expect.stringContaining("project 'a'") }),
    );
    expect(() => hub!.watchList({ ...LIST_FILTER, projectId: 'a' }, open, start, true, null)).toThrow(
      expect.objectContaining({ code: 'ERR_LIVE_STREAMS_PER_PROJECT' }),
    );
    // Project b is untouched by a's shares.
    expect(() => hub!.checkRoom({ projectId: 'b', keyId: 'key-b' })).not.toThrow();
    hub.watchTrace('b', tid(9), open, start, true, 'key-b');
    hub.watchList({ ...LIST_FILTER, projectId: 'b' }, open, start, true, 'key-b');
    expect(hub.openStreams).toBe(5);
    // A stream of a's that ends gives its place back to its key and project.
    sinks[0]!.close();
    expect(() => hub!.checkRoom({ projectId: 'a', keyId: 'key-a1' })).not.toThrow();
  });

  it("lets a stream share a list filter already watched, and refuses a new distinct filter past the project's share (429) and the server's (503)", async () => {
    hub = new LiveHub({ db: { live: liveCallsOf(new FakeStore()) }, shared: false, maxListFilters: 3, maxListFiltersPerProject: 2 });
    const start = await hub.startAt(null);
    const sinks: SseSink[] = [];
    const open = (onClose: () => void) => {
      const sink = memorySink(onClose);
      sinks.push(sink);
      return sink;
    };
    const filter = (projectId: string, service: string) => ({ ...LIST_FILTER, projectId, service });
    hub.watchList(filter('a', 'one'), open, start, true, 'key-a');
    hub.watchList(filter('a', 'two'), open, start, true, 'key-a');
    expect(() => hub!.checkRoom({ projectId: 'a', keyId: 'key-a' }, filter('a', 'three'))).toThrow(
      expect.objectContaining({
        code: 'ERR_LIVE_LIST_FILTERS_PER_PROJECT',
        status: 429,
        retryAfterSeconds: 5,
        message: expect.stringContaining('--live-list-filters-per-project'),
      }),
    );
    expect(() => hub!.watchList(filter('a', 'three'), open, start, true, 'key-a')).toThrow(
      expect.objectContaining({ code: 'ERR_LIVE_LIST_FILTERS_PER_PROJECT' }),
    );
    // A filter already watched costs no more reads: it is let in.
    hub.watchList(filter('a', 'two'), open, start, true, 'key-a');
    hub.watchList(filter('b', 'one'), open, start, true, 'key-b');
    expect(() => hub!.watchList(filter('c', 'one'), open, start, true, 'key-c')).toThrow(
      expect.objectContaining({ code: 'ERR_LIVE_LIST_FILTERS_FULL', status: 503, message: expect.stringContaining('--live-list-filters') }),
    );
    // Trace streams are not list filters.
    hub.watchTrace('c', tid(1), open, start, true, 'key-c');
    // The last viewer of a filter gone, the filter's place is free.
    sinks[0]!.close();
    hub.watchList(filter('a', 'three'), open, start, true, 'key-a');
    expect(hub.openStreams).toBe(5);
  });

  it('counts filters that differ only in the order or repeats of their attribute and score filters as one', async () => {
    hub = new LiveHub({ db: { live: liveCallsOf(new FakeStore()) }, shared: false, maxListFiltersPerProject: 1 });
    const start = await hub.startAt(null);
    const open = (onClose: () => void) => memorySink(onClose);
    const [k1, k2] = [
      { key: 'k1', value: 'v1' },
      { key: 'k2', value: 'v2' },
    ];
    const [s1, s2]: ScoreFilter[] = [
      { name: 'quality', op: '<', value: 0.5 },
      { name: 'thumbs', op: '=', label: 'down' },
    ];
    hub.watchList({ ...LIST_FILTER, projectId: 'a', attributes: [k1, k2], scores: [s1!, s2!] }, open, start, true, 'key-a');
    hub.watchList({ ...LIST_FILTER, projectId: 'a', attributes: [k2, k1, k2], scores: [s2!, s1!] }, open, start, true, 'key-a');
    expect(() => hub!.watchList({ ...LIST_FILTER, projectId: 'a', attributes: [k2], scores: [s2!, s1!] }, open, start, true, 'key-a')).toThrow(
      expect.objectContaining({ code: 'ERR_LIVE_LIST_FILTERS_PER_PROJECT' }),
    );
    expect(hub.openStreams).toBe(2);
  });

  it("reads the list filters one at a time, and one project's slow list reads hold back neither another project's trace stream nor its list for long", async () => {
    const store = new FakeStore();
    const calls = liveCallsOf(store);
    let running = 0;
    let most = 0;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const live: Remote<LiveCalls> = {
      ...calls,
      summaries: async (filter, ids) => {
        running++;
        most = Math.max(most, running);
        try {
          // Project a's filters read slowly: not answered until released.
          if (filter.projectId === 'a') await held;
          return await calls.summaries(filter, ids);
        } finally {
          running--;
        }
      },
    };
    hub = new LiveHub({ db: { live }, shared: false, minReadIntervalMs: 0 });
    const start = await hub.startAt(null);
    const aSinks = Array.from({ length: 10 }, (_, i) => {
      const sink = memorySink(() => {});
      hub!.watchList({ ...LIST_FILTER, projectId: 'a', text: 'f' }, () => sink, start, true, 'key-a');
      hub!.watchList({ ...LIST_FILTER, projectId: 'a', text: `f${i}` }, () => memorySink(() => {}), start, true, 'key-a');
      return sink;
    });
    const bList = memorySink(() => {});
    hub.watchList({ ...LIST_FILTER, projectId: 'b' }, () => bList, start, true, 'key-b');
    const bTrace = memorySink(() => {});
    hub.watchTrace('b', tid(7), () => bTrace, start, true, 'key-b');
    const spansOf = () =>
      bTrace.sent.filter((e) => e.name === 'spans').flatMap((e) => (JSON.parse(e.data) as { spans: Array<{ spanId: string }> }).spans.map((s) => s.spanId));
    // Each commit touches a trace of a (every one of its filters has a read to make) and b's watched trace.
    for (let i = 1; i <= 3; i++) {
      await store.writer.write(
        batchOf({
          spans: [span({ projectId: 'a', traceId: tid(100 + i), name: `f${i}` }), span({ projectId: 'b', traceId: tid(7), spanId: sid(i) })],
          logs: [],
          metricPoints: [],
        }),
        null,
      );
      hub.wake();
      // b's trace stream gets each commit while a's first list read is still held.
      await until(() => spansOf().length === i);
    }
    // a's eleven filters wait their turn behind its held read: one list read at a time on the database thread.
    expect(most).toBe(1);
    release();
    // Then b's list and a's are sent what was committed.
    const listed = (sink: ReturnType<typeof memorySink>) =>
      sink.sent.filter((e) => e.name === 'traces').flatMap((e) => (JSON.parse(e.data) as { traces: Array<{ traceId: string }> }).traces.map((t) => t.traceId));
    await until(() => listed(bList).includes(tid(7)) && aSinks.every((sink) => listed(sink).length === 3));
    expect(most).toBe(1);
  });

  it('hands the gate to waiting parties in turn, one task each, so one with many waits behind one with few', async () => {
    const gate = new FairGate(1);
    const order: string[] = [];
    let open: () => void = () => {};
    const first = gate.run('a', () => new Promise<void>((resolve) => (open = resolve)));
    const tasks = [...['a', 'a', 'a'].map((p, i) => gate.run(p, async () => void order.push(`${p}${i}`))), gate.run('b', async () => void order.push('b'))];
    open();
    await Promise.all([first, ...tasks]);
    expect(order).toEqual(['a0', 'b', 'a1', 'a2']);
  });

  it('refuses a cursor it did not make with 400', () => {
    for (const text of ['x', 'db:1', 'db:1:2,db:3:4', 'db:-1:0', '%zz:1:0', 'db:99999999999999999:0']) {
      expect(() => LiveHub.cursorFrom(text), text).toThrow(expect.objectContaining({ status: 400 }));
    }
    expect(LiveHub.cursorFrom('0')).toEqual([]);
    expect(LiveHub.cursorFrom('b:1:2,a%3Ax:3:4')).toEqual([
      { writer: 'a:x', major: 3, minor: 4 },
      { writer: 'b', major: 1, minor: 2 },
    ]);
  });
});

describe('an event stream', () => {
  let server: Server | null = null;
  let client: Socket | null = null;
  afterEach(async () => {
    client?.destroy();
    await new Promise((resolve) => (server === null ? resolve(null) : server.close(resolve)));
  });

  it('drops a viewer whose socket does not drain instead of buffering for it', async () => {
    let sink: SseSink | null = null;
    let closed = false;
    server = createServer((_req, res) => (sink = openSse(res, 64 * 1024, () => (closed = true))));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    client = connect(port, '127.0.0.1');
    client.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    // The client never reads: what the server writes piles up in its socket.
    client.pause();
    await until(() => sink !== null);
    const data = 'x'.repeat(256 * 1024);
    let sent = 0;
    while (sink!.event(sseEvent('spans', String(sent), data)) && sent < 1000) sent++;
    expect(sent).toBeLessThan(1000);
    expect(sink!.closed).toBe(true);
    expect(closed).toBe(true);
  });

  it('keeps a viewer that reads, though one event is larger than what may wait in its socket (a catch-up after a disconnect)', async () => {
    let sink: SseSink | null = null;
    server = createServer((_req, res) => (sink = openSse(res, 64 * 1024, () => {})));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    let received = 0;
    client = connect(port, '127.0.0.1');
    client.on('data', (chunk: Buffer) => (received += chunk.length));
    client.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => sink !== null);
    const big = 'x'.repeat(1024 * 1024);
    expect(sink!.event(sseEvent('spans', '1', big))).toBe(true);
    // The viewer reads it all; the next event finds nothing waiting.
    await until(() => received > 1024 * 1024);
    expect(sink!.event(sseEvent('spans', '2', 'small'))).toBe(true);
    expect(sink!.closed).toBe(false);
  });
});
