import { describe, expect, it } from 'vitest';
import { RulesFileError, readRulesFile } from './rules-file.js';

const GOOD = `
receivers:
  - name: log
    log: {}
  - name: oncall
    webhook: { url: "http://127.0.0.1:9/hook" }
defaults:
  notify: [log]
  repeatInterval: 1h
rules:
  - name: slow
    expr: p95(duration_ms{service="rag"})[5m] > 3s
  - name: errors
    expr: error_rate(spans)[5m] by (service)
    thresholds: { warning: 0.05, critical: 0.2 }
    notify: { critical: [oncall, log] }
`;

/** The error a file gives, as `line:column: reason`. */
function errorOf(text: string): string {
  try {
    readRulesFile(text, 'a.yaml');
  } catch (error) {
    if (error instanceof RulesFileError) return `${error.line}:${error.column}: ${error.reason}`;
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('readRulesFile', () => {
  it('reads receivers, defaults and rules', () => {
    const file = readRulesFile(GOOD, 'a.yaml');
    expect(file.receivers.map((r) => r.name)).toEqual(['log', 'oncall']);
    expect(readRulesFile('rules: []', 'a.yaml').receivers).toEqual([{ name: 'log', log: {} }]);
    expect(file.defaults).toEqual({ notify: ['log'], groupWait: '30s', groupInterval: '5m', repeatInterval: '1h' });
    expect(file.rules.map((r) => [r.name, r.repeatIntervalUs, r.receivers.critical])).toEqual([
      ['slow', 3_600_000_000, ['log']],
      ['errors', 3_600_000_000, ['oncall', 'log']],
    ]);
  });

  it('reads an empty file as no rules', () => {
    expect(readRulesFile('', 'a.yaml').rules).toEqual([]);
    expect(readRulesFile('# nothing yet\n', 'a.yaml').rules).toEqual([]);
  });

  it.each<[string, string, string]>([
    ['a YAML syntax error', 'rules:\n  - name: x\n   expr: y\n', '3:'],
    ['an unknown section', 'rule:\n  - name: x\n', "1:1: 'rule' is not a section; expected receivers, defaults, rules"],
    ['a bad receiver', 'receivers:\n  - name: a\n    log: {}\n  - name: b\n    webhook: { url: "ftp://x" }\n', '4:5: receivers[1].webhook.url'],
    ['an unknown default', 'defaults:\n  wait: 5m\n', '2:3: defaults.wait is not a default'],
    [
      'an expression error, at its column',
      'rules:\n  - name: x\n    expr: p95(duration_ms{service="rag")[5m] > 1\n',
      "3:40: rules[0].expr: expected ',' or '}' after a matcher (column 30)",
    ],
    ['an expression error in a quoted expression', 'rules:\n  - name: x\n    expr: "count(spanz)[5m] > 1"\n', "3:18: rules[0].expr: unknown source 'spanz'"],
    ['a bad field of a rule, at the field', 'rules:\n  - name: x\n    expr: count(spans)[5m] > 1\n    for: soon\n', '4:5: rules[0].for: must be a duration'],
    ['a missing expression, at the rule', 'rules:\n  - name: x\n', '2:5: rules[0].expr: is required text'],
    [
      'a rule naming an unknown receiver',
      'rules:\n  - name: x\n    expr: count(spans)[5m] > 1\n    notify: [pager]\n',
      "4:5: rules[0].notify: names no receiver 'pager'",
    ],
    [
      'two rules of one name',
      'rules:\n  - name: x\n    expr: count(spans)[5m] > 1\n  - name: x\n    expr: count(spans)[5m] > 2\n',
      "4:5: rules[1].name: 'x' names another rule already",
    ],
    ['a duplicate key', 'rules: []\nrules: []\n', '2:1: '],
  ])('reports %s with its line and column', (_name, text, expected) => {
    expect(errorOf(text)).toContain(expected);
  });
});
