import { microsFromIso, TreeStreamEncoder, type TraceTree } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { durationMsAt, eventsAt, modelAt, nameAt, serviceAt, startMsAt, stateAt, totalsOf } from './span-tree';
import { idsOf, spanOf, traceOf, treeOf, type TestSpan } from './testing';
import { TreeLoader } from './tree-loader';

/** `trace` as the binary stream, in chunks of `chunkSpans` spans (the last frame the trailer). */
function streamOf(trace: TraceTree, chunkSpans: number, states?: number[]): Uint8Array {
  const originUs = microsFromIso(trace.startTime)!;
  const encoder = new TreeStreamEncoder(trace.traceId, originUs);
  const frames = [encoder.header()];
  for (let from = 0; from < trace.spanIds.length; from += chunkSpans) {
    const to = Math.min(trace.spanIds.length, from + chunkSpans);
    const at = (i: number) => i - from;
    frames.push(
      encoder.chunk({
        spanIds: trace.spanIds.slice(from, to),
        parentSpanIds: trace.parentSpanIds.slice(from, to),
        names: trace.names.slice(from, to),
        services: trace.serviceIndexes.slice(from, to).map((s) => trace.services[s]!),
        models: trace.models.slice(from, to),
        startsUs: trace.startOffsetsUs.slice(from, to).map((us) => us + originUs),
        durationsUs: trace.durationsUs.slice(from, to),
        statusCodes: trace.statusCodes.slice(from, to),
        categories: trace.categories.slice(from, to),
        ...(states === undefined ? {} : { states: states.slice(from, to) }),
        inputTokens: trace.inputTokens.slice(from, to),
        outputTokens: trace.outputTokens.slice(from, to),
        costUsd: trace.costUsd.slice(from, to),
        events: trace.events.filter(([i]) => i >= from && i < to).map(([i, offsetUs, name]) => [at(i), offsetUs + originUs, name] as const),
      }),
    );
  }
  frames.push(encoder.trailer({ sessionId: trace.sessionId, spanCount: trace.spanIds.length, logs: [], scores: [] }));
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const frame of frames) {
    out.set(frame, at);
    at += frame.length;
  }
  return out;
}

/** A root with `n - 1` children, each child given in reverse start order so that later chunks insert rows above. */
const wide = (n: number): TestSpan[] => [
  spanOf('root', null, 0, n + 10, { name: 'workflow', sessionId: 's-9' }),
  ...Array.from({ length: n - 1 }, (_, k) =>
    spanOf(`s${n - k}`, 'root', n - k, 1, {
      name: `step ${k % 3}`,
      category: 'llm',
      model: k % 2 === 0 ? 'gpt-4o' : null,
      inputTokens: 2,
      events: k === 5 ? [[n - k + 0.5, 'exception']] : [],
    }),
  ),
];

describe('TreeLoader', () => {
  it('hands out a tree after the first chunk, then at doubling sizes, and the whole tree at the end, however the bytes are split', () => {
    const spans = wide(100);
    const bytes = streamOf(traceOf(spans), 10);
    const loader = new TreeLoader();
    const sizes: number[] = [];
    // Slices of 37 bytes: frames and columns straddle them.
    for (let at = 0; at < bytes.length; at += 37) {
      const tree = loader.push(bytes.subarray(at, at + 37));
      if (tree !== null) sizes.push(tree.count);
    }
    const whole = loader.end();
    expect(sizes).toEqual([10, 20, 40, 80]);
    expect(whole.count).toBe(100);
    expect(loader.trailer?.sessionId).toBe('s-9');
    expect(whole.spans.sessionId).toBe('s-9');
  });

  it('reads what the JSON tree answer gives: order, names, services, models, times, events, states and totals', () => {
    const spans = wide(50);
    const json = treeOf(spans);
    const loader = new TreeLoader();
    loader.push(
      streamOf(
        traceOf(spans),
        7,
        spans.map((_, i) => (i === 3 ? 1 : 0)),
      ),
    );
    const tree = loader.end();
    const rows = Array.from({ length: json.count }, (_, r) => r);
    expect(idsOf(tree, rows)).toEqual(idsOf(json, rows));
    for (const at of [nameAt, serviceAt, modelAt, startMsAt, durationMsAt, eventsAt])
      expect(rows.map((r) => at(tree, r))).toEqual(rows.map((r) => at(json, r)));
    expect(Array.from(tree.depth)).toEqual(Array.from(json.depth));
    expect(totalsOf(tree)).toEqual(totalsOf(json));
    expect(rows.filter((r) => stateAt(tree, r) === 'running')).toHaveLength(1);
  });

  it('refuses a stream cut short, and one that is not the format', () => {
    const bytes = streamOf(traceOf(wide(20)), 8);
    const cut = new TreeLoader();
    cut.push(bytes.subarray(0, bytes.length - 20));
    expect(() => cut.end()).toThrow(/cut short/);
    expect(() => new TreeLoader().push(new TextEncoder().encode('{"traceId":"0af7651916cd43dd8448eb211c80319c","spanIds":[]}'))).toThrow(/not a tree stream/);
  });
});
