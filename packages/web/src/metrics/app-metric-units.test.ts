import { describe, expect, it } from 'vitest';
import { metricValueFormat } from './app-metric-units';

describe('metricValueFormat', () => {
  it.each([
    { unit: 'ms', fn: 'p95', type: 'histogram', value: 1250, text: '1.25 s', tick: [1500, 500, '1.5 s'] },
    { unit: 's', fn: 'avg', type: 'histogram', value: 0.0123, text: '12.3 ms', tick: [0.5, 0.1, '500 ms'] },
    { unit: 'By', fn: 'last', type: 'gauge', value: 1_500_000, text: '1.5 MB', tick: [2000, 1000, '2kB'] },
    { unit: 'By', fn: 'rate', type: 'sum', value: 2048, text: '2.05 kB/s', tick: [2000, 1000, '2kB/s'] },
    { unit: '{request}', fn: 'increase', type: 'sum', value: 12, text: '12 request', tick: [10, 5, '10'] },
    { unit: 'ms', fn: 'rate', type: 'histogram', value: 0.5, text: '0.5/s', tick: [0.5, 0.25, '0.5/s'] },
    { unit: '1', fn: 'last', type: 'gauge', value: 0.756, text: '0.756', tick: [0.75, 0.25, '0.75'] },
    { unit: 'Cel', fn: 'max', type: 'gauge', value: 21.5, text: '21.5 Cel', tick: [20, 5, '20'] },
  ] as const)('writes $fn of a $type in $unit as $text', ({ unit, fn, type, value, text, tick }) => {
    const format = metricValueFormat(unit, fn, type);
    expect(format.value(value)).toBe(text);
    expect(format.tick(tick[0], tick[1])).toBe(tick[2]);
  });
});
