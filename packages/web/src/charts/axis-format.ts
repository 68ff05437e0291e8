import { stepDecimals } from './scale';

/**
 * Axis tick labels: as short as the tick step allows, so `0, 0.5k, 1k, 1.5k` rather than
 * `0.00, 500.00, 1.00k`. The step says how many decimals tell neighbouring ticks apart.
 * Pure; tested in axis-format.test.ts.
 */

/** `n` with at most `decimals` places and no trailing zeros: `1.5`, `2`, `0.05`. */
function trimmed(n: number, decimals: number): string {
  const text = n.toFixed(Math.min(12, Math.max(0, decimals)));
  const out = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  return out === '-0' ? '0' : out;
}

const SI = [
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
] as const;

/** A count or plain number: `0`, `250`, `1.5k`, `12M`, `0.25`. */
export function formatTickNumber(value: number, step: number): string {
  const abs = Math.abs(value);
  for (const [size, suffix] of SI) {
    if (abs >= size) return `${trimmed(value / size, stepDecimals(step / size))}${suffix}`;
  }
  return trimmed(value, stepDecimals(step));
}

/** A ratio of 0..1 as a percentage: `0%`, `2.5%`, `50%`. */
export function formatTickPercent(ratio: number, step: number): string {
  return `${trimmed(ratio * 100, stepDecimals(step * 100))}%`;
}

/** Milliseconds: `0`, `250 ms`, `1.5 s`, `2 min`. */
export function formatTickDuration(ms: number, step: number): string {
  if (ms === 0) return '0';
  const abs = Math.abs(ms);
  // Minutes only for whole-minute steps: a 50 s step would read `0.833333 min`.
  if (abs >= 60_000 && step % 60_000 === 0) return `${trimmed(ms / 60_000, 0)} min`;
  if (abs >= 1000 && step >= 10) return `${trimmed(ms / 1000, stepDecimals(step / 1000))} s`;
  if (abs < 1 && step < 1) return `${trimmed(ms * 1000, stepDecimals(step * 1000))} µs`;
  return `${trimmed(ms, stepDecimals(step))} ms`;
}

/** US dollars: `$0`, `$0.005`, `$1.5`, `$2k`. */
export function formatTickCost(usd: number, step: number): string {
  const text = formatTickNumber(Math.abs(usd), step);
  return `${usd < 0 ? '-' : ''}$${text}`;
}
