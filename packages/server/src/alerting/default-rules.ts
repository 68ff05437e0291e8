import { readFile } from 'node:fs/promises';
import type { AlertRuleRecord } from '../store/store.js';
import { readRulesFile } from './rules-file.js';

/** The shipped presets file: the one place the default rules' thresholds are written. */
export const PRESETS_FILE = new URL('../../alerts/agent-presets.yaml', import.meta.url);

/**
 * The presets every new project starts with: the limits the seed systems name (workflow over
 * 600 s, step over 120 s, LLM call over 30 s, cost per workflow over $1, error rate over 5%),
 * LLM calls without a price (so a cost that leaves calls out says so) and new error groups. The file's other two are left out: `request-latency-p95` judges server
 * spans by a web request's 3 s, which an agent's request that waits on LLM calls passes as a
 * matter of course, and `latency-anomaly` reads a day of history every round and says nothing
 * until a project has one.
 */
export const DEFAULT_RULE_NAMES: readonly string[] = [
  'workflow-too-long',
  'step-too-long',
  'llm-call-too-long',
  'cost-per-workflow',
  'unpriced-llm-calls',
  'error-rate',
  'new-error-group',
];

/** A default rule as stored: its name and its spec as JSON text. */
export type DefaultRule = Pick<AlertRuleRecord, 'name' | 'spec'>;

/** The default rules, read from the presets file's text (checked whole, as any rules file). */
export function defaultRulesFrom(text: string, path: string): DefaultRule[] {
  const { rules } = readRulesFile(text, path);
  return DEFAULT_RULE_NAMES.map((name) => {
    const rule = rules.find((r) => r.name === name);
    if (rule === undefined) throw new Error(`${path} has no rule named '${name}', one of the default alert rules`);
    return { name, spec: JSON.stringify(rule.spec) };
  });
}

/** The default rules of the shipped presets file. */
export async function readDefaultRules(): Promise<DefaultRule[]> {
  return defaultRulesFrom(await readFile(PRESETS_FILE, 'utf8'), 'agent-presets.yaml');
}
