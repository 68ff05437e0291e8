import type { CriticalPath } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { compactCriticalPath, criticalPathDisplay, drawnSegments } from './critical-path';
import { hexId, spanOf, treeOf } from './testing';

const tree = treeOf([spanOf('root', null, 0, 100), spanOf('a', 'root', 10, 30), spanOf('b', 'root', 50, 40), spanOf('b1', 'b', 60, 10)]);

const pathSpan = (name: string) => ({
  spanId: hexId(name),
  parentSpanId: null,
  name,
  serviceName: 'agent',
  category: 'other' as const,
  startMs: 0,
  durationMs: 0,
  onPathMs: 0,
});

describe('criticalPathDisplay', () => {
  const path: CriticalPath = {
    traceId: 't',
    startTime: '2026-11-22T10:00:00.000000Z',
    durationMs: 100,
    spans: [pathSpan('root'), pathSpan('b'), pathSpan('b1'), pathSpan('gone')],
    segments: [
      { spanId: hexId('root'), startMs: 0, durationMs: 50 },
      { spanId: hexId('b'), startMs: 50, durationMs: 10 },
      { spanId: hexId('b1'), startMs: 60, durationMs: 10 },
      { spanId: hexId('b'), startMs: 70, durationMs: 5 },
      { spanId: hexId('b'), startMs: 75, durationMs: 15 },
      { spanId: hexId('root'), startMs: 90, durationMs: 10 },
      { spanId: null, startMs: 100, durationMs: 0 },
    ],
  };
  const display = criticalPathDisplay(tree, compactCriticalPath(path));

  it('marks the rows on the path, in the order the path enters them, skipping unknown spans', () => {
    expect(Array.from(display.onPath)).toEqual([1, 0, 1, 1]);
    expect(display.rows).toEqual([0, 2, 3]);
  });

  it('gives each row its stretches of the path in trace time, merging touching ones', () => {
    expect(display.segments.get(0)).toEqual([0, 50, 90, 100]);
    expect(display.segments.get(2)).toEqual([50, 60, 70, 90]);
    expect(display.segments.get(3)).toEqual([60, 70]);
    expect(display.segments.has(1)).toBe(false);
  });

  it('shifts offsets when the path starts after the trace', () => {
    const later = criticalPathDisplay(
      tree,
      compactCriticalPath({ ...path, startTime: '2026-11-22T10:00:00.050000Z', segments: [{ spanId: hexId('b'), startMs: 0, durationMs: 40 }] }),
    );
    expect(later.segments.get(2)).toEqual([50, 90]);
  });
});

describe('drawnSegments', () => {
  const view = { startMs: 0, endMs: 1000 };
  it.each([
    ['leaves segments a pixel or more apart as they are', [0, 10, 20, 30, 40, 50], [0, 10, 20, 30, 40, 50]],
    ['joins segments closer than a thousandth of the view', [0, 10, 10.5, 20, 40, 50], [0, 20, 40, 50]],
    ['joins a run of slivers into one', [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 5, 6], [0, 0.7, 5, 6]],
    ['keeps a lone sliver', [100, 100.01], [100, 100.01]],
    ['draws no segment for none', [], []],
  ])('%s', (_, segments, drawn) => {
    expect(drawnSegments(segments, view)).toEqual(drawn);
  });

  it('joins by the view: zoomed in, the same segments stay apart', () => {
    expect(drawnSegments([0, 10, 10.5, 20], { startMs: 0, endMs: 100 })).toEqual([0, 10, 10.5, 20]);
  });

  it('draws the root of a long path in a few pieces, not one per sliver', () => {
    const slivers = Array.from({ length: 10_000 }, (_, k) => [k * 0.1, k * 0.1 + 0.01]).flat();
    expect(drawnSegments(slivers, view)).toEqual([0, slivers.at(-1)]);
  });
});
