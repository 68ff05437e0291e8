import { describe, expect, it } from 'vitest';
import { formatNumber, renderTemplate, templateError } from './template.js';

describe('annotation templates', () => {
  const values = { value: 0.052345, threshold: 0.05, labels: { service: 'rag', 'service.version': '1.2' } };

  it('fills in the value, the threshold and labels, with or without spaces; a missing label reads empty', () => {
    expect(renderTemplate('{{ $labels.service }} at {{$value}} (limit {{ $threshold }}) v{{ $labels.service.version }}{{ $labels.gone }}', values)).toBe(
      'rag at 0.05235 (limit 0.05) v1.2',
    );
  });

  it('reads a label named like an Object member only when the alert has one', () => {
    expect(renderTemplate('[{{ $labels.constructor }}|{{ $labels.__proto__ }}|{{ $labels.toString }}|{{ $labels.hasOwnProperty }}]', values)).toBe('[|||]');
    expect(renderTemplate('{{ $labels.constructor }}', { ...values, labels: { constructor: 'own' } })).toBe('own');
  });

  it('refuses placeholders it does not know, so a typo is caught when the rule is read', () => {
    expect(templateError('{{ $value }} and {{ $labels.name }}')).toBeNull();
    expect(templateError('{{ $vaule }}')).toBe(
      "unknown placeholder '{{ $vaule }}'; use {{ $value }}, {{ $threshold }} or {{ $labels.<name> }}, a number optionally as {{ $value | humanizePercentage }} or {{ $value | usd }}",
    );
    expect(templateError('{{ $value | humanize }}')).toMatch(/unknown placeholder/);
    expect(templateError('{{ $labels.service | usd }}')).toBe("'{{ $labels.service | usd }}': only $value and $threshold are numbers to format");
    expect(templateError('{{ .Value }}')).toMatch(/unknown placeholder/);
    expect(templateError('{{ $labels. }}')).toMatch(/unknown placeholder/);
    expect(templateError('no placeholders, {single} braces')).toBeNull();
  });

  it('writes a ratio as a percentage and dollars as a price', () => {
    expect(renderTemplate('{{ $value | humanizePercentage }} failed (limit {{$threshold|humanizePercentage}})', { ...values, value: 0.13333 })).toBe(
      '13.33% failed (limit 5%)',
    );
    const usd = (value: number | null) => renderTemplate('{{ $value | usd }}', { ...values, value });
    expect([usd(0.5234), usd(1204.5), usd(0.00041234), usd(0), usd(-0.2), usd(null)]).toEqual(['$0.52', '$1,204.50', '$0.00041', '$0.00', '-$0.20', 'no data']);
  });

  it.each([
    [3, '3'],
    [3421.57, '3422'],
    [1.23456, '1.235'],
    [0.0523449, '0.05234'],
    [-12.5, '-12.5'],
    [null, 'no data'],
    [Number.NaN, 'no data'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('formats %s as %s', (input, expected) => {
    expect(formatNumber(input)).toBe(expected);
  });
});
