import { describe, expect, it } from 'vitest';
import type { Panel } from './document';
import { clampPlace, freshPanelId, gridStyle, movePanel, placeNew, readingOrder, resizePanel } from './grid';

const panel = (id: string, x: number, y: number, w: number, h: number): Panel => ({
  id,
  title: id,
  kind: 'stat',
  grid: { x, y, w, h },
  queries: [{ expr: 'count(spans)[5m]' }],
});

describe('the 12-column grid', () => {
  it.each([
    [
      { x: 0, y: 0, w: 6, h: 4 },
      { gridColumn: '1 / span 6', gridRow: '1 / span 4' },
    ],
    [
      { x: 6, y: 4, w: 6, h: 3 },
      { gridColumn: '7 / span 6', gridRow: '5 / span 3' },
    ],
    // Past the last column: moved left so it ends at the twelfth.
    [
      { x: 10, y: 0, w: 6, h: 4 },
      { gridColumn: '7 / span 6', gridRow: '1 / span 4' },
    ],
  ])('places %o at %o', (place, style) => expect(gridStyle(place)).toEqual(style));

  it.each([
    [
      { x: -2, y: -1, w: 0, h: 0 },
      { x: 0, y: 0, w: 1, h: 1 },
    ],
    [
      { x: 3, y: 2, w: 20, h: 4 },
      { x: 0, y: 2, w: 12, h: 4 },
    ],
    [
      { x: 11.6, y: 0, w: 2, h: 4 },
      { x: 10, y: 0, w: 2, h: 4 },
    ],
  ])('keeps %o inside the grid as %o', (place, kept) => expect(clampPlace(place)).toEqual(kept));

  it('puts a new panel beside the bottom row when it fits, else under everything', () => {
    expect(placeNew([])).toEqual({ x: 0, y: 0, w: 6, h: 4 });
    expect(placeNew([panel('a', 0, 0, 6, 4)])).toEqual({ x: 6, y: 0, w: 6, h: 4 });
    expect(placeNew([panel('a', 0, 0, 6, 4), panel('b', 6, 0, 6, 4)])).toEqual({ x: 0, y: 4, w: 6, h: 4 });
    expect(placeNew([panel('a', 0, 0, 8, 4)])).toEqual({ x: 0, y: 4, w: 6, h: 4 });
  });

  it('moves a panel one cell and never out of the columns', () => {
    const panels = [panel('a', 0, 0, 6, 4), panel('b', 6, 0, 6, 4)];
    expect(movePanel(panels, 'a', 'right')[0]!.grid).toEqual({ x: 1, y: 0, w: 6, h: 4 });
    expect(movePanel(panels, 'a', 'left')[0]!.grid).toEqual({ x: 0, y: 0, w: 6, h: 4 });
    expect(movePanel(panels, 'b', 'right')[1]!.grid).toEqual({ x: 6, y: 0, w: 6, h: 4 });
    expect(movePanel(panels, 'b', 'down')[1]!.grid).toEqual({ x: 6, y: 1, w: 6, h: 4 });
    expect(movePanel(panels, 'b', 'down')[0]).toBe(panels[0]);
  });

  it('resizes a panel, moving it left when the new width crosses the last column', () => {
    const panels = [panel('a', 6, 0, 6, 4)];
    expect(resizePanel(panels, 'a', 8, 2)[0]!.grid).toEqual({ x: 4, y: 0, w: 8, h: 2 });
    expect(resizePanel(panels, 'a', 3, 6)[0]!.grid).toEqual({ x: 6, y: 0, w: 3, h: 6 });
  });

  it('lists panels by row then column, and names a new one with a free id', () => {
    const panels = [panel('panel-2', 6, 4, 6, 4), panel('c', 6, 0, 6, 4), panel('panel-3', 0, 4, 6, 4)];
    expect(readingOrder(panels).map((p) => p.id)).toEqual(['c', 'panel-3', 'panel-2']);
    expect(freshPanelId(panels)).toBe('panel-4');
  });
});
