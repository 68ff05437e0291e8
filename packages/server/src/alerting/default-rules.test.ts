import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_NAMES, defaultRulesFrom, readDefaultRules } from './default-rules.js';
import { compileRule, BUILT_IN_DEFAULTS } from './rule.js';

describe('the default alert rules', () => {
  it("are the presets file's limits the seed systems name, and new error groups, as written there", async () => {
    const rules = await readDefaultRules();
    expect(rules.map((r) => r.name)).toEqual([...DEFAULT_RULE_NAMES]);
    const limit = (name: string) =>
      compileRule(JSON.parse(rules.find((r) => r.name === name)!.spec), BUILT_IN_DEFAULTS, new Set(['log'])).levels.map(
        (l) => `${l.severity} ${l.op} ${l.threshold}`,
      );
    expect(limit('workflow-too-long')).toEqual(['warning > 600000']);
    expect(limit('step-too-long')).toEqual(['warning > 120000']);
    expect(limit('llm-call-too-long')).toEqual(['warning > 30000']);
    expect(limit('cost-per-workflow')).toEqual(['critical > 5', 'warning > 1']);
    expect(limit('unpriced-llm-calls')).toEqual(['info > 0']);
    expect(limit('error-rate')).toEqual(['critical > 0.2', 'warning > 0.05']);
    expect(limit('new-error-group')).toEqual(['info > 0']);
    // No receiver named: they notify whatever the rules file's `defaults.notify` says (`log` without one).
    for (const rule of rules) expect(JSON.parse(rule.spec)).not.toHaveProperty('notify');
  });

  it('refuses a presets file that lacks one of them', () => {
    expect(() => defaultRulesFrom('rules:\n  - name: error-rate\n    expr: error_rate(spans)[5m] > 0.05\n', 'p.yaml')).toThrow(
      "p.yaml has no rule named 'workflow-too-long', one of the default alert rules",
    );
  });
});
