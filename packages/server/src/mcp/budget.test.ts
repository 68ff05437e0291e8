import { describe, expect, it } from 'vitest';
import { cutStrings, fitList, fitStrings } from './budget.js';

const length = (value: unknown): number => JSON.stringify(value).length;

describe('fitStrings', () => {
  it('leaves an answer that fits as it is', () => {
    const value = { prompt: 'short', n: 1 };
    expect(fitStrings(value, 2000)).toEqual({ value, cap: null });
  });

  it.each([
    { what: 'one long prompt', value: { prompt: 'p'.repeat(50_000) }, maxChars: 2000 },
    { what: 'a prompt and a completion', value: { prompt: 'p'.repeat(30_000), completion: 'c'.repeat(9_000), model: 'gpt-4o' }, maxChars: 5000 },
    {
      what: 'many long attribute values',
      value: { attributes: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'.repeat(1000 + i)])) },
      maxChars: 12_000,
    },
  ])('cuts the longest strings of $what to the longest length that fits', ({ value, maxChars }) => {
    const { value: fitted, cap } = fitStrings(value, maxChars);
    expect(length(fitted)).toBeLessThanOrEqual(maxChars);
    expect(cap).not.toBeNull();
    // The longest that fits: one character more would not.
    expect(length(cutStrings(value, cap! + 1))).toBeGreaterThan(maxChars);
  });

  it('says how much of each cut string it left out, and leaves shorter strings whole', () => {
    const { value } = fitStrings({ prompt: 'p'.repeat(10_000), model: 'gpt-4o' }, 2000);
    expect(value.model).toBe('gpt-4o');
    const kept = value.prompt.indexOf('…');
    expect(value.prompt).toBe(`${'p'.repeat(kept)}…[${10_000 - kept} more characters]`);
  });

  it('cuts no string below 80 characters: a longer answer then stays over', () => {
    const value = { items: Array.from({ length: 200 }, () => 'x'.repeat(100)) };
    const { value: fitted, cap } = fitStrings(value, 2000);
    expect(cap).toBe(80);
    expect(length(fitted)).toBeGreaterThan(2000);
  });
});

describe('fitList', () => {
  const traces = (n: number) => Array.from({ length: n }, (_, i) => ({ traceId: i.toString(16).padStart(32, '0'), rootName: `run ${i}` }));

  it('leaves a list that fits as it is', () => {
    const answer = { traces: traces(3), nextCursor: 'abc' };
    expect(fitList(answer, 'traces', 2000)).toEqual({ value: answer, note: null });
  });

  it.each([2000, 5000, 20_000])('keeps the first items that fit %i characters, drops the cursor, and says how to page instead', (maxChars) => {
    const answer = { traces: traces(1000), nextCursor: 'abc' };
    const { value, note } = fitList(answer, 'traces', maxChars);
    const kept = (value.traces as unknown[]).length;
    expect(value.traces).toEqual(answer.traces.slice(0, kept));
    expect(length({ ...value, note })).toBeLessThanOrEqual(maxChars);
    expect(value.nextCursor).toBeNull();
    expect(note).toBe(
      `${1000 - kept} of 1000 traces left out to keep this answer within maxChars (${maxChars}); to page through them, ask again with limit=${kept} and then each answer's nextCursor, or ask with a larger maxChars`,
    );
  });

  it('names no cursor for a list that has none', () => {
    const { note } = fitList({ groupBy: 'name', groups: traces(500) }, 'groups', 3000);
    expect(note).toMatch(/^\d+ of 500 groups left out to keep this answer within maxChars \(3000\), or ask with a larger maxChars$/);
  });

  it('cuts long strings before it leaves items out, down to a few hundred characters', () => {
    const answer = { scores: [{ comment: 'c'.repeat(20_000) }, { comment: 'short' }], nextCursor: null };
    const { value, note } = fitList(answer, 'scores', 5000);
    expect((value.scores as unknown[]).length).toBe(2);
    expect(note).toMatch(/^strings longer than \d+ characters are cut/);
  });

  it('shows one item, cut, when even one is too long', () => {
    const answer = {
      occurrences: Array.from({ length: 3 }, () => ({ message: 'm'.repeat(500), stack: Array.from({ length: 200 }, () => 'frame '.repeat(20)) })),
    };
    const { value, note } = fitList(answer, 'occurrences', 3000);
    expect((value.occurrences as unknown[]).length).toBe(1);
    expect(note).toContain('2 of 3 occurrences left out');
  });
});
