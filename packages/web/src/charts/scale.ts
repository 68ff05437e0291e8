/**
 * The arithmetic of a chart: nice tick values for the y axis, clock-aligned ticks for a time x
 * axis, value -> pixel mapping, and SVG paths that break at gaps. Pure, so the components stay
 * thin and this stays testable (scale.test.ts).
 */

/** A y axis: its bounds widened to whole steps, and the ticks between them. */
export interface NiceScale {
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/** Decimals needed to write multiples of `step` exactly: 0 for 5, 1 for 0.5, 2 for 0.25. */
export function stepDecimals(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  for (let d = 0; d < 12; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 12;
}

/** `value` to `decimals` places, without the binary noise of `0.1 + 0.2`. */
export function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

/**
 * The smallest step of 1, 2 or 5 times a power of ten that is at least `raw`. Float noise in
 * `raw` (0.6 / 3 is 0.20000000000000004) must not push it to the next step.
 */
export function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = (raw / magnitude) * (1 - 1e-9);
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
}

/**
 * About `count` ticks at steps of 1, 2 or 5 times a power of ten, covering `[lo, hi]`. A range of
 * one value is widened around it (to `[0, 1]` for zero) so a flat line sits mid-chart.
 */
export function niceTicks(lo: number, hi: number, count = 5): NiceScale {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return niceTicks(0, 1, count);
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo = lo === 0 ? 0 : lo - pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / Math.max(1, count));
  const decimals = stepDecimals(step);
  // A value a hair above a tick (float noise) must not add a whole empty step.
  const min = roundTo(Math.floor(lo / step + 1e-9) * step, decimals);
  const max = roundTo(Math.ceil(hi / step - 1e-9) * step, decimals);
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    const tick = roundTo(min + i * step, decimals);
    if (tick > max) break;
    ticks.push(tick);
  }
  return { min, max, step: roundTo(step, decimals), ticks };
}

/** Maps `[d0, d1]` onto `[r0, r1]`; an empty domain maps everything to the middle of the range. */
export function scaleLinear(d0: number, d1: number, r0: number, r1: number): (value: number) => number {
  if (d0 === d1) {
    const middle = (r0 + r1) / 2;
    return () => middle;
  }
  const k = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/** The smallest and largest finite value of all series, or `null` when there is none. */
export function extent(series: readonly (readonly (number | null)[])[]): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const values of series) {
    for (const v of values) {
      if (v === null || !Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min === Infinity ? null : { min, max };
}

/** The x domain of sorted times; one time is widened by half a step each side so it is not on an edge. */
export function timeDomain(times: readonly number[], stepMs: number): [number, number] {
  const first = times[0];
  const last = times[times.length - 1];
  if (first === undefined || last === undefined) return [0, 1];
  if (first === last) return [first - stepMs / 2, last + stepMs / 2];
  return [first, last];
}

/** Index of the time nearest `t` in ascending `times` (binary search), or -1 when there are none. */
export function nearestIndex(times: readonly number[], t: number): number {
  if (times.length === 0) return -1;
  let lo = 0;
  let hi = times.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid;
  }
  return Math.abs(times[hi]! - t) < Math.abs(t - times[lo]!) ? hi : lo;
}

/** An SVG path of a line, and the points that stand alone between gaps (a path alone draws nothing there). */
export interface LinePath {
  d: string;
  dots: Array<[number, number]>;
}

const px = (n: number): string => String(Math.round(n * 10) / 10);

/**
 * A polyline through `(xs[i], ys[i])` in pixels; a `null` (or non-finite) y breaks the line, so a
 * bucket without data shows as a gap rather than a made-up slope.
 */
export function linePath(xs: readonly number[], ys: readonly (number | null)[]): LinePath {
  const parts: string[] = [];
  const dots: Array<[number, number]> = [];
  let run: Array<[number, number]> = [];
  const flush = () => {
    if (run.length === 1) dots.push(run[0]!);
    else if (run.length > 1) parts.push(run.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x)},${px(y)}`).join(''));
    run = [];
  };
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (y === null || y === undefined || !Number.isFinite(y)) flush();
    else run.push([xs[i]!, y]);
  }
  flush();
  return { d: parts.join(''), dots };
}

/** A tick on the time axis: epoch ms, and its label in the viewer's time zone. */
export interface TimeTick {
  t: number;
  label: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  28 * DAY,
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Minutes the zone is behind UTC at `ms`, as `Date#getTimezoneOffset` reports it. */
export type ZoneOffset = (ms: number) => number;
const localOffset: ZoneOffset = (ms) => new Date(ms).getTimezoneOffset();

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * About `count` ticks over `[fromMs, toMs]` at a clock-friendly step (every 5 minutes, 3 hours,
 * day...), on the viewer's wall clock: 10:00, 10:15, not 10:07. Labels are `HH:MM:SS` below a
 * minute, `HH:MM` below a day, and the date at midnight and for steps of days.
 */
export function timeTicks(fromMs: number, toMs: number, count = 6, offset: ZoneOffset = localOffset): TimeTick[] {
  if (!(toMs > fromMs)) return Number.isFinite(fromMs) ? [{ t: fromMs, label: timeLabel(fromMs, MINUTE, offset) }] : [];
  const span = toMs - fromMs;
  const step = TIME_STEPS.find((s) => span / s <= Math.max(1, count)) ?? Math.ceil(span / count / DAY) * DAY;
  const ticks: TimeTick[] = [];
  // Align on the wall clock: shift into local time, round up to the step, shift back.
  const shift = offset(fromMs) * MINUTE;
  for (let local = Math.ceil((fromMs - shift) / step) * step; ; local += step) {
    const t = local + shift;
    if (t > toMs) break;
    ticks.push({ t, label: timeLabel(t, step, offset) });
  }
  return ticks;
}

function timeLabel(t: number, step: number, offset: ZoneOffset): string {
  const wall = new Date(t - offset(t) * MINUTE);
  const date = `${MONTHS[wall.getUTCMonth()]} ${wall.getUTCDate()}`;
  const midnight = wall.getUTCHours() === 0 && wall.getUTCMinutes() === 0 && wall.getUTCSeconds() === 0;
  if (step >= DAY || (midnight && step >= MINUTE)) return date;
  const hm = `${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())}`;
  return step < MINUTE ? `${hm}:${pad2(wall.getUTCSeconds())}` : hm;
}
