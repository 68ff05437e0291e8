import { SPAN_CATEGORIES } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { sampledIn } from '../quality/sampled-in.js';
import type { SamplingFacts } from '../store/ports/sampling.js';
import { decide } from './decide.js';
import { filePolicyFor, resolvePolicy, samplingFileOf } from './policy.js';

const SEC = 1_000_000;
const longest = (by: Partial<Record<(typeof SPAN_CATEGORIES)[number], number>>): number[] => SPAN_CATEGORIES.map((c) => by[c] ?? 0);
/** A trace id the hash samples out at 0.1 (and one it samples in). */
const OUT = Array.from({ length: 100 }, (_, i) => i.toString(16).padStart(32, '0')).find((id) => !sampledIn(id, 0.1))!;
const IN = Array.from({ length: 100 }, (_, i) => i.toString(16).padStart(32, '0')).find((id) => sampledIn(id, 0.1))!;
const facts = (overrides: Partial<SamplingFacts> = {}): SamplingFacts => ({
  traceId: OUT,
  startUs: 0,
  endUs: SEC,
  errorCount: 0,
  costUsd: null,
  longestUs: longest({}),
  ...overrides,
});
const none = { score: false, filter: false };

describe('decide', () => {
  const defaults = resolvePolicy({ rate: 0.1 });
  it.each([
    ['a failed span keeps it', facts({ errorCount: 1 }), none, 'errors'],
    ['an LLM call over 30 s keeps it', facts({ longestUs: longest({ llm: 30 * SEC + 1 }) }), none, 'slow'],
    ['an LLM call of 30 s does not', facts({ longestUs: longest({ llm: 30 * SEC }) }), none, 'sampled_out'],
    ['a step over 120 s keeps it', facts({ longestUs: longest({ step: 121 * SEC }) }), none, 'slow'],
    ['a workflow over 600 s keeps it', facts({ longestUs: longest({ workflow: 601 * SEC }) }), none, 'slow'],
    ['a tool of an hour has no threshold by default', facts({ longestUs: longest({ tool: 3600 * SEC }) }), none, 'sampled_out'],
    ['a cost over $1 keeps it', facts({ costUsd: 1.01 }), none, 'cost'],
    ['a cost of $1 does not', facts({ costUsd: 1 }), none, 'sampled_out'],
    ['a score under its limit keeps it', facts(), { score: true, filter: false }, 'score'],
    ['a match of the filter keeps it', facts(), { score: false, filter: true }, 'filter'],
    ['the rate keeps what its id samples in', facts({ traceId: IN }), none, 'rate'],
  ] as const)('%s', (_, f, matched, reason) => {
    expect(decide(f, defaults, matched)).toBe(reason);
  });

  it('keeps nothing by a rule the policy does not have, and everything at rate 1', () => {
    const bare = resolvePolicy({ rate: 0, keep: {} });
    expect(decide(facts({ errorCount: 3, costUsd: 9, longestUs: longest({ llm: 3600 * SEC }) }), bare, none)).toBe('sampled_out');
    expect(decide(facts(), resolvePolicy({ rate: 1, keep: {} }), none)).toBe('rate');
  });
});

describe('the sampling file', () => {
  it('is one policy for every project, or a default and policies per project', () => {
    const one = samplingFileOf({ rate: 0.3 }, 'f');
    expect(filePolicyFor(one, 'any')?.policy.rate).toBe(0.3);
    const per = samplingFileOf({ projects: { shop: { rate: 0.2 } } }, 'f');
    expect([filePolicyFor(per, 'shop')?.rate, filePolicyFor(per, 'constructor'), filePolicyFor(null, 'shop')]).toEqual([0.2, null, null]);
    expect(() => samplingFileOf({ default: { rate: 0.1 }, project: {} }, 'the file')).toThrow(
      "the file: 'project' is not a field of a sampling file (known: default, projects)",
    );
  });
});
