import { describe, expect, it } from 'vitest';
import { closedRange, durationBounds, durationUs, groupByOf, scoreFilters, severityNumber, timeRange, timeUs } from './parameters.js';

describe('the converters of parameter kinds', () => {
  it('takes epoch milliseconds and ISO-8601 times as microseconds', () => {
    expect(timeRange({ from: '1763719200000', to: '2025-11-21T10:00:00.000001Z' })).toEqual({ fromUs: 1_763_719_200_000_000, toUs: 1_763_719_200_000_001 });
    expect(timeUs('2026-01-01', 'from')).toBe(Date.UTC(2026, 0, 1) * 1000);
    expect(timeUs(undefined, 'from')).toBeNull();
  });

  it.each(['9999999999999999', '2026-13-45T99:99:99Z', '1800-01-01T00:00:00Z', '10000-01-01'])('refuses the time %s with a 400 that names it', (text) => {
    expect(() => timeUs(text, 'to')).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'ERR_INVALID_PARAMETER',
        message: `'to' must be an ISO-8601 time or epoch milliseconds between 1970 and 9999, not '${text}'`,
      }),
    );
  });

  it("refuses a 'from' after 'to', and a minimum duration above the maximum", () => {
    expect(() => timeRange({ from: '2000', to: '1000' })).toThrow("'from' must not be after 'to'");
    expect(() => durationBounds({ minDurationMs: 10, maxDurationMs: 5 })).toThrow("'minDurationMs' must not be more than 'maxDurationMs'");
  });

  it('closes an open range: to is now, from a default span before it', () => {
    expect(closedRange({}, 5_000_000, 1_000_000)).toEqual({ fromUs: 4_000_000, toUs: 5_000_000 });
    expect(closedRange({ from: '10000' }, 5_000_000, 1_000_000)).toEqual({ fromUs: 10_000_000, toUs: 10_000_001 });
  });

  it('reads durations with units or as milliseconds, between 1 ms and the year 9999', () => {
    expect(durationUs('5m', 'step')).toBe(300_000_000);
    expect(durationUs('250', 'step')).toBe(250_000);
    expect(() => durationUs('0.1', 'step')).toThrow(/^'step' must be a duration from 1ms/);
    expect(() => durationUs('99999999w', 'window')).toThrow(/^'window' must be a duration/);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', '0', '25'])('refuses severity=%s with a 400 that lists the names', (name) => {
    expect(() => severityNumber(name)).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining('must be one of trace, debug') }));
  });

  it('takes a severity by name, in any case, or by number', () => {
    expect(severityNumber('WARN')).toBe(13);
    expect(severityNumber('3')).toBe(3);
  });

  it('groups by a span column, or else by an attribute key', () => {
    expect(groupByOf('model')).toEqual({ column: 'model' });
    expect(groupByOf('service.version')).toEqual({ attribute: 'service.version' });
    expect(groupByOf('constructor')).toEqual({ attribute: 'constructor' });
  });

  it.each([
    ['faithfulness<0.7', { name: 'faithfulness', op: '<', value: 0.7 }],
    ['faithfulness<=.5', { name: 'faithfulness', op: '<=', value: 0.5 }],
    ['faithfulness>-1', { name: 'faithfulness', op: '>', value: -1 }],
    ['faithfulness >= 1e-3', { name: 'faithfulness', op: '>=', value: 0.001 }],
    ['relevance=1', { name: 'relevance', op: '=', value: 1 }],
    ['relevance!=0', { name: 'relevance', op: '!=', value: 0 }],
    ['thumbs=down', { name: 'thumbs', op: '=', label: 'down' }],
    ['thumbs!=down', { name: 'thumbs', op: '!=', label: 'down' }],
    ['verdict=a=b<c', { name: 'verdict', op: '=', label: 'a=b<c' }],
    ['tone=__proto__', { name: 'tone', op: '=', label: '__proto__' }],
  ])('reads the score filter %s', (text, filter) => {
    expect(scoreFilters([text])).toEqual([filter]);
  });

  it.each([
    ['thumbs<down', "'score' compares a label only with = or != (a number with <), not 'thumbs<down'"],
    ['x>=NaN', "'score' compares a label only with = or !="],
    ['x<1e400', "'score' compares with a number too large: 'x<1e400'"],
    [' =1', "'score' must name a score"],
    ['=1', "'score' must be NAME"],
    ['faithfulness', "'score' must be NAME"],
  ])('refuses the score filter %s with a 400 that names it', (text, message) => {
    expect(() => scoreFilters([text])).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining(message) }));
  });
});
