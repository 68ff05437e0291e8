import type { LiveSpan } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { batchFromLiveSpans, liveStreamUntilMs } from './live-spans';
import { ABANDONED, RUNNING, SpanColumns } from './span-columns';
import { batchFromTraceTree } from './span-batch';
import { buildSpanTree, durationMsAt, eventsAt, nameAt, rowOfSpan, stateAt, totalsOf } from './span-tree';
import { hexId, idsOf, spanOf, traceOf } from './testing';

/** Epoch µs of the trace's origin in these tests: 2026-11-22T10:00:00Z. */
const ORIGIN_US = Date.UTC(2026, 10, 22, 10) * 1000;
const msUs = (ms: number) => ORIGIN_US + ms * 1000;

/** A span as the live stream sends it: `startMs`, `endMs` after the origin, `endMs` `null` while it runs. */
const live = (id: string, parent: string | null, startMs: number, endMs: number | null, extra: Partial<LiveSpan> = {}): LiveSpan => ({
  spanId: hexId(id),
  parentSpanId: parent === null ? null : hexId(parent),
  name: id,
  service: 'agent',
  startUs: msUs(startMs),
  endUs: endMs === null ? null : msUs(endMs),
  statusCode: 0,
  category: 7,
  state: endMs === null ? 'running' : 'ended',
  inputTokens: null,
  outputTokens: null,
  costUsd: null,
  model: null,
  events: [],
  ...extra,
});

/** Columns holding a loaded tree of the root running since 0 (so far 100 ms) and a step that ended. */
function loaded(): SpanColumns {
  const spans = new SpanColumns('t', ORIGIN_US);
  spans.add({ ...batchFromTraceTree(traceOf([spanOf('root', null, 0, 100), spanOf('plan', 'root', 10, 20)], 0)), state: [RUNNING, 0] });
  return spans;
}

const rowOf = (spans: SpanColumns, id: string) => {
  const tree = buildSpanTree(spans);
  return { tree, row: rowOfSpan(tree, hexId(id)) };
};

describe('batchFromLiveSpans applied to the loaded columns (upsert)', () => {
  it('adds a new running span with its duration so far, in the tree order by start', () => {
    const spans = loaded();
    const result = spans.upsert(batchFromLiveSpans([live('search', 'root', 40, null)], ORIGIN_US, msUs(250)));
    expect(result).toEqual({ added: 1, replaced: 0, structure: true });
    const { tree, row } = rowOf(spans, 'search');
    expect(
      idsOf(
        tree,
        tree.order.map((_, r) => r),
      ),
    ).toEqual(['root', 'plan', 'search']);
    expect([stateAt(tree, row), durationMsAt(tree, row)]).toEqual(['running', 210]);
  });

  it('replaces a running span by its newer snapshot, and that by its ended span, counting its tokens once', () => {
    const spans = loaded();
    spans.upsert(batchFromLiveSpans([live('llm', 'root', 40, null, { category: 3, inputTokens: 10 })], ORIGIN_US, msUs(50)));
    spans.upsert(batchFromLiveSpans([live('llm', 'root', 40, null, { category: 3, inputTokens: 12, name: 'chat gpt-4o' })], ORIGIN_US, msUs(60)));
    expect(totalsOf(buildSpanTree(spans))).toMatchObject({ llmCalls: 1, inputTokens: 12 });
    const ended = spans.upsert(
      batchFromLiveSpans([live('llm', 'root', 40, 90, { category: 3, inputTokens: 12, outputTokens: 30, name: 'chat gpt-4o' })], ORIGIN_US, msUs(95)),
    );
    expect(ended).toEqual({ added: 0, replaced: 1, structure: false });
    const { tree, row } = rowOf(spans, 'llm');
    expect([nameAt(tree, row), stateAt(tree, row), durationMsAt(tree, row)]).toEqual(['chat gpt-4o', 'ended', 50]);
    expect(totalsOf(tree)).toMatchObject({ llmCalls: 1, inputTokens: 12, outputTokens: 30 });
  });

  it('never replaces an ended span by a running snapshot of it that arrives late', () => {
    const spans = loaded();
    expect(spans.upsert(batchFromLiveSpans([live('plan', 'root', 10, null)], ORIGIN_US, msUs(500)))).toEqual({ added: 0, replaced: 0, structure: false });
    const { tree, row } = rowOf(spans, 'plan');
    expect([stateAt(tree, row), durationMsAt(tree, row)]).toEqual(['ended', 20]);
  });

  it('ends the root: nothing runs any more', () => {
    const spans = loaded();
    expect(spans.runningCount).toBe(1);
    spans.upsert(batchFromLiveSpans([live('root', null, 0, 300)], ORIGIN_US, msUs(300)));
    expect(spans.runningCount).toBe(0);
  });

  it('takes a span with no end as running whatever its state says, and keeps an abandoned one abandoned', () => {
    const spans = new SpanColumns('t', ORIGIN_US);
    spans.upsert(batchFromLiveSpans([live('a', null, 0, null, { state: 'ended' }), live('b', null, 0, null, { state: 'abandoned' })], ORIGIN_US, msUs(10)));
    expect(Array.from(spans.state.subarray(0, 2))).toEqual([RUNNING, ABANDONED]);
  });

  it('marks a running span abandoned when the stream says its trace went quiet: its bar ends where the trace was last heard from, and nothing runs', () => {
    const spans = loaded();
    // The server sends the running root again, abandoned, its end when its trace was last heard from.
    const result = spans.upsert(batchFromLiveSpans([live('root', null, 0, 180, { state: 'abandoned' })], ORIGIN_US, msUs(900)));
    expect(result).toEqual({ added: 0, replaced: 1, structure: false });
    const { tree, row } = rowOf(spans, 'root');
    expect([stateAt(tree, row), durationMsAt(tree, row)]).toEqual(['abandoned', 180]);
    expect(spans.runningCount).toBe(0);
    // Heard from again: running once more.
    spans.upsert(batchFromLiveSpans([live('root', null, 0, null)], ORIGIN_US, msUs(950)));
    expect(spans.runningCount).toBe(1);
  });

  it('counts an error once its span says so, and places its events in trace time', () => {
    const spans = loaded();
    spans.upsert(batchFromLiveSpans([live('tool', 'root', 30, 35, { statusCode: 2, events: [[msUs(33), 'exception']] })], ORIGIN_US, msUs(40)));
    const { tree, row } = rowOf(spans, 'tool');
    expect(spans.errorCount).toBe(1);
    expect(eventsAt(tree, row)).toEqual([[33, 'exception']]);
  });
});

describe('liveStreamUntilMs', () => {
  const endedAt = (endMs: number) => {
    const spans = new SpanColumns('t', ORIGIN_US);
    spans.add(batchFromTraceTree(traceOf([spanOf('root', null, 0, endMs)], 0)));
    return spans;
  };
  const originMs = ORIGIN_US / 1000;
  it.each([
    { name: 'keeps the stream while a span runs', spans: loaded, heardMs: -Infinity, want: Infinity },
    { name: 'closes it at once on a run that ended long ago', spans: () => endedAt(1000), heardMs: -Infinity, want: originMs + 1000 + 10_000 },
    { name: 'keeps it a while after the last thing the stream brought', spans: () => endedAt(1000), heardMs: originMs + 60_000, want: originMs + 70_000 },
    {
      name: 'counts an abandoned span as not running',
      spans: () => {
        const spans = new SpanColumns('t', ORIGIN_US);
        spans.add({ ...batchFromTraceTree(traceOf([spanOf('root', null, 0, 500)], 0)), state: [ABANDONED] });
        return spans;
      },
      heardMs: -Infinity,
      want: originMs + 500 + 10_000,
    },
  ])('$name', ({ spans, heardMs, want }) => {
    expect(liveStreamUntilMs(spans(), heardMs, 10_000)).toBe(want);
  });
});
