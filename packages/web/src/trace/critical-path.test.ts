import type { CriticalPath } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { criticalPathDisplay } from './critical-path';
import { hexId, spanOf, treeOf } from './testing';

const tree = treeOf([spanOf('root', null, 0, 100), spanOf('a', 'root', 10, 30), spanOf('b', 'root', 50, 40), spanOf('b1', 'b', 60, 10)]);

const pathSpan = (name: string) => ({ spanId: hexId(name), parentSpanId: null, name, serviceName: 'agent', category: 'other' as const, startMs: 0, durationMs: 0, onPathMs: 0 });

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
  const display = criticalPathDisplay(tree, path);

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
    const later = criticalPathDisplay(tree, { ...path, startTime: '2026-11-22T10:00:00.050000Z', segments: [{ spanId: hexId('b'), startMs: 0, durationMs: 40 }] });
    expect(later.segments.get(2)).toEqual([50, 90]);
  });
});
