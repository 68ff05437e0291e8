import type { AlertRuleSpec } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { EMPTY_RULE_FORM, ruleFormFromSpec, ruleSpecFromForm, type RuleForm } from './rule-form';

const form = (over: Partial<RuleForm>): RuleForm => ({ ...EMPTY_RULE_FORM, name: 'slow', expr: 'p95(duration_ms)[5m] > 3s', ...over });

describe('ruleSpecFromForm', () => {
  it.each([
    {
      name: 'sends only what is filled in',
      form: form({}),
      want: { name: 'slow', expr: 'p95(duration_ms)[5m] > 3s' },
    },
    {
      name: 'trims and adds for, severity and the two annotations',
      form: form({ name: ' slow ', for: ' 5m ', severity: 'critical', summary: 'p95 is {{ $value }}', description: ' see runbook ' }),
      want: {
        name: 'slow',
        expr: 'p95(duration_ms)[5m] > 3s',
        for: '5m',
        severity: 'critical',
        annotations: { summary: 'p95 is {{ $value }}', description: 'see runbook' },
      },
    },
    {
      name: 'adds the other fields and merges their annotations',
      form: form({ summary: 'x', extra: '{"labels": {"team": "search"}, "noData": "ok", "annotations": {"runbook": "http://r"}}' }),
      want: { name: 'slow', expr: 'p95(duration_ms)[5m] > 3s', labels: { team: 'search' }, noData: 'ok', annotations: { runbook: 'http://r', summary: 'x' } },
    },
    {
      name: 'lets an emptied summary remove the one in other fields',
      form: form({ extra: '{"annotations": {"summary": "old"}}' }),
      want: { name: 'slow', expr: 'p95(duration_ms)[5m] > 3s' },
    },
  ])('$name', ({ form, want }) => {
    expect(ruleSpecFromForm(form)).toEqual({ ok: true, spec: want });
  });

  it.each([
    { name: 'refuses JSON it cannot read', extra: '{labels: 1}', error: /^Other fields are not valid JSON: / },
    { name: 'refuses JSON that is not an object', extra: '[1, 2]', error: /must be a JSON object/ },
    { name: 'refuses a field that has its own input', extra: '{"severity": "info"}', error: /Set 'severity' in its own field/ },
    { name: 'refuses annotations that are not an object', extra: '{"annotations": "x"}', error: /'annotations' must be an object/ },
  ])('$name', ({ extra, error }) => {
    const result = ruleSpecFromForm(form({ extra }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

describe('ruleFormFromSpec', () => {
  it.each<{ name: string; spec: AlertRuleSpec; want: Partial<RuleForm> }>([
    {
      name: 'fills the inputs of a plain rule',
      spec: { name: 'a', expr: 'count(spans)[5m] > 1', for: '1m', severity: 'info' },
      want: { name: 'a', expr: 'count(spans)[5m] > 1', for: '1m', severity: 'info', extra: '' },
    },
    {
      name: 'puts fields without an input into other fields',
      spec: { name: 'b', expr: 'error_rate(spans)[5m]', thresholds: { warning: 0.05 }, annotations: { summary: 's', runbook: 'r' } },
      want: { summary: 's', extra: JSON.stringify({ thresholds: { warning: 0.05 }, annotations: { runbook: 'r' } }, null, 2) },
    },
  ])('$name', ({ spec, want }) => {
    expect(ruleFormFromSpec(spec)).toMatchObject(want);
  });

  it.each<AlertRuleSpec>([
    { name: 'plain', expr: 'count(logs)[5m] > 10' },
    {
      name: 'full',
      expr: 'error_rate(spans)[5m] by (service)',
      for: '2m',
      keepFiringFor: '1m',
      thresholds: { warning: 0.05, critical: 0.2 },
      labels: { team: 'x' },
      annotations: { summary: 's', description: 'd', runbook: 'r' },
      groupBy: ['alertname', 'service'],
      noData: 'ok',
      notify: ['log'],
    },
  ])('round-trips rule $name unchanged', (spec) => {
    expect(ruleSpecFromForm(ruleFormFromSpec(spec))).toEqual({ ok: true, spec });
  });
});
