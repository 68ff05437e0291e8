import { describe, expect, it } from 'vitest';
import { formatTickDuration } from '../charts/axis-format';
import { barBox, fullView, panView, timeAt, timeTicks, viewAround, zoomView } from './layout';

describe('barBox', () => {
  const view = { startMs: 0, endMs: 200 };
  it.each([
    ['a span inside the view', 50, 100, { left: 0.25, width: 0.5 }],
    ['a span cut by the left edge', -50, 100, { left: 0, width: 0.25 }],
    ['a span cut by the right edge', 150, 100, { left: 0.75, width: 0.25 }],
    ['a zero-length span, drawn at the minimum width', 100, 0, { left: 0.5, width: 0.001 }],
    ['a span before the view', -50, 10, null],
    ['a span after the view', 250, 10, null],
  ])('places %s', (_what, start, duration, box) => {
    const got = barBox(start, duration, view);
    if (box === null) expect(got).toBeNull();
    else {
      expect(got!.left).toBeCloseTo(box.left, 9);
      expect(got!.width).toBeCloseTo(box.width, 9);
    }
  });

  it('keeps a minimum-width bar at the right edge inside the timeline', () => {
    expect(barBox(200, 0, view)).toEqual({ left: 0.999, width: 0.001 });
  });
});

describe('zoom and pan', () => {
  it('zooms around the anchor, keeping it at the same place on screen', () => {
    const view = zoomView({ startMs: 0, endMs: 100 }, 0.5, 40, 100);
    expect(view).toEqual({ startMs: 20, endMs: 70 });
    expect(timeAt(view, 40, 100)).toBe(40);
  });

  it('never zooms out past the whole trace nor in past a microsecond', () => {
    expect(zoomView({ startMs: 20, endMs: 70 }, 10, 40, 100)).toEqual({ startMs: 0, endMs: 100 });
    const tiny = zoomView({ startMs: 10, endMs: 10.002 }, 0.01, 10.001, 100);
    expect(tiny.endMs - tiny.startMs).toBeCloseTo(0.001, 9);
  });

  it('pans within the trace, stopping at its ends', () => {
    expect(panView({ startMs: 20, endMs: 70 }, 10, 100)).toEqual({ startMs: 30, endMs: 80 });
    expect(panView({ startMs: 20, endMs: 70 }, 100, 100)).toEqual({ startMs: 50, endMs: 100 });
    expect(panView({ startMs: 20, endMs: 70 }, -100, 100)).toEqual({ startMs: 0, endMs: 50 });
  });

  it('frames a span with a margin for zoom-to-span', () => {
    expect(viewAround(40, 60, 100, 0.1)).toEqual({ startMs: 38, endMs: 62 });
    expect(fullView(0)).toEqual({ startMs: 0, endMs: 0.001 });
  });
});

describe('timeTicks', () => {
  it.each([
    [{ startMs: 0, endMs: 1000 }, 5, ['0', '200 ms', '400 ms', '600 ms', '800 ms', '1 s']],
    [{ startMs: 0, endMs: 12_000 }, 4, ['0', '5 s', '10 s']],
    [{ startMs: 1.2, endMs: 1.8 }, 3, ['1.2 ms', '1.4 ms', '1.6 ms', '1.8 ms']],
    [{ startMs: 0, endMs: 0.05 }, 5, ['0', '10 µs', '20 µs', '30 µs', '40 µs', '50 µs']],
  ])('puts round ticks on %o', (view, target, labels) => {
    expect(timeTicks(view, target).map((t) => t.label)).toEqual(labels);
  });

  it('places ticks as fractions of the width', () => {
    expect(timeTicks({ startMs: 100, endMs: 300 }, 2).map((t) => t.at)).toEqual([0, 0.5, 1]);
  });

  it('labels with the digits its step needs', () => {
    expect(formatTickDuration(1500, 500)).toBe('1.5 s');
    expect(formatTickDuration(2000, 1000)).toBe('2 s');
  });
});
