import { PromError } from './evaluate.js';

/**
 * Prometheus's parameter forms: a time is Unix seconds (fractions allowed) or RFC 3339; a step or
 * timeout is seconds or a duration such as `15s`, `1m30s`.
 */

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** A time in microseconds; absent, `fallbackUs`. */
export function promTime(name: string, raw: string | undefined, fallbackUs: number): number {
  if (raw === undefined || raw === '') return fallbackUs;
  if (/^[+-]?\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1e6);
  const ms = /^\d{4}-\d\d-\d\dT/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) throw new PromError('bad_data', `invalid parameter "${name}": cannot parse "${raw}" to a valid timestamp`);
  return ms * 1000;
}

/** A duration in microseconds. */
export function promDuration(name: string, raw: string | undefined): number {
  if (raw === undefined || raw === '') throw new PromError('bad_data', `invalid parameter "${name}": cannot parse "" to a valid duration`);
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1e6);
  const m = DURATION.exec(raw);
  if (m === null || raw === '') throw new PromError('bad_data', `invalid parameter "${name}": cannot parse "${raw}" to a valid duration`);
  return DURATION_UNITS_MS.reduce((sum, unit, i) => sum + Number(m[i + 1] ?? 0) * unit, 0) * 1000;
}
