import type { GridPlace, Panel } from './document';

/**
 * Panels on a 12-column grid of rows: where each sits (CSS grid lines), where a new one goes, and
 * moving and resizing within the columns. Pure; tested in grid.test.ts.
 */

export const COLUMNS = 12;
export const MAX_ROWS = 24;

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(n)));

/** A place kept inside the grid: at least one cell, never past the twelfth column. */
export function clampPlace(place: GridPlace): GridPlace {
  const w = clamp(place.w, 1, COLUMNS);
  const h = clamp(place.h, 1, MAX_ROWS);
  return { x: clamp(place.x, 0, COLUMNS - w), y: Math.max(0, Math.round(place.y)), w, h };
}

/** The CSS grid lines of a place (1-based, spans). */
export function gridStyle(place: GridPlace): { gridColumn: string; gridRow: string } {
  const p = clampPlace(place);
  return { gridColumn: `${p.x + 1} / span ${p.w}`, gridRow: `${p.y + 1} / span ${p.h}` };
}

/** The row under every panel: where a new one starts. */
export function bottomOf(panels: readonly Panel[]): number {
  return panels.reduce((bottom, p) => Math.max(bottom, p.grid.y + p.grid.h), 0);
}

/** Panels in reading order: by row, then column (how the page lists them to a screen reader). */
export function readingOrder(panels: readonly Panel[]): Panel[] {
  return [...panels].sort((a, b) => a.grid.y - b.grid.y || a.grid.x - b.grid.x);
}

/** An id no panel has: `panel-<n>`. */
export function freshPanelId(panels: readonly Panel[]): string {
  const taken = new Set(panels.map((p) => p.id));
  let n = panels.length + 1;
  while (taken.has(`panel-${n}`)) n += 1;
  return `panel-${n}`;
}

/** A new panel of half the width: beside the last panel of the bottom row when it fits, else under all. */
export function placeNew(panels: readonly Panel[], w = 6, h = 4): GridPlace {
  const bottom = bottomOf(panels);
  const lastRow = panels.filter((p) => p.grid.y + p.grid.h === bottom);
  const rowTop = lastRow.reduce((top, p) => Math.max(top, p.grid.y), 0);
  const right = lastRow.filter((p) => p.grid.y === rowTop).reduce((x, p) => Math.max(x, p.grid.x + p.grid.w), 0);
  if (lastRow.length > 0 && right + w <= COLUMNS && lastRow.every((p) => p.grid.y === rowTop)) return { x: right, y: rowTop, w, h };
  return { x: 0, y: bottom, w, h };
}

export type Direction = 'left' | 'right' | 'up' | 'down';

/** The panel `id` moved one cell, kept inside the columns; others stay. */
export function movePanel(panels: readonly Panel[], id: string, direction: Direction): Panel[] {
  const dx = direction === 'left' ? -1 : direction === 'right' ? 1 : 0;
  const dy = direction === 'up' ? -1 : direction === 'down' ? 1 : 0;
  return panels.map((p) => (p.id === id ? { ...p, grid: clampPlace({ ...p.grid, x: p.grid.x + dx, y: p.grid.y + dy }) } : p));
}

/** The panel `id` at a new width and height; a width that would cross the last column moves it left. */
export function resizePanel(panels: readonly Panel[], id: string, w: number, h: number): Panel[] {
  return panels.map((p) => (p.id === id ? { ...p, grid: clampPlace({ ...p.grid, w, h }) } : p));
}
