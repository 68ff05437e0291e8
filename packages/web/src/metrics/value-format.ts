import { formatCost, formatCount } from '../format';

/**
 * Values of the metrics page with their units, for tooltips and tiles. Rates are per minute
 * (requests, tokens) or per hour (cost): LLM apps are slow enough that "0.02/s" reads worse than
 * "1.2/min". Pure; tested in value-format.test.ts.
 */

/** Three significant digits, no trailing zeros: `0.0333`, `12.3`, `950`; `1.23k` from a thousand. */
export function formatSignificant(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000) return formatCount(value);
  return String(Number(value.toPrecision(3)));
}

export const formatPerMinute = (value: number): string => `${formatSignificant(value)}/min`;
export const formatTokensPerMinute = (value: number): string => `${formatSignificant(value)} tokens/min`;
export const formatCostPerHour = (value: number): string => `${formatCost(value)}/h`;

/** Bytes in SI units, as OpenTelemetry's `By` means them: `512 B`, `1.5 kB`, `2.25 MB`. */
export function formatBytes(value: number): string {
  const abs = Math.abs(value);
  for (const [size, unit] of [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ] as const) {
    if (abs >= size) return `${formatSignificant(value / size)} ${unit}`;
  }
  return `${formatSignificant(value)} B`;
}
