/** Numbers and times as people read them. Pure; unit-tested in format.test.ts. */

/** `0.84 ms`, `12.3 ms`, `1.25 s`, `2m 05s`, `1h 02m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const totalSeconds = Math.round(s);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(totalSeconds / 60);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** `950`, `12.3k`, `4.56M`; `–` for unknown. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  if (abs < 1000) return Number.isInteger(n) ? String(n) : n.toFixed(2);
  if (abs < 1e6) return `${(n / 1e3).toFixed(abs < 1e4 ? 2 : 1)}k`;
  if (abs < 1e9) return `${(n / 1e6).toFixed(abs < 1e7 ? 2 : 1)}M`;
  return `${(n / 1e9).toFixed(2)}B`;
}

/** A full count with thousands separators: `12,345`. */
export function formatInteger(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

/** A count and its noun, singular for one: `1 LLM call`, `3 LLM calls`, `1,204 spans`, `1 occurrence`. */
export function formatCountOf(n: number, one: string, many = `${one}s`): string {
  return `${formatInteger(n)} ${n === 1 ? one : many}`;
}

/** Below this a cost shows as `<$0.0001`: a run of zeros tells a reader nothing more. */
const TINY_USD = 0.0001;

/**
 * Dollars to the digits that mean something, the one way every cost on the dashboard is written:
 * cents from a dollar (`$1.23`, `$12,345.68`), two significant digits below it, never fewer
 * than cents (`$0.50`, `$0.012`, `$0.00013`), `<$0.0001` below that, and `$0` for nothing.
 */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '–';
  if (usd === 0) return '$0';
  const sign = usd < 0 ? '-' : '';
  const abs = Math.abs(usd);
  if (abs < TINY_USD) return `${sign}<$${TINY_USD}`;
  if (abs < 1) {
    const text = abs.toFixed(Math.max(2, 1 - Math.floor(Math.log10(abs))));
    // Rounded up to a dollar (0.996), it is written as dollars are.
    if (Number(text) < 1) return `${sign}$${text.replace(/(\.\d\d\d*?)0+$/, '$1')}`;
  }
  return `${sign}$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/**
 * A cost that may leave calls out: `$0.51` when every call was priced, `≥ $0.51 · 1 call unpriced`
 * when some had tokens but no price (the sum is a lower bound), `2 calls unpriced` when none had one.
 */
export function formatCostOf(usd: number | null | undefined, unpricedCalls: number | undefined): string {
  if (unpricedCalls === undefined || unpricedCalls <= 0) return formatCost(usd);
  const calls = `${unpricedCalls} ${unpricedCalls === 1 ? 'call' : 'calls'} unpriced`;
  return usd === null || usd === undefined || !Number.isFinite(usd) ? calls : `≥ ${formatCost(usd)} · ${calls}`;
}

/** A change as `+12 ms`, `−$0.0021` or `±0`, its size written by `format`; `–` when unknown. */
export function formatChange(n: number | null, format: (v: number) => string): string {
  if (n === null) return '–';
  return `${n > 0 ? '+' : n < 0 ? '−' : '±'}${format(Math.abs(n))}`;
}

/** `12.5%` from a ratio of 0..1. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  const pct = ratio * 100;
  return `${pct === 0 || pct >= 10 ? pct.toFixed(pct >= 99.95 || pct === 0 ? 0 : 1) : pct.toFixed(2)}%`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local `YYYY-MM-DD HH:MM:SS` of an ISO time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A start time as a list row shows it, short enough for one line of a narrow column: `21:56:11`
 * today, `Nov 26 21:56` this year, `2025-11-26` before (the full time is the cell's title).
 */
export function formatListTime(iso: string | null | undefined, nowMs: number = Date.now()): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const now = new Date(nowMs);
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.getFullYear() !== now.getFullYear()) return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (d.getMonth() !== now.getMonth() || d.getDate() !== now.getDate()) return `${MONTHS[d.getMonth()]} ${d.getDate()} ${clock}`;
  return `${clock}:${pad(d.getSeconds())}`;
}

/** Local `HH:MM:SS.mmm` of an ISO time, for log lines and events. */
export function formatClock(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `just now`, `5 min ago`, `3 h ago`, `2 d ago`, relative to `nowMs`. */
export function formatAgo(iso: string | null | undefined, nowMs: number = Date.now()): string {
  if (!iso) return '–';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((nowMs - t) / 1000);
  if (s < 0) return formatTime(iso);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** The first `n` characters of an id, for tables; the full id stays in the title and the link. */
export function shortId(id: string, n = 8): string {
  return id.length <= n ? id : id.slice(0, n);
}
