import { describe, expect, it } from 'vitest';
import { alertLabels } from './engine.js';
import type { AlertInstance } from './evaluator.js';
import { labelOf, setLabel } from './labels.js';
import { linksOf } from './notifications.js';
import { BUILT_IN_DEFAULTS, compileRule } from './rule.js';

const OBJECT_MEMBERS = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
const compile = (expr: string) => compileRule({ name: 'r', expr }, BUILT_IN_DEFAULTS, new Set(['log']));

function instance(labels: Record<string, string>): AlertInstance {
  return {
    labels,
    state: 'firing',
    severity: 'warning',
    value: 2,
    threshold: 1,
    activeSinceUs: 0,
    firingSinceUs: 0,
    resolvedAtUs: null,
    lastBreachedUs: 0,
    lastEvaluatedUs: 0,
    noData: false,
  };
}

describe('alert labels named like Object members', () => {
  it.each(OBJECT_MEMBERS)('%s is a label only when set, and setting it adds a label', (name) => {
    const labels: Record<string, string> = {};
    expect(labelOf(labels, name)).toBeUndefined();
    setLabel(labels, name, 'x');
    expect(labelOf(labels, name)).toBe('x');
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.keys(labels)).toEqual([name]);
  });

  it.each(OBJECT_MEMBERS)('an alert keeps its `by` label %s', (name) => {
    const rule = compile(`count(spans)[5m] by ("${name}") > 1`);
    const own: Record<string, string> = {};
    setLabel(own, name, 'tenant-a');
    expect(Object.entries(alertLabels(rule, instance(own)))).toEqual([
      [name, 'tenant-a'],
      ['alertname', 'r'],
      ['severity', 'warning'],
    ]);
  });

  it.each(OBJECT_MEMBERS)('a matcher on %s adds nothing to the link to the traces', (name) => {
    const rule = compile(`count(spans{"${name}"="x", service="rag"})[5m] > 1`);
    const traces = new URL(linksOf(rule, {}, 'http://spoor', 0).traces);
    expect([...traces.searchParams.keys()]).toEqual(['from', 'to', 'service']);
  });
});
