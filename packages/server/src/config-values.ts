import { parseDurationUs } from './duration.js';

/** The values of flags and variables written as text: durations, retention per signal, sizes. */

export const DAY_MS = 86_400_000;

/** Parses `30d`, `12h`, `90m`, `45s` into milliseconds. */
export function parseDuration(text: string): number {
  const us = parseDurationUs(text);
  if (us === null) throw new Error(`'${text}' is not a duration; write a number and a unit: 45s, 90m, 12h, 7d, 2w`);
  return us / 1000;
}

/** `7d` for every signal, or `traces=7d,logs=3d,metrics=30d` (signals not named keep 30 days). */
export function parseRetention(text: string): { tracesMs: number; logsMs: number; metricsMs: number } {
  const result = { tracesMs: 30 * DAY_MS, logsMs: 30 * DAY_MS, metricsMs: 30 * DAY_MS };
  if (!text.includes('=')) {
    const ms = parseDuration(text);
    return { tracesMs: ms, logsMs: ms, metricsMs: ms };
  }
  for (const part of text.split(',')) {
    const [signal, value] = part.split('=', 2).map((s) => s.trim());
    if (signal !== 'traces' && signal !== 'logs' && signal !== 'metrics') {
      throw new Error(`retention names unknown signal '${signal}'; use traces, logs or metrics`);
    }
    result[`${signal}Ms`] = parseDuration(value ?? '');
  }
  return result;
}

/** Parses `16MiB`, `512KiB`, `1GiB`, `10MB` or plain bytes. */
export function parseBytes(text: string): number {
  const match = /^(\d+)\s*(b|kb|kib|mb|mib|gb|gib)?$/i.exec(text.trim());
  if (match === null) throw new Error(`'${text}' is not a size; write bytes or a number with KiB, MiB or GiB`);
  const units: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };
  return Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()]!;
}

/** `--disk-reserve`: `auto` (`null`: from the disk's size when the server starts) or a size, `0` for none; throws naming `where`. */
export function parseDiskReserve(text: string, where: string): number | null {
  if (text.trim().toLowerCase() === 'auto') return null;
  try {
    return parseBytes(text);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}, 0 for none, or auto`, { cause: error });
  }
}
