/**
 * Formats epoch microseconds as ISO-8601 UTC with six fractional digits, e.g.
 * `2026-11-21T10:00:00.123456Z`. `Date` alone keeps only milliseconds.
 */
export function isoFromMicros(us: number): string {
  const seconds = Math.floor(us / 1_000_000);
  // Times in one answer mostly share their second: its text is made once.
  if (seconds !== cachedSecond) {
    cachedSecond = seconds;
    cachedPrefix = new Date(seconds * 1000).toISOString().slice(0, 20); // 2026-11-21T10:00:00.
  }
  const fraction = String(us - seconds * 1_000_000);
  return `${cachedPrefix}${'000000'.slice(fraction.length)}${fraction}Z`;
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

const ISO_FRACTION = /\.(\d+)(?=Z|[+-]\d\d:?\d\d$)/;

/**
 * Parses an ISO-8601 timestamp to epoch microseconds, keeping up to six fractional digits.
 * Returns `null` when the text is not a timestamp.
 */
export function microsFromIso(text: string): number | null {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return null;
  const fraction = ISO_FRACTION.exec(text)?.[1] ?? '';
  const extraMicros = fraction.length > 3 ? Number(fraction.slice(3, 6).padEnd(3, '0')) : 0;
  return ms * 1000 + extraMicros;
}
