import { describe, expect, it } from 'vitest';
import { MAX_POINTS, PromError, formatValue, parseQuery, rangeInstants } from './evaluate.js';
import { promDuration, promTime } from './params.js';

describe("Prometheus's parameter forms", () => {
  it('reads a time as Unix seconds, fractions too, or RFC 3339', () => {
    expect(promTime('time', '1700000000', 0)).toBe(1_700_000_000_000_000);
    expect(promTime('time', '1700000000.25', 0)).toBe(1_700_000_000_250_000);
    expect(promTime('time', '2023-11-14T22:13:20Z', 0)).toBe(1_700_000_000_000_000);
    expect(promTime('time', undefined, 42)).toBe(42);
    expect(() => promTime('time', 'yesterday', 0)).toThrow('invalid parameter "time": cannot parse "yesterday" to a valid timestamp');
  });

  it('reads a step as seconds or a duration', () => {
    expect(promDuration('step', '15')).toBe(15_000_000);
    expect(promDuration('step', '0.5')).toBe(500_000);
    expect(promDuration('step', '1m30s')).toBe(90_000_000);
    expect(promDuration('step', '1h')).toBe(3_600_000_000);
    expect(() => promDuration('step', '5 minutes')).toThrow(PromError);
    expect(() => promDuration('step', undefined)).toThrow('invalid parameter "step"');
  });
});

describe('range points', () => {
  it('places points at start + k·step up to end, as Prometheus', () => {
    expect(rangeInstants(10, 40, 10)).toEqual([10, 20, 30, 40]);
    expect(rangeInstants(10, 45, 10)).toEqual([10, 20, 30, 40]);
    expect(rangeInstants(10, 10, 10)).toEqual([10]);
  });

  it('refuses more than 11,000 points a series, an end before the start and a step of 0', () => {
    expect(rangeInstants(0, (MAX_POINTS - 1) * 1e6, 1e6)).toHaveLength(MAX_POINTS);
    expect(() => rangeInstants(0, MAX_POINTS * 1e6, 1e6)).toThrow(/exceeded maximum resolution of 11000 points/);
    expect(() => rangeInstants(20, 10, 1)).toThrow(/end timestamp must not be before start time/);
    expect(() => rangeInstants(0, 10, 0)).toThrow(/zero or negative query resolution step/);
  });
});

describe('values and expressions', () => {
  it('writes values as Prometheus does', () => {
    expect([0.1 + 0.2, 12, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map(formatValue)).toEqual([
      '0.30000000000000004',
      '12',
      'NaN',
      '+Inf',
      '-Inf',
    ]);
  });

  it('answers an expression the language does not parse as bad data, naming the parameter', () => {
    expect(() => parseQuery('rate(http_requests_total[5m])')).toThrow(
      expect.objectContaining({ errorType: 'bad_data', message: expect.stringMatching(/^invalid parameter "query": /) }),
    );
    expect(parseQuery('cost(spans)[1h] by (model)').kind).toBe('aggregate');
  });
});
