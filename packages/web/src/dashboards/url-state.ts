import type { Variable } from './document';

/**
 * A dashboard's state lives in its URL, so a link shares the dashboard with its variables and
 * range: `/dashboards/llm-cost?var-service=checkout&range=6h&refresh=30s`. A variable left at its
 * default is not written; All, when the default is a value, is written `$__all`.
 * Pure; tested in url-state.test.ts.
 */

export const ALL = '$__all';

export const paramOf = (name: string): string => `var-${name}`;

/** Each variable's value at this URL: `''` for All. */
export function variableValues(variables: readonly Variable[], search: URLSearchParams): Record<string, string> {
  const values: Record<string, string> = {};
  for (const v of variables) {
    const raw = search.get(paramOf(v.name));
    values[v.name] = raw === null ? (v.default ?? '') : raw === ALL ? '' : raw;
  }
  return values;
}

/** The URL change that picks `value` (`''` for All) for a variable. */
export function variableChange(variable: Variable, value: string): Record<string, string | null> {
  const fallback = variable.default ?? '';
  if (value === fallback) return { [paramOf(variable.name)]: null };
  return { [paramOf(variable.name)]: value === '' ? ALL : value };
}

export const REFRESH_OPTIONS = [
  { key: 'off', label: 'Off', ms: null },
  { key: '30s', label: '30 s', ms: 30_000 },
  { key: '1m', label: '1 min', ms: 60_000 },
  { key: '5m', label: '5 min', ms: 300_000 },
] as const;

/** How often the page reads again (`refresh=` in the URL); `null` for never. */
export function refreshMsOf(search: URLSearchParams): number | null {
  return REFRESH_OPTIONS.find((o) => o.key === search.get('refresh'))?.ms ?? null;
}

const NICE_STEPS_S = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
/** At most this many points a line: a range read costs the store about one read a point. */
export const MAX_POINTS = 100;

/** The step of a range's time series: the smallest round step giving at most `MAX_POINTS` points. */
export function stepSecondsFor(rangeMs: number): number {
  const seconds = rangeMs / 1000;
  return NICE_STEPS_S.find((s) => seconds / s <= MAX_POINTS) ?? Math.ceil(seconds / MAX_POINTS / 86_400) * 86_400;
}

export interface ReadWindow {
  /** Unix seconds. */
  startS: number;
  endS: number;
  stepS: number;
}

/** The seconds the panels read, from the page's range (`from` `null` is the last hour). */
export function readWindow(fromIso: string | null, toIso: string | null, nowMs: number): ReadWindow {
  const endMs = toIso === null ? nowMs : Date.parse(toIso);
  const startMs = fromIso === null ? endMs - 3_600_000 : Date.parse(fromIso);
  const endS = Math.floor(endMs / 1000);
  const startS = Math.min(endS - 1, Math.floor(startMs / 1000));
  return { startS, endS, stepS: stepSecondsFor((endS - startS) * 1000) };
}
