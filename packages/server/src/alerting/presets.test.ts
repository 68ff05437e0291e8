import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readRulesFile } from './rules-file.js';

describe('the agent presets file', () => {
  it('reads as a rules file, with the limits agent teams start with', async () => {
    const { rules } = readRulesFile(await readFile(new URL('../../alerts/agent-presets.yaml', import.meta.url), 'utf8'), 'agent-presets.yaml');
    const limit = (name: string) => rules.find((r) => r.name === name)!.levels.map((l) => `${l.severity} ${l.op} ${l.threshold}`);
    expect(limit('workflow-too-long')).toEqual(['warning > 600000']);
    expect(limit('step-too-long')).toEqual(['warning > 120000']);
    expect(limit('llm-call-too-long')).toEqual(['warning > 30000']);
    expect(limit('cost-per-workflow')).toEqual(['critical > 5', 'warning > 1']);
    expect(limit('error-rate')).toEqual(['critical > 0.2', 'warning > 0.05']);
    expect(limit('request-latency-p95')).toEqual(['warning > 3000']);
    expect(limit('unpriced-llm-calls')).toEqual(['info > 0']);
    expect(rules).toHaveLength(9);
  });
});
