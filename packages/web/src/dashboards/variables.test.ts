import { describe, expect, it } from 'vitest';
import { substitute, usedVariables } from './variables';

describe('variable substitution', () => {
  const values = { service: 'checkout', model: 'gpt-4.1', release: '' };
  it.each([
    ['cost(spans{service=~"$service"})[1h] by (model)', 'cost(spans{service=~"checkout"})[1h] by (model)'],
    ['count(spans{model=~"$model"})[5m]', 'count(spans{model=~"gpt-4\\\\.1"})[5m]'],
    ['count(spans{model=~"${model}"})[5m]', 'count(spans{model=~"gpt-4\\\\.1"})[5m]'],
    // All: every value.
    ['count(spans{"service.version"=~"$release"})[5m]', 'count(spans{"service.version"=~".*"})[5m]'],
    ['p95(duration_ms)[$__interval]', 'p95(duration_ms)[300s]'],
    // Not a variable of the dashboard: left for the parser to name.
    ['count(spans{service=~"$servic"})[5m]', 'count(spans{service=~"$servic"})[5m]'],
    ['count(spans{service=~"$service_x"})[5m]', 'count(spans{service=~"$service_x"})[5m]'],
  ])('fills %s', (expr, filled) => expect(substitute(expr, values, 300)).toBe(filled));

  it('escapes a value for a regular expression and then for its quoted string', () => {
    expect(substitute('x{a=~"$v"}', { v: 'a.b*(c)' }, 60)).toBe('x{a=~"a\\\\.b\\\\*\\\\(c\\\\)"}');
    expect(substitute('x{a=~"$v"}', { v: 'say "hi"\\' }, 60)).toBe('x{a=~"say \\"hi\\"\\\\\\\\"}');
  });

  it('a window is whole seconds, at least one', () => {
    expect(substitute('count(spans)[$__interval]', {}, 0.2)).toBe('count(spans)[1s]');
    expect(substitute('count(spans)[$__interval]', {}, 86_400)).toBe('count(spans)[86400s]');
  });

  it('names the variables an expression uses', () => {
    const variables = [
      { name: 'service', label: 'service' },
      { name: 'model', label: 'model' },
    ];
    expect(usedVariables('count(spans{service=~"$service"})[5m]', variables)).toEqual(['service']);
    expect(usedVariables('count(spans{model=~"${model}", service=~"$services"})[5m]', variables)).toEqual(['model']);
  });
});
