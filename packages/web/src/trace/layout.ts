import { formatTickDuration } from '../charts/axis-format';
import { niceStep } from '../charts/scale';

/**
 * Time -> pixel for the waterfall. The view is a window `[startMs, endMs]` of the trace's time
 * (milliseconds after the trace started); zoom and pan move the window, never the data.
 */

export interface TimeView {
  startMs: number;
  endMs: number;
}

/** Narrowest window a zoom may reach: one microsecond. */
export const MIN_VIEW_MS = 0.001;

export function fullView(totalMs: number): TimeView {
  return { startMs: 0, endMs: Math.max(totalMs, MIN_VIEW_MS) };
}

/** A bar's place as fractions of the timeline's width; `null` when it is wholly outside the view. */
export interface BarBox {
  left: number;
  width: number;
}

/**
 * Where a span's bar goes: clipped to the view, at least `minFraction` wide so the shortest span
 * still shows. Fractions, not pixels, so a resize does not recompute every row.
 */
export function barBox(startMs: number, durationMs: number, view: TimeView, minFraction = 0.001): BarBox | null {
  const span = view.endMs - view.startMs;
  const endMs = startMs + durationMs;
  if (endMs < view.startMs || startMs > view.endMs) return null;
  const left = Math.max(0, (startMs - view.startMs) / span);
  const right = Math.min(1, (endMs - view.startMs) / span);
  const width = Math.max(right - left, minFraction);
  return { left: Math.min(left, 1 - width), width };
}

/** `x` pixels into a timeline `widthPx` wide, as trace time. */
export function timeAt(view: TimeView, x: number, widthPx: number): number {
  return view.startMs + (x / widthPx) * (view.endMs - view.startMs);
}

/** Zooms by `factor` (< 1 zooms in) keeping `anchorMs` where it is on screen, within `[0, totalMs]`. */
export function zoomView(view: TimeView, factor: number, anchorMs: number, totalMs: number): TimeView {
  const span = view.endMs - view.startMs;
  const bound = Math.max(totalMs, MIN_VIEW_MS);
  const next = Math.min(bound, Math.max(MIN_VIEW_MS, span * factor));
  const ratio = span === 0 ? 0.5 : (anchorMs - view.startMs) / span;
  return clampView(anchorMs - ratio * next, next, bound);
}

/** Moves the view by `deltaMs`, stopping at the trace's ends. */
export function panView(view: TimeView, deltaMs: number, totalMs: number): TimeView {
  return clampView(view.startMs + deltaMs, view.endMs - view.startMs, Math.max(totalMs, MIN_VIEW_MS));
}

/** The view showing `[fromMs, toMs]` with a little margin, for "zoom to span" and drag-to-zoom. */
export function viewAround(fromMs: number, toMs: number, totalMs: number, margin = 0.05): TimeView {
  const span = Math.max(toMs - fromMs, MIN_VIEW_MS);
  const bound = Math.max(totalMs, MIN_VIEW_MS);
  const width = Math.min(bound, span * (1 + 2 * margin));
  return clampView(fromMs - (width - span) / 2, width, bound);
}

function clampView(startMs: number, span: number, bound: number): TimeView {
  const start = Math.min(Math.max(0, startMs), bound - span);
  return { startMs: start, endMs: start + span };
}

export interface Tick {
  /** Fraction of the width. */
  at: number;
  label: string;
}

/** Evenly spaced ticks at round times (1, 2, 5 × 10^k ms), about `target` of them. */
export function timeTicks(view: TimeView, target: number): Tick[] {
  const span = view.endMs - view.startMs;
  if (!(span > 0) || target < 1) return [];
  const step = niceStep(span / target);
  const ticks: Tick[] = [];
  const first = Math.ceil(view.startMs / step - 1e-9) * step;
  for (let t = first; t <= view.endMs + step * 1e-9; t += step) {
    // Rounded to the step, so float noise in `t` cannot show in the label.
    ticks.push({ at: (t - view.startMs) / span, label: formatTickDuration(Math.round(t / step) * step, step) });
    if (ticks.length > target * 3) break;
  }
  return ticks;
}
