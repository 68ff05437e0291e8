/** Time units in microseconds, Spoor's one time unit inside the server. */
export const SECOND_US = 1_000_000;
export const MINUTE_US = 60 * SECOND_US;
export const HOUR_US = 60 * MINUTE_US;
export const DAY_US = 24 * HOUR_US;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/;
const UNIT_US: Record<string, number> = { ms: 1000, s: SECOND_US, m: MINUTE_US, h: HOUR_US, d: DAY_US, w: 7 * DAY_US };

/**
 * A duration written as `500ms`, `30s`, `5m`, `1.5h`, `1d`, `1w`, or a bare number of
 * milliseconds, in microseconds; `null` when the text is not one.
 */
export function parseDurationUs(text: string): number | null {
  const match = DURATION.exec(text.trim());
  return match === null ? null : Math.round(Number(match[1]) * UNIT_US[match[2] ?? 'ms']!);
}
