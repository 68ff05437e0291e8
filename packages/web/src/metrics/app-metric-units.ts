import type { MetricSeriesFn } from '@spoor/model';
import { formatTickDuration, formatTickNumber } from '../charts/axis-format';
import { formatDuration } from '../format';
import { formatBytes, formatSignificant } from './value-format';

/**
 * How an app metric's values read, from its OpenTelemetry unit (UCUM: `ms`, `s`, `By`, `1`,
 * `{request}`) and the function charted. `rate` is per second; counting functions of a
 * histogram count observations, which have no unit. Pure; tested in app-metric-units.test.ts.
 */

export interface ValueFormat {
  value: (value: number) => string;
  tick: (value: number, step: number) => string;
}

const COUNTING: ReadonlySet<MetricSeriesFn> = new Set(['rate', 'increase']);

function baseFormat(unit: string): ValueFormat {
  switch (unit) {
    case 'ms':
      return { value: formatDuration, tick: formatTickDuration };
    case 's':
      return { value: (v) => formatDuration(v * 1000), tick: (v, step) => formatTickDuration(v * 1000, step * 1000) };
    case 'us':
    case 'µs':
      return { value: (v) => formatDuration(v / 1000), tick: (v, step) => formatTickDuration(v / 1000, step / 1000) };
    case 'By':
      return { value: formatBytes, tick: (v, step) => `${formatTickNumber(v, step)}B` };
    case '':
    case '1':
      return { value: formatSignificant, tick: formatTickNumber };
    case '%':
      return { value: (v) => `${formatSignificant(v)}%`, tick: (v, step) => `${formatTickNumber(v, step)}%` };
  }
  // `{request}` is an annotation: a count of requests.
  const name = /^\{(.+)\}$/.exec(unit)?.[1] ?? unit;
  return { value: (v) => `${formatSignificant(v)} ${name}`, tick: formatTickNumber };
}

export function metricValueFormat(unit: string, fn: MetricSeriesFn, type: string): ValueFormat {
  const observations = COUNTING.has(fn) && type !== 'gauge' && type !== 'sum';
  const base = baseFormat(observations ? '' : unit);
  if (fn !== 'rate') return base;
  return { value: (v) => `${base.value(v)}/s`, tick: (v, step) => `${base.tick(v, step)}/s` };
}
