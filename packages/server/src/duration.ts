/** Time units in microseconds, Spoor's one time unit inside the server. */
export const SECOND_US = 1_000_000;
export const MINUTE_US = 60 * SECOND_US;
export const HOUR_US = 60 * MINUTE_US;
export const DAY_US = 24 * HOUR_US;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/;
const UNIT_US: Record<string, number> = { ms: 1000, s: SECOND_US, m: MINUTE_US, h: HOUR_US, d: DAY_US, w: 7 * DAY_US };

/**
 * A duration written as `500ms`, `30s`, `5m`, `1.5h`, `1d` or `1w`, in microseconds; `null` when
 * the text is not one. A bare number is milliseconds only with `bareMs` (query parameters take
 * them); files, flags and rules must say their unit, so `for: 5` is not taken for 5 ms.
 */
export function parseDurationUs(text: string, options: { bareMs?: boolean } = {}): number | null {
  const match = DURATION.exec(text.trim());
  if (match === null || (match[2] === undefined && options.bareMs !== true)) return null;
  return Math.round(Number(match[1]) * UNIT_US[match[2] ?? 'ms']!);
}
