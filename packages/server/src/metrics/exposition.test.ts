import { describe, expect, it } from 'vitest';
import {
  Buckets,
  Histogram,
  assertLabelName,
  assertMetricName,
  escapeHelp,
  escapeLabelValue,
  formatValue,
  headerText,
  histogramText,
  labelPairs,
  sampleText,
} from './exposition.js';

describe('escapeLabelValue', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['say "hi"', 'say \\"hi\\"'],
    ['C:\\temp', 'C:\\\\temp'],
    ['two\nlines', 'two\\nlines'],
    ['\\"\n', '\\\\\\"\\n'],
    ['größe ✓ 日本', 'größe ✓ 日本'],
  ])('escapes %j as %j', (value, escaped) => {
    expect(escapeLabelValue(value)).toBe(escaped);
  });
});

describe('formatValue', () => {
  it.each([
    [0, '0'],
    [42, '42'],
    [0.1, '0.1'],
    [1e21, '1e+21'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ])('writes %s as %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});

describe('names', () => {
  it.each(['spoor_spans_total', 'a:b', '_x'])('accepts the metric name %s', (name) => {
    expect(() => assertMetricName(name)).not.toThrow();
  });

  it.each(['', '1abc', 'a-b', 'a.b', 'a b'])('rejects the metric name %j', (name) => {
    expect(() => assertMetricName(name)).toThrow(/invalid Prometheus metric name/);
  });

  it.each(['', 'a:b', '__name__', 'le', 'x-y'])('rejects the label name %j', (name) => {
    expect(() => assertLabelName(name)).toThrow(/invalid Prometheus label name/);
  });
});

describe('text blocks', () => {
  it('writes a label set, escaping each value', () => {
    expect(labelPairs(['a', 'b'], ['x', 'y"z'])).toBe('a="x",b="y\\"z"');
    expect(labelPairs([], [])).toBe('');
  });

  it('writes HELP with backslashes and newlines escaped, then TYPE', () => {
    expect(escapeHelp('a\\b\nc "d"')).toBe('a\\\\b\\nc "d"');
    expect(headerText('x_total', 'Things.', 'counter')).toBe('# HELP x_total Things.\n# TYPE x_total counter\n');
  });

  it('writes a sample with and without labels', () => {
    expect(sampleText('x_total', '', 3)).toBe('x_total 3\n');
    expect(sampleText('x_total', 'a="b"', 0.5)).toBe('x_total{a="b"} 0.5\n');
  });
});

describe('Histogram', () => {
  it('counts a value in the first bucket whose upper bound is at least the value', () => {
    const histogram = new Histogram(new Buckets([1, 2, 5]));
    for (const value of [0, 1, 1.5, 2, 7, NaN]) histogram.observe(value);
    expect([...histogram.counts]).toEqual([2, 2, 0, 1]);
    expect(histogram.count).toBe(5);
    expect(histogram.sum).toBe(11.5);
  });

  it('writes cumulative buckets up to +Inf, then sum and count', () => {
    const histogram = new Histogram(new Buckets([0.5, 1]));
    for (const value of [0.25, 0.75, 3]) histogram.observe(value);
    expect(histogramText('d_seconds', 'k="v"', histogram)).toBe(
      [
        'd_seconds_bucket{k="v",le="0.5"} 1',
        'd_seconds_bucket{k="v",le="1"} 2',
        'd_seconds_bucket{k="v",le="+Inf"} 3',
        'd_seconds_sum{k="v"} 4',
        'd_seconds_count{k="v"} 3',
        '',
      ].join('\n'),
    );
    expect(histogramText('d_seconds', '', histogram)).toContain('d_seconds_bucket{le="+Inf"} 3\nd_seconds_sum 4\nd_seconds_count 3\n');
  });

  it.each([[[1, 1]], [[2, 1]], [[1, Infinity]], [[NaN]]])('rejects the bounds %j', (bounds) => {
    expect(() => new Buckets(bounds)).toThrow(/strictly increasing/);
  });

  it('accepts no bounds at all, leaving the +Inf bucket only', () => {
    expect(new Buckets([]).le).toEqual(['+Inf']);
  });
});
