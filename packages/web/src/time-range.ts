/**
 * The time range of a page lives in the URL: `range=1h` (the last hour, moving with "now") or
 * `from`/`to` (fixed, ISO-8601 or epoch milliseconds, exactly what the API takes).
 */

export const RANGE_PRESETS = [
  { key: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { key: '1h', label: 'Last hour', ms: 3_600_000 },
  { key: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { key: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { key: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;

export type RangePreset = (typeof RANGE_PRESETS)[number]['key'];

export interface ResolvedRange {
  /** ISO-8601, or `null` for open. */
  from: string | null;
  to: string | null;
  /** The preset in use, or `null` for a fixed range. */
  preset: RangePreset | null;
}

function isoOf(value: string): string | null {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The range a page's URL asks for, at `nowMs`; `fallback` when it names none. */
export function resolveRange(search: URLSearchParams, nowMs: number, fallback: RangePreset | null): ResolvedRange {
  const from = search.get('from');
  const to = search.get('to');
  if (from !== null || to !== null) {
    return { from: from === null ? null : isoOf(from), to: to === null ? null : isoOf(to), preset: null };
  }
  const key = search.get('range') ?? fallback;
  const preset = RANGE_PRESETS.find((p) => p.key === key);
  if (preset === undefined) return { from: null, to: null, preset: null };
  return { from: new Date(nowMs - preset.ms).toISOString(), to: null, preset: preset.key };
}
