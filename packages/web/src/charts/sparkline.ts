import { linePath, scaleLinear } from './scale';

/**
 * The geometry and the spoken summary of a sparkline. Pure; tested in sparkline.test.ts.
 * A sparkline has no axes, so its `aria-label` carries the numbers a sighted reader gets from
 * the shape: total, peak and the latest value.
 */

export interface SparkBar {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * One bar per value, bottom-aligned, the largest filling the height. A non-zero value gets at
 * least one pixel so a single occurrence next to a spike of hundreds still shows.
 */
export function sparkBars(values: readonly number[], width: number, height: number, gap = 1): SparkBar[] {
  if (values.length === 0) return [];
  const max = Math.max(0, ...values.filter(Number.isFinite));
  const slot = width / values.length;
  const barWidth = Math.max(0.5, slot - (slot > 2 * gap ? gap : 0));
  return values.map((v, i) => {
    const h = max === 0 || !(v > 0) ? 0 : Math.max(1, (v / max) * height);
    return { x: i * slot, y: height - h, width: barWidth, height: h };
  });
}

/** A polyline through the values, zero at the bottom, the largest at the top (with a pixel's margin). */
export function sparkLine(values: readonly (number | null)[], width: number, height: number): string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(0, ...finite);
  const min = Math.min(0, ...finite);
  const x = scaleLinear(0, Math.max(1, values.length - 1), 1, width - 1);
  const y = scaleLinear(min, max === min ? min + 1 : max, height - 1, 1);
  return linePath(
    values.map((_, i) => x(i)),
    values.map((v) => (v === null ? null : y(v))),
  ).d;
}

/** `Occurrences per hour: total 42, peak 9, latest 0` (or `…: none` when all are zero). */
export function sparkSummary(label: string, values: readonly (number | null)[], format: (n: number) => string = String): string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0 || finite.every((v) => v === 0)) return `${label}: none`;
  const total = finite.reduce((a, b) => a + b, 0);
  const latest = values[values.length - 1];
  const latestText = latest === null || latest === undefined ? 'no value' : format(latest);
  return `${label}: total ${format(total)}, peak ${format(Math.max(...finite))}, latest ${latestText}`;
}
